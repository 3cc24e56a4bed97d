//! Bad input gets a clear error naming the place, never a panic.

use rsnrn::compile::{compile_source, Stage};
use rsnrn::RecordTarget;

#[test]
fn mod_syntax_error_names_file_line_and_column_with_a_caret() {
    let text = "NEURON {\n    SUFFIX leak\n    RANGE g\n}\nPARAMETER {\n    g = .001 (S/cm2\n}\n";
    let err = compile_source("leak.mod", text)
        .err()
        .expect("a syntax error");
    assert_eq!(err.stage, Stage::Parse);
    assert!(err.rendered.contains("leak.mod:7:1"), "{}", err.rendered);
    assert!(err.rendered.contains('^'), "{}", err.rendered);
}

#[test]
fn undefined_name_is_an_analysis_error() {
    let text = "NEURON { SUFFIX leak NONSPECIFIC_CURRENT i }\nASSIGNED { v i }\nBREAKPOINT { i = gbar*(v - 1) }\n";
    let err = compile_source("leak.mod", text)
        .err()
        .expect("an analysis error");
    assert_eq!(err.stage, Stage::Analyze);
    assert!(err.rendered.contains("gbar"), "{}", err.rendered);
    assert!(err.rendered.contains("leak.mod:3:"), "{}", err.rendered);
}

#[test]
fn derivative_of_a_non_state_is_an_error() {
    let text = "NEURON { SUFFIX x }\nASSIGNED { a }\nSTATE { s }\nBREAKPOINT { SOLVE d METHOD cnexp }\nDERIVATIVE d { a' = -a }\n";
    let err = compile_source("x.mod", text)
        .err()
        .expect("an analysis error");
    assert!(err.rendered.contains("not a STATE"), "{}", err.rendered);
}

#[test]
fn unknown_mechanism_and_negative_nseg_are_runtime_errors() {
    let mut model = rsnrn::builtins::model().expect("built-ins compile");
    let soma = model.create_section("soma").unwrap();
    let err = model.insert(soma, "kdr").unwrap_err().to_string();
    assert!(err.contains("kdr"), "{err}");
    let err = model.set_nseg(soma, -3).unwrap_err().to_string();
    assert!(err.contains("nseg"), "{err}");
    let err = model
        .record(RecordTarget::range(soma, 0.5, "m_kdr"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("m_kdr"), "{err}");
}

/// An array index outside the array stops the run with the mechanism, the file and line,
/// and never touches memory outside the instance's data.
#[test]
fn array_index_out_of_range_is_a_run_time_error_naming_the_line() {
    const SOURCE: &str = "NEURON {
    SUFFIX arr
    RANGE a, k, total
}
PARAMETER { k = 2 }
ASSIGNED { a[4] total }
INITIAL {
    LOCAL i
    FROM i = 0 TO 3 { a[i] = i }
    total = a[k]
}
BREAKPOINT {
    a[k] = total
}
";
    let mut model = rsnrn::CableModel::new();
    let mech = compile_source("arr.mod", SOURCE).unwrap_or_else(|e| panic!("{e}"));
    rsnrn::register(&mut model, mech).unwrap();
    let sec = model.create_section("s").unwrap();
    model.insert(sec, "arr").unwrap();
    model.finitialize(-65.0).unwrap();
    assert_eq!(model.get_range(sec, 0.5, "total_arr").unwrap(), 2.0);
    model.fadvance().unwrap();

    model.set_range(sec, 0.5, "k_arr", 4.0).unwrap();
    let err = model.fadvance().unwrap_err().to_string();
    assert!(
        err.contains("mechanism arr")
            && err.contains("array index out of range: a has 4 elements, numbered 0 to 3")
            && err.contains("arr.mod:13:5"),
        "{err}"
    );
    model.set_range(sec, 0.5, "k_arr", -1.0).unwrap();
    let err = model.finitialize(-65.0).unwrap_err().to_string();
    assert!(err.contains("arr.mod:10:5"), "{err}");
    // The failure is reported once; a good index runs again.
    model.set_range(sec, 0.5, "k_arr", 1.0).unwrap();
    model.finitialize(-65.0).unwrap();
    assert_eq!(model.get_range(sec, 0.5, "total_arr").unwrap(), 1.0);
}

/// A FUNCTION called from a front end that indexes out of range fails at that call (with
/// the file and line), and the failure is not reported again by the next step.
#[test]
fn array_index_out_of_range_in_a_called_function_fails_that_call() {
    const SOURCE: &str = "NEURON {
    SUFFIX arrf
    RANGE a
}
ASSIGNED { a[3] }
FUNCTION get(k) {
    get = a[k]
}
";
    let mut model = rsnrn::CableModel::new();
    let mech = compile_source("arrf.mod", SOURCE).unwrap_or_else(|e| panic!("{e}"));
    rsnrn::register(&mut model, mech).unwrap();
    let sec = model.create_section("s").unwrap();
    model.insert(sec, "arrf").unwrap();
    model.finitialize(-65.0).unwrap();
    assert_eq!(
        model
            .call_density_function(sec, 0.5, "arrf", "get", &[2.0])
            .unwrap(),
        0.0
    );
    let err = model
        .call_density_function(sec, 0.5, "arrf", "get", &[3.0])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("array index out of range: a has 3 elements") && err.contains("arrf.mod:7:5"),
        "{err}"
    );
    model.fadvance().unwrap();
}

/// nocmodl refuses cnexp and derivimplicit for KINETIC blocks; so do we, at the METHOD.
#[test]
fn kinetic_block_by_cnexp_is_refused_at_the_method() {
    let text = "NEURON { SUFFIX k }\nSTATE { a b }\nBREAKPOINT { SOLVE kin METHOD cnexp }\nKINETIC kin { ~ a <-> b (1, 2) }\n";
    let err = compile_source("k.mod", text).err().expect("refused");
    assert_eq!(err.stage, Stage::Analyze);
    assert!(
        err.rendered.contains("METHOD cnexp cannot integrate kin")
            && err.rendered.contains("k.mod:3:"),
        "{}",
        err.rendered
    );
}

/// A NONLINEAR block needs one equation per STATE it mentions.
#[test]
fn nonlinear_block_with_too_few_equations_is_an_error() {
    let text = "NEURON { SUFFIX n }\nSTATE { a b }\nBREAKPOINT { SOLVE eq }\nNONLINEAR eq { ~ a*a + b = 2 }\n";
    let err = compile_source("n.mod", text).err().expect("refused");
    assert!(
        err.rendered
            .contains("NONLINEAR eq has 1 equations for 2 STATEs"),
        "{}",
        err.rendered
    );
}

/// A Newton iteration that cannot converge stops the run naming the mechanism.
#[test]
fn nonlinear_block_without_a_solution_stops_the_run() {
    let text = "NEURON { SUFFIX nosol }\nSTATE { x }\nINITIAL { x = 1 }\nBREAKPOINT { SOLVE eq }\nNONLINEAR eq { ~ x*x = -1 }\n";
    let compiled = compile_source("nosol.mod", text).expect("compiles");
    let mut model = rsnrn::builtins::model().unwrap();
    rsnrn::register(&mut model, compiled).unwrap();
    let soma = model.create_section("soma").unwrap();
    model.insert(soma, "nosol").unwrap();
    let err = model
        .finitialize(-65.0)
        .and_then(|_| model.continuerun(1.0));
    let err = err.unwrap_err().to_string();
    assert!(err.contains("nosol"), "{err}");
}
