//! Whole reference scenarios timed under `rsnrniv` and `nrniv` in the same run: the tutorial's
//! seed example (509 sections with extracellular, 500 ms: the solver), the DBS scenario (a hoc
//! loop setting e_extracellular of 509 sections before every step: the interpreter), and the
//! five ModelDB models (the 4000-cell CUBA network of 83319, Mainen's 2488, Migliore's 3263
//! and 2796, the MRG axon 3810). Both programs get
//! the same files and arguments, as run_neuron.sh runs nrniv, with the model's mechanisms built
//! by rsnrnivmodl and by nrnivmodl respectively. Printed: the wall time of the whole process,
//! and of `continuerun` where the scenario prints it (startsw() in hoc).

use crate::{neuron, workspace_root};
use std::path::{Path, PathBuf};
use std::process::Command;

/// (scenario, model folder under ../shared/models, what it measures)
const SCENARIOS: &[(&str, &str, &str)] = &[
    (
        "stn_seed_example",
        "stn151460",
        "STN seed example: 509 sections, extracellular everywhere, 20000 steps",
    ),
    (
        "stn_dbs_extracellular",
        "stn151460",
        "STN DBS: hoc loop over 509 sections' e_extracellular before each of 2000 steps",
    ),
    (
        "modeldb_83319",
        "modeldb-83319",
        "ModelDB 83319: 4000 IF3 cells, 320000 NetCons, 1 s (set-up and run)",
    ),
    (
        "modeldb_2488",
        "modeldb-2488",
        "ModelDB 2488: L5 pyramid, 479 segments, 1000 ms",
    ),
    (
        "modeldb_3263",
        "modeldb-3263",
        "ModelDB 3263: CA3 pyramid, KINETIC calcium diffusion (sparse), three runs",
    ),
    (
        "modeldb_3810",
        "modeldb-3810",
        "ModelDB 3810: MRG myelinated axon, 221 sections with extracellular (double cable), dt 0.005",
    ),
    (
        "modeldb_2796",
        "modeldb-2796",
        "ModelDB 2796: CA1 pyramid, two runs",
    ),
];

/// One program's figures for a scenario: the whole process, and continuerun if printed.
struct Timing {
    total: f64,
    continuerun: Option<f64>,
}

impl std::fmt::Display for Timing {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{:>8.3} s", self.total)?;
        if let Some(c) = self.continuerun {
            write!(f, " (continuerun {c:.3} s)")?;
        }
        Ok(())
    }
}

pub fn run() -> Result<(), String> {
    let Some(shared) = std::env::var_os("RSNRN_SHARED").map(PathBuf::from) else {
        println!();
        println!("reference scenarios: not measured (RSNRN_SHARED is unset)");
        return Ok(());
    };
    let rsnrniv = build_rsnrniv()?;
    let bin = rsnrniv
        .parent()
        .expect("a binary in a folder")
        .to_path_buf();
    let work = std::env::temp_dir().join(format!("rsnrn-bench-stn-{}", std::process::id()));
    let result = measure(&shared, &bin, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// Builds rsnrniv (release) and returns its path.
pub(crate) fn build_rsnrniv() -> Result<PathBuf, String> {
    let root = workspace_root();
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "-p", "rsnrn-cli"])
        .current_dir(&root)
        .status()
        .map_err(|e| format!("running cargo build: {e}"))?;
    if !status.success() {
        return Err("cargo build --release -p rsnrn-cli failed".into());
    }
    Ok(target_dir(&root).join("release").join("rsnrniv"))
}

pub(crate) fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn measure(shared: &Path, bin: &Path, work: &Path) -> Result<(), String> {
    let nrniv = neuron::find_nrniv();
    let scenarios = shared.join("reference/scenarios");
    println!();
    println!("reference scenarios (wall time, same files and arguments):");
    for (name, model_name, what) in SCENARIOS {
        println!("  {what}");
        let model = shared.join("models").join(model_name);
        let ours_lib = build_mods(
            &model,
            &work.join("rsnrn").join(model_name),
            &bin.join("rsnrnivmodl"),
            None,
        )?
        .join("librsnrnmech.so");
        let ours = run_scenario(
            &bin.join("rsnrniv"),
            &ours_lib,
            &model,
            &scenarios,
            name,
            work,
        )?;
        println!("    rsnrn    {ours}");
        let Some(nrniv) = &nrniv else {
            println!("    NEURON   not measured: no nrniv (pip install neuron==9.0.2)");
            continue;
        };
        let dir = nrniv.parent().expect("nrniv is in a folder");
        let lib = build_mods(
            &model,
            &work.join("neuron").join(model_name),
            &dir.join("nrnivmodl"),
            Some(dir),
        )?
        .join("libnrnmech.so");
        let theirs = run_scenario(nrniv, &lib, &model, &scenarios, name, work)?;
        println!("    NEURON   {theirs} ({})", nrniv.display());
        print!("    ratio    {:>8.2}x", theirs.total / ours.total);
        if let (Some(a), Some(b)) = (ours.continuerun, theirs.continuerun) {
            print!(" (continuerun {:.2}x)", b / a);
        }
        println!(" (NEURON time / rsnrn time)");
    }
    Ok(())
}

/// Copies the model's .mod/.inc files into `dir` and runs `tool` there; returns the folder
/// the library went to (`dir/<arch>`).
pub(crate) fn build_mods(
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
            "{} failed on {}:\n{}{}",
            tool.display(),
            model.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(dir.join(std::env::consts::ARCH))
}

/// Runs one scenario as run_neuron.sh does: its wall time, and the sum of the `continuerun
/// wall time` figures it prints.
fn run_scenario(
    program: &Path,
    library: &Path,
    model: &Path,
    scenarios: &Path,
    name: &str,
    work: &Path,
) -> Result<Timing, String> {
    let out_dir = work.join("out").join(name);
    std::fs::create_dir_all(&out_dir)
        .map_err(|e| format!("creating {}: {e}", out_dir.display()))?;
    let start = std::time::Instant::now();
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
    let total = start.elapsed().as_secs_f64();
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
    let continuerun = (!times.is_empty()).then(|| times.iter().sum());
    Ok(Timing { total, continuerun })
}
