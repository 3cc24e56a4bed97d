//! Finding (or installing) NEURON 9.0.2 and running its `nrniv` and Python.

use std::path::PathBuf;
use std::process::Command;

/// `nrniv` on PATH, else in `$NRN_VENV` or the venv `run_neuron.sh` makes by default.
pub fn find_nrniv() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("PATH") {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join("nrniv");
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into());
    let venvs = [
        std::env::var("NRN_VENV").ok().map(PathBuf::from),
        Some(PathBuf::from(tmp).join("rsnrn-neuron-9.0.2-venv")),
    ];
    venvs
        .into_iter()
        .flatten()
        .map(|v| v.join("bin").join("nrniv"))
        .find(|p| p.is_file())
}

/// Runs `hoc` with `nrniv -nogui` and returns its standard output.
pub fn run_hoc(nrniv: &PathBuf, hoc: &str) -> Result<String, String> {
    let dir = std::env::temp_dir().join(format!("rsnrn-xtask-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let file = dir.join("bench.hoc");
    std::fs::write(&file, hoc).map_err(|e| format!("writing {}: {e}", file.display()))?;
    let out = Command::new(nrniv)
        .arg("-nogui")
        .arg(&file)
        .arg("-c")
        .arg("quit()")
        .current_dir(&dir)
        .output()
        .map_err(|e| format!("running {}: {e}", nrniv.display()))?;
    let _ = std::fs::remove_dir_all(&dir);
    if !out.status.success() {
        return Err(format!(
            "nrniv failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The venv `neuron_python` installs NEURON into when none is found.
fn default_venv() -> PathBuf {
    let tmp = std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into());
    PathBuf::from(tmp).join("rsnrn-neuron-9.0.2-venv")
}

/// The Python beside a found `nrniv` (`import neuron` works there), or a new venv with
/// `pip install neuron==9.0.2` when no NEURON is found.
pub fn neuron_python() -> Result<PathBuf, String> {
    if let Some(nrniv) = find_nrniv() {
        let python = nrniv.with_file_name("python");
        if python.is_file() {
            return Ok(python);
        }
    }
    let venv = default_venv();
    eprintln!(
        "xtask: no NEURON found; installing neuron==9.0.2 into {}",
        venv.display()
    );
    let run = |cmd: &mut Command| -> Result<(), String> {
        let status = cmd.status().map_err(|e| format!("running {cmd:?}: {e}"))?;
        status
            .success()
            .then_some(())
            .ok_or_else(|| format!("{cmd:?} failed ({status})"))
    };
    run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
    let python = venv.join("bin").join("python");
    run(Command::new(&python).args(["-m", "pip", "install", "--quiet", "neuron==9.0.2"]))?;
    Ok(python)
}
