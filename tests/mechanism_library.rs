//! A shared library built from nmodl/*.mod behaves exactly like the same mechanisms compiled
//! with the JIT, and foreign or missing libraries are refused with a clear message.

#[allow(dead_code)] // the helpers other tests use
mod common;

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

/// The STN soma of ../shared/models/stn151460 (its eleven soma mechanisms with the Gillies
/// values, and an AMPA synapse whose POINTER reads the soma's v) run for 100 ms.
fn stn_soma_voltage(mut model: CableModel) -> Vec<f64> {
    let soma = model.create_section("soma").unwrap();
    model.set_length(soma, 20.0).unwrap();
    model.set_diam(soma, 20.0).unwrap();
    model.set_celsius(36.0).unwrap();
    for (name, value) in [
        ("cai0_ca_ion", 1e-4),
        ("cao0_ca_ion", 2.0),
        ("ki0_k_ion", 140.0),
        ("ko0_k_ion", 2.5),
        ("nao0_na_ion", 126.0),
        ("nai0_na_ion", 10.0),
    ] {
        model.set_global(name, value).unwrap();
    }
    for m in [
        "myions", "Cacum", "CaT", "HVA", "sKCa", "KDR", "Kv31", "Na", "NaL", "Ih", "STh",
    ] {
        model.insert(soma, m).unwrap();
    }
    for (name, value) in [
        ("gcaL_HVA", 0.00095),
        ("gcaN_HVA", 0.00115),
        ("gk_sKCa", 0.00012312),
        ("gk_KDR", 0.00384),
        ("gk_Kv31", 0.01608),
        ("gna_Na", 0.0111),
        ("gna_NaL", 8.325e-06),
        ("gk_Ih", 0.00101),
        ("gpas_STh", 7.84112e-05),
    ] {
        model.set_range(soma, 0.5, name, value).unwrap();
    }
    let syn = model.add_point_process(soma, 0.5, "AMPA").unwrap();
    model
        .set_point_pointer(syn, "pre", RecordTarget::range(soma, 0.5, "v"))
        .unwrap();
    let v = model.record(RecordTarget::range(soma, 0.5, "v")).unwrap();
    model.finitialize(-60.0).unwrap();
    model.continuerun(100.0).unwrap();
    model.recording(v).unwrap().to_vec()
}

/// What a user does in the STN model folder: rsnrnivmodl's library of all 16 .mod files
/// loads into the runtime and runs exactly like the JIT-compiled mechanisms.
#[test]
fn stn_model_folder_builds_loads_and_runs_like_the_jit() {
    let Some(shared) = common::shared_dir("stn_model_folder_builds_loads_and_runs_like_the_jit")
    else {
        return;
    };
    let folder = shared.join("models/stn151460");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "mod"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 16);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("stn_library");
    let _ = std::fs::remove_dir_all(&dir);
    let so = dir.join(rsnrn::library::arch_dir()).join("librsnrnmech.so");
    let built = build_library(&files, &so).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(built.len(), 16);

    let mut from_library = rsnrn::builtins::model().unwrap();
    let loaded = nrn_load_dll(&mut from_library, &so).expect("the STN library loads");
    assert_eq!(loaded.len(), 16);
    let mut jit = rsnrn::builtins::model().unwrap();
    for f in &files {
        let mech = rsnrn::compile::compile_file(f).unwrap_or_else(|e| panic!("{e}"));
        rsnrn::register(&mut jit, mech).unwrap();
    }
    let ours = stn_soma_voltage(from_library);
    let theirs = stn_soma_voltage(jit);
    assert_eq!(ours.len(), 4001);
    assert!(ours.iter().all(|v| v.is_finite()));
    assert_eq!(
        ours, theirs,
        "library and JIT code must give bit-identical traces"
    );
}
