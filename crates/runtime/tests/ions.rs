//! Ion defaults, ion_style rules (READ e, READ conc, WRITE conc), current totals and the
//! secondorder = 2 correction.

mod common;

use rsnrn_runtime::ions::{ktf, nernst};
use rsnrn_runtime::{RecordTarget, RuntimeError};

#[test]
fn nernst_and_constants() {
    // NEURON would give 63.55 mV for ena at 6.3 degC (it keeps 50 when e is only read).
    assert!((nernst(10.0, 140.0, 1.0, 6.3) - 63.55).abs() < 0.01);
    assert!((ktf(6.3) - 1000.0 * 8.31446261815324 * 279.45 / 96485.33212331001).abs() < 1e-15);
    assert_eq!(nernst(0.0, 1.0, 1.0, 6.3), 1e6);
    assert_eq!(nernst(1.0, 0.0, 1.0, 6.3), -1e6);
    assert_eq!(nernst(1.0, 2.0, 0.0, 6.3), 0.0);
}

#[test]
fn read_e_only_keeps_defaults() {
    let mut m = common::model_with_basics();
    common::register_naleak(&mut m);
    let s = m.create_section("soma").unwrap();
    let other = m.create_section("other").unwrap();
    m.insert(s, "naleak").unwrap();
    assert_eq!(m.get_range(s, 0.5, "ena").unwrap(), 50.0);
    assert_eq!(m.get_range(s, 0.5, "nai").unwrap(), 10.0);
    assert_eq!(m.get_range(s, 0.5, "nao").unwrap(), 140.0);
    assert_eq!(m.get_global("nai0_na_ion").unwrap(), 10.0);
    assert_eq!(m.get_global("nao0_na_ion").unwrap(), 140.0);
    let e = m.get_range(other, 0.5, "ena").unwrap_err();
    assert_eq!(
        e.to_string(),
        "ena does not exist at other(0.5) because no mechanism there uses the na ion"
    );
    m.set_global("celsius", 36.0).unwrap();
    m.finitialize(-65.0).unwrap();
    assert_eq!(
        m.get_range(s, 0.5, "ena").unwrap(),
        50.0,
        "READ ena: e is a parameter"
    );
    m.set_range(s, 0.5, "ena", 60.0).unwrap();
    m.finitialize(-65.0).unwrap();
    assert_eq!(m.get_range(s, 0.5, "ena").unwrap(), 60.0);
}

#[test]
fn new_instances_start_from_the_built_in_concentrations() {
    // NEURON 9.0.2: `nao0_na_ion = 126` then `insert hh` gives nao = 140; the globals only
    // serve cinit, when a mechanism writes the concentration.
    let mut m = common::model_with_basics();
    common::register_naleak(&mut m);
    m.set_global("nai0_na_ion", 20.0).unwrap();
    m.set_global("nao0_na_ion", 126.0).unwrap();
    let s = m.create_section("soma").unwrap();
    m.insert(s, "naleak").unwrap();
    assert_eq!(m.get_range(s, 0.5, "nai").unwrap(), 10.0);
    assert_eq!(m.get_range(s, 0.5, "nao").unwrap(), 140.0);
    m.finitialize(-65.0).unwrap();
    assert_eq!(m.get_range(s, 0.5, "nao").unwrap(), 140.0, "no cinit");
    assert_eq!(m.get_global("nao0_na_ion").unwrap(), 126.0);
}

#[test]
fn ion_currents_are_totals_with_neurons_lag() {
    let mut m = common::model_with_basics();
    common::register_naleak(&mut m);
    let s = m.create_section("soma").unwrap();
    m.insert(s, "naleak").unwrap();
    let ina = m.record(RecordTarget::range(s, 0.5, "ina")).unwrap();
    let didv = m.record(RecordTarget::range(s, 0.5, "dina_dv_")).unwrap();
    let v = m.record(RecordTarget::range(s, 0.5, "v")).unwrap();
    m.finitialize(-65.0).unwrap();
    m.fadvance().unwrap();
    m.fadvance().unwrap();
    let (ina, didv, v) = (
        m.recording(ina).unwrap(),
        m.recording(didv).unwrap(),
        m.recording(v).unwrap(),
    );
    assert!((ina[0] - 0.001 * (-65.0 - 50.0)).abs() < 1e-15);
    assert_eq!(ina[0], ina[1], "row 1 holds the current computed at v_0");
    assert!((ina[2] - 0.001 * (v[1] - 50.0)).abs() < 1e-15);
    assert!((didv[1] - 0.001).abs() < 1e-9);
    // Two writers at one node add up.
    m.insert(s, "pas").unwrap();
    let e = m.get_range(s, 0.5, "ina").unwrap();
    assert!(e.is_finite());
}

#[test]
fn secondorder_2_moves_ion_currents_to_mid_step() {
    let mut m = common::model_with_basics();
    common::register_naleak(&mut m);
    let s = m.create_section("soma").unwrap();
    m.insert(s, "naleak").unwrap();
    m.insert(s, "pas").unwrap();
    m.set_global("secondorder", 2.0).unwrap();
    let ina = m.record(RecordTarget::range(s, 0.5, "ina")).unwrap();
    let ipas = m.record(RecordTarget::range(s, 0.5, "i_pas")).unwrap();
    let v = m.record(RecordTarget::range(s, 0.5, "v")).unwrap();
    m.finitialize(-65.0).unwrap();
    m.fadvance().unwrap();
    let (ina, ipas, v) = (
        m.recording(ina).unwrap(),
        m.recording(ipas).unwrap(),
        m.recording(v).unwrap(),
    );
    // v_1 = v_0 + 2·Δ, ina = i(v_0) + di/dv·Δ, i.e. at the mid-step voltage.
    let mid = 0.5 * (v[0] + v[1]);
    assert!(
        (ina[1] - 0.001 * (mid - 50.0)).abs() < 1e-12,
        "{} vs {}",
        ina[1],
        0.001 * (mid - 50.0)
    );
    // Crank–Nicolson for a single compartment: (v1 - v0)/dt = -(g_na (vm - ena) + g_pas (vm - e_pas))/cm·1e3.
    let rate = -(0.001 * (mid - 50.0) + 0.001 * (mid + 70.0)) * 1e3;
    assert!(((v[1] - v[0]) / 0.025 - rate).abs() < 1e-9);
    // NONSPECIFIC currents are not corrected.
    assert_eq!(ipas[1], ipas[0]);
}

#[test]
fn write_conc_initializes_and_advances_e() {
    let mut m = common::model_with_basics();
    common::register_cagrow(&mut m);
    let s = m.create_section("soma").unwrap();
    m.insert(s, "cagrow").unwrap();
    // A new instance starts with NEURON's defaults.
    assert_eq!(m.get_range(s, 0.5, "cai").unwrap(), 5e-5);
    assert_eq!(m.get_range(s, 0.5, "cao").unwrap(), 2.0);
    assert_eq!(m.get_range(s, 0.5, "eca").unwrap(), 132.4579341637009);

    m.set_global("celsius", 36.0).unwrap();
    m.set_global("cai0_ca_ion", 1e-4).unwrap();
    m.set_range(s, 0.5, "cai", 7.0).unwrap();
    m.finitialize(-65.0).unwrap();
    // cinit: cai from the global; einit: Nernst at the current celsius.
    assert_eq!(m.get_range(s, 0.5, "cai").unwrap(), 1e-4);
    assert_eq!(
        m.get_range(s, 0.5, "eca").unwrap(),
        nernst(1e-4, 2.0, 2.0, 36.0)
    );

    // The mechanism's INITIAL writes cai; e follows right after it.
    m.set_range(s, 0.5, "start_cagrow", 2e-4).unwrap();
    m.finitialize(-65.0).unwrap();
    assert_eq!(m.get_range(s, 0.5, "cai").unwrap(), 2e-4);
    assert_eq!(
        m.get_range(s, 0.5, "eca").unwrap(),
        nernst(2e-4, 2.0, 2.0, 36.0)
    );

    // eadvance: e is recomputed at the start of each step from the previous state update.
    m.fadvance().unwrap(); // current: eca(2e-4); state: cai = 4e-4
    assert_eq!(m.get_range(s, 0.5, "cai").unwrap(), 4e-4);
    assert_eq!(
        m.get_range(s, 0.5, "eca").unwrap(),
        nernst(2e-4, 2.0, 2.0, 36.0)
    );
    m.fadvance().unwrap();
    assert_eq!(
        m.get_range(s, 0.5, "eca").unwrap(),
        nernst(4e-4, 2.0, 2.0, 36.0)
    );
}

#[test]
fn read_conc_computes_e_at_finitialize_only() {
    let mut m = common::model_with_basics();
    common::register_caread(&mut m);
    let s = m.create_section("soma").unwrap();
    m.insert(s, "caread").unwrap();
    m.finitialize(-65.0).unwrap();
    let e0 = nernst(5e-5, 2.0, 2.0, 6.3);
    assert_eq!(m.get_range(s, 0.5, "eca").unwrap(), e0);
    // No cinit: a user-set cai survives finitialize and sets eca there.
    m.set_range(s, 0.5, "cai", 1e-3).unwrap();
    m.fadvance().unwrap();
    assert_eq!(m.get_range(s, 0.5, "eca").unwrap(), e0, "no eadvance");
    m.finitialize(-65.0).unwrap();
    assert_eq!(m.get_range(s, 0.5, "cai").unwrap(), 1e-3);
    assert_eq!(
        m.get_range(s, 0.5, "eca").unwrap(),
        nernst(1e-3, 2.0, 2.0, 6.3)
    );
}

#[test]
fn ion_values_survive_rebuilds_and_nseg() {
    let mut m = common::model_with_basics();
    common::register_naleak(&mut m);
    let s = m.create_section("soma").unwrap();
    m.insert(s, "naleak").unwrap();
    m.set_range(s, 0.5, "ena", 55.0).unwrap();
    m.set_nseg(s, 3).unwrap();
    for x in [0.1, 0.5, 0.9] {
        assert_eq!(m.get_range(s, x, "ena").unwrap(), 55.0);
    }
}

#[test]
fn registration_checks() {
    let mut m = common::model_with_basics();
    // Same name twice.
    let json = common::info_json("pas", "Density", false, &[], &[], "", "");
    let leaked: &'static str = Box::leak(json.into_boxed_str());
    let table = rsnrn_abi::MechanismTable {
        abi_version: rsnrn_abi::ABI_VERSION,
        info_json: leaked.as_ptr(),
        info_len: leaked.len(),
        table_check: None,
        initialize: None,
        current: None,
        state: None,
        net_receive: None,
        net_init: None,
        watch_condition: None,
        hooks: Default::default(),
        functions: std::ptr::null(),
        constructor: None,
        destructor: None,
    };
    let e = unsafe { m.register_mechanism(table, std::sync::Arc::new(())) }.unwrap_err();
    assert!(matches!(e, RuntimeError::Registration { .. }), "{e}");
    // Wrong valence for ca.
    let json = common::info_json(
        "bad",
        "Density",
        false,
        &[],
        &[],
        r#"{"ion":"ca","read":["cai"],"write":[],"valence":1.0}"#,
        "",
    );
    let leaked: &'static str = Box::leak(json.into_boxed_str());
    let table = rsnrn_abi::MechanismTable {
        info_json: leaked.as_ptr(),
        info_len: leaked.len(),
        ..table
    };
    let e = unsafe { m.register_mechanism(table, std::sync::Arc::new(())) }.unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot register mechanism bad: it declares valence 1 for the ca ion, which has valence 2"
    );
    // Unknown ion without valence.
    let json = common::info_json(
        "xmech",
        "Density",
        false,
        &[],
        &[],
        r#"{"ion":"x","read":["ex"],"write":[],"valence":null}"#,
        "",
    );
    let leaked: &'static str = Box::leak(json.into_boxed_str());
    let table = rsnrn_abi::MechanismTable {
        info_json: leaked.as_ptr(),
        info_len: leaked.len(),
        ..table
    };
    assert!(unsafe { m.register_mechanism(table, std::sync::Arc::new(())) }.is_err());
    // Bad ABI version.
    let table = rsnrn_abi::MechanismTable {
        abi_version: 999,
        ..table
    };
    let e = unsafe { m.register_mechanism(table, std::sync::Arc::new(())) }.unwrap_err();
    assert!(e.to_string().contains("ABI version"), "{e}");
    assert_eq!(m.mechanism_names(), ["IClamp", "pas"]);
}
