//! VClamp (nmodl/vclamp.mod) against NEURON 9.0.2: the scenarios of
//! tests/data/vclamp/make_reference.py (a soma with hh and pas under the clamp; step protocols,
//! dt 0.025 / 0.01, secondorder 0 / 2, several amplifiers, the on/off edge cases), built again
//! through the Rust API from the settings line of each reference file. Every step of every
//! recorded variable is compared.
//!
//! The reference files also hold v, i, e, vo of NEURON running OUR nmodl/vclamp.mod (columns
//! `*_ours`): against those only the simulators differ. With dt 0.025 and secondorder 0 rsnrn
//! reproduces them to the last bit; elsewhere the last-bit differences of the two simulators
//! (hh's exponentials, ...) are amplified by the clamp exactly as above, so these columns get
//! the same sensitivity bound, with a floor of 1e-12 instead of 1e-9.
//!
//! Tolerance per column against NEURON's VClamp: 1e-9 (mV, nA), or twice NEURON's own sensitivity if that is larger.
//! The sensitivity (second line of each reference file) is how far NEURON's trace moves when
//! v_init, the amp levels or gain move by one unit in the last place. The clamp is stiff: its
//! summing-node potential e is a small difference of potentials near v and the command, so it
//! carries a round-off of a few 1e-15 mV, and the amplifier multiplies it by gain (1e5) in vo
//! and i; at a level change the current is ~gain*(step)/2 nA, and its derivative, taken by
//! NEURON's v + 0.001 difference, is defined only to about that current's round-off / 0.001,
//! which leaves v uncertain by ~1e-10..1e-9 mV and i (di/dv ~ -gain/2 uS) by ~1e-5 nA. Our
//! arithmetic cannot be NEURON's (its vclmp.mod is not ours to read), so these last digits
//! differ as much as a 1-ulp change of the inputs makes them differ in NEURON itself.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rsnrn::runtime::trace_io::read_table;
use rsnrn::runtime::{CableModel, RecordId};
use rsnrn::RecordTarget;

/// Every column (mV, nA), unless NEURON's own sensitivity is larger.
const TOL: f64 = 1e-9;
/// Multiple of NEURON's sensitivity (see the module comment) accepted.
const SENSITIVITY_FACTOR: f64 = 2.0;
/// Columns `*_ours` (NEURON running our nmodl/vclamp.mod: the same equations with the same
/// arithmetic, so only the simulators differ): this, or the sensitivity bound if larger.
const OURS_TOL: f64 = 1e-12;

const SCENARIOS: [&str; 7] = [
    "default",
    "default_dt001",
    "default_secondorder2",
    "slow_amplifier",
    "fac",
    "edge_first_step",
    "off_at_zero",
];

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/vclamp")
        .join(name)
}

/// The `# [prefix ]key=value ...` line `k` of a reference file: numbers, or three for dur and
/// amp.
fn comment_line(path: &Path, k: usize, prefix: &str) -> HashMap<String, Vec<f64>> {
    let text = std::fs::read_to_string(path).unwrap();
    let line = text.lines().nth(k).unwrap();
    let line = line
        .strip_prefix("# ")
        .and_then(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("{}: line {} is not `# {prefix}...`", path.display(), k + 1));
    line.split_whitespace()
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap();
            let values = v.split(',').map(|x| x.parse().unwrap()).collect();
            (k.to_string(), values)
        })
        .collect()
}

struct Run {
    m: CableModel,
    columns: Vec<(String, RecordId)>,
}

fn run(s: &HashMap<String, Vec<f64>>) -> Run {
    let one = |k: &str| s[k][0];
    let mut m = rsnrn::builtins::model().unwrap();
    let soma = m.create_section("soma").unwrap();
    m.set_length(soma, 20.0).unwrap();
    m.set_diam(soma, 20.0).unwrap();
    m.insert(soma, "hh").unwrap();
    m.insert(soma, "pas").unwrap();
    let vc = m.add_point_process(soma, 0.5, "VClamp").unwrap();
    assert_eq!((s["dur"].len(), s["amp"].len()), (3, 3), "three levels");
    for (j, (dur, amp)) in s["dur"].iter().zip(&s["amp"]).enumerate() {
        m.set_point(vc, &format!("dur[{j}]"), *dur).unwrap();
        m.set_point(vc, &format!("amp[{j}]"), *amp).unwrap();
    }
    for k in ["gain", "rstim", "tau1", "tau2", "fac"] {
        m.set_point(vc, k, one(k)).unwrap();
    }
    m.set_dt(one("dt")).unwrap();
    m.set_secondorder(one("secondorder") as u8).unwrap();
    let mut targets = vec![
        ("t", RecordTarget::time()),
        ("v", RecordTarget::range(soma, 0.5, "v")),
    ];
    for k in ["i", "e", "vo", "vi", "e0", "vo0", "vi0"] {
        targets.push((k, RecordTarget::point(vc, k)));
    }
    let columns = targets
        .into_iter()
        .map(|(n, t)| (n.to_string(), m.record(t).unwrap()))
        .collect();
    m.finitialize(-65.0).unwrap();
    let tstop = one("tstop");
    while m.t() < tstop - m.dt() / 2.0 {
        m.fadvance().unwrap();
    }
    Run { m, columns }
}

/// Compares every column; returns the lines out of tolerance.
fn compare(name: &str, r: &Run, sensitivity: &HashMap<String, Vec<f64>>) -> Vec<String> {
    let reference = read_table(data(&format!("{name}.txt"))).expect("reading the reference");
    let ours: HashMap<&str, &[f64]> = r
        .columns
        .iter()
        .map(|(n, id)| (n.as_str(), r.m.recording(*id).unwrap()))
        .collect();
    let mut bad = Vec::new();
    for col in &reference.names {
        let want = reference.column(col).unwrap();
        let (base, same_mod) = match col.strip_suffix("_ours") {
            Some(base) => (base, true),
            None => (col.as_str(), false),
        };
        let got = ours[base];
        assert_eq!(got.len(), want.len(), "{name} {col}: number of rows");
        let (mut worst, mut at) = (0.0f64, 0);
        for (k, (g, w)) in got.iter().zip(want).enumerate() {
            let d = (g - w).abs();
            if d > worst || d.is_nan() {
                worst = d;
                at = k;
            }
        }
        let floor = if same_mod { OURS_TOL } else { TOL };
        let tol = (SENSITIVITY_FACTOR * sensitivity[base][0]).max(floor);
        let line =
            format!("{name:>20} {col:>4}: max |diff| {worst:.2e} at row {at} (tol {tol:.0e})");
        println!("{line}");
        if worst > tol || worst.is_nan() {
            bad.push(line);
        }
    }
    bad
}

#[test]
fn vclamp_matches_neuron() {
    let mut bad = Vec::new();
    for name in SCENARIOS {
        let path = data(&format!("{name}.txt"));
        let r = run(&comment_line(&path, 0, ""));
        bad.extend(compare(name, &r, &comment_line(&path, 1, "sensitivity ")));
    }
    assert!(
        bad.is_empty(),
        "differences from NEURON:\n{}",
        bad.join("\n")
    );
}

/// The clamp really clamps: a test of the data, so that the comparison above cannot pass on a
/// reference in which nothing happened.
#[test]
fn reference_shows_the_clamp_holding_the_command() {
    let t = read_table(data("default.txt")).unwrap();
    let (time, v, i) = (
        t.column("t").unwrap(),
        t.column("v").unwrap(),
        t.column("i").unwrap(),
    );
    let at = |ms: f64| time.iter().position(|&x| x >= ms).unwrap();
    assert!(
        (v[at(3.9)] - -20.0).abs() < 0.01,
        "v at 3.9 ms: {}",
        v[at(3.9)]
    );
    assert!(
        (v[at(5.4)] - -80.0).abs() < 0.01,
        "v at 5.4 ms: {}",
        v[at(5.4)]
    );
    assert_eq!(i[at(6.0)], 0.0, "off after dur[0]+dur[1]+dur[2]");
}
