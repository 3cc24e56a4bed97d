//! KINETIC and LINEAR blocks on small schemes whose implicit-Euler step or steady state is
//! worked out here by hand (NUMERICS §5): which equation CONSERVE replaces, nonlinear
//! reactions, COMPARTMENT volumes with array STATEs and fluxes, STEADYSTATE, LINEAR.

use rsnrn::CableModel;

const DT: f64 = 0.025;

/// Compiles `source`, inserts its mechanism `suffix` in one section, runs finitialize and
/// `steps` fadvances, and returns the values of `names` (range names without the suffix).
fn run(source: &str, suffix: &str, steps: usize, names: &[&str]) -> Vec<f64> {
    let mut model = CableModel::new();
    let mech = rsnrn::compile::compile_source(&format!("{suffix}.mod"), source)
        .unwrap_or_else(|e| panic!("{e}"));
    rsnrn::register(&mut model, mech).unwrap();
    let sec = model.create_section("s").unwrap();
    model.insert(sec, suffix).unwrap();
    model.set_dt(DT).unwrap();
    model.finitialize(-65.0).unwrap();
    for _ in 0..steps {
        model.fadvance().unwrap();
    }
    names
        .iter()
        .map(|n| {
            let name = match n.split_once('[') {
                Some((base, index)) => format!("{base}_{suffix}[{index}"),
                None => format!("{n}_{suffix}"),
            };
            model.get_range(sec, 0.5, &name).unwrap()
        })
        .collect()
}

/// Solves the 3×3 system `m·x = r` by Cramer's rule.
fn solve3(m: [[f64; 3]; 3], r: [f64; 3]) -> [f64; 3] {
    let det = |m: [[f64; 3]; 3]| {
        m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
            - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
            + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
    };
    let d = det(m);
    let mut x = [0.0; 3];
    for (k, xk) in x.iter_mut().enumerate() {
        let mut mk = m;
        for i in 0..3 {
            mk[i][k] = r[i];
        }
        *xk = det(mk) / d;
    }
    x
}

fn close(a: f64, b: f64, what: &str) {
    assert!(
        (a - b).abs() <= 1e-12 * b.abs().max(1e-3),
        "{what}: {a} vs {b}"
    );
}

/// a ⇌ b ⇌ c started with a + b + c = 0.7 although CONSERVE says 1.
const CHAIN: &str = r#"
NEURON { SUFFIX chain }
PARAMETER { kf = 2 kb = 1 }
STATE { a b c }
INITIAL { a = 0.5 b = 0.2 c = 0 INITIAL_SOLVE }
BREAKPOINT { SOLVE kin METHOD sparse }
KINETIC kin {
    ~ a <-> b (kf, kb)
    ~ b <-> c (kf, kb)
    CONSERVE a + b + c = 1
}
"#;

#[test]
fn conserve_replaces_the_equation_of_its_last_state() {
    let source = CHAIN.replace("INITIAL_SOLVE", "");
    let x = run(&source, "chain", 1, &["a", "b", "c"]);
    let (kf, kb, a0, b0) = (2.0, 1.0, 0.5, 0.2);
    // Backward Euler for a and b; the row of c (last in CONSERVE) is a + b + c = 1.
    let m = [
        [1.0 / DT + kf, -kb, 0.0],
        [-kf, 1.0 / DT + kb + kf, -kb],
        [1.0, 1.0, 1.0],
    ];
    let expected = solve3(m, [a0 / DT, b0 / DT, 1.0]);
    for (k, name) in ["a", "b", "c"].iter().enumerate() {
        close(x[k], expected[k], name);
    }
    // Had CONSERVE replaced a's equation instead, a would differ by far more than round-off.
    let m_other = [[1.0, 1.0, 1.0], m[1], [0.0, -kf, 1.0 / DT + kb]];
    let other = solve3(m_other, [1.0, b0 / DT, 0.0]);
    assert!((other[0] - x[0]).abs() > 1e-3);
}

#[test]
fn steady_state_is_the_equilibrium_on_the_conservation_law() {
    let source = CHAIN.replace("INITIAL_SOLVE", "SOLVE kin STEADYSTATE sparse");
    let x = run(&source, "chain", 0, &["a", "b", "c"]);
    // kf·a = kb·b, kf·b = kb·c, a + b + c = 1  =>  a = 1/7, b = 2/7, c = 4/7.
    for (k, expected) in [1.0 / 7.0, 2.0 / 7.0, 4.0 / 7.0].iter().enumerate() {
        assert!((x[k] - expected).abs() < 1e-9, "{} vs {expected}", x[k]);
    }
}

#[test]
fn nonlinear_reaction_is_iterated_to_the_implicit_step() {
    let source = r#"
NEURON { SUFFIX dimer }
PARAMETER { kf = 3 kb = 0.5 }
STATE { a b }
INITIAL { a = 1 b = 0 }
BREAKPOINT { SOLVE kin METHOD sparse }
KINETIC kin { ~ 2 a <-> b (kf, kb) }
"#;
    let x = run(source, "dimer", 1, &["a", "b"]);
    let (kf, kb) = (3.0, 0.5);
    let flux = kf * x[0] * x[0] - kb * x[1];
    // Residuals of a1 = a0 − 2·dt·flux(a1, b1), b1 = b0 + dt·flux(a1, b1).
    assert!((x[0] - 1.0 + 2.0 * DT * flux).abs() < 1e-12, "{x:?}");
    assert!((x[1] - DT * flux).abs() < 1e-12, "{x:?}");
    assert!(x[1] > 0.05, "the step moved b: {x:?}");
}

#[test]
fn compartment_volumes_fluxes_and_array_states() {
    let source = r#"
NEURON { SUFFIX pool RANGE ff, bf }
PARAMETER { vol = 4 influx = 2 }
ASSIGNED { ff bf }
STATE { x[2] }
INITIAL { x[0] = 0.1 x[1] = 0.3 }
BREAKPOINT { SOLVE kin METHOD sparse }
KINETIC kin {
    COMPARTMENT i, vol*(i + 1) { x }
    ~ x[0] << (influx)
    ~ x[0] <-> x[1] (1, 0.5)
    ff = f_flux
    bf = b_flux
}
"#;
    let x = run(source, "pool", 1, &["x[0]", "x[1]", "ff", "bf"]);
    // 4·(x0' − 0.1)/dt = 2 − (x0' − 0.5·x1'),  8·(x1' − 0.3)/dt = x0' − 0.5·x1'
    let (v0, v1) = (4.0, 8.0);
    let m = [
        [v0 / DT + 1.0, -0.5, 0.0],
        [-1.0, v1 / DT + 0.5, 0.0],
        [0.0, 0.0, 1.0],
    ];
    let expected = solve3(m, [v0 * 0.1 / DT + 2.0, v1 * 0.3 / DT, 0.0]);
    close(x[0], expected[0], "x[0]");
    close(x[1], expected[1], "x[1]");
    // The block ran once more at the solution: the fluxes of its last reaction.
    close(x[2], x[0], "f_flux");
    close(x[3], 0.5 * x[1], "b_flux");
}

#[test]
fn linear_block_solves_its_equations() {
    let source = r#"
NEURON { SUFFIX lin }
PARAMETER { k = 3 }
STATE { p q }
INITIAL { SOLVE eqs }
LINEAR eqs {
    ~ 2*p + q = k
    ~ p - q = 0
}
"#;
    let x = run(source, "lin", 0, &["p", "q"]);
    assert!(
        (x[0] - 1.0).abs() < 1e-14 && (x[1] - 1.0).abs() < 1e-14,
        "{x:?}"
    );
}

#[test]
fn two_conserves_take_rows_last_statement_first() {
    let source = r#"
NEURON { SUFFIX twocons }
PARAMETER { kf = 2 kb = 1 }
STATE { a b c }
INITIAL { a = 0.5 b = 0.2 c = 0 }
BREAKPOINT { SOLVE kin METHOD sparse }
KINETIC kin {
    ~ a <-> b (kf, kb)
    ~ b <-> c (kf, kb)
    CONSERVE a + b = 0.6
    CONSERVE c + b = 0.9
}
"#;
    let x = run(source, "twocons", 1, &["a", "b", "c"]);
    // The second CONSERVE takes b's row (its last term), the first then a's (b is taken), so
    // c keeps its implicit-Euler equation: c − 0 = dt·(kf·b − kb·c), c + b = 0.9, a + b = 0.6.
    // NEURON 9.0.2 gives -0.25813953488372077 0.8581395348837209 0.04186046511627907.
    let (kf, kb) = (2.0, 1.0);
    let b = 0.9 * (1.0 + DT * kb) / (DT * kf + 1.0 + DT * kb);
    close(x[0], 0.6 - b, "a");
    close(x[1], b, "b");
    close(x[2], 0.9 - b, "c");
}
