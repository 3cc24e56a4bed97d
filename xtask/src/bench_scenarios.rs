//! Whole reference scenarios of the STN cell timed under `rsnrniv` and `nrniv` in the same
//! run: the tutorial's seed example (509 sections with extracellular, 500 ms: the solver) and
//! the DBS scenario (a hoc loop setting e_extracellular of 509 sections before every step: the
//! interpreter). Each scenario prints its `continuerun` wall time (startsw() in hoc); both
//! programs get the same files and arguments, as run_neuron.sh runs nrniv, with the STN
//! model's mechanisms built by rsnrnivmodl and by nrnivmodl respectively.

use crate::{neuron, workspace_root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (scenario, what it measures)
const SCENARIOS: &[(&str, &str)] = &[
    (
        "stn_seed_example",
        "STN seed example: 509 sections, extracellular everywhere, 20000 steps",
    ),
    (
        "stn_dbs_extracellular",
        "STN DBS: hoc loop over 509 sections' e_extracellular before each of 2000 steps",
    ),
];

pub fn run() -> Result<(), String> {
    let Some(shared) = std::env::var_os("RSNRN_SHARED").map(PathBuf::from) else {
        println!();
        println!("STN scenarios: not measured (RSNRN_SHARED is unset)");
        return Ok(());
    };
    let root = workspace_root();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "-p", "rsnrn-cli"])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("running cargo build: {e}"))?;
    if !status.success() {
        return Err("cargo build --release -p rsnrn-cli failed".into());
    }
    let bin = target_dir(&root).join("release");
    let work = std::env::temp_dir().join(format!("rsnrn-bench-stn-{}", std::process::id()));
    let result = measure(&shared, &bin, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn measure(shared: &Path, bin: &Path, work: &Path) -> Result<(), String> {
    let model = shared.join("models/stn151460");
    let ours = build_mods(&model, &work.join("rsnrn"), &bin.join("rsnrnivmodl"), None)?
        .join("librsnrnmech.so");
    let nrniv = neuron::find_nrniv();
    let theirs = match &nrniv {
        Some(nrniv) => {
            let dir = nrniv.parent().expect("nrniv is in a folder");
            let built = build_mods(
                &model,
                &work.join("neuron"),
                &dir.join("nrnivmodl"),
                Some(dir),
            )?;
            Some(built.join("libnrnmech.so"))
        }
        None => None,
    };
    println!();
    println!("STN reference scenarios (continuerun wall time, same files and arguments):");
    for (name, what) in SCENARIOS {
        println!("  {what}");
        let scenarios = shared.join("reference/scenarios");
        let ours_s = run_scenario(&bin.join("rsnrniv"), &ours, &model, &scenarios, name, work)?;
        println!("    rsnrn    {ours_s:>8.3} s");
        match (&nrniv, &theirs) {
            (Some(nrniv), Some(lib)) => {
                let theirs_s = run_scenario(nrniv, lib, &model, &scenarios, name, work)?;
                println!("    NEURON   {theirs_s:>8.3} s ({})", nrniv.display());
                println!(
                    "    ratio    {:>8.2}x (NEURON time / rsnrn time)",
                    theirs_s / ours_s
                );
            }
            _ => println!("    NEURON   not measured: no nrniv (pip install neuron==9.0.2)"),
        }
    }
    Ok(())
}

/// Copies the model's .mod/.inc files into `dir` and runs `tool` there; returns the folder
/// the library went to (`dir/<arch>`).
fn build_mods(
    model: &Path,
    dir: &Path,
    tool: &Path,
    path_dir: Option<&Path>,
) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let entries =
        std::fs::read_dir(model).map_err(|e| format!("reading {}: {e}", model.display()))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("mod" | "inc")
        ) {
            std::fs::copy(&path, dir.join(entry.file_name()))
                .map_err(|e| format!("copying {}: {e}", path.display()))?;
        }
    }
    let mut command = Command::new(tool);
    command.current_dir(dir);
    if let Some(extra) = path_dir {
        // nrnivmodl runs nocmodl and its make from its own folder.
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![extra.to_path_buf()];
        paths.extend(std::env::split_paths(&path));
        command.env(
            "PATH",
            std::env::join_paths(paths).map_err(|e| e.to_string())?,
        );
    }
    let out = command
        .output()
        .map_err(|e| format!("running {}: {e}", tool.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} failed on the STN model:\n{}{}",
            tool.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(dir.join(std::env::consts::ARCH))
}

/// Runs one scenario as run_neuron.sh does and returns the sum of the `continuerun wall time`
/// figures it prints.
fn run_scenario(
    program: &Path,
    library: &Path,
    model: &Path,
    scenarios: &Path,
    name: &str,
    work: &Path,
) -> Result<f64, String> {
    let out_dir = work.join("out").join(name);
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
    let out = Command::new(program)
        .current_dir(scenarios)
        .arg("-nogui")
        .arg("-dll")
        .arg(library)
        .args(["-c", "strdef outdir", "-c"])
        .arg(format!("outdir=\"{}\"", out_dir.display()))
        .args(["-c", "strdef modeldir", "-c"])
        .arg(format!("modeldir=\"{}\"", model.display()))
        .arg(format!("{name}.hoc"))
        .args(["-c", "quit()"])
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| format!("running {}: {e}", program.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        return Err(format!(
            "{} {name}.hoc failed:\n{stdout}{}",
            program.display(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let times: Vec<f64> = stdout
        .lines()
        .filter_map(|l| l.split("continuerun wall time ").nth(1))
        .filter_map(|rest| rest.trim_end_matches(" s").trim().parse().ok())
        .collect();
    if times.is_empty() {
        return Err(format!(
            "{} printed no continuerun wall time:\n{stdout}",
            program.display()
        ));
    }
    Ok(times.iter().sum())
}
