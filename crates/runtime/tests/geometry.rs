//! Cylinder areas and axial resistances against the formulas of NUMERICS §2.

mod common;

use std::f64::consts::PI;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs().max(1e-300)
}

fn half(ra: f64, diam: f64, dx: f64) -> f64 {
    0.01 * ra * (dx / 2.0) / (PI * diam * diam / 4.0)
}

#[test]
fn defaults_are_neurons() {
    let mut m = common::model_with_basics();
    let s = m.create_section("s").unwrap();
    assert_eq!(m.length(s).unwrap(), 100.0);
    assert_eq!(m.diam(s).unwrap(), 500.0);
    assert_eq!(m.nseg(s).unwrap(), 1);
    assert_eq!(m.ra(s).unwrap(), 35.4);
    assert_eq!(m.cm(s).unwrap(), 1.0);
    assert_eq!(m.dt(), 0.025);
    assert_eq!(m.celsius(), 6.3);
    assert_eq!(m.secondorder(), 0);
    assert_eq!(m.t(), 0.0);
}

#[test]
fn cylinder_area_and_ri() {
    let mut m = common::model_with_basics();
    let a = m.create_section("a").unwrap();
    m.set_length(a, 100.0).unwrap();
    m.set_diam(a, 2.0).unwrap();
    m.set_nseg(a, 5).unwrap();
    m.set_ra(a, 100.0).unwrap();
    let r = half(100.0, 2.0, 20.0);
    for j in 0..5 {
        let x = (j as f64 + 0.5) / 5.0;
        assert!(close(m.area(a, x).unwrap(), PI * 2.0 * 20.0), "area({x})");
        let want = if j == 0 { r } else { 2.0 * r };
        assert!(close(m.ri(a, x).unwrap(), want), "ri({x})");
    }
    assert_eq!(m.area(a, 0.0).unwrap(), 0.0);
    assert_eq!(m.area(a, 1.0).unwrap(), 0.0);
    assert!(
        close(m.ri(a, 1.0).unwrap(), r),
        "x = 1 node: right half of the last segment"
    );
    assert_eq!(m.ri(a, 0.0).unwrap(), 1e30, "root node");

    // A child never includes resistance of its parent section; its x = 0 is the parent's node.
    let b = m.create_section("b").unwrap();
    m.set_length(b, 50.0).unwrap();
    m.set_diam(b, 1.0).unwrap();
    m.set_nseg(b, 2).unwrap();
    m.connect(b, 0.0, a, 0.5).unwrap();
    let rb = half(35.4, 1.0, 25.0);
    assert!(close(m.ri(b, 0.25).unwrap(), rb));
    assert!(close(m.ri(b, 0.75).unwrap(), 2.0 * rb));
    assert!(
        close(m.ri(b, 0.0).unwrap(), 2.0 * r),
        "b(0) is a's middle segment"
    );
    assert!(close(m.area(b, 0.3).unwrap(), PI * 25.0));

    // Per-segment diameter.
    m.set_range(a, 0.5, "diam", 4.0).unwrap();
    assert_eq!(m.get_range(a, 0.5, "diam").unwrap(), 4.0);
    assert!(close(m.area(a, 0.5).unwrap(), PI * 4.0 * 20.0));
    assert!(close(m.ri(a, 0.5).unwrap(), r + half(100.0, 4.0, 20.0)));
    assert!(close(m.ri(a, 0.7).unwrap(), half(100.0, 4.0, 20.0) + r));
    assert!(close(m.area(a, 0.7).unwrap(), PI * 2.0 * 20.0));
}

#[test]
fn segment_selection() {
    let mut m = common::model_with_basics();
    let s = m.create_section("s").unwrap();
    m.set_nseg(s, 21).unwrap();
    m.insert(s, "pas").unwrap();
    for j in 0..21 {
        m.set_range(s, (j as f64 + 0.5) / 21.0, "g_pas", j as f64)
            .unwrap();
    }
    // x = 0.1 lies in segment 2 (centre 0.119); x = 0 and 1 give the first and last segment.
    assert_eq!(m.get_range(s, 0.1, "g_pas").unwrap(), 2.0);
    assert_eq!(m.get_range(s, 0.0, "g_pas").unwrap(), 0.0);
    assert_eq!(m.get_range(s, 1.0, "g_pas").unwrap(), 20.0);
    assert_eq!(m.get_range(s, 0.5, "g_pas").unwrap(), 10.0);
}

#[test]
fn reversed_child() {
    // connect c(1), a(1): c's x = 1 end touches a, so its arc runs from x = 1 to x = 0.
    let mut m = common::model_with_basics();
    let a = m.create_section("a").unwrap();
    let c = m.create_section("c").unwrap();
    m.set_nseg(c, 4).unwrap();
    m.set_length(c, 40.0).unwrap();
    m.set_diam(c, 1.0).unwrap();
    m.set_range(c, 0.9, "diam", 2.0).unwrap();
    m.connect(c, 1.0, a, 1.0).unwrap();
    let r1 = half(35.4, 1.0, 10.0);
    let r2 = half(35.4, 2.0, 10.0);
    assert!(
        close(m.ri(c, 0.9).unwrap(), r2),
        "first node along the arc is x-segment 3"
    );
    assert!(close(m.ri(c, 0.6).unwrap(), r2 + r1));
    assert!(close(m.ri(c, 0.1).unwrap(), 2.0 * r1));
    assert!(close(m.ri(c, 0.0).unwrap(), r1), "x = 0 is the free end");
    m.finitialize(-65.0).unwrap();
    m.set_range(a, 1.0, "v", -10.0).unwrap();
    assert_eq!(m.get_range(c, 1.0, "v").unwrap(), -10.0, "c(1) is a(1)");
}
