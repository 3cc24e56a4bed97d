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
