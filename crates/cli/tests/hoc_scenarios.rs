//! The reference scenarios run by rsnrniv exactly as run_neuron.sh runs nrniv
//! (`rsnrniv -nogui -c 'strdef outdir' -c 'outdir="OUT"' SCENARIO.hoc -c 'quit()'` from the
//! scenarios folder) and compared with NEURON 9.0.2's traces by compare.py at the "exact"
//! level of ../shared/reference/README.md. A scenario whose first line is `//@mods NAME` gets
//! the mechanisms of ../shared/models/NAME (the .mod and .inc files of the folder) built by
//! rsnrnivmodl and passed with `-dll`, and `modeldir` set to the folder.

#[path = "../../../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The model folder a scenario's first line names (`//@mods NAME ...`); None for
/// `//@mods none` (built-in mechanisms only) or no such line.
fn mods_folder(script: &Path) -> Option<String> {
    let text = std::fs::read_to_string(script)
        .unwrap_or_else(|e| panic!("reading {}: {e}", script.display()));
    let first = text.lines().next()?;
    let rest = first.strip_prefix("//@mods")?;
    rest.split_whitespace()
        .next()
        .filter(|name| *name != "none")
        .map(str::to_string)
}

/// Runs one scenario and compares each of its trace files with compare.py's `options`.
fn scenario(test: &str, name: &str, files: &[&str], options: &[&str]) {
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
    if let Some(folder) = mods_folder(&reference.join("scenarios").join(&script)) {
        let model = shared.join("models").join(folder);
        let library = build_library(&model, &out.join("mods"));
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

/// Copies the model's .mod and .inc files into `build` and runs rsnrnivmodl there, as run_neuron.sh does with nrnivmodl; returns the
/// library's path.
fn build_library(model: &Path, build: &Path) -> PathBuf {
    std::fs::create_dir_all(build).expect("creating the mechanism build folder");
    copy_mechanism_files(model, build);
    let built = Command::new(env!("CARGO_BIN_EXE_rsnrnivmodl"))
        .current_dir(build)
        .output()
        .expect("running rsnrnivmodl");
    assert!(
        built.status.success(),
        "rsnrnivmodl failed on {}:\n{}{}",
        model.display(),
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

fn copy_mechanism_files(folder: &Path, build: &Path) {
    let entries = std::fs::read_dir(folder)
        .unwrap_or_else(|e| panic!("reading the model folder {}: {e}", folder.display()));
    for entry in entries {
        let path = entry.expect("listing the model folder").path();
        if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("mod" | "inc")
        ) {
            std::fs::copy(&path, build.join(path.file_name().unwrap())).expect("copying a .mod");
        }
    }
}

#[test]
fn hh_soma_hoc_matches_neuron() {
    scenario(
        "hh_soma_hoc_matches_neuron",
        "hh_soma",
        &["hh_soma.txt", "hh_soma_usetable0.txt"],
        common::EXACT,
    );
}

#[test]
fn passive_cable_hoc_matches_neuron() {
    scenario(
        "passive_cable_hoc_matches_neuron",
        "passive_cable",
        &["passive_cable.txt"],
        common::EXACT,
    );
}

#[test]
fn hh_cable_cn_hoc_matches_neuron() {
    scenario(
        "hh_cable_cn_hoc_matches_neuron",
        "hh_cable_cn",
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
        &["synapses.txt", "synapses_spikes.txt"],
        common::EXACT,
    );
}

#[test]
fn stn_seed_example_hoc_matches_neuron() {
    scenario(
        "stn_seed_example_hoc_matches_neuron",
        "stn_seed_example",
        &["stn_seed_example.txt", "stn_seed_example_spikes.txt"],
        common::EXACT,
    );
}

#[test]
fn stn_dbs_extracellular_hoc_matches_neuron() {
    scenario(
        "stn_dbs_extracellular_hoc_matches_neuron",
        "stn_dbs_extracellular",
        &["stn_dbs_extracellular.txt"],
        common::EXACT,
    );
}

#[test]
fn stn_lfp_hoc_matches_neuron() {
    scenario(
        "stn_lfp_hoc_matches_neuron",
        "stn_lfp",
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
    let library = build_library(&model, &out.join("mods"));
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

#[test]
fn modeldb_3810_hoc_matches_neuron() {
    scenario(
        "modeldb_3810_hoc_matches_neuron",
        "modeldb_3810",
        &["modeldb_3810.txt", "modeldb_3810_spikes.txt"],
        common::EXACT,
    );
}

#[test]
fn modeldb_2488_hoc_matches_neuron() {
    scenario(
        "modeldb_2488_hoc_matches_neuron",
        "modeldb_2488",
        &["modeldb_2488.txt", "modeldb_2488_spikes.txt"],
        common::EXACT,
    );
}

#[test]
fn modeldb_2796_hoc_matches_neuron() {
    // The dendritic traces never cross 0 mV: the README detects spikes at -20 mV.
    let options = [common::EXACT, &["--spike-thresh", "-20"]].concat();
    scenario(
        "modeldb_2796_hoc_matches_neuron",
        "modeldb_2796",
        &[
            "modeldb_2796_syn.txt",
            "modeldb_2796_syn_spikes.txt",
            "modeldb_2796_nosyn.txt",
            "modeldb_2796_nosyn_spikes.txt",
        ],
        &options,
    );
}

#[test]
fn modeldb_3263_hoc_matches_neuron() {
    scenario(
        "modeldb_3263_hoc_matches_neuron",
        "modeldb_3263",
        &[
            "modeldb_3263_burst.txt",
            "modeldb_3263_burst_spikes.txt",
            "modeldb_3263_nburst_short.txt",
            "modeldb_3263_nburst_short_spikes.txt",
            "modeldb_3263_nburst_long.txt",
            "modeldb_3263_nburst_long_spikes.txt",
        ],
        common::EXACT,
    );
}

#[test]
fn modeldb_83319_hoc_matches_neuron() {
    // Artificial-cell spike times are exact in NEURON (none on the step grid): the README's
    // exact level compares them to 1e-6 ms.
    let options = [common::EXACT, &["--spike-tol", "1e-6"]].concat();
    scenario(
        "modeldb_83319_hoc_matches_neuron",
        "modeldb_83319",
        &["modeldb_83319.txt", "modeldb_83319_spikes.txt"],
        &options,
    );
}
