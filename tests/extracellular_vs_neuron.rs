//! extracellular (two layers) and fast i_membrane_ against NEURON 9.0.2: the scenarios of
//! tests/data/extracellular/make_reference.py, built again through the Rust API, every step
//! compared with NEURON's trace.

use std::collections::HashMap;
use std::path::Path;

use rsnrn::runtime::trace_io::read_table;
use rsnrn::runtime::{CableModel, PointProcessId, RecordId, SectionId};
use rsnrn::RecordTarget;

/// Membrane and extracellular potentials (mV).
const V_TOL: f64 = 1e-6;
/// Currents (mA/cm2, nA), relative to the column's largest magnitude.
const I_REL_TOL: f64 = 1e-7;

fn data(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/extracellular")
        .join(name)
}

/// The scenarios' e_extracellular (mV): a sine burst around x0 from 1 to 6 ms.
fn e_pulse(t: f64, x: f64, x0: f64) -> f64 {
    if !(1.0..6.0).contains(&t) {
        return 0.0;
    }
    40.0 * (2.0 * std::f64::consts::PI * (t - 1.0) / 2.5).sin() * (-((x - x0) / 0.15).powi(2)).exp()
}

fn centers(m: &CableModel, s: SectionId) -> Vec<f64> {
    let n = m.nseg(s).unwrap();
    (0..n).map(|j| (j as f64 + 0.5) / n as f64).collect()
}

/// Columns to record: name → target.
struct Columns {
    names: Vec<String>,
    ids: Vec<RecordId>,
}

impl Columns {
    fn new(m: &mut CableModel, cols: Vec<(String, RecordTarget)>) -> Self {
        let mut c = Columns {
            names: Vec::new(),
            ids: Vec::new(),
        };
        for (name, target) in cols {
            c.ids
                .push(m.record(target).unwrap_or_else(|e| panic!("{name}: {e}")));
            c.names.push(name);
        }
        c
    }
}

fn v(s: SectionId, x: f64, name: &str) -> RecordTarget {
    RecordTarget::range(s, x, name)
}

/// `t`, then one column per (name, section, x, range variable).
fn range_columns(list: &[(&str, SectionId, f64, &str)]) -> Vec<(String, RecordTarget)> {
    let mut cols = vec![("t".to_string(), RecordTarget::time())];
    cols.extend(
        list.iter()
            .map(|&(name, s, x, var)| (name.to_string(), v(s, x, var))),
    );
    cols
}

/// finitialize(-65), then steps to tstop with `drive` before each, returns the columns.
fn run(
    m: &mut CableModel,
    cols: &Columns,
    tstop: f64,
    mut drive: impl FnMut(&mut CableModel, f64),
) -> HashMap<String, Vec<f64>> {
    m.finitialize(-65.0).unwrap();
    while m.t() < tstop - m.dt() / 2.0 {
        let t = m.t();
        drive(m, t);
        m.fadvance().unwrap();
    }
    cols.names
        .iter()
        .zip(&cols.ids)
        .map(|(n, &id)| (n.clone(), m.recording(id).unwrap().to_vec()))
        .collect()
}

/// Compares every column with NEURON's file; returns the report lines and panics beyond the
/// tolerances.
fn compare(file: &str, ours: &HashMap<String, Vec<f64>>, t: &[f64]) {
    let reference = read_table(data(file)).expect("reading the reference trace");
    let mut report = Vec::new();
    let mut bad = Vec::new();
    let tref = reference.column("t").expect("t column");
    assert_eq!(tref.len(), t.len(), "{file}: number of rows");
    for (a, b) in tref.iter().zip(t) {
        assert!((a - b).abs() < 1e-9, "{file}: t {a} vs {b}");
    }
    for name in reference.names.iter().filter(|n| *n != "t") {
        let want = reference.column(name).unwrap();
        let got = ours
            .get(name)
            .unwrap_or_else(|| panic!("{file}: no column {name} in our run"));
        let (mut worst, mut at) = (0.0f64, 0.0);
        for (k, (g, w)) in got.iter().zip(want).enumerate() {
            let d = (g - w).abs();
            if d > worst || d.is_nan() {
                worst = d;
                at = tref[k];
            }
        }
        let is_potential = name.contains("_v") || name.starts_with('v');
        let scale = want.iter().fold(0.0f64, |a, w| a.max(w.abs()));
        let tol = if is_potential {
            V_TOL
        } else {
            I_REL_TOL * scale.max(1e-12)
        };
        let line = format!("{file} {name:>18}: max |diff| {worst:.3e} at t = {at} (tol {tol:.1e})");
        if worst > tol || worst.is_nan() {
            bad.push(line.clone());
        }
        report.push(line);
    }
    println!("{}", report.join("\n"));
    assert!(
        bad.is_empty(),
        "differences beyond tolerance:\n{}",
        bad.join("\n")
    );
}

/// The layer parameters change during the run (xg[0] and xc[1] at 4 ms, xraxial[0] at 8 ms):
/// the solve keeps their share of the blocks and must make it again.
#[test]
fn extracellular_cable_with_layers_changing_mid_run_matches_neuron() {
    ext_cable_with(0, true);
}

fn ext_cable(secondorder: u8) {
    ext_cable_with(secondorder, false);
}

fn ext_cable_with(secondorder: u8, changing: bool) {
    let mut m = rsnrn::builtins::model().unwrap();
    m.set_secondorder(secondorder).unwrap();
    let a = m.create_section("axon").unwrap();
    m.set_length(a, 1000.0).unwrap();
    m.set_diam(a, 2.0).unwrap();
    m.set_nseg(a, 21).unwrap();
    m.set_ra(a, 100.0).unwrap();
    m.insert(a, "hh").unwrap();
    m.insert(a, "extracellular").unwrap();
    for (name, value) in [
        ("xraxial[0]", 3e7),
        ("xraxial[1]", 2e8),
        ("xg[0]", 0.5),
        ("xg[1]", 10.0),
        ("xc[0]", 0.2),
        ("xc[1]", 0.5),
    ] {
        m.set_range_all(a, name, value).unwrap();
    }
    let stim = m.add_point_process(a, 0.9, "IClamp").unwrap();
    for (f, val) in [("del", 7.0), ("dur", 0.5), ("amp", 0.4)] {
        m.set_point(stim, f, val).unwrap();
    }
    let mut cols: Vec<(String, RecordTarget)> = vec![("t".into(), RecordTarget::time())];
    for x in [0.05, 0.3, 0.5, 0.95, 1.0] {
        cols.push((format!("v{x}"), v(a, x, "v")));
    }
    for (name, x, var) in [
        ("vext0_0.3", 0.3, "vext[0]"),
        ("vext1_0.3", 0.3, "vext[1]"),
        ("vext0_1", 1.0, "vext[0]"),
        ("vext1_0", 0.0, "vext[1]"),
        ("i_membrane0.3", 0.3, "i_membrane"),
        ("ina0.3", 0.3, "ina"),
    ] {
        cols.push((name.into(), v(a, x, var)));
    }
    cols.push(("iclamp_i".into(), RecordTarget::point(stim, "i")));
    let cols = Columns::new(&mut m, cols);
    let xs = centers(&m, a);
    let dt = m.dt();
    let out = run(&mut m, &cols, 12.0, |m, t| {
        for &x in &xs {
            m.set_range(a, x, "e_extracellular", e_pulse(t, x, 0.3))
                .unwrap();
            if changing && (t - 4.0).abs() < dt / 2.0 {
                m.set_range(a, x, "xg[0]", 2.0).unwrap();
                m.set_range(a, x, "xc[1]", 1.5).unwrap();
            }
            if changing && (t - 8.0).abs() < dt / 2.0 {
                m.set_range(a, x, "xraxial[0]", 1e8).unwrap();
            }
        }
    });
    let t = out["t"].clone();
    let file = if changing {
        "ext_cable_changing.txt".to_string()
    } else {
        format!("ext_cable_secondorder{secondorder}.txt")
    };
    compare(&file, &out, &t);
}

#[test]
fn extracellular_cable_matches_neuron() {
    ext_cable(0);
}

/// NEURON_NUMERICS §9 marks extracellular with secondorder > 0 as read from source only; this
/// checks our reading (v += 2Δvi − Δvext[0], vext += Δvext) against NEURON.
#[test]
fn extracellular_cable_secondorder2_matches_neuron() {
    ext_cable(2);
}

struct Tree {
    secs: Vec<SectionId>,
}

fn tree(m: &mut CableModel) -> Tree {
    // name, L, diam, nseg, mechanism, (parent index, x)
    type Spec<'a> = (&'a str, f64, f64, i64, &'a str, Option<(usize, f64)>);
    let spec: [Spec; 7] = [
        ("soma", 20.0, 20.0, 1, "hh", None),
        ("d1", 200.0, 2.0, 9, "pas", Some((0, 1.0))),
        ("d2", 150.0, 1.5, 5, "hh", Some((0, 0.0))),
        ("d3", 80.0, 1.0, 3, "pas", Some((1, 0.5))),
        ("d4", 120.0, 0.8, 7, "hh", Some((3, 1.0))),
        ("d5", 60.0, 0.7, 13, "pas", Some((4, 1.0))),
        ("d6", 50.0, 1.2, 21, "hh", Some((1, 0.0))),
    ];
    let mut secs = Vec::new();
    for (name, l, d, nseg, mech, parent) in spec {
        let s = m.create_section(name).unwrap();
        m.set_length(s, l).unwrap();
        m.set_diam(s, d).unwrap();
        m.set_nseg(s, nseg).unwrap();
        m.insert(s, mech).unwrap();
        if name == "d1" {
            m.set_ra(s, 150.0).unwrap();
        }
        if let Some((p, x)) = parent {
            m.connect(s, 0.0, secs[p], x).unwrap();
        }
        secs.push(s);
    }
    Tree { secs }
}

/// What sits at d3(1), the zero-area node between d3 and d4.
#[derive(PartialEq)]
enum TreeEnd {
    Nothing,
    Synapse,
    Clamp,
}

#[test]
fn extracellular_tree_matches_neuron() {
    extracellular_tree(TreeEnd::Nothing);
}

/// A membrane current at a zero-area node with layers (the 1 end of d3, where d4 begins): its
/// conductance couples the node's vi and vext[0] rows, so the solve cannot take the node out
/// of the block system first (ext_contract.rs) while the synapse conducts.
#[test]
fn extracellular_tree_with_a_synapse_at_a_zero_area_node_matches_neuron() {
    extracellular_tree(TreeEnd::Synapse);
}

/// An electrode at a zero-area node with layers: its conductance is on the node's vi
/// diagonal, which the solve takes out of the block system with a division it keeps while
/// the diagonal does not change. The clamp turns off at 6 ms, and the diagonal with it.
#[test]
fn extracellular_tree_with_a_clamp_at_a_zero_area_node_matches_neuron() {
    extracellular_tree(TreeEnd::Clamp);
}

fn extracellular_tree(end: TreeEnd) {
    let mut m = rsnrn::builtins::model().unwrap();
    let Tree { secs } = tree(&mut m);
    let [soma, d1, d2, d3, d4, d5, d6] = secs[..] else {
        unreachable!()
    };
    let values: [(SectionId, [f64; 6]); 6] = [
        (soma, [1e7, 1e9, 0.1, 1e9, 0.0, 0.0]),
        (d1, [2e7, 5e8, 0.3, 20.0, 0.1, 1.0]),
        (d2, [5e7, 1e9, 0.05, 1e9, 0.3, 0.0]),
        (d3, [1e8, 1e8, 1.0, 5.0, 0.0, 0.2]),
        (d5, [4e7, 3e8, 0.2, 2.0, 0.5, 0.5]),
        (d6, [1e9, 1e9, 1e9, 1e9, 0.0, 0.0]),
    ];
    for (s, vals) in values {
        m.insert(s, "extracellular").unwrap();
        for (name, val) in [
            "xraxial[0]",
            "xraxial[1]",
            "xg[0]",
            "xg[1]",
            "xc[0]",
            "xc[1]",
        ]
        .iter()
        .zip(vals)
        {
            m.set_range_all(s, name, val).unwrap();
        }
    }
    for s in [d1, d3, d5] {
        m.set_range_all(s, "g_pas", 2e-4).unwrap();
        m.set_range_all(s, "e_pas", -65.0).unwrap();
    }
    let stim = m.add_point_process(soma, 0.5, "IClamp").unwrap();
    for (f, val) in [("del", 8.0), ("dur", 1.0), ("amp", 0.3)] {
        m.set_point(stim, f, val).unwrap();
    }
    let mut cols = range_columns(&[
        ("soma_v0.5", soma, 0.5, "v"),
        ("d1_v0.5", d1, 0.5, "v"),
        ("d1_v1", d1, 1.0, "v"),
        ("d2_v0.9", d2, 0.9, "v"),
        ("d3_v0.5", d3, 0.5, "v"),
        ("d4_v0.5", d4, 0.5, "v"),
        ("d5_v0.5", d5, 0.5, "v"),
        ("d6_v0.7", d6, 0.7, "v"),
        ("d1_vext0_0.6", d1, 0.6, "vext[0]"),
        ("d1_vext1_0.6", d1, 0.6, "vext[1]"),
        ("d2_vext0_0.4", d2, 0.4, "vext[0]"),
        ("d5_vext0_0.5", d5, 0.5, "vext[0]"),
        ("soma_vext0_0", soma, 0.0, "vext[0]"),
        ("d3_vext1_1", d3, 1.0, "vext[1]"),
        ("d1_i_membrane0.6", d1, 0.6, "i_membrane"),
        ("d5_i_membrane0.5", d5, 0.5, "i_membrane"),
    ]);
    if end == TreeEnd::Synapse {
        let syn = m.add_point_process(d3, 1.0, "AlphaSynapse").unwrap();
        for (f, val) in [("onset", 4.0), ("tau", 1.0), ("gmax", 0.005), ("e", 0.0)] {
            m.set_point(syn, f, val).unwrap();
        }
        cols.push(("d3_v1".into(), RecordTarget::range(d3, 1.0, "v")));
        cols.push(("syn_i".into(), RecordTarget::point(syn, "i")));
    }
    if end == TreeEnd::Clamp {
        let clamp = m.add_point_process(d3, 1.0, "SEClamp").unwrap();
        for (f, val) in [("dur1", 6.0), ("amp1", -50.0), ("rs", 2.0)] {
            m.set_point(clamp, f, val).unwrap();
        }
        cols.push(("d3_v1".into(), RecordTarget::range(d3, 1.0, "v")));
        cols.push(("clamp_i".into(), RecordTarget::point(clamp, "i")));
    }
    let cols = Columns::new(&mut m, cols);
    let (x1, x2) = (centers(&m, d1), centers(&m, d2));
    let out = run(&mut m, &cols, 15.0, |m, t| {
        for &x in &x1 {
            m.set_range(d1, x, "e_extracellular", e_pulse(t, x, 0.6))
                .unwrap();
        }
        for &x in &x2 {
            m.set_range(d2, x, "e_extracellular", -0.5 * e_pulse(t, x, 0.4))
                .unwrap();
        }
    });
    let t = out["t"].clone();
    let file = match end {
        TreeEnd::Nothing => "ext_tree.txt",
        TreeEnd::Synapse => "ext_tree_end_synapse.txt",
        TreeEnd::Clamp => "ext_tree_end_clamp.txt",
    };
    compare(file, &out, &t);
}

fn fast_imem_tree(with_ext: bool) {
    let mut m = rsnrn::builtins::model().unwrap();
    m.set_use_fast_imem(true);
    let Tree { secs } = tree(&mut m);
    let [soma, d1, d2, d3, _d4, _d5, d6] = secs[..] else {
        unreachable!()
    };
    if with_ext {
        for s in [d1, d2] {
            m.insert(s, "extracellular").unwrap();
            for (name, val) in [("xraxial[0]", 3e7), ("xg[0]", 0.4), ("xc[0]", 0.3)] {
                m.set_range_all(s, name, val).unwrap();
            }
        }
    }
    let stim: PointProcessId = m.add_point_process(d3, 0.5, "IClamp").unwrap();
    for (f, val) in [("del", 2.0), ("dur", 3.0), ("amp", 0.2)] {
        m.set_point(stim, f, val).unwrap();
    }
    let mut cols = range_columns(&[
        ("soma_v0.5", soma, 0.5, "v"),
        ("d3_v0.5", d3, 0.5, "v"),
        ("soma_imem0", soma, 0.0, "i_membrane_"),
        ("soma_imem0.5", soma, 0.5, "i_membrane_"),
        ("d1_imem0.5", d1, 0.5, "i_membrane_"),
        ("d1_imem1", d1, 1.0, "i_membrane_"),
        ("d3_imem0.5", d3, 0.5, "i_membrane_"),
        ("d6_imem0.3", d6, 0.3, "i_membrane_"),
    ]);
    if with_ext {
        cols.push(("d1_i_membrane0.5".into(), v(d1, 0.5, "i_membrane")));
    }
    cols.push(("iclamp_i".into(), RecordTarget::point(stim, "i")));
    // Every node once: the root node, every segment and every section's x = 1 end.
    let mut every_node = vec![v(soma, 0.0, "i_membrane_")];
    for &s in &secs {
        for x in centers(&m, s) {
            every_node.push(v(s, x, "i_membrane_"));
        }
        every_node.push(v(s, 1.0, "i_membrane_"));
    }
    let every: Vec<RecordId> = every_node
        .into_iter()
        .map(|t| m.record(t).unwrap())
        .collect();
    let cols = Columns::new(&mut m, cols);
    let xs = centers(&m, d1);
    let mut out = run(&mut m, &cols, 10.0, |m, t| {
        if with_ext {
            for &x in &xs {
                m.set_range(d1, x, "e_extracellular", e_pulse(t, x, 0.5))
                    .unwrap();
            }
        }
    });
    let rows = out["t"].len();
    let total: Vec<f64> = (0..rows)
        .map(|k| every.iter().map(|&id| m.recording(id).unwrap()[k]).sum())
        .collect();
    out.insert("itotal".into(), total);
    let t = out["t"].clone();
    compare(
        if with_ext {
            "fast_imem_tree_ext.txt"
        } else {
            "fast_imem_tree.txt"
        },
        &out,
        &t,
    );
}

#[test]
fn fast_imem_matches_neuron_and_sums_to_the_electrode_current() {
    fast_imem_tree(false);
}

#[test]
fn fast_imem_with_extracellular_matches_neuron() {
    fast_imem_tree(true);
}
