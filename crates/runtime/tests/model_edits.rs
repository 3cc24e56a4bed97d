//! Structure edits after values were set: nseg changes, uninsert, point processes, records.

mod common;

use rsnrn_runtime::{RecordTarget, RuntimeError};

#[test]
fn nseg_change_keeps_values_of_the_containing_segment() {
    let mut m = common::model_with_basics();
    let s = m.create_section("s").unwrap();
    m.insert(s, "pas").unwrap();
    m.set_range(s, 0.5, "g_pas", 0.002).unwrap();
    m.set_nseg(s, 3).unwrap();
    for x in [0.1, 0.5, 0.9] {
        assert_eq!(m.get_range(s, x, "g_pas").unwrap(), 0.002);
    }
    for (j, g) in [1.0, 2.0, 3.0].into_iter().enumerate() {
        m.set_range(s, (j as f64 + 0.5) / 3.0, "g_pas", g).unwrap();
        m.set_range(s, (j as f64 + 0.5) / 3.0, "cm", 10.0 * g)
            .unwrap();
    }
    m.set_nseg(s, 6).unwrap();
    let got: Vec<f64> = (0..6)
        .map(|j| m.get_range(s, (j as f64 + 0.5) / 6.0, "g_pas").unwrap())
        .collect();
    assert_eq!(got, [1.0, 1.0, 2.0, 2.0, 3.0, 3.0]);
    let cm: Vec<f64> = (0..6)
        .map(|j| m.get_range(s, (j as f64 + 0.5) / 6.0, "cm").unwrap())
        .collect();
    assert_eq!(cm, [10.0, 10.0, 20.0, 20.0, 30.0, 30.0]);
    m.set_nseg(s, 2).unwrap();
    assert_eq!(m.get_range(s, 0.25, "g_pas").unwrap(), 1.0);
    assert_eq!(m.get_range(s, 0.75, "g_pas").unwrap(), 3.0);
}

#[test]
fn v_survives_rebuilds() {
    let mut m = common::model_with_basics();
    let s = m.create_section("s").unwrap();
    m.set_nseg(s, 2).unwrap();
    m.finitialize(-70.0).unwrap();
    m.set_range(s, 0.25, "v", -10.0).unwrap();
    m.set_range(s, 0.75, "v", -20.0).unwrap();
    m.set_range(s, 1.0, "v", -30.0).unwrap();
    m.insert(s, "pas").unwrap(); // structure change: rebuild
    m.set_nseg(s, 4).unwrap();
    let v: Vec<f64> = [0.125, 0.375, 0.625, 0.875, 1.0, 0.0]
        .iter()
        .map(|&x| m.get_range(s, x, "v").unwrap())
        .collect();
    assert_eq!(v, [-10.0, -10.0, -20.0, -20.0, -30.0, -70.0]);
    // A new section starts at NEURON's -65.
    let n = m.create_section("n").unwrap();
    assert_eq!(m.get_range(n, 0.5, "v").unwrap(), -65.0);
}

#[test]
fn point_processes_keep_values_and_follow_nseg() {
    let mut m = common::model_with_basics();
    let s = m.create_section("s").unwrap();
    let p = m.add_point_process(s, 0.3, "IClamp").unwrap();
    let q = m.add_point_process(s, 0.3, "IClamp").unwrap();
    m.set_point(p, "amp", 1.5).unwrap();
    m.set_point(q, "amp", 2.5).unwrap();
    m.set_nseg(s, 5).unwrap();
    m.finitialize(-65.0).unwrap();
    assert_eq!(m.get_point(p, "amp").unwrap(), 1.5);
    assert_eq!(m.get_point(q, "amp").unwrap(), 2.5);
    assert_eq!(m.point_location(p).unwrap(), (s, 0.3));
    assert_eq!(m.point_mechanism(p).unwrap(), "IClamp");
    m.remove_point_process(p).unwrap();
    assert_eq!(m.get_point(q, "amp").unwrap(), 2.5);
    assert!(matches!(
        m.get_point(p, "amp"),
        Err(RuntimeError::UnknownPointProcess { .. })
    ));
    m.finitialize(-65.0).unwrap();
    assert_eq!(m.get_point(q, "amp").unwrap(), 2.5);
}

#[test]
fn records_follow_rebuilds_and_var_refs_go_stale() {
    let mut m = common::model_with_basics();
    let s = m.create_section("s").unwrap();
    m.insert(s, "pas").unwrap();
    let g = m.record(RecordTarget::range(s, 0.5, "g_pas")).unwrap();
    let v = m.record(RecordTarget::range(s, 0.5, "v")).unwrap();
    let t = m.record(RecordTarget::Time).unwrap();
    let dt = m.record(RecordTarget::global("dt")).unwrap();
    let r = m.var_ref(&RecordTarget::range(s, 0.5, "g_pas")).unwrap();
    m.write(&r, 0.003).unwrap();
    let other = m.create_section("other").unwrap(); // structure change
    m.insert(other, "pas").unwrap();
    assert_eq!(m.read(&r), Err(RuntimeError::StaleReference));
    let dtref = m.var_ref(&RecordTarget::global("dt")).unwrap();
    m.finitialize(-65.0).unwrap();
    m.fadvance().unwrap();
    m.fadvance().unwrap();
    assert_eq!(m.recording(g).unwrap(), [0.003; 3]);
    assert_eq!(m.recording(t).unwrap(), [0.0, 0.025, 0.05]);
    assert_eq!(m.recording(dt).unwrap(), [0.025; 3]);
    assert_eq!(m.recording(v).unwrap().len(), 3);
    assert_eq!(m.read(&dtref).unwrap(), 0.025, "globals never go stale");
    // finitialize clears the recordings.
    m.finitialize(-65.0).unwrap();
    assert_eq!(m.recording(t).unwrap(), [0.0]);
    m.remove_record(t).unwrap();
    assert!(m.recording(t).is_err());
}

#[test]
fn uninsert_breaks_a_record_clearly() {
    let mut m = common::model_with_basics();
    let s = m.create_section("s").unwrap();
    m.insert(s, "pas").unwrap();
    assert!(m.has_mechanism(s, "pas").unwrap());
    let g = m.record(RecordTarget::range(s, 0.5, "i_pas")).unwrap();
    m.uninsert(s, "pas").unwrap();
    assert!(!m.has_mechanism(s, "pas").unwrap());
    // Unrelated accesses still work; the simulation reports the broken record.
    assert_eq!(m.get_range(s, 0.5, "v").unwrap(), -65.0);
    let e = m.finitialize(-65.0).unwrap_err();
    assert!(matches!(e, RuntimeError::NotInserted { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "i_pas does not exist in section s because pas is not inserted there"
    );
    m.remove_record(g).unwrap();
    m.finitialize(-65.0).unwrap();
}

#[test]
fn pas_relaxes_to_e_pas() {
    // One passive compartment: tau = cm/g = 1 ms; backward Euler v_{n+1} = (v_n + dt/tau e)/(1 + dt/tau).
    let mut m = common::model_with_basics();
    let s = m.create_section("s").unwrap();
    m.insert(s, "pas").unwrap();
    let v = m.record(RecordTarget::range(s, 0.5, "v")).unwrap();
    let i = m.record(RecordTarget::range(s, 0.5, "i_pas")).unwrap();
    m.finitialize(-65.0).unwrap();
    m.continuerun(1.0).unwrap();
    let v = m.recording(v).unwrap();
    assert_eq!(v.len(), 41);
    let mut want = -65.0;
    for &got in v.iter().skip(1) {
        want = (want + 0.025 * -70.0) / 1.025;
        assert!((got - want).abs() < 1e-9, "{got} vs {want}");
    }
    // Currents lag: row n+1 holds the current computed at v_n.
    let i = m.recording(i).unwrap();
    assert!((i[0] - 0.001 * 5.0).abs() < 1e-15);
    assert_eq!(i[0], i[1]);
    assert!((i[2] - 0.001 * (v[1] + 70.0)).abs() < 1e-15);
}
