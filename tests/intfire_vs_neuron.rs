//! The artificial cells IntFire2 and IntFire4 of nmodl/ against NEURON 9.0.2: the scenario of
//! tests/data/intfire/make_reference.py built again through the Rust API. IntFire2's spike
//! times agree to 1e-10 ms (both find the crossing to round-off) and its final m and i to
//! 1e-12; IntFire4's to 5e-5 ms (1.9e-5 at most here): NEURON's search for IntFire4's firing
//! time stops short of the exact crossing (restarted from NEURON's own earlier spike times, the
//! exact solution of the documented equations crosses 2.2e-6 ms after NEURON's third spike of
//! c4, and up to ~2e-5 later on), while ours bisects to the last bit; the normalization of the
//! weights is NEURON's to round-off (the trough after a weight -1 event agrees to 1e-16).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rsnrn::runtime::{CableModel, NetConSource, PointProcessId};

const T_TOL: f64 = 1e-10;
const T_TOL_INTFIRE4: f64 = 5e-5;
const STATE_TOL: f64 = 1e-12;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/intfire")
        .join(name)
}

fn artificial(m: &mut CableModel, name: &str, params: &[(&str, f64)]) -> PointProcessId {
    let p = m.add_artificial_cell(name).unwrap();
    for &(k, v) in params {
        m.set_point(p, k, v)
            .unwrap_or_else(|e| panic!("{name}.{k}: {e}"));
    }
    p
}

fn stim(m: &mut CableModel, start: f64, interval: f64, number: f64) -> PointProcessId {
    artificial(
        m,
        "NetStim",
        &[
            ("start", start),
            ("interval", interval),
            ("number", number),
            ("noise", 0.0),
        ],
    )
}

fn link(m: &mut CableModel, src: PointProcessId, target: PointProcessId, w: f64, delay: f64) {
    let nc = m
        .add_netcon(NetConSource::Point(src), Some(target))
        .unwrap();
    m.set_netcon_weight(nc, 0, w).unwrap();
    m.set_netcon_delay(nc, delay).unwrap();
}

/// `cell t` lines of spikes.txt, per cell.
fn reference_spikes() -> BTreeMap<String, Vec<f64>> {
    let text = std::fs::read_to_string(data("spikes.txt")).unwrap();
    let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let (cell, t) = line.split_once(' ').unwrap();
        out.entry(cell.to_string())
            .or_default()
            .push(t.parse().unwrap());
    }
    out
}

fn reference_finals() -> BTreeMap<String, f64> {
    let text = std::fs::read_to_string(data("finals.txt")).unwrap();
    text.lines()
        .map(|l| {
            let (k, v) = l.split_once(' ').unwrap();
            (k.to_string(), v.parse().unwrap())
        })
        .collect()
}

#[test]
fn intfire2_and_intfire4_match_neuron() {
    let mut m = rsnrn::builtins::model().unwrap();
    let mut cells = Vec::new();
    for (name, taum, taus, ib) in [
        ("c1", 10.0, 20.0, 0.8),
        ("c2", 4.0, 12.0, 1.2),
        ("c3", 8.0, 9.0, 0.0),
    ] {
        let c = artificial(
            &mut m,
            "IntFire2",
            &[("taum", taum), ("taus", taus), ("ib", ib)],
        );
        cells.push((name, c));
    }
    for (name, taue, taui1, taui2, taum) in
        [("c4", 5.0, 10.0, 20.0, 50.0), ("c5", 2.0, 6.0, 9.0, 15.0)]
    {
        let c = artificial(
            &mut m,
            "IntFire4",
            &[
                ("taue", taue),
                ("taui1", taui1),
                ("taui2", taui2),
                ("taum", taum),
            ],
        );
        cells.push((name, c));
    }
    let (c1, c2, c3, c4, c5) = (cells[0].1, cells[1].1, cells[2].1, cells[3].1, cells[4].1);
    let s = [
        stim(&mut m, 3.0, 7.0, 25.0),
        stim(&mut m, 30.5, 3.0, 10.0),
        stim(&mut m, 5.0, 11.0, 15.0),
        stim(&mut m, 10.0, 2.0, 12.0),
        stim(&mut m, 1.0, 3.0, 30.0),
        stim(&mut m, 20.0, 5.0, 5.0),
        stim(&mut m, 10.0, 2.0, 40.0),
    ];
    link(&mut m, s[0], c1, 0.15, 1.0);
    link(&mut m, s[1], c1, -0.1, 0.5);
    link(&mut m, s[2], c2, -0.6, 1.0);
    link(&mut m, c1, c2, 0.5, 2.0);
    link(&mut m, s[3], c3, 0.4, 1.0);
    link(&mut m, s[4], c4, 0.4, 0.0);
    link(&mut m, s[5], c4, -0.5, 0.0);
    link(&mut m, s[6], c5, 0.4, 1.0);
    link(&mut m, c4, c5, -0.8, 1.0);
    link(&mut m, c1, c5, 0.9, 3.0);
    let recorders: Vec<_> = cells
        .iter()
        .map(|&(name, c)| {
            let nc = m.add_netcon(NetConSource::Point(c), None).unwrap();
            m.netcon_record(nc).unwrap();
            (name, nc)
        })
        .collect();
    m.set_dt(0.025).unwrap();
    m.finitialize(-65.0).unwrap();
    m.continuerun(200.0).unwrap();

    let want = reference_spikes();
    for (name, nc) in &recorders {
        let ours = m.netcon_spikes(*nc).unwrap();
        let theirs = &want[*name];
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{name}: {ours:?} vs NEURON {theirs:?}"
        );
        let tol = if matches!(*name, "c4" | "c5") {
            T_TOL_INTFIRE4
        } else {
            T_TOL
        };
        for (a, b) in ours.iter().zip(theirs) {
            assert!((a - b).abs() <= tol, "{name}: spike at {a} vs NEURON {b}");
        }
    }
    let finals = reference_finals();
    for &(name, c) in &cells[..3] {
        for var in ["m", "i"] {
            let ours = m.get_point(c, var).unwrap();
            let theirs = finals[&format!("{name}.{var}")];
            assert!(
                (ours - theirs).abs() <= STATE_TOL,
                "{name}.{var} = {ours} vs NEURON {theirs}"
            );
        }
    }
}
