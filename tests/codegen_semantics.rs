//! What generated code computes, checked value by value: a probe mechanism whose INITIAL
//! block stores the results of the constructs under test in RANGE variables.

use rsnrn::CableModel;

const PROBE: &str = r#"
NEURON {
    SUFFIX probe
    RANGE r1, r2, r3, r4, r5, r6, r7, r8, r9, r10, r11, r12, r13, r14, r15, r16, r17
    GLOBAL k
}
PARAMETER { k = 2 }
ASSIGNED { v r1 r2 r3 r4 r5 r6 r7 r8 r9 r10 r11 r12 r13 r14 r15 r16 r17 }
INITIAL {
    LOCAL i, s
    r1 = exprelr(0)
    r2 = exprelr(2)
    r3 = 2^10
    r4 = -2^2
    r5 = 2^3^2
    s = 0
    FROM i = 1 TO 10 { s = s + i }
    r6 = s
    i = 0
    while (i < 7) { i = i + 2 }
    r7 = i
    r8 = (1 < 2) && (2 < 3)
    r9 = (1 > 2) || !(2 > 3)
    r10 = factorial(5)
    r11 = sq(-50)
    r12 = sq(50)
    r13 = sq(0.25)
    r14 = fmod(7.5, 2)
    if (v < -100) { r15 = 1 } else if (v < 0) { r15 = 2 } else { r15 = 3 }
    r16 = k*3
    r17 = at_time(1) + 3
}
FUNCTION factorial(n) {
    if (n <= 1) { factorial = 1 } else { factorial = n*factorial(n - 1) }
}
FUNCTION sq(x) {
    TABLE FROM -1 TO 1 WITH 4
    sq = x*x
}
"#;

fn probe(usetable: f64) -> Vec<f64> {
    let mut model = CableModel::new();
    let mech = rsnrn::compile::compile_source("probe.mod", PROBE).unwrap_or_else(|e| panic!("{e}"));
    rsnrn::register(&mut model, mech).unwrap();
    let sec = model.create_section("s").unwrap();
    model.insert(sec, "probe").unwrap();
    model.set_global("usetable_probe", usetable).unwrap();
    model.finitialize(-65.0).unwrap();
    (1..=17)
        .map(|i| model.get_range(sec, 0.5, &format!("r{i}_probe")).unwrap())
        .collect()
}

#[test]
fn expressions_control_flow_and_calls() {
    let r = probe(1.0);
    assert_eq!(r[0], 1.0, "exprelr(0) is its limit");
    assert_eq!(r[1], 2.0 / (2f64.exp() - 1.0), "exprelr(2)");
    assert_eq!(r[2], 1024.0, "2^10");
    assert_eq!(r[3], -4.0, "-2^2 is -(2^2)");
    assert_eq!(r[4], 512.0, "^ is right-associative");
    assert_eq!(r[5], 55.0, "FROM i = 1 TO 10 includes both ends");
    assert_eq!(r[6], 8.0, "while");
    assert_eq!(r[7], 1.0, "&&");
    assert_eq!(r[8], 1.0, "|| and !");
    assert_eq!(r[9], 120.0, "recursive FUNCTION");
    assert_eq!(r[13], 1.5, "fmod");
    assert_eq!(r[14], 2.0, "else if chain");
    assert_eq!(r[15], 6.0, "GLOBAL parameter");
    assert_eq!(r[16], 3.0, "at_time is 0 in the fixed-step method");
}

#[test]
fn function_table_interpolates_and_clamps() {
    let with_table = probe(1.0);
    // Below FROM and above TO the table returns its end points (no extrapolation).
    assert_eq!(with_table[10], 1.0, "sq(-50) clamps to sq(-1)");
    assert_eq!(with_table[11], 1.0, "sq(50) clamps to sq(1)");
    // Points at -1, -0.5, 0, 0.5, 1: 0.25 lies halfway between 0 and 0.5 -> (0 + 0.25)/2.
    assert_eq!(with_table[12], 0.125, "linear interpolation");
    let exact = probe(0.0);
    assert_eq!(exact[10], 2500.0);
    assert_eq!(exact[11], 2500.0);
    assert_eq!(exact[12], 0.0625);
}

#[test]
fn ir_round_trips_through_json() {
    for (name, text) in rsnrn::builtins::SOURCES
        .iter()
        .chain([&("probe.mod", PROBE)])
    {
        let checked =
            rsnrn::compile::check(nmodl_syntax::diagnostics::SourceFile::new(*name, *text));
        let ir = checked
            .mechanism
            .unwrap_or_else(|| panic!("{name} analyzes"));
        let back = nmodl_ir::Mechanism::from_json(&ir.to_json()).expect("IR JSON parses");
        assert_eq!(back, ir, "{name}");
    }
}
