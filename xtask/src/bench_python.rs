//! The tutorial's DBS script (`../shared/seed/examples/seed_5_dbs.py`: a Python loop that sets
//! e_extracellular of the STN cell's sections before each of 5000 steps) timed with
//! `NEURON_IMPL=rsneuron` and with NEURON's own Python module, in the same run. Each side gets
//! the STN mechanisms built by its own tool (rsnrnivmodl, nrnivmodl). Printed: the wall time of
//! the whole script, best of three runs (the script is short, so the machine's noise shows).
//!
//! rsneuron must be installed in the virtualenv `crates/python/ci.sh` makes
//! (`$RSNEURON_VENV`, else `<target>/rsneuron-venv`); without it the figure is "not measured".

use crate::bench_scenarios::{build_mods, target_dir};
use crate::{neuron, workspace_root};
use std::path::{Path, PathBuf};
use std::process::Command;

const RUNS: usize = 3;

pub fn run() -> Result<(), String> {
    println!();
    println!("seed_5_dbs.py (Python loop over the STN cell's e_extracellular, 5000 steps):");
    let Some(shared) = std::env::var_os("RSNRN_SHARED").map(PathBuf::from) else {
        println!("  not measured (RSNRN_SHARED is unset)");
        return Ok(());
    };
    let root = workspace_root();
    let target = target_dir(&root);
    let venv = std::env::var_os("RSNEURON_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| target.join("rsneuron-venv"));
    let ours_python = venv.join("bin").join("python");
    let has_rsneuron = Command::new(&ours_python)
        .args(["-c", "import rsneuron"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_rsneuron {
        println!(
            "  not measured: no rsneuron in {} (run crates/python/ci.sh first)",
            venv.display()
        );
        return Ok(());
    }
    let status = Command::new(env!("CARGO"))
        .args([
            "build",
            "--release",
            "-p",
            "rsnrn-cli",
            "--bin",
            "rsnrnivmodl",
        ])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("running cargo build: {e}"))?;
    if !status.success() {
        return Err("cargo build --release -p rsnrn-cli failed".into());
    }
    let work = std::env::temp_dir().join(format!("rsnrn-bench-py-{}", std::process::id()));
    let result = measure(&shared, &target.join("release"), &ours_python, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn measure(shared: &Path, bin: &Path, ours_python: &Path, work: &Path) -> Result<(), String> {
    let model = shared.join("models/stn151460");
    let script_dir = shared.join("seed/examples");
    let ours_lib = build_mods(&model, &work.join("rsnrn"), &bin.join("rsnrnivmodl"), None)?
        .join("librsnrnmech.so");
    let ours = best_time(ours_python, "rsneuron", &ours_lib, &script_dir, work)?;
    println!("  rsneuron {ours:>8.3} s ({})", ours_python.display());
    let Some(nrniv) = neuron::find_nrniv() else {
        println!("  NEURON   not measured: no nrniv (pip install neuron==9.0.2)");
        return Ok(());
    };
    let dir = nrniv.parent().expect("nrniv is in a folder");
    let python = dir.join("python");
    let lib = build_mods(
        &model,
        &work.join("neuron"),
        &dir.join("nrnivmodl"),
        Some(dir),
    )?
    .join("libnrnmech.so");
    let theirs = best_time(&python, "neuron", &lib, &script_dir, work)?;
    println!("  NEURON   {theirs:>8.3} s ({})", python.display());
    println!(
        "  ratio    {:>8.2}x (NEURON time / rsneuron time)",
        theirs / ours
    );
    Ok(())
}

/// Best wall time of `RUNS` runs of the script with `NEURON_IMPL=implementation`.
fn best_time(
    python: &Path,
    implementation: &str,
    library: &Path,
    script_dir: &Path,
    work: &Path,
) -> Result<f64, String> {
    let out_dir = work.join("out").join(implementation);
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
    let mut best = f64::INFINITY;
    for _ in 0..RUNS {
        let start = std::time::Instant::now();
        let out = Command::new(python)
            .arg("seed_5_dbs.py")
            .current_dir(script_dir)
            .env("NEURON_IMPL", implementation)
            .env("MECH_LIB", library)
            .env("OUTDIR", &out_dir)
            .env_remove("DISPLAY")
            .stdin(std::process::Stdio::null())
            .output()
            .map_err(|e| format!("running {}: {e}", python.display()))?;
        let elapsed = start.elapsed().as_secs_f64();
        if !out.status.success() {
            return Err(format!(
                "seed_5_dbs.py with {implementation} failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        best = best.min(elapsed);
    }
    Ok(best)
}
