//! Events against NEURON 9.0.2: the scenario of tests/data/events/make_reference.py (ExpSyn,
//! Exp2Syn, AlphaSynapse, NetStim, IntFire1, APCount, threshold detection, WATCH / net_send / net_move /
//! net_event / NET_RECEIVE INITIAL in tests/data/events/watchcount.mod, FOR_NETCONS in
//! fornetcons.mod), built again through the
//! Rust API. Every step of every trace is compared, spike times and final weights exactly.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rsnrn::runtime::trace_io::read_table;
use rsnrn::runtime::{CableModel, NetConId, NetConSource, PointProcessId, RecordId, SectionId};
use rsnrn::RecordTarget;

/// Membrane potentials (mV).
const V_TOL: f64 = 1e-9;
/// Other columns, relative to the column's largest magnitude.
const REL_TOL: f64 = 1e-9;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/events")
        .join(name)
}

struct Scenario {
    m: CableModel,
    columns: Vec<(String, RecordId)>,
    /// NetCons whose weights finals*.txt lists, by name.
    ncs: Vec<(&'static str, NetConId)>,
    /// NetCons that record spikes, by source name.
    recorders: Vec<(&'static str, NetConId)>,
    a: SectionId,
    ns1: PointProcessId,
}

fn soma(m: &mut CableModel, name: &str) -> SectionId {
    let s = m.create_section(name).unwrap();
    m.set_length(s, 20.0).unwrap();
    m.set_diam(s, 20.0).unwrap();
    m.insert(s, "hh").unwrap();
    s
}

fn point(
    m: &mut CableModel,
    s: Option<SectionId>,
    name: &str,
    params: &[(&str, f64)],
) -> PointProcessId {
    let p = match s {
        Some(s) => m.add_point_process(s, 0.5, name).unwrap(),
        None => m.add_artificial_cell(name).unwrap(),
    };
    for &(k, v) in params {
        m.set_point(p, k, v)
            .unwrap_or_else(|e| panic!("{name}.{k}: {e}"));
    }
    p
}

fn build() -> Scenario {
    let mut m = rsnrn::builtins::model().unwrap();
    let watchcount = rsnrn::compile::compile_file(&data("watchcount.mod"))
        .unwrap_or_else(|e| panic!("watchcount.mod: {e}"));
    rsnrn::register(&mut m, watchcount).unwrap();
    let fornetcons = rsnrn::compile::compile_file(&data("fornetcons.mod"))
        .unwrap_or_else(|e| panic!("fornetcons.mod: {e}"));
    rsnrn::register(&mut m, fornetcons).unwrap();
    let a = soma(&mut m, "a");
    let b = soma(&mut m, "b");
    let syn1 = point(&mut m, Some(a), "ExpSyn", &[("tau", 2.0), ("e", 0.0)]);
    let syn2 = point(
        &mut m,
        Some(a),
        "Exp2Syn",
        &[("tau1", 0.5), ("tau2", 5.0), ("e", 0.0)],
    );
    let alpha = point(
        &mut m,
        Some(a),
        "AlphaSynapse",
        &[("onset", 42.0), ("tau", 0.7), ("gmax", 0.004), ("e", 0.0)],
    );
    let syn_b = point(&mut m, Some(b), "ExpSyn", &[("tau", 3.0), ("e", 0.0)]);
    let apc = point(&mut m, Some(b), "APCount", &[("thresh", -30.0)]);
    let watch = point(&mut m, Some(a), "WatchCount", &[("lag", 12.0)]);
    let walker = point(&mut m, Some(a), "ForNetcons", &[]);
    let ns1 = point(
        &mut m,
        None,
        "NetStim",
        &[("start", 5.0), ("interval", 10.0), ("number", 4.0)],
    );
    let ns2 = point(
        &mut m,
        None,
        "NetStim",
        &[("start", 3.33), ("interval", 7.77), ("number", 3.0)],
    );
    let fire = point(&mut m, None, "IntFire1", &[("tau", 4.0), ("refrac", 3.0)]);

    let va = NetConSource::Voltage { section: a, x: 0.5 };
    let vb = NetConSource::Voltage { section: b, x: 0.5 };
    let pt = NetConSource::Point;
    let netcon = |m: &mut CableModel,
                  src: NetConSource,
                  target: Option<PointProcessId>,
                  weight: f64,
                  delay: f64,
                  threshold: Option<f64>| {
        let nc = m.add_netcon(src, target).unwrap();
        m.set_netcon_weight(nc, 0, weight).unwrap();
        m.set_netcon_delay(nc, delay).unwrap();
        if let Some(th) = threshold {
            m.set_netcon_threshold(nc, th).unwrap();
        }
        nc
    };
    let ncs = vec![
        (
            "ns1_syn1",
            netcon(&mut m, pt(ns1), Some(syn1), 0.01, 1.0, None),
        ),
        (
            "ns1_syn1b",
            netcon(&mut m, pt(ns1), Some(syn1), 0.004, 1.0, None),
        ),
        (
            "ns1_syn2",
            netcon(&mut m, pt(ns1), Some(syn2), 0.005, 2.5, None),
        ),
        (
            "ns2_syn2",
            netcon(&mut m, pt(ns2), Some(syn2), 0.003, 0.1234, None),
        ),
        (
            "a_synb",
            netcon(&mut m, va, Some(syn_b), 0.05, 2.0, Some(-10.0)),
        ),
        (
            "ns1_fire",
            netcon(&mut m, pt(ns1), Some(fire), 0.6, 0.0, None),
        ),
        ("a_fire", netcon(&mut m, va, Some(fire), 0.7, 1.0, None)),
        (
            "ns2_watch",
            netcon(&mut m, pt(ns2), Some(watch), 2.0, 0.5, None),
        ),
        (
            "ns1_walker",
            netcon(&mut m, pt(ns1), Some(walker), 0.5, 0.3, None),
        ),
        (
            "ns2_walker",
            netcon(&mut m, pt(ns2), Some(walker), 0.25, 0.7, None),
        ),
        (
            "a_walker",
            netcon(&mut m, va, Some(walker), 0.125, 0.2, None),
        ),
    ];
    let recorders = vec![
        ("a", netcon(&mut m, va, None, 0.0, 1.0, None)),
        ("b", netcon(&mut m, vb, None, 0.0, 1.0, Some(0.0))),
        ("ns1", netcon(&mut m, pt(ns1), None, 0.0, 1.0, None)),
        ("ns2", netcon(&mut m, pt(ns2), None, 0.0, 1.0, None)),
        ("fire", netcon(&mut m, pt(fire), None, 0.0, 1.0, None)),
        ("watch", netcon(&mut m, pt(watch), None, 0.0, 1.0, None)),
    ];
    for &(_, nc) in &recorders {
        m.netcon_record(nc).unwrap();
    }

    let mut targets = vec![
        ("t", RecordTarget::time()),
        ("va", RecordTarget::range(a, 0.5, "v")),
        ("vb", RecordTarget::range(b, 0.5, "v")),
    ];
    for (name, p, var) in [
        ("syn1_g", syn1, "g"),
        ("syn1_i", syn1, "i"),
        ("syn2_A", syn2, "A"),
        ("syn2_B", syn2, "B"),
        ("syn2_g", syn2, "g"),
        ("syn2_i", syn2, "i"),
        ("alpha_i", alpha, "i"),
        ("synb_g", syn_b, "g"),
        ("synb_i", syn_b, "i"),
        ("watch_n", watch, "n"),
        ("watch_hits", watch, "hits"),
        ("watch_late", watch, "late"),
        ("apc_n", apc, "n"),
        ("apc_time", apc, "time"),
        ("walker_total", walker, "total"),
        ("walker_count", walker, "count"),
    ] {
        targets.push((name, RecordTarget::point(p, var)));
    }
    let columns = targets
        .into_iter()
        .map(|(n, t)| (n.to_string(), m.record(t).unwrap()))
        .collect();
    Scenario {
        m,
        columns,
        ncs,
        recorders,
        a,
        ns1,
    }
}

/// finitialize(-65) and fixed steps to `tstop`, as the script's `run`.
fn run(s: &mut Scenario, tstop: f64) {
    s.m.finitialize(-65.0).unwrap();
    while s.m.t() < tstop - s.m.dt() / 2.0 {
        s.m.fadvance().unwrap();
    }
}

fn compare_traces(s: &Scenario, k: u32) -> Vec<String> {
    let file = format!("traces{k}.txt");
    let reference = read_table(data(&file)).expect("reading the reference trace");
    let mut report = Vec::new();
    let mut bad = Vec::new();
    let ours: HashMap<&str, &[f64]> = s
        .columns
        .iter()
        .map(|(n, id)| (n.as_str(), s.m.recording(*id).unwrap()))
        .collect();
    for name in &reference.names {
        let want = reference.column(name).unwrap();
        let got = ours[name.as_str()];
        assert_eq!(got.len(), want.len(), "{file} {name}: number of rows");
        let (mut worst, mut at) = (0.0f64, 0);
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            let d = (g - w).abs();
            if d > worst || d.is_nan() {
                worst = d;
                at = i;
            }
        }
        let scale = want.iter().fold(0.0f64, |a, w| a.max(w.abs()));
        let tol = if name.starts_with('v') || name == "t" {
            V_TOL
        } else {
            REL_TOL * scale.max(1e-12)
        };
        let line = format!("{file} {name:>10}: max |diff| {worst:.3e} at row {at} (tol {tol:.1e})");
        if worst > tol || worst.is_nan() {
            bad.push(line.clone());
        }
        report.push(line);
    }
    println!("{}", report.join("\n"));
    bad
}

/// Spike times per source, exactly as NEURON printed them (%.17g round-trips).
fn compare_spikes(s: &Scenario, k: u32) -> Vec<String> {
    let text = std::fs::read_to_string(data(&format!("spikes{k}.txt"))).unwrap();
    let mut want: HashMap<&str, Vec<f64>> = HashMap::new();
    for line in text.lines().skip(1) {
        let (id, t) = line.split_once(' ').unwrap();
        want.entry(id).or_default().push(t.parse().unwrap());
    }
    let mut bad = Vec::new();
    for &(name, nc) in &s.recorders {
        let got = s.m.netcon_spikes(nc).unwrap();
        let expected = want.get(name).cloned().unwrap_or_default();
        println!(
            "spikes{k} {name}: {} spikes, ours {:?}",
            expected.len(),
            got
        );
        if got != expected.as_slice() {
            bad.push(format!(
                "spikes{k} {name}: NEURON {expected:?}, ours {got:?}"
            ));
        }
    }
    bad
}

fn compare_finals(s: &Scenario, k: u32) -> Vec<String> {
    let text = std::fs::read_to_string(data(&format!("finals{k}.txt"))).unwrap();
    let mut bad = Vec::new();
    for line in text.lines() {
        let (key, value) = line.split_once(' ').unwrap();
        let (name, index) = key.trim_end_matches(']').split_once('[').unwrap();
        let nc = s.ncs.iter().find(|(n, _)| *n == name).unwrap().1;
        let got = s.m.netcon_weight(nc, index.parse().unwrap()).unwrap();
        if got != value.parse::<f64>().unwrap() {
            bad.push(format!("{key}: NEURON {value}, ours {got}"));
        }
    }
    bad
}

#[test]
fn events_match_neuron() {
    let mut s = build();
    run(&mut s, 60.0);
    let mut bad = compare_traces(&s, 1);
    bad.extend(compare_spikes(&s, 1));
    bad.extend(compare_finals(&s, 1));

    // The script's second run: new parameters on the same objects.
    let m = &mut s.m;
    m.set_point(s.ns1, "number", 6.0).unwrap();
    m.set_point(s.ns1, "interval", 6.5).unwrap();
    let nc = |name| s.ncs.iter().find(|(n, _)| *n == name).unwrap().1;
    m.set_netcon_delay(nc("a_synb"), 0.6).unwrap();
    m.set_netcon_weight(nc("ns1_syn1"), 0, 0.02).unwrap();
    m.set_netcon_threshold(nc("a_fire"), 0.0).unwrap();
    assert_eq!(
        m.netcon_threshold(s.recorders[0].1).unwrap(),
        0.0,
        "NetCons from one place share the threshold"
    );
    let _ = s.a;
    run(&mut s, 45.0);
    bad.extend(compare_traces(&s, 2));
    bad.extend(compare_spikes(&s, 2));
    bad.extend(compare_finals(&s, 2));
    assert!(
        bad.is_empty(),
        "differences from NEURON:\n{}",
        bad.join("\n")
    );
}
