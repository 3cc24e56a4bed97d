//! derivimplicit of one state runs Newton's iteration inline in the state kernel
//! (crates/nmodl-codegen/src/emit/derivimplicit.rs, `emit_newton_one`). It must give the
//! runtime service's iterates (services.rs, `newton_one`) bit for bit: each mechanism here is
//! compiled both ways and the same cell is run with each, under secondorder 0 and 2, and
//! every recorded value must have the same bits; a block whose iteration fails must stop
//! both runs with the same error at the same step.

use rsnrn::{CableModel, RecordTarget};

/// A calcium current for the pools to collect (the pools read ica).
const CA_CURRENT: &str = r#"
NEURON { SUFFIX cacur USEION ca WRITE ica RANGE gca THREADSAFE }
PARAMETER { gca = 0.002 }
ASSIGNED { v ica }
BREAKPOINT { ica = gca*(v - 120)/(1 + exp(-(v + 20)/5)) }
"#;

/// ModelDB's usual calcium pool: linear, with a clamp on the drive.
const LINEAR_POOL: &str = r#"
NEURON { SUFFIX linpool USEION ca READ ica WRITE cai RANGE drive THREADSAFE }
PARAMETER { depth = 0.1 taur = 80 cainf = 1e-4 }
STATE { ca }
ASSIGNED { ica cai drive }
INITIAL { ca = cainf cai = ca }
BREAKPOINT { SOLVE state METHOD derivimplicit }
DERIVATIVE state {
    drive = -10000*ica/(2*96485.309*depth)
    if (drive <= 0) { drive = 0 }
    ca' = drive + (cainf - ca)/taur
    cai = ca
}
"#;

/// A nonlinear pool (second-order removal) with a FUNCTION of v: several iterations, and
/// relative changes above 0.05, which rebuild the slope.
const NONLINEAR_POOL: &str = r#"
NEURON { SUFFIX nlpool USEION ca READ ica RANGE x, influx THREADSAFE }
PARAMETER { k = 4e3 }
STATE { x }
ASSIGNED { v ica influx }
INITIAL { x = 1e-4 }
BREAKPOINT { SOLVE state METHOD derivimplicit }
DERIVATIVE state {
    influx = leak(v) - 50*ica
    x' = influx - k*x*x*x
}
FUNCTION leak(v) { leak = 1e-3*exp(v/25) }
"#;

/// A derivative that becomes NaN once v passes -20 mV: the iteration fails.
const FAILING: &str = r#"
NEURON { SUFFIX badpool THREADSAFE }
STATE { y }
ASSIGNED { v }
INITIAL { y = 1 }
BREAKPOINT { SOLVE state METHOD derivimplicit }
DERIVATIVE state {
    y' = -y + sqrt(-20 - v)
}
"#;

fn model(source: &str, suffix: &str, service: bool) -> CableModel {
    let mut model = rsnrn::builtins::model().unwrap();
    let current = rsnrn::compile::compile_source("cacur.mod", CA_CURRENT).unwrap();
    rsnrn::register(&mut model, current).unwrap();
    let compile = || rsnrn::compile::compile_source(&format!("{suffix}.mod"), source);
    let pool = if service {
        nmodl_codegen::with_newton_service(compile)
    } else {
        compile()
    }
    .unwrap_or_else(|e| panic!("{suffix}: {e:?}"));
    rsnrn::register(&mut model, pool).unwrap();
    model
}

/// v and the recorded `names` of a spiking soma with `suffix`, and how the run ended.
fn run(
    source: &str,
    suffix: &str,
    names: &[&str],
    secondorder: u8,
    service: bool,
) -> (Vec<Vec<f64>>, Result<(), String>) {
    let mut model = model(source, suffix, service);
    let soma = model.create_section("soma").unwrap();
    model.set_length(soma, 20.0).unwrap();
    model.set_diam(soma, 20.0).unwrap();
    model.set_nseg(soma, 3).unwrap();
    for mech in ["hh", "cacur", suffix] {
        model.insert(soma, mech).unwrap();
    }
    let stim = model.add_point_process(soma, 0.5, "IClamp").unwrap();
    for (name, value) in [("del", 2.0), ("dur", 40.0), ("amp", 0.4)] {
        model.set_point(stim, name, value).unwrap();
    }
    let mut records = vec![model.record(RecordTarget::range(soma, 0.5, "v")).unwrap()];
    for name in names {
        let range = format!("{name}_{suffix}");
        records.push(model.record(RecordTarget::range(soma, 0.5, range)).unwrap());
    }
    model.set_dt(0.025).unwrap();
    model.set_secondorder(secondorder).unwrap();
    model.finitialize(-65.0).unwrap();
    let ended = model.continuerun(40.0).map_err(|e| e.to_string());
    let traces = records
        .iter()
        .map(|&r| model.recording(r).unwrap().to_vec())
        .collect();
    (traces, ended)
}

fn assert_same_runs(source: &str, suffix: &str, names: &[&str]) {
    for secondorder in [0, 2] {
        let inline = run(source, suffix, names, secondorder, false);
        let service = run(source, suffix, names, secondorder, true);
        assert_eq!(
            inline.1, service.1,
            "{suffix}, secondorder {secondorder}: ended"
        );
        assert!(inline.1.is_ok(), "{suffix}: {:?}", inline.1);
        for (k, (a, b)) in inline.0.iter().zip(&service.0).enumerate() {
            assert_eq!(a.len(), b.len(), "{suffix}: trace {k} length");
            assert!(a.len() > 1000, "{suffix}: trace {k} too short");
            for (step, (x, y)) in a.iter().zip(b).enumerate() {
                assert_eq!(
                    x.to_bits(),
                    y.to_bits(),
                    "{suffix}, secondorder {secondorder}, trace {k}, step {step}: {x} inline, {y} by the service"
                );
            }
        }
        // The pool moved (the comparison is not of constants).
        let state = &inline.0[1];
        assert!(state.iter().any(|&x| x != state[0]), "{suffix}: constant");
    }
}

#[test]
fn linear_pool_inline_equals_the_service_bit_for_bit() {
    assert_same_runs(LINEAR_POOL, "linpool", &["ca", "drive"]);
}

#[test]
fn nonlinear_pool_inline_equals_the_service_bit_for_bit() {
    assert_same_runs(NONLINEAR_POOL, "nlpool", &["x", "influx"]);
}

#[test]
fn failing_iteration_stops_both_at_the_same_step() {
    for secondorder in [0, 2] {
        let inline = run(FAILING, "badpool", &["y"], secondorder, false);
        let service = run(FAILING, "badpool", &["y"], secondorder, true);
        let error = inline
            .1
            .clone()
            .expect_err("v passes -20 mV: sqrt of a negative number");
        assert_eq!(inline.1, service.1);
        assert_eq!(inline.0[0].len(), service.0[0].len(), "{error}");
        assert!(
            error.contains("badpool") && error.contains("did not converge"),
            "{error}"
        );
    }
}
