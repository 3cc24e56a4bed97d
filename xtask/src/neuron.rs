//! Finding and running NEURON's `nrniv` for side-by-side figures.

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
