//! Rough cost of the fixed step for a passive cable (run with
//! `cargo test --release -p rsnrn-runtime --test perf_smoke -- --ignored --nocapture`).

mod common;

use std::time::Instant;

use rsnrn_runtime::RecordTarget;

#[test]
#[ignore = "timing only; run in release mode"]
fn passive_cable_ns_per_segment_step() {
    let mut m = common::model_with_basics();
    let mut secs = Vec::new();
    for k in 0..100 {
        let s = m.create_section(&format!("s{k}")).unwrap();
        m.set_nseg(s, 10).unwrap();
        m.set_diam(s, 1.0).unwrap();
        m.insert(s, "pas").unwrap();
        if k > 0 {
            m.connect(s, 0.0, secs[(k - 1) / 2], 1.0).unwrap();
        }
        secs.push(s);
    }
    let stim = m.add_point_process(secs[0], 0.5, "IClamp").unwrap();
    m.set_point(stim, "amp", 0.1).unwrap();
    m.set_point(stim, "dur", 1e9).unwrap();
    m.record(RecordTarget::range(secs[99], 0.5, "v")).unwrap();
    m.finitialize(-65.0).unwrap();
    let steps = 20000;
    let start = Instant::now();
    m.continuerun(steps as f64 * 0.025).unwrap();
    let ns = start.elapsed().as_nanos() as f64 / (steps as f64 * 1000.0);
    eprintln!("passive tree, 1000 segments: {ns:.1} ns per segment-step");
}
