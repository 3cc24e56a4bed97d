//! The f64x2 kernels (crates/nmodl-codegen/src/emit/vector) against the scalar ones: the same
//! model is run with mechanisms compiled both ways, and every recorded value must have the
//! same bits. Instance counts are odd and even (the last instance of an odd count runs in the
//! scalar loop), voltages go beyond the ±100 mV ends of the TABLEs, and point processes share
//! nodes (their matrix and ion contributions must be added lane 0 then lane 1).

#[allow(dead_code)] // the helpers other tests use
mod common;

use rsnrn::runtime::{PointProcessId, SectionId};
use rsnrn::{CableModel, RecordTarget};
use std::path::{Path, PathBuf};

/// A mechanism with the constructs the vector emitter if-converts or treats specially: a
/// GLOBAL assigned before it is read, nested IF/ELSE on per-instance values, `&&` and `||`
/// whose right sides call a FUNCTION, libm functions, exprelr, a FUNCTION with a TABLE.
const PROBE: &str = r#"
NEURON {
    SUFFIX vecprobe
    NONSPECIFIC_CURRENT i
    RANGE g, x, y, z, w, count
    GLOBAL scratch, k
    THREADSAFE
}
PARAMETER { g = 0.001 k = 3 }
ASSIGNED { v i scratch x y w count }
STATE { z }
INITIAL { z = 0.5 count = 0 }
BREAKPOINT {
    SOLVE relax METHOD cnexp
    scratch = v / 10
    if (v > -60 && bump(v) > 0.5) {
        x = scratch * scratch
        if (v > 0) { x = -x } else { count = count + 1 }
    } else {
        x = exprelr(scratch) + log(2 + fabs(v))
    }
    if (v < -80 || bump(v) < 0.1) { y = pow(k, scratch / 10) } else { y = floor(v) + ceil(scratch) }
    w = tabled(v) + !(v > 20)
    i = g * (v + 70) + 1e-6 * (x + y + w)
}
DERIVATIVE relax { z' = (tabled(v) - z) / (1 + scratch * scratch) }
FUNCTION bump(u) { bump = 1 / (1 + exp(-u / 7)) }
FUNCTION tabled(u) {
    TABLE FROM -100 TO 100 WITH 50
    tabled = 1 / (1 + exp(-(u + 30) / 9))
}
"#;

/// Not THREADSAFE and assigning a GLOBAL: its TABLE is checked (and, after celsius changes,
/// rebuilt) at the calls, inside the state kernel, and the rebuild assigns GLOBAL tadj.
const CHECKED_AT_CALLS: &str = r#"
NEURON {
    SUFFIX vecprobe2
    NONSPECIFIC_CURRENT i
    RANGE g, minf, mtau
    GLOBAL tadj, q10
}
PARAMETER { g = 0.0005 q10 = 2.3 }
ASSIGNED { v i minf mtau tadj }
STATE { m }
INITIAL { trates(v) m = minf }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g * m * (v + 80)
}
DERIVATIVE states {
    trates(v)
    m' = (minf - m) / mtau
}
PROCEDURE trates(u) {
    TABLE minf, mtau DEPEND celsius FROM -100 TO 100 WITH 80
    tadj = q10^((celsius - 22)/10)
    minf = 1/(1 + exp(-(u + 40)/6))
    mtau = 1/tadj * (0.5 + 2/(1 + exp((u + 50)/10)))
}
"#;

/// Rate functions as channel models write them (the STN model's axon nodes): a FUNCTION
/// guarding a 0/0 with an IF whose branches are big enough to be taken alone when both lanes
/// agree (masked when they differ), a FUNCTION whose small IF assigns its result 0 or an exp
/// (always masked), `-(x + B) / C` beside `(x + B) / C`, fabs, and GLOBALs read in the loop.
/// The thresholds lie inside the cable's voltage range, so lanes disagree at times.
const RATE_FUNCTIONS: &str = r#"
NEURON {
    SUFFIX vecprobe3
    NONSPECIFIC_CURRENT i
    RANGE g, a, b, c
    GLOBAL A, B, C
    THREADSAFE
}
PARAMETER { g = 0.0002 A = 0.1 B = 40 C = 10 }
ASSIGNED { v i a b c }
STATE { n }
INITIAL { n = 0.3 }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g * n * (v + 80)
}
DERIVATIVE states {
    a = trap(v)
    b = Exp(-(v + B) / C)
    c = clipped(v) + !(v > 30)
    n' = (a / (1 + a + b) - n) / (1 + a + b)
}
FUNCTION trap(x) {
    if (fabs((x + B) / C) < 1e-6) {
        trap = A * C
    } else if (x < -90) {
        trap = 0
    } else {
        trap = A * (x + B) / (1 - Exp(-(x + B) / C))
    }
}
FUNCTION Exp(x) {
    if (x < -3) {
        Exp = 0
    } else {
        Exp = exp(x)
    }
}
FUNCTION clipped(x) {
    if (x < -50) { clipped = 0 } else { clipped = -x / C }
}
"#;

struct Cable {
    model: CableModel,
    sections: Vec<SectionId>,
}

/// Three connected sections with `nseg` segments each, `density` inserted everywhere, and
/// IClamps driving one end far above +100 mV and another far below -100 mV.
fn cable(
    mut model: CableModel,
    nseg: [i64; 3],
    density: &[String],
) -> rsnrn::runtime::Result<Cable> {
    let mut sections = Vec::new();
    for (k, n) in nseg.iter().enumerate() {
        let s = model.create_section(&format!("s{k}"))?;
        model.set_length(s, 60.0 + 20.0 * k as f64)?;
        model.set_diam(s, 1.0 + k as f64)?;
        model.set_ra(s, 120.0)?;
        model.set_nseg(s, *n)?;
        if k > 0 {
            model.connect(s, 0.0, sections[0], 1.0)?;
        }
        for m in density {
            model.insert(s, m)?;
        }
        sections.push(s);
    }
    let clamps = [(0, 0.1, 20.0, 1.0), (1, 0.9, -3.0, 2.0), (2, 0.5, 0.4, 0.5)];
    for (s, x, amp, del) in clamps {
        let p = model.add_point_process(sections[s], x, "IClamp")?;
        for (name, value) in [("del", del), ("dur", 3.0), ("amp", amp)] {
            model.set_point(p, name, value)?;
        }
    }
    Ok(Cable { model, sections })
}

/// Point processes of `name` at `section(x)`, `count` of them (sharing the node), with
/// `parameters`.
fn points(
    c: &mut Cable,
    name: &str,
    section: usize,
    x: f64,
    count: usize,
    parameters: &[(&str, f64)],
) -> Vec<PointProcessId> {
    (0..count)
        .map(|k| {
            let p = c
                .model
                .add_point_process(c.sections[section], x, name)
                .unwrap();
            for &(n, value) in parameters {
                // The k-th copy differs a little, so that lanes hold different values.
                c.model
                    .set_point(p, n, value * (1.0 + 0.1 * k as f64))
                    .unwrap();
            }
            p
        })
        .collect()
}

/// Records v and every scalar RANGE variable of every mechanism in the model at every
/// segment (or of every point process), runs `steps` steps and returns (name, trace) pairs.
fn run(
    mut c: Cable,
    point_list: &[PointProcessId],
    steps: usize,
) -> rsnrn::runtime::Result<Vec<(String, Vec<f64>)>> {
    let model = &mut c.model;
    let mut targets = vec![("t".to_string(), RecordTarget::time())];
    let names = model.mechanism_names();
    for &s in &c.sections {
        let nseg = model.nseg(s).unwrap();
        for i in 0..nseg {
            let x = (i as f64 + 0.5) / nseg as f64;
            let mut at = vec!["v".to_string()];
            for ion in ["na", "k", "ca"] {
                for v in [format!("i{ion}"), format!("{ion}i"), format!("e{ion}")] {
                    at.push(v);
                }
            }
            for m in &names {
                let id = model.mechanism_id(m).unwrap();
                let info = model.mechanism_info(id).unwrap();
                if info.kind != rsnrn_abi::MechanismKind::Density {
                    continue;
                }
                at.extend(
                    info.range
                        .iter()
                        .filter(|f| f.size == 1)
                        .map(|f| format!("{}_{m}", f.name)),
                );
            }
            for name in at {
                let target = RecordTarget::range(s, x, name.clone());
                targets.push((format!("{name}({s:?}, {x})"), target));
            }
        }
    }
    // GLOBALs a body assigns (ninf_kap = ...) keep the last instance's value.
    for m in &names {
        let id = model.mechanism_id(m).unwrap();
        let info = model.mechanism_info(id).unwrap();
        for f in info.globals.iter().filter(|f| f.size == 1) {
            let name = format!("{}_{m}", f.name);
            targets.push((name.clone(), RecordTarget::global(name)));
        }
    }
    for &p in point_list {
        let name = model.point_mechanism(p).unwrap().to_string();
        let id = model.mechanism_id(&name).unwrap();
        let info = model.mechanism_info(id).unwrap();
        for f in info.range.iter().filter(|f| f.size == 1) {
            let target = RecordTarget::point(p, f.name.clone());
            targets.push((format!("{name}[{p:?}].{}", f.name), target));
        }
    }
    let mut records = Vec::new();
    for (name, target) in targets {
        // Variables a section does not have (an ion no mechanism there uses) are skipped.
        if let Ok(r) = model.record(target) {
            records.push((name, r));
        }
    }
    model.set_dt(0.025)?;
    model.set_celsius(22.0)?;
    model.finitialize(-65.0)?;
    // Half way, a new temperature makes the tables depending on celsius rebuild.
    model.continuerun((steps / 2) as f64 * 0.025)?;
    model.set_celsius(30.0)?;
    model.continuerun(steps as f64 * 0.025)?;
    Ok(records
        .into_iter()
        .map(|(name, r)| (name, model.recording(r).unwrap().to_vec()))
        .collect())
}

/// Asserts both runs recorded the same bits everywhere (`what` names the run).
fn assert_same_bits(what: &str, scalar: &[(String, Vec<f64>)], vector: &[(String, Vec<f64>)]) {
    assert_eq!(
        scalar.len(),
        vector.len(),
        "{what}: both runs record the same variables"
    );
    assert!(
        scalar.len() > 10,
        "{what}: only {} traces recorded",
        scalar.len()
    );
    for ((name, a), (name_b, b)) in scalar.iter().zip(vector) {
        assert_eq!(name, name_b);
        assert_eq!(a.len(), b.len(), "{what}: {name}: sample count");
        if let Some(k) = (0..a.len()).find(|&k| a[k].to_bits() != b[k].to_bits()) {
            panic!(
                "{what}: {name} differs at sample {k}: scalar {:e}, vector {:e}",
                a[k], b[k]
            );
        }
    }
}

/// [`assert_same_bits`], and the voltages covered the tables' ends.
fn assert_identical(scalar: &[(String, Vec<f64>)], vector: &[(String, Vec<f64>)]) {
    assert_same_bits("scalar vs vector", scalar, vector);
    let (mut lowest, mut highest) = (f64::INFINITY, f64::NEG_INFINITY);
    for (name, a) in scalar {
        if name.starts_with("v(") {
            lowest = a.iter().copied().fold(lowest, f64::min);
            highest = a.iter().copied().fold(highest, f64::max);
        }
    }
    assert!(
        lowest < -100.0 && highest > 100.0,
        "the voltages ({lowest} to {highest} mV) should leave the tables' -100..100 mV range"
    );
}

/// Compiles the built-ins and `files` (plus the probe when `probe`), vectorized or not.
fn model_with(files: &[PathBuf], probe: bool, scalar: bool) -> CableModel {
    let build = || {
        let mut model = rsnrn::builtins::model().unwrap();
        for f in files {
            let m = rsnrn::compile::compile_file(f).unwrap_or_else(|e| panic!("{e}"));
            rsnrn::register(&mut model, m).unwrap();
        }
        if probe {
            for (name, text) in [
                ("vecprobe.mod", PROBE),
                ("vecprobe2.mod", CHECKED_AT_CALLS),
                ("vecprobe3.mod", RATE_FUNCTIONS),
            ] {
                let m =
                    rsnrn::compile::compile_source(name, text).unwrap_or_else(|e| panic!("{e}"));
                rsnrn::register(&mut model, m).unwrap();
            }
        }
        model
    };
    if scalar {
        nmodl_codegen::with_scalar_kernels(build)
    } else {
        build()
    }
}

/// The decisions made while compiling the built-ins, `files` and the probe.
fn report(files: &[PathBuf]) -> Vec<String> {
    nmodl_codegen::with_vector_report(|| model_with(files, true, false)).1
}

fn assert_vectorized(report: &[String], kernels: &[&str]) {
    for k in kernels {
        let line = report
            .iter()
            .find(|l| l.starts_with(&format!("{k}:")))
            .unwrap_or_else(|| panic!("no {k} kernel was generated: {report:#?}"));
        assert!(line.ends_with("f64x2"), "{line}");
    }
}

/// Whether this machine runs the AVX2 back end (crates/nmodl-codegen/src/avx2).
fn host_has_avx2() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The `kernels` were also widened to four instances per iteration (their affine pair loop),
/// on a machine with AVX2 and FMA; elsewhere the report must say why not.
fn assert_widened(report: &[String], kernels: &[&str]) {
    for k in kernels {
        let line = report
            .iter()
            .find(|l| l.starts_with(&format!("{k}:")) && l.contains("avx2"))
            .unwrap_or_else(|| panic!("no AVX2 decision for {k}: {report:#?}"));
        if host_has_avx2() {
            assert!(line.ends_with(": avx2"), "{line}");
        } else {
            assert!(line.contains("not avx2 (the target"), "{line}");
        }
    }
}

/// Runs `setup` on a model compiled each way and compares.
fn compare(files: &[PathBuf], setup: impl Fn(CableModel) -> (Cable, Vec<PointProcessId>)) {
    let mut results = Vec::new();
    for scalar in [true, false] {
        let (cable, point_list) = setup(model_with(files, true, scalar));
        results.push(run(cable, &point_list, 400).unwrap());
    }
    assert_identical(&results[0], &results[1]);
}

fn builtin_density(usetable: f64) -> impl Fn(CableModel) -> (Cable, Vec<PointProcessId>) {
    move |model| {
        let density = ["hh", "pas", "vecprobe", "vecprobe2", "vecprobe3"].map(String::from);
        let mut c = cable(model, [5, 4, 2], &density).unwrap();
        c.model.set_global("usetable_hh", usetable).unwrap();
        c.model.set_global("usetable_vecprobe", usetable).unwrap();
        (c, Vec::new())
    }
}

#[test]
fn builtin_kernels_are_vectorized() {
    let r = report(&[]);
    assert_vectorized(
        &r,
        &[
            "hh state",
            "hh current",
            "pas current",
            "vecprobe state",
            "vecprobe current",
            "vecprobe2 state",
            "vecprobe2 current",
            "vecprobe3 state",
            "vecprobe3 current",
            "IClamp current",
            "AlphaSynapse current",
            "APCount state",
            "Exp2Syn state",
        ],
    );
    assert_widened(
        &r,
        &[
            "hh state",
            "hh current",
            "pas current",
            "hh state (general loop)",
        ],
    );
}

#[test]
fn hh_pas_and_probe_odd_count_bit_identical() {
    compare(&[], builtin_density(1.0));
}

#[test]
fn hh_pas_and_probe_even_count_bit_identical() {
    compare(&[], |model| {
        let density = ["hh", "pas", "vecprobe", "vecprobe2", "vecprobe3"].map(String::from);
        (cable(model, [5, 5, 2], &density).unwrap(), Vec::new())
    });
}

/// One section: every density mechanism's instances sit on consecutive nodes and their ion
/// values are consecutive (affine data), so the vector kernels take the loop that reads and
/// writes a pair's node and ion values as one vector; the three-section cable of the other
/// tests (the first section's end node lies between the sections' nodes) takes the other.
#[test]
fn hh_pas_and_probe_single_section_affine_bit_identical() {
    let density = ["hh", "pas", "vecprobe", "vecprobe2", "vecprobe3"].map(String::from);
    let one_section = |mut model: CableModel| {
        let s = model.create_section("s0").unwrap();
        model.set_length(s, 140.0).unwrap();
        model.set_diam(s, 1.5).unwrap();
        model.set_ra(s, 120.0).unwrap();
        model.set_nseg(s, 7).unwrap();
        for m in &density {
            model.insert(s, m).unwrap();
        }
        for (x, amp, del) in [(0.1, 20.0, 1.0), (0.9, -3.0, 2.0), (0.5, 0.4, 0.5)] {
            let p = model.add_point_process(s, x, "IClamp").unwrap();
            for (name, value) in [("del", del), ("dur", 3.0), ("amp", amp)] {
                model.set_point(p, name, value).unwrap();
            }
        }
        let c = Cable {
            model,
            sections: vec![s],
        };
        (c, Vec::new())
    };
    let (mut probe, _) = one_section(model_with(&[], true, false));
    for m in ["hh", "pas", "vecprobe"] {
        let id = probe.model.mechanism_id(m).unwrap();
        assert!(probe.model.kernel_data_is_affine(id).unwrap(), "{m}");
    }
    let mut three = cable(model_with(&[], true, false), [5, 4, 2], &density).unwrap();
    let id = three.model.mechanism_id("hh").unwrap();
    assert!(!three.model.kernel_data_is_affine(id).unwrap());
    compare(&[], one_section);
}

#[test]
fn without_tables_bit_identical() {
    compare(&[], builtin_density(0.0));
}

/// TABLE lookups at arguments a membrane potential does not reach: NaN of either sign, the
/// infinities, huge values, the tables' ends and points just inside them, -0. The argument is
/// a PARAMETER, so the values reach the lookups (in the current kernel through BREAKPOINT, in
/// the state kernel through the DERIVATIVE block) unchanged, without spreading through the
/// cable; i stays 0.
const TABLE_EDGES: &str = r#"
NEURON {
    SUFFIX vecedge
    NONSPECIFIC_CURRENT i
    RANGE arg, y, p, q
    THREADSAFE
}
PARAMETER { arg = 0 }
ASSIGNED { v i y p q }
STATE { z }
INITIAL { z = 0 }
BREAKPOINT {
    SOLVE relax METHOD cnexp
    y = curve(arg)
    i = 0
}
DERIVATIVE relax {
    both(arg)
    z' = (p + q - z) / 2
}
FUNCTION curve(u) {
    TABLE FROM -100 TO 100 WITH 40
    curve = exp(u / 50)
}
PROCEDURE both(u) {
    TABLE p, q FROM -10 TO 30 WITH 7
    p = u * u
    q = 1 / (1 + exp(-u))
}
"#;

/// One section with mechanism `suffix` (from `source`) in every segment, segment k's
/// PARAMETER `arg` set to `args[k]`, run `steps` steps with scalar and with vector kernels
/// (whose `kernels` must be vectorized), for all of `args` and for all but the last (the last
/// instance goes to the scalar loop or to a lane): asserts each pair of runs gave the same
/// bits and returns the vector runs. The first of `kernels` must also be widened to AVX2.
fn parameter_sweep(
    source: &str,
    suffix: &str,
    kernels: &[&str],
    args: &[f64],
    steps: usize,
) -> Vec<Vec<(String, Vec<f64>)>> {
    let build = || {
        let mut model = rsnrn::builtins::model().unwrap();
        let m = rsnrn::compile::compile_source(&format!("{suffix}.mod"), source)
            .unwrap_or_else(|e| panic!("{e}"));
        rsnrn::register(&mut model, m).unwrap();
        model
    };
    let (_, decisions) = nmodl_codegen::with_vector_report(build);
    assert_vectorized(&decisions, kernels);
    assert_widened(&decisions, &kernels[..1]);
    let mut vector_runs = Vec::new();
    for count in [args.len(), args.len() - 1] {
        let mut results = Vec::new();
        for scalar in [true, false] {
            let mut model = if scalar {
                nmodl_codegen::with_scalar_kernels(build)
            } else {
                build()
            };
            let s = model.create_section("sweep").unwrap();
            model.set_nseg(s, count as i64).unwrap();
            model.insert(s, suffix).unwrap();
            for (k, &a) in args[..count].iter().enumerate() {
                let x = (k as f64 + 0.5) / count as f64;
                model.set_range(s, x, &format!("arg_{suffix}"), a).unwrap();
            }
            let c = Cable {
                model,
                sections: vec![s],
            };
            results.push(run(c, &[], steps).unwrap());
        }
        assert_same_bits(suffix, &results[0], &results[1]);
        vector_runs.push(results.pop().unwrap());
    }
    vector_runs
}

/// exp in .mod code beyond NEURON's clamps (exp(700) above 700, 0 below -700) and next to
/// them, in one lane or both: the vector loop clamps in a block of its own that only runs
/// when a lane is beyond ±700.
const EXP_CLAMPS: &str = r#"
NEURON {
    SUFFIX vecexp
    NONSPECIFIC_CURRENT i
    RANGE arg, y
    THREADSAFE
}
PARAMETER { arg = 0 }
ASSIGNED { v i y }
STATE { z }
INITIAL { z = 0 }
BREAKPOINT {
    SOLVE relax METHOD cnexp
    i = 0
}
DERIVATIVE relax {
    y = exp(arg)
    z' = (y * 1e-300 - z) / 2
}
"#;

#[test]
fn exp_beyond_neurons_clamps_bit_identical() {
    let args = [
        699.9,
        700.0,
        700.000_000_001,
        0.5,
        1e5,
        -699.9,
        -700.0,
        -700.000_000_001,
        -1e5,
        3.0,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -2.0,
        705.0,
    ];
    let neuron = |x: f64| {
        if x > 700.0 {
            700f64.exp()
        } else if x < -700.0 {
            0.0
        } else {
            x.exp()
        }
    };
    for (run, count) in parameter_sweep(EXP_CLAMPS, "vecexp", &["vecexp state"], &args, 4)
        .into_iter()
        .zip([args.len(), args.len() - 1])
    {
        let ys: Vec<f64> = run
            .iter()
            .filter(|(name, _)| name.starts_with("y_vecexp"))
            .map(|(_, r)| *r.last().unwrap())
            .collect();
        assert_eq!(ys.len(), count);
        for (&a, &y) in args.iter().zip(&ys) {
            let want = neuron(a);
            let close = (y - want).abs() <= want.abs() * 2.3e-16;
            assert!(
                close || (y.is_nan() && want.is_nan()),
                "exp({a}) = {y:e}, want {want:e}"
            );
        }
    }
}

#[test]
fn table_lookups_at_nan_and_beyond_the_ends_bit_identical() {
    let args = [
        f64::NAN,
        -f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e300,
        -100.0,
        100.0,
        -10.0,
        30.0,
        30.0 - 1e-12,
        -10.0 + 1e-12,
        100.0 - 1e-9,
        -0.0,
        0.0,
        40.0 / 7.0 - 10.0,
        -100.000_000_1,
    ];
    let kernels = ["vecedge state", "vecedge current"];
    for run in parameter_sweep(TABLE_EDGES, "vecedge", &kernels, &args, 8) {
        let y_nan = run
            .iter()
            .filter(|(name, r)| name.starts_with("y_vecedge") && r.last().unwrap().is_nan())
            .count();
        assert_eq!(y_nan, 2, "the NaN arguments give NaN, the others numbers");
    }
}

#[test]
fn point_processes_sharing_nodes_bit_identical() {
    for nseg in [[3, 4, 2], [3, 4, 1]] {
        compare(&[], |model| {
            let density = ["hh".to_string()];
            let mut c = cable(model, nseg, &density).unwrap();
            let mut list = Vec::new();
            let alpha = [("onset", 1.0), ("tau", 0.4), ("gmax", 0.02), ("e", 0.0)];
            list.extend(points(&mut c, "AlphaSynapse", 0, 0.5, 3, &alpha));
            list.extend(points(&mut c, "APCount", 2, 0.5, 3, &[("thresh", -20.0)]));
            let clamp = [("dur1", 2.0), ("amp1", -70.0), ("rs", 1.0)];
            list.extend(points(&mut c, "SEClamp", 1, 0.5, 1, &clamp));
            list.extend(points(
                &mut c,
                "IClamp",
                1,
                0.3,
                2,
                &[("del", 0.5), ("dur", 4.0), ("amp", 0.05)],
            ));
            (c, list)
        });
    }
}

fn stn_files(shared: &Path) -> Vec<PathBuf> {
    let dir = shared.join("models/stn151460");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "mod"))
        .collect();
    files.sort();
    files
}

const STN_DENSITY: [&str; 13] = [
    "axnode75", "CaT", "Cacum", "HVA", "Ih", "KDR", "Kv31", "Na", "NaL", "parak75", "STh",
    "myions", "sKCa",
];

#[test]
fn stn_mechanisms_bit_identical() {
    let Some(shared) = common::shared_dir("stn_mechanisms_bit_identical") else {
        return;
    };
    let files = stn_files(&shared);
    let r = report(&files);
    let listing: Vec<&String> = r.iter().filter(|l| !l.contains("vecprobe")).collect();
    eprintln!("vector kernels of the built-ins and the STN model:\n{listing:#?}");
    let state: Vec<String> = STN_DENSITY
        .iter()
        .filter(|m| !matches!(**m, "NaL" | "STh"))
        .map(|m| format!("{m} state"))
        .collect();
    let current: Vec<String> = STN_DENSITY
        .iter()
        .filter(|m| !matches!(**m, "Cacum" | "myions"))
        .map(|m| format!("{m} current"))
        .collect();
    let point_kernels = [
        "AMPA state",
        "AMPA current",
        "GABAa state",
        "GABAa current",
        "trainIClamp current",
    ];
    let expected: Vec<&str> = state
        .iter()
        .chain(&current)
        .map(String::as_str)
        .chain(point_kernels)
        .collect();
    assert_vectorized(&r, &expected);
    for nseg in [[5, 4, 2], [5, 5, 2]] {
        compare(&files, |model| {
            let density = STN_DENSITY.map(String::from);
            let mut c = cable(model, nseg, &density).unwrap();
            let train = [
                ("del", 0.5),
                ("PW", 0.3),
                ("train", 8.0),
                ("amp", 0.2),
                ("freq", 400.0),
            ];
            let mut list = points(&mut c, "trainIClamp", 0, 0.5, 3, &train);
            // Synapses whose presynaptic POINTER reads a membrane potential of the cable.
            for (name, at, pre) in [("AMPA", 1, (0, 0.1)), ("GABAa", 2, (1, 0.9))] {
                for p in points(&mut c, name, at, 0.5, 3, &[]) {
                    let pre = RecordTarget::range(c.sections[pre.0], pre.1, "v");
                    c.model.set_point_pointer(p, "pre", pre).unwrap();
                    list.push(p);
                }
            }
            (c, list)
        });
    }
}

/// A cable with mechanism `info` inserted everywhere, or with three of its point processes
/// at one node and two at another.
fn alone(
    model: CableModel,
    info: &rsnrn_abi::MechanismInfo,
    one_section: bool,
) -> rsnrn::runtime::Result<(Cable, Vec<PointProcessId>)> {
    if info.kind == rsnrn_abi::MechanismKind::Density {
        if one_section {
            // consecutive nodes: the affine loop (and its AVX2 widening) with 12 instances, the
            // last four in one AVX2 iteration (a GLOBAL the body assigns keeps their value)
            let mut model = model;
            let s = model.create_section("s0")?;
            model.set_length(s, 180.0)?;
            model.set_diam(s, 2.0)?;
            model.set_nseg(s, 12)?;
            model.insert(s, &info.name)?;
            let p = model.add_point_process(s, 0.3, "IClamp")?;
            for (name, value) in [("del", 1.0), ("dur", 2.0), ("amp", 0.3)] {
                model.set_point(p, name, value)?;
            }
            let c = Cable {
                model,
                sections: vec![s],
            };
            return Ok((c, Vec::new()));
        }
        return Ok((
            cable(model, [3, 4, 2], std::slice::from_ref(&info.name))?,
            Vec::new(),
        ));
    }
    let mut c = cable(model, [3, 4, 2], &[])?;
    let mut list = Vec::new();
    for (section, x, count) in [(0, 0.5, 3), (2, 0.5, 2)] {
        for _ in 0..count {
            list.push(
                c.model
                    .add_point_process(c.sections[section], x, &info.name)?,
            );
        }
    }
    Ok((c, list))
}

/// Every corpus mechanism that gets a vector kernel, alone in the cable (density) or as
/// point processes sharing a node, both ways. Mechanisms that do not run alone (they need a
/// POINTER set, another mechanism, ...) are skipped; the count of compared ones is checked.
#[test]
fn corpus_mechanisms_bit_identical() {
    let Some(shared) = common::shared_dir("corpus_mechanisms_bit_identical") else {
        return;
    };
    let mut files = Vec::new();
    let corpus = shared.join("corpus/modeldb");
    for model in std::fs::read_dir(&corpus).expect("the corpus folder") {
        for f in std::fs::read_dir(model.unwrap().path()).unwrap() {
            let path = f.unwrap().path();
            if path.extension().is_some_and(|x| x == "mod") {
                files.push(path);
            }
        }
    }
    files.sort();
    // The cable needs IClamp only (compiled once: the built-ins for every model take long).
    let iclamp = Path::new(env!("CARGO_MANIFEST_DIR")).join("nmodl/iclamp.mod");
    let iclamp = std::sync::Arc::new(rsnrn::compile::compile_file(&iclamp).unwrap());
    let (mut compared, mut skipped) = (Vec::new(), 0);
    let mut one_section_compared = 0;
    for file in &files {
        let compile = || rsnrn::compile::compile_file(file);
        let (vector, report) = nmodl_codegen::with_vector_report(compile);
        let (Ok(vector), Ok(scalar)) = (vector, nmodl_codegen::with_scalar_kernels(compile)) else {
            continue;
        };
        if !report.iter().any(|l| l.ends_with("f64x2")) {
            continue;
        }
        let info = scalar.info().clone();
        let density = info.kind == rsnrn_abi::MechanismKind::Density;
        let mut pair = Some((scalar, vector));
        for one_section in [false, true] {
            if one_section && !density {
                break;
            }
            let (scalar, vector) = match pair.take() {
                Some(p) => p,
                None => match (nmodl_codegen::with_scalar_kernels(compile), compile()) {
                    (Ok(s), Ok(v)) => (s, v),
                    _ => break,
                },
            };
            let mut results = Vec::new();
            for mech in [scalar, vector] {
                let mut model = CableModel::new();
                rsnrn::register_shared(&mut model, iclamp.clone()).unwrap();
                if rsnrn::register(&mut model, mech).is_err() {
                    break; // a name clash with a built-in
                }
                match alone(model, &info, one_section) {
                    Ok((c, list)) => results.push(run(c, &list, 200)),
                    Err(_) => break,
                }
            }
            match results.as_slice() {
                [Ok(a), Ok(b)] => {
                    assert_same_bits(&file.display().to_string(), a, b);
                    if !one_section {
                        compared.push(info.name.clone());
                    } else {
                        one_section_compared += 1;
                    }
                }
                [Err(_), Ok(_)] | [Ok(_), Err(_)] => panic!(
                    "{}: one kind of kernel ran and the other failed: {:?}",
                    file.display(),
                    results.iter().map(|r| r.as_ref().err()).collect::<Vec<_>>()
                ),
                _ => skipped += usize::from(!one_section),
            }
        }
    }
    eprintln!(
        "compared {} corpus mechanisms bit for bit ({skipped} with vector kernels do not run \
         alone), {one_section_compared} density ones also in one section",
        compared.len()
    );
    assert!(compared.len() >= 100, "only {} compared", compared.len());
    assert!(
        one_section_compared >= 250,
        "only {one_section_compared} in one section"
    );
}
