//! SOLVE methods other than cnexp against NEURON 9.0.2: hh integrated by `derivimplicit`
//! (Newton's method on the backward-Euler equations) and by `euler`. tests/data/methods holds
//! the mechanisms, the hoc scenario, the script that made NEURON's traces, and the traces
//! (17 significant digits).

use rsnrn::runtime::trace_io::read_table;
use rsnrn::RecordTarget;
use std::path::Path;

fn data(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/methods")
        .join(name)
}

/// Runs the scenario of soma.hoc with mechanism `mech` and returns t, v, m, h, n.
fn run(mech: &str, secondorder: u8) -> Vec<Vec<f64>> {
    let mut model = rsnrn::builtins::model().unwrap();
    let compiled = rsnrn::compile::compile_file(&data(&format!("{mech}.mod")))
        .unwrap_or_else(|e| panic!("{e}"));
    rsnrn::register(&mut model, compiled).unwrap();
    let soma = model.create_section("soma").unwrap();
    model.set_length(soma, 20.0).unwrap();
    model.set_diam(soma, 20.0).unwrap();
    model.set_ra(soma, 100.0).unwrap();
    model.insert(soma, mech).unwrap();
    let stim = model.add_point_process(soma, 0.5, "IClamp").unwrap();
    for (name, value) in [("del", 5.0), ("dur", 40.0), ("amp", 0.15)] {
        model.set_point(stim, name, value).unwrap();
    }
    let mut records = vec![model.record(RecordTarget::time()).unwrap()];
    for name in [
        "v".to_string(),
        format!("m_{mech}"),
        format!("h_{mech}"),
        format!("n_{mech}"),
    ] {
        records.push(model.record(RecordTarget::range(soma, 0.5, name)).unwrap());
    }
    model.set_dt(0.025).unwrap();
    model.set_secondorder(secondorder).unwrap();
    model.finitialize(-65.0).unwrap();
    model.continuerun(50.0).unwrap();
    records
        .iter()
        .map(|&r| model.recording(r).unwrap().to_vec())
        .collect()
}

fn compare(mech: &str, secondorder: u8) {
    let reference = read_table(data(&format!("{mech}_secondorder{secondorder}.txt"))).unwrap();
    let ours = run(mech, secondorder);
    for (k, name) in ["t", "v", "m", "h", "n"].iter().enumerate() {
        let theirs = reference.column(name).unwrap();
        assert_eq!(theirs.len(), ours[k].len(), "{name}: row count");
        // Same iteration as NEURON: the traces agree to the last bit on this machine.
        let tolerance = if *name == "v" { 1e-7 } else { 1e-10 };
        let (worst, at) = theirs
            .iter()
            .zip(&ours[k])
            .enumerate()
            .map(|(i, (a, b))| ((a - b).abs(), i))
            .fold((0.0, 0), |m, x| if x.0 > m.0 { x } else { m });
        assert!(
            worst <= tolerance,
            "{mech}, secondorder {secondorder}: {name} differs from NEURON by {worst:e} at row {at} (t = {})",
            ours[0][at]
        );
    }
}

#[test]
fn derivimplicit_matches_neuron() {
    compare("hhdi", 0);
}

#[test]
fn derivimplicit_with_secondorder_2_matches_neuron() {
    compare("hhdi", 2);
}

#[test]
fn euler_matches_neuron() {
    compare("hheu", 0);
}

#[test]
fn euler_with_secondorder_2_matches_neuron() {
    compare("hheu", 2);
}
