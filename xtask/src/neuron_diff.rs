//! `cargo xtask neuron-diff [ENTRY ...]`: regenerates NEURON 9.0.2's tables for
//! tests/differential_vs_neuron.rs by running tests/data/differential/make_reference.py with
//! NEURON's Python (found, or installed into a venv; see [`crate::neuron::neuron_python`]).
//! The .mod files are read from `$RSNRN_SHARED`; the tables are written beside the script.

use std::process::Command;

pub fn run(entries: &[String]) -> Result<(), String> {
    if std::env::var_os("RSNRN_SHARED").is_none() {
        return Err(
            "RSNRN_SHARED is unset: set it to the shared/ folder holding corpus/ and models/"
                .into(),
        );
    }
    let python = crate::neuron::neuron_python()?;
    let script = crate::workspace_root().join("tests/data/differential/make_reference.py");
    let status = Command::new(&python)
        .arg(&script)
        .args(entries)
        .status()
        .map_err(|e| format!("running {}: {e}", python.display()))?;
    if !status.success() {
        return Err(format!("{} failed ({status})", script.display()));
    }
    Ok(())
}
