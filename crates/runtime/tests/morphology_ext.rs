//! 3-D points, tree queries, distance, extracellular and fast i_membrane_: API behaviour and bad
//! input (the numbers themselves are checked against NEURON in the root package's
//! tests/geometry_vs_neuron.rs and tests/extracellular_vs_neuron.rs).

mod common;

use rsnrn_runtime::{CableModel, RecordTarget, RuntimeError, SectionId, DISTANCE_UNCONNECTED};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1.0)
}

#[test]
fn pt3d_points_define_length_and_diameter() {
    let mut m = CableModel::new();
    let s = m.create_section("s").unwrap();
    assert_eq!(m.n3d(s).unwrap(), 0);
    m.pt3dadd(s, 0.0, 0.0, 0.0, 2.0).unwrap();
    m.pt3dadd(s, 3.0, 4.0, 0.0, 2.0).unwrap();
    assert_eq!(m.n3d(s).unwrap(), 2);
    assert_eq!(m.length(s).unwrap(), 5.0);
    assert_eq!(m.arc3d(s, 1).unwrap(), 5.0);
    assert_eq!(m.diam(s).unwrap(), 2.0);
    assert!(close(
        m.area(s, 0.5).unwrap(),
        std::f64::consts::PI * 2.0 * 5.0
    ));
    // Coordinates are kept in single precision, like NEURON's.
    m.pt3dchange(s, 1, 0.1, 0.0, 0.0, 2.0).unwrap();
    assert_eq!(m.x3d(s, 1).unwrap(), f64::from(0.1f32));
    m.pt3dclear(s).unwrap();
    assert_eq!(m.n3d(s).unwrap(), 0);
    assert_eq!(
        m.length(s).unwrap(),
        f64::from(0.1f32),
        "L stays after pt3dclear"
    );
}

#[test]
fn pt3d_bad_input_is_an_error() {
    let mut m = CableModel::new();
    let s = m.create_section("soma").unwrap();
    m.pt3dadd(s, 0.0, 0.0, 0.0, 1.0).unwrap();
    let e = m.pt3dadd(s, f64::NAN, 0.0, 0.0, 1.0).unwrap_err();
    assert!(matches!(e, RuntimeError::InvalidValue { .. }), "{e}");
    assert!(e.to_string().contains("soma"), "{e}");
    for e in [
        m.x3d(s, 1).unwrap_err(),
        m.pt3dremove(s, 5).unwrap_err(),
        m.pt3dchange(s, 1, 0.0, 0.0, 0.0, 1.0).unwrap_err(),
        m.pt3dchange_diam(s, 3, 1.0).unwrap_err(),
        m.pt3dinsert(s, 2, 0.0, 0.0, 0.0, 1.0).unwrap_err(),
    ] {
        assert!(matches!(e, RuntimeError::IndexOutOfRange { .. }), "{e}");
        assert!(e.to_string().contains("soma"), "{e}");
    }
    assert_eq!(m.n3d(s).unwrap(), 1, "unchanged after the errors");
    m.pt3dinsert(s, 1, 1.0, 0.0, 0.0, 1.0).unwrap();
    assert_eq!(m.n3d(s).unwrap(), 2);
}

#[test]
fn tree_queries() {
    let mut m = CableModel::new();
    let soma = m.create_section("soma").unwrap();
    let a = m.create_section("a").unwrap();
    let b = m.create_section("b").unwrap();
    let c = m.create_section("c").unwrap();
    m.connect(a, 0.0, soma, 1.0).unwrap();
    m.connect(b, 0.0, soma, 0.5).unwrap();
    m.connect(c, 0.0, a, 0.0).unwrap();
    assert_eq!(m.children(soma).unwrap(), vec![b, a], "ordered by x");
    assert_eq!(m.root_section(c).unwrap(), soma);
    assert_eq!(m.parent(c).unwrap(), Some((a, 0.0)));
    assert_eq!(m.trueparent(c).unwrap(), Some((soma, 1.0)));
    assert_eq!(m.trueparent(soma).unwrap(), None);
    assert_eq!(m.section_orientation(a).unwrap(), 0.0);
}

/// A default section "s" with `nseg` segments and a child "c" of length `child_length` on its
/// x = 1 end.
fn section_and_child(nseg: i64, child_length: f64) -> (CableModel, SectionId, SectionId) {
    let mut m = CableModel::new();
    let s = m.create_section("s").unwrap();
    m.set_nseg(s, nseg).unwrap();
    let c = m.create_section("c").unwrap();
    m.set_length(c, child_length).unwrap();
    m.connect(c, 0.0, s, 1.0).unwrap();
    (m, s, c)
}

#[test]
fn distance_needs_an_origin_and_snaps_to_nodes() {
    let (mut m, s, d) = section_and_child(5, 50.0);
    let other = m.create_section("other").unwrap();
    let e = m.distance(s, 0.5).unwrap_err();
    assert_eq!(e, RuntimeError::DistanceOriginUnset);
    m.set_distance_origin(s, 0.33).unwrap();
    assert_eq!(m.distance(s, 0.3).unwrap(), 0.0, "same segment");
    assert_eq!(m.distance(d, 1.0).unwrap(), 70.0 + 50.0);
    assert_eq!(m.distance(other, 0.5).unwrap(), DISTANCE_UNCONNECTED);
    assert!(m.set_distance_origin(s, 1.5).is_err());
}

#[test]
fn define_shape_keeps_length_and_starts_children_at_their_parent() {
    let (mut m, s, c) = section_and_child(3, 30.0);
    m.define_shape().unwrap();
    assert_eq!(m.n3d(s).unwrap(), 5, "ends and segment centres");
    assert_eq!(m.length(s).unwrap(), 100.0);
    assert_eq!(m.length(c).unwrap(), 30.0);
    assert_eq!(m.x3d(c, 0).unwrap(), m.x3d(s, 4).unwrap());
}

fn ext_cable(m: &mut CableModel) -> SectionId {
    let s = m.create_section("axon").unwrap();
    m.set_nseg(s, 5).unwrap();
    m.set_diam(s, 2.0).unwrap();
    m.insert(s, "pas").unwrap();
    s
}

#[test]
fn extracellular_names_and_errors() {
    let mut m = common::model_with_basics();
    let s = ext_cable(&mut m);
    let e = m.get_range(s, 0.5, "vext[0]").unwrap_err();
    assert!(matches!(e, RuntimeError::NotInserted { .. }), "{e}");
    assert!(e.to_string().contains("extracellular"), "{e}");
    assert!(!m.has_mechanism(s, "extracellular").unwrap());
    m.insert(s, "extracellular").unwrap();
    assert!(m.has_mechanism(s, "extracellular").unwrap());
    assert_eq!(m.get_range(s, 0.5, "xg[1]").unwrap(), 1e9);
    assert_eq!(m.get_range(s, 0.5, "xraxial").unwrap(), 1e9);
    assert_eq!(m.get_range(s, 0.5, "xc[0]").unwrap(), 0.0);
    let e = m.get_range(s, 0.5, "vext[2]").unwrap_err();
    assert!(matches!(e, RuntimeError::IndexOutOfRange { .. }), "{e}");
    assert!(m.set_range(s, 0.5, "xraxial[0]", 0.0).is_err());
    assert!(m.set_range(s, 0.5, "e_extracellular", f64::NAN).is_err());
    let e = m.get_range(s, 0.5, "i_membrane_").unwrap_err();
    assert!(e.to_string().contains("use_fast_imem"), "{e}");
    // Values follow nseg changes like other range variables.
    m.set_range(s, 0.5, "xg[0]", 0.25).unwrap();
    m.set_nseg(s, 15).unwrap();
    assert_eq!(m.get_range(s, 0.5, "xg[0]").unwrap(), 0.25);
    assert_eq!(m.get_range(s, 0.1, "xg[0]").unwrap(), 1e9);
}

#[test]
fn a_mechanism_may_not_take_extracellular_names() {
    let mut m = CableModel::new();
    let json = common::info_json(
        "extracellular",
        "Density",
        false,
        &[common::field("x", "Parameter", 0.0)],
        &[],
        "",
        "",
    );
    let json: &'static str = Box::leak(json.into_boxed_str());
    let table = rsnrn_abi::MechanismTable {
        abi_version: rsnrn_abi::ABI_VERSION,
        info_json: json.as_ptr(),
        info_len: json.len(),
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
    // SAFETY: static JSON, no kernels.
    let e = unsafe { m.register_mechanism(table, std::sync::Arc::new(())) }.unwrap_err();
    assert!(e.to_string().contains("extracellular"), "{e}");
}

/// Runs a passive cable with an IClamp and returns v at the middle.
fn run(m: &mut CableModel, s: SectionId) -> Vec<f64> {
    let stim = m.add_point_process(s, 0.1, "IClamp").unwrap();
    m.set_point(stim, "del", 0.5).unwrap();
    m.set_point(stim, "dur", 1.0).unwrap();
    m.set_point(stim, "amp", 0.2).unwrap();
    let r = m.record(RecordTarget::range(s, 0.5, "v")).unwrap();
    m.finitialize(-70.0).unwrap();
    m.continuerun(3.0).unwrap();
    m.recording(r).unwrap().to_vec()
}

/// v of the plain cable's run, and a second cable (not run yet) with extracellular inserted.
fn plain_run_and_ext_cable() -> (Vec<f64>, CableModel, SectionId) {
    let mut plain = common::model_with_basics();
    let s = ext_cable(&mut plain);
    let want = run(&mut plain, s);
    let mut m = common::model_with_basics();
    let s = ext_cable(&mut m);
    m.insert(s, "extracellular").unwrap();
    (want, m, s)
}

#[test]
fn uninserting_extracellular_gives_back_the_plain_cable_exactly() {
    let (want, mut m, s) = plain_run_and_ext_cable();
    m.uninsert(s, "extracellular").unwrap();
    assert_eq!(run(&mut m, s), want);
}

/// The layer parameters a cable with finite layers gets: xg[0] and xc[0] in the middle,
/// xraxial[0] everywhere.
fn set_layer_parameters(m: &mut CableModel, s: SectionId) {
    for x in [0.1, 0.3, 0.5, 0.7, 0.9] {
        m.set_range(s, x, "xraxial[0]", 5e3).unwrap();
    }
    m.set_range(s, 0.5, "xg[0]", 2.0).unwrap();
    m.set_range(s, 0.5, "xc[0]", 0.5).unwrap();
}

#[test]
fn layer_parameters_are_kept_by_segment_and_reach_the_solve_with_or_without_a_layout() {
    // Set while no layout exists (as a template does), then run.
    let (_, mut before, s) = plain_run_and_ext_cable();
    set_layer_parameters(&mut before, s);
    let got_before = run(&mut before, s);
    // Set on a model whose layout is built (its v read first), then run.
    let (_, mut after, s2) = plain_run_and_ext_cable();
    after.get_range(s2, 0.5, "v").unwrap();
    set_layer_parameters(&mut after, s2);
    assert_eq!(run(&mut after, s2), got_before);
    // The finite layers do change the run (the parameters were not lost on the way).
    let (grounded, _, _) = plain_run_and_ext_cable();
    assert!(got_before
        .iter()
        .zip(&grounded)
        .any(|(a, b)| (a - b).abs() > 1e-3));

    // nseg 5 -> 15: each new segment takes the values of the old one containing its centre.
    before.set_nseg(s, 15).unwrap();
    assert_eq!(before.get_range(s, 0.5, "xg[0]").unwrap(), 2.0);
    assert_eq!(before.get_range(s, 13.5 / 15.0, "xg[0]").unwrap(), 1e9);
    assert_eq!(before.get_range(s, 6.5 / 15.0, "xc[0]").unwrap(), 0.5);
    assert_eq!(before.get_range(s, 5.5 / 15.0, "xc[0]").unwrap(), 0.0);
    assert_eq!(before.get_range(s, 0.01, "xraxial[0]").unwrap(), 5e3);
    // Uninserted and inserted again: NEURON's defaults.
    before.uninsert(s, "extracellular").unwrap();
    assert!(before.set_range(s, 0.5, "xg[0]", 1.0).is_err());
    before.insert(s, "extracellular").unwrap();
    assert_eq!(before.get_range(s, 0.5, "xg[0]").unwrap(), 1e9);
    assert_eq!(before.get_range(s, 0.5, "xraxial[0]").unwrap(), 1e9);
}

#[test]
fn grounded_layers_change_little_and_vext_stays_near_zero() {
    let (want, mut m, s) = plain_run_and_ext_cable();
    let got = run(&mut m, s);
    let worst = got
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    // xg = 1e9 S/cm2 ties both layers to ground: vext is ~1e-9 of the membrane currents.
    assert!(worst < 1e-6, "max |dv| {worst}");
    assert!(m.get_range(s, 0.5, "vext[0]").unwrap().abs() < 1e-9);
    assert_ne!(m.get_range(s, 0.5, "i_membrane").unwrap(), 0.0);
}

#[test]
fn fast_imem_sums_to_the_electrode_current() {
    let mut m = common::model_with_basics();
    let s = ext_cable(&mut m);
    m.set_use_fast_imem(true);
    let stim = m.add_point_process(s, 0.3, "IClamp").unwrap();
    m.set_point(stim, "dur", 10.0).unwrap();
    m.set_point(stim, "amp", 0.5).unwrap();
    m.finitialize(-70.0).unwrap();
    for _ in 0..20 {
        m.fadvance().unwrap();
        let mut total = m.get_range(s, 0.0, "i_membrane_").unwrap();
        for j in 0..5 {
            total += m
                .get_range(s, (j as f64 + 0.5) / 5.0, "i_membrane_")
                .unwrap();
        }
        total += m.get_range(s, 1.0, "i_membrane_").unwrap();
        assert!((total - 0.5).abs() < 1e-12, "sum {total}");
    }
}

#[test]
fn step_profiling_counts_steps() {
    let mut m = common::model_with_basics();
    let s = ext_cable(&mut m);
    assert!(m.step_profile().is_none());
    m.set_step_profiling(true);
    run(&mut m, s);
    let p = m.step_profile().unwrap();
    assert_eq!(p.steps, 120);
    assert!(p.solve_ns > 0 && p.current_kernels_ns > 0);
    m.set_step_profiling(false);
    assert!(m.step_profile().is_none());
}

/// Values NEURON 9.0.2 gives exactly (zero-length pieces add nothing to diam).
#[test]
fn pt3d_exact_values() {
    let mut m = CableModel::new();
    let s = m.create_section("s").unwrap();
    m.pt3dadd(s, 0.0, 0.0, 0.0, 2.0).unwrap();
    m.pt3dadd(s, 3.0, 4.0, 0.0, 2.0).unwrap();
    assert_eq!(m.get_range(s, 0.5, "diam").unwrap(), 2.0);
    assert_eq!(m.area(s, 0.5).unwrap(), 31.41592653589793);
    assert_eq!(m.ri(s, 0.5).unwrap(), 0.28170424927265475);
    let c = m.create_section("c").unwrap();
    m.pt3dadd(c, 0.0, 0.0, 0.0, 2.0).unwrap();
    m.pt3dadd(c, 0.0, 0.0, 0.0, 4.0).unwrap();
    m.pt3dadd(c, 5.0, 0.0, 0.0, 4.0).unwrap();
    assert_eq!(
        m.area(c, 0.5).unwrap(),
        72.25663103256524,
        "annulus included"
    );
    assert_eq!(m.get_range(c, 0.5, "diam").unwrap(), 4.0);
}

#[test]
fn nan_with_extracellular_names_the_place() {
    let mut m = common::model_with_basics();
    let (soma, dend) = common::soma_dend_with_nan(&mut m, 0.9, 0.3);
    for s in [soma, dend] {
        m.insert(s, "extracellular").unwrap();
    }
    m.finitialize(-65.0).unwrap();
    match m.continuerun(5.0).unwrap_err() {
        RuntimeError::NotFinite { section, x, t, .. } => {
            assert_eq!(section, "dend");
            assert!((x - 5.0 / 6.0).abs() < 1e-12, "x = {x}");
            assert!((t - 0.325).abs() < 1e-9, "t = {t}");
        }
        other => panic!("expected NotFinite, got {other}"),
    }
}
