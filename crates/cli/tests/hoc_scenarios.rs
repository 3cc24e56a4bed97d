//! The reference scenarios run by rsnrniv exactly as run_neuron.sh runs nrniv
//! (`rsnrniv -nogui -c 'strdef outdir' -c 'outdir="OUT"' SCENARIO.hoc -c 'quit()'` from the
//! scenarios folder) and compared with NEURON 9.0.2's traces by compare.py at the "exact"
//! level of ../shared/reference/README.md. The STN scenarios get the 16 mechanisms of
//! ../shared/models/stn151460 built by rsnrnivmodl and passed with `-dll`, and `modeldir`.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// How a scenario is run: plain, or with the STN model's mechanisms and folder.
enum Mods {
    BuiltIn,
    Stn,
}

/// Runs one scenario and compares each of its trace files with compare.py's `options`.
fn scenario(test: &str, name: &str, mods: Mods, files: &[&str], options: &[&str]) {
    let Some(shared) = common::shared_dir(test) else {
        return;
    };
    let reference = shared.join("reference");
    let out = common::out_dir(&format!("rsnrniv_{name}"));
    let set_outdir = format!("outdir=\"{}\"", out.display());
    let script = format!("{name}.hoc");
    let mut command = Command::new(env!("CARGO_BIN_EXE_rsnrniv"));
    command
        .current_dir(reference.join("scenarios"))
        .arg("-nogui");
    if let Mods::Stn = mods {
        let model = shared.join("models/stn151460");
        let library = build_stn_library(&model, &out.join("mods"));
        command.arg("-dll").arg(library);
        command.args(["-c", "strdef modeldir"]);
        command
            .arg("-c")
            .arg(format!("modeldir=\"{}\"", model.display()));
    }
    let run = command
        .args(["-c", "strdef outdir", "-c", &set_outdir, &script])
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
        common::compare(&shared, &neuron.join(file), &out.join(file), options);
    }
}

/// Copies the model's .mod and .inc files into `build` and runs rsnrnivmodl there, as
/// run_neuron.sh does with nrnivmodl; returns the library's path.
fn build_stn_library(model: &Path, build: &Path) -> PathBuf {
    std::fs::create_dir_all(build).expect("creating the mechanism build folder");
    let entries = std::fs::read_dir(model).expect("reading the STN model folder");
    for entry in entries {
        let path = entry.expect("listing the STN model folder").path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("mod" | "inc")
        ) {
            std::fs::copy(&path, build.join(path.file_name().unwrap())).expect("copying a .mod");
        }
    }
    let built = Command::new(env!("CARGO_BIN_EXE_rsnrnivmodl"))
        .current_dir(build)
        .output()
        .expect("running rsnrnivmodl");
    assert!(
        built.status.success(),
        "rsnrnivmodl failed on the STN model:\n{}{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
    let library = build.join(std::env::consts::ARCH).join("librsnrnmech.so");
    assert!(
        library.is_file(),
        "rsnrnivmodl wrote no {}",
        library.display()
    );
    library
}

#[test]
fn hh_soma_hoc_matches_neuron() {
    scenario(
        "hh_soma_hoc_matches_neuron",
        "hh_soma",
        Mods::BuiltIn,
        &["hh_soma.txt", "hh_soma_usetable0.txt"],
        common::EXACT,
    );
}

#[test]
fn passive_cable_hoc_matches_neuron() {
    scenario(
        "passive_cable_hoc_matches_neuron",
        "passive_cable",
        Mods::BuiltIn,
        &["passive_cable.txt"],
        common::EXACT,
    );
}

#[test]
fn hh_cable_cn_hoc_matches_neuron() {
    scenario(
        "hh_cable_cn_hoc_matches_neuron",
        "hh_cable_cn",
        Mods::BuiltIn,
        &[
            "hh_cable_cn_secondorder2.txt",
            "hh_cable_cn_secondorder0.txt",
        ],
        common::EXACT,
    );
}

#[test]
fn synapses_hoc_matches_neuron() {
    scenario(
        "synapses_hoc_matches_neuron",
        "synapses",
        Mods::BuiltIn,
        &["synapses.txt", "synapses_spikes.txt"],
        common::EXACT,
    );
}

#[test]
fn stn_seed_example_hoc_matches_neuron() {
    scenario(
        "stn_seed_example_hoc_matches_neuron",
        "stn_seed_example",
        Mods::Stn,
        &["stn_seed_example.txt", "stn_seed_example_spikes.txt"],
        common::EXACT,
    );
}

#[test]
fn stn_dbs_extracellular_hoc_matches_neuron() {
    scenario(
        "stn_dbs_extracellular_hoc_matches_neuron",
        "stn_dbs_extracellular",
        Mods::Stn,
        &["stn_dbs_extracellular.txt"],
        common::EXACT,
    );
}

#[test]
fn stn_lfp_hoc_matches_neuron() {
    scenario(
        "stn_lfp_hoc_matches_neuron",
        "stn_lfp",
        Mods::Stn,
        &["stn_lfp.txt"],
        common::EXACT,
    );
}

#[test]
fn gillies_small_run_hoc_matches_neuron() {
    // Somatic spikes of this cell peak at only 0.8-6 mV: the README detects them at -20 mV.
    let options = [common::EXACT, &["--spike-thresh", "-20"]].concat();
    scenario(
        "gillies_small_run_hoc_matches_neuron",
        "gillies_small_run",
        Mods::Stn,
        &["gillies_small_run.txt", "gillies_small_run_usetable0.txt"],
        &options,
    );
}

/// Every section of `new STN()` (509 and the electrode): nseg, L, diam, and area(x), ri(x) of
/// every segment to 12 digits, as nrniv prints them (tests/data/stn_geometry).
#[test]
fn stn_template_geometry_matches_neuron() {
    let Some(shared) = common::shared_dir("stn_template_geometry_matches_neuron") else {
        return;
    };
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/stn_geometry");
    let model = shared.join("models/stn151460");
    let out = common::out_dir("rsnrniv_stn_geometry");
    let library = build_stn_library(&model, &out.join("mods"));
    let run = Command::new(env!("CARGO_BIN_EXE_rsnrniv"))
        .current_dir(&data)
        .arg("-nogui")
        .arg("-dll")
        .arg(library)
        .args(["-c", "strdef modeldir", "-c"])
        .arg(format!("modeldir=\"{}\"", model.display()))
        .args(["stn_areas.hoc", "-c", "quit()"])
        .stdin(Stdio::null())
        .output()
        .expect("running rsnrniv");
    assert!(
        run.status.success(),
        "rsnrniv stn_areas.hoc failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let expected = std::fs::read_to_string(data.join("stn_areas.neuron-9.0.2.out"))
        .expect("reading NEURON's stn_areas output");
    let ours = String::from_utf8_lossy(&run.stdout);
    assert!(
        expected.contains("sections 510"),
        "unexpected reference file"
    );
    for (n, (a, b)) in ours.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, b, "line {} of stn_areas differs from NEURON's", n + 1);
    }
    assert_eq!(ours.lines().count(), expected.lines().count());
}
