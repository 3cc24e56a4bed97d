//! The reference scenarios run by rsnrniv exactly as run_neuron.sh runs nrniv
//! (`rsnrniv -nogui -c 'strdef outdir' -c 'outdir="OUT"' SCENARIO.hoc -c 'quit()'` from the
//! scenarios folder) and compared with NEURON 9.0.2's traces by compare.py at the "exact"
//! level of ../shared/reference/README.md.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::process::{Command, Stdio};

/// Runs one scenario and compares each of its trace files.
fn scenario(test: &str, name: &str, files: &[&str]) {
    let Some(shared) = common::shared_dir(test) else {
        return;
    };
    let reference = shared.join("reference");
    let out = common::out_dir(&format!("rsnrniv_{name}"));
    let set_outdir = format!("outdir=\"{}\"", out.display());
    let script = format!("{name}.hoc");
    let run = Command::new(env!("CARGO_BIN_EXE_rsnrniv"))
        .current_dir(reference.join("scenarios"))
        .args(["-nogui", "-c", "strdef outdir", "-c", &set_outdir, &script])
        .args(["-c", "quit()"])
        .stdin(Stdio::null())
        .output()
        .expect("running rsnrniv");
    assert!(
        run.status.success(),
        "rsnrniv {script} failed ({}):\n{}{}",
        run.status,
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    let neuron = reference.join("neuron-9.0.2").join(name);
    for file in files {
        common::compare(&shared, &neuron.join(file), &out.join(file), common::EXACT);
    }
}

#[test]
fn hh_soma_hoc_matches_neuron() {
    scenario(
        "hh_soma_hoc_matches_neuron",
        "hh_soma",
        &["hh_soma.txt", "hh_soma_usetable0.txt"],
    );
}

#[test]
fn passive_cable_hoc_matches_neuron() {
    scenario(
        "passive_cable_hoc_matches_neuron",
        "passive_cable",
        &["passive_cable.txt"],
    );
}
