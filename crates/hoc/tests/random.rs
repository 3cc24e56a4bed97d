//! The Random class's errors: each names what is wrong and where, without panics.

use rsnrn_hoc::interp::Output;
use rsnrn_hoc::{Flow, Interp};

/// Runs `text` as t.hoc; returns the error report if any.
fn error_of(text: &str) -> Option<String> {
    let mut hoc = Interp::new("rsnrniv").expect("built-in mechanisms compile");
    hoc.out = Output::Buffer(Vec::new());
    match hoc.run_string("t.hoc", text) {
        Err(Flow::Error(e)) => Some(hoc.render_error(&e)),
        _ => None,
    }
}

#[test]
fn bad_random_use_is_reported_with_its_line() {
    let cases = [
        // NEURON's default generator, ACG, is not there: say which ones are.
        (
            "objref r\nr = new Random()\nx = r.uniform(0, 1)\n",
            3,
            "Random123",
        ),
        (
            "objref r\nr = new Random(5)\nx = r.repick()\n",
            3,
            "MCellRan4",
        ),
        ("objref r\nr = new Random()\nr.ACG(3)\n", 3, "not available"),
        (
            "objref r\nr = new Random()\nr.Random123(-1)\n",
            3,
            "out of range",
        ),
        (
            "objref r\nr = new Random()\nr.Random123(4294967296)\n",
            3,
            "out of range",
        ),
        (
            "objref r\nr = new Random()\nr.Random123_globalindex(-2)\n",
            3,
            "out of range",
        ),
        (
            "objref r\nr = new Random()\n\nr.MCellRan4(-3)\n",
            4,
            "out of range",
        ),
        (
            "objref r\nr = new Random()\nr.Random123(1)\nr.seq(17179869184)\n",
            4,
            "out of range",
        ),
        (
            "objref r\nr = new Random()\nr.MCellRan4(1)\nr.seq(-1)\n",
            4,
            "out of range",
        ),
        (
            "objref r\nr = new Random()\nr.Random123(1)\nr.normal(0)\n",
            4,
            "missing",
        ),
        ("objref r\nr = new Random()\nr.nosuch()\n", 3, "nosuch"),
        (
            "objref r\nr = new Random()\nr.Random123(1)\nr.geometric(1)\n",
            4,
            "never ends",
        ),
        (
            "objref r\nr = new Random()\nr.Random123(1)\nr.erlang(1, 0)\n",
            4,
            "variance",
        ),
        (
            "objref r, w\nr = new Random()\nw = new Vector(3)\nw.setrand(r)\n",
            4,
            "ACG",
        ),
    ];
    for (text, line, words) in cases {
        let report = error_of(text).unwrap_or_else(|| panic!("no error for {text:?}"));
        assert!(
            report.contains(&format!("line {line}")) && report.contains(words),
            "the report for {text:?} should name line {line} and say {words:?}:\n{report}"
        );
    }
}
