//! Bad input gives a clear error, never a panic.

mod common;

use rsnrn_runtime::{CableModel, RecordTarget, RuntimeError, SectionId};

#[test]
fn nseg_must_be_at_least_one() {
    let mut m = common::model_with_basics();
    let s = m.create_section("soma").unwrap();
    for bad in [0, -3] {
        let e = m.set_nseg(s, bad).unwrap_err();
        assert!(matches!(e, RuntimeError::InvalidValue { .. }));
        let msg = e.to_string();
        assert!(msg.contains("nseg") && msg.contains("soma"), "{msg}");
    }
    assert_eq!(m.nseg(s).unwrap(), 1, "unchanged after the error");
}

#[test]
fn bad_geometry_values() {
    let mut m = common::model_with_basics();
    let s = m.create_section("soma").unwrap();
    assert!(m.set_length(s, -1.0).is_err());
    assert!(m.set_length(s, f64::NAN).is_err());
    assert!(m.set_diam(s, -2.0).is_err());
    assert!(m.set_ra(s, 0.0).is_err());
    assert!(m.set_cm(s, f64::INFINITY).is_err());
    assert!(m.set_range(s, 0.5, "diam", -1.0).is_err());
    assert!(m.set_global("dt", 0.0).is_err());
    assert!(m.set_global("secondorder", 3.0).is_err());
    assert!(m.finitialize(f64::NAN).is_err());
    assert_eq!(m.length(s).unwrap(), 100.0);
}

#[test]
fn unknown_mechanism_lists_the_known_ones() {
    let mut m = common::model_with_basics();
    let s = m.create_section("soma").unwrap();
    let e = m.insert(s, "hh").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown mechanism hh: known mechanisms are IClamp, pas"
    );
    assert!(m.add_point_process(s, 0.5, "ExpSyn").is_err());
    let e = CableModel::new().mechanism_id("pas").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown mechanism pas: no mechanisms are registered"
    );
}

#[test]
fn wrong_mechanism_kind() {
    let mut m = common::model_with_basics();
    let s = m.create_section("soma").unwrap();
    let e = m.insert(s, "IClamp").unwrap_err();
    assert!(matches!(e, RuntimeError::WrongMechanismKind { .. }), "{e}");
    let e = m.add_point_process(s, 0.5, "pas").unwrap_err();
    assert!(matches!(e, RuntimeError::WrongMechanismKind { .. }), "{e}");
}

#[test]
fn locations_outside_0_1() {
    let mut m = common::model_with_basics();
    let s = m.create_section("soma").unwrap();
    m.insert(s, "pas").unwrap();
    for x in [-0.1, 1.5, f64::NAN] {
        let e = m.set_range(s, x, "g_pas", 1.0).unwrap_err();
        assert!(matches!(e, RuntimeError::BadLocation { .. }));
        assert!(e.to_string().contains("soma"), "{e}");
        assert!(m.get_range(s, x, "v").is_err());
        assert!(m.add_point_process(s, x, "IClamp").is_err());
        assert!(m.record(RecordTarget::range(s, x, "v")).is_err());
    }
    let d = m.create_section("dend").unwrap();
    assert!(m.connect(d, 0.0, s, 2.0).is_err());
    assert!(
        m.connect(d, 0.5, s, 1.0).is_err(),
        "child end must be 0 or 1"
    );
}

#[test]
fn unknown_names() {
    let mut m = common::model_with_basics();
    let s = m.create_section("soma").unwrap();
    let e = m.set_range(s, 0.5, "gnabar_hh", 1.0).unwrap_err();
    assert_eq!(e.to_string(), "unknown variable gnabar_hh in section soma");
    let e = m.get_range(s, 0.5, "g_pas").unwrap_err();
    assert_eq!(
        e.to_string(),
        "g_pas does not exist in section soma because pas is not inserted there"
    );
    let p = m.add_point_process(s, 0.5, "IClamp").unwrap();
    let e = m.set_point(p, "gmax", 1.0).unwrap_err();
    assert!(matches!(e, RuntimeError::UnknownVariable { .. }), "{e}");
    assert!(m.set_point(p, "amp[1]", 1.0).is_err());
    assert!(m.get_global("tstop").is_err());
    assert!(m.get_range(s, 0.5, "v[").is_err());
    let e = m.get_range(s, 0.5, "ena").unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown variable ena in section soma",
        "no mechanism registered the na ion"
    );
}

#[test]
fn foreign_ids() {
    let mut m = common::model_with_basics();
    let mut other = CableModel::new();
    let s = other.create_section("a").unwrap();
    other.create_section("b").unwrap();
    let b: SectionId = other.section_id("b").unwrap();
    m.create_section("only").unwrap();
    assert!(m.length(s).is_ok());
    let e = m.length(b).unwrap_err();
    assert_eq!(e.to_string(), "there is no section with id 1 in this model");
    assert!(m.insert(b, "pas").is_err());
    assert!(m.recording(rsnrn_runtime_record_id()).is_err());
}

fn rsnrn_runtime_record_id() -> rsnrn_runtime::RecordId {
    let mut m = CableModel::new();
    let r = m.record(RecordTarget::Time).unwrap();
    m.record(RecordTarget::Time).unwrap_or(r)
}

#[test]
fn duplicate_section_names() {
    let mut m = CableModel::new();
    m.create_section("soma").unwrap();
    let e = m.create_section("soma").unwrap_err();
    assert_eq!(e.to_string(), "a section named soma already exists");
}

#[test]
fn connections_reject_loops_and_reparenting() {
    let mut m = CableModel::new();
    let a = m.create_section("a").unwrap();
    let b = m.create_section("b").unwrap();
    let c = m.create_section("c").unwrap();
    m.connect(b, 0.0, a, 1.0).unwrap();
    m.connect(c, 0.0, b, 1.0).unwrap();
    let e = m.connect(a, 0.0, c, 1.0).unwrap_err();
    assert!(e.to_string().contains("loop"), "{e}");
    assert!(m.connect(a, 0.0, a, 0.5).is_err());
    let e = m.connect(c, 0.0, a, 0.5).unwrap_err();
    assert_eq!(
        e.to_string(),
        "section c is already connected to b; disconnect it before connecting it to a"
    );
    m.disconnect(c).unwrap();
    m.connect(c, 0.0, a, 0.5).unwrap();
    assert_eq!(m.parent(c).unwrap(), Some((a, 0.5)));
    assert_eq!(m.parent(a).unwrap(), None);
    m.finitialize(-65.0).unwrap();
}

#[test]
fn nan_voltage_stops_the_run() {
    let mut m = common::model_with_basics();
    common::soma_dend_with_nan(&mut m, 0.5, 0.5);
    m.finitialize(-65.0).unwrap();
    let e = m.continuerun(5.0).unwrap_err();
    match &e {
        RuntimeError::NotFinite { section, x, t, .. } => {
            // The NaN enters at dend(0.5) in the step whose mid-point t_n + dt/2 passes 0.5.
            assert_eq!(section, "dend");
            assert_eq!(*x, 0.5);
            assert!((t - 0.525).abs() < 1e-9, "t = {t}");
        }
        other => panic!("expected NotFinite, got {other}"),
    }
    assert!(
        e.to_string()
            .starts_with("the membrane potential in dend(0.5) became NaN at t = 0.525"),
        "{e}"
    );
    assert!(e.to_string().contains("became NaN"), "{e}");
}

#[test]
fn nan_voltage_stops_a_threaded_run_the_same_way() {
    let mut m = common::model_with_basics();
    // A second cell first, so that the NaN's cell is stepped by the second group.
    let other = m.create_section("other").unwrap();
    m.set_nseg(other, 4).unwrap();
    common::soma_dend_with_nan(&mut m, 0.5, 0.5);
    m.set_threads(2).unwrap();
    m.finitialize(-65.0).unwrap();
    assert_eq!(m.threads_serial_reason(), None);
    let e = m.continuerun(5.0).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("the membrane potential in dend(0.5) became NaN at t = 0.525"),
        "{e}"
    );
}

#[test]
fn failing_kernel_names_the_mechanism() {
    let mut m = common::model_with_basics();
    common::register_failing(&mut m);
    let s = m.create_section("soma").unwrap();
    m.insert(s, "failing").unwrap();
    assert_eq!(m.get_global("gfail_failing").unwrap(), 3.0);
    m.finitialize(-65.0).unwrap();
    let e = m.fadvance().unwrap_err();
    assert_eq!(
        e.to_string(),
        "the state kernel of mechanism failing failed with status 7 at t = 0.025 ms"
    );
}
