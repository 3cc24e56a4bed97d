//! A shared library built from nmodl/*.mod behaves exactly like the same mechanisms compiled
//! with the JIT, and foreign or missing libraries are refused with a clear message.

use rsnrn::library::{build_library, nrn_load_dll};
use rsnrn::{CableModel, RecordTarget};
use std::path::{Path, PathBuf};

fn hh_soma_voltage(mut model: CableModel) -> Vec<f64> {
    let soma = model.create_section("soma").unwrap();
    model.set_length(soma, 20.0).unwrap();
    model.set_diam(soma, 20.0).unwrap();
    model.insert(soma, "hh").unwrap();
    let stim = model.add_point_process(soma, 0.5, "IClamp").unwrap();
    model.set_point(stim, "del", 5.0).unwrap();
    model.set_point(stim, "dur", 40.0).unwrap();
    model.set_point(stim, "amp", 0.15).unwrap();
    let v = model.record(RecordTarget::range(soma, 0.5, "v")).unwrap();
    model.finitialize(-65.0).unwrap();
    model.continuerun(50.0).unwrap();
    model.recording(v).unwrap().to_vec()
}

#[test]
fn library_mechanisms_equal_jit_mechanisms() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("library");
    let _ = std::fs::remove_dir_all(&dir);
    let files: Vec<PathBuf> = ["pas", "hh", "iclamp"]
        .iter()
        .map(|n| Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("nmodl/{n}.mod")))
        .collect();
    let so = dir.join(rsnrn::library::arch_dir()).join("librsnrnmech.so");
    let built = build_library(&files, &so).expect("the built-ins build into a library");
    let names: Vec<&str> = built.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["pas", "hh", "IClamp"]);

    let mut from_library = CableModel::new();
    let loaded = nrn_load_dll(&mut from_library, &so).expect("the library loads");
    assert_eq!(loaded, ["pas", "hh", "IClamp"]);
    let ours = hh_soma_voltage(from_library);
    let jit = hh_soma_voltage(rsnrn::builtins::model().unwrap());
    assert_eq!(ours.len(), 2001);
    assert!(
        ours.iter().cloned().fold(f64::MIN, f64::max) > 20.0,
        "the soma spikes"
    );
    assert_eq!(
        ours, jit,
        "library and JIT code must give bit-identical traces"
    );
}

#[test]
fn foreign_and_missing_libraries_are_refused() {
    let mut model = CableModel::new();
    let err = nrn_load_dll(&mut model, Path::new("/nonexistent/librsnrnmech.so"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("/nonexistent/librsnrnmech.so"), "{err}");
    let err = nrn_load_dll(&mut model, Path::new("libm.so.6"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not an rsnrn mechanism library"), "{err}");
}

#[test]
fn a_broken_file_stops_the_build_and_names_itself() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("library_broken");
    let _ = std::fs::create_dir_all(&dir);
    let bad = dir.join("bad.mod");
    std::fs::write(&bad, "NEURON { SUFFIX bad }\nBREAKPOINT { x = }\n").unwrap();
    let err = build_library(&[bad], &dir.join("lib.so"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("bad.mod:2:"), "{err}");
}

/// Events through library code: NET_RECEIVE, its INITIAL and WATCH conditions reached through
/// the table of a shared library, against the same mechanisms from the JIT.
fn synapse_run(mut model: CableModel) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    use rsnrn::runtime::NetConSource;
    let soma = model.create_section("soma").unwrap();
    model.set_length(soma, 20.0).unwrap();
    model.set_diam(soma, 20.0).unwrap();
    model.insert(soma, "hh").unwrap();
    let syn = model.add_point_process(soma, 0.5, "ExpSyn").unwrap();
    model.set_point(syn, "tau", 2.0).unwrap();
    let watch = model.add_point_process(soma, 0.5, "WatchCount").unwrap();
    let ns = model.add_artificial_cell("NetStim").unwrap();
    model.set_point(ns, "start", 2.0).unwrap();
    model.set_point(ns, "interval", 7.0).unwrap();
    let fire = model.add_artificial_cell("IntFire1").unwrap();
    for (target, w) in [(syn, 0.02), (fire, 0.7), (watch, 1.0)] {
        let nc = model
            .add_netcon(NetConSource::Point(ns), Some(target))
            .unwrap();
        model.set_netcon_weight(nc, 0, w).unwrap();
    }
    let fired = model.add_netcon(NetConSource::Point(fire), None).unwrap();
    let crossings = model.add_netcon(NetConSource::Point(watch), None).unwrap();
    model.netcon_record(fired).unwrap();
    model.netcon_record(crossings).unwrap();
    let v = model.record(RecordTarget::range(soma, 0.5, "v")).unwrap();
    model.finitialize(-65.0).unwrap();
    model.continuerun(40.0).unwrap();
    (
        model.recording(v).unwrap().to_vec(),
        model.netcon_spikes(fired).unwrap().to_vec(),
        model.netcon_spikes(crossings).unwrap().to_vec(),
    )
}

#[test]
fn library_event_mechanisms_equal_jit_mechanisms() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("library_events");
    let _ = std::fs::remove_dir_all(&dir);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = ["hh", "expsyn", "netstim", "intfire1"]
        .iter()
        .map(|n| root.join(format!("nmodl/{n}.mod")))
        .collect();
    files.push(root.join("tests/data/events/watchcount.mod"));
    let so = dir.join(rsnrn::library::arch_dir()).join("librsnrnmech.so");
    build_library(&files, &so).expect("the event mechanisms build into a library");
    let mut from_library = CableModel::new();
    nrn_load_dll(&mut from_library, &so).expect("the library loads");
    let ours = synapse_run(from_library);

    let mut jit = rsnrn::builtins::model().unwrap();
    let watchcount = rsnrn::compile::compile_file(&files[4]).unwrap();
    rsnrn::register(&mut jit, watchcount).unwrap();
    let theirs = synapse_run(jit);
    assert!(!ours.1.is_empty() && !ours.2.is_empty(), "{ours:?}");
    assert_eq!(ours, theirs, "library and JIT code must agree bit for bit");
}
