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
