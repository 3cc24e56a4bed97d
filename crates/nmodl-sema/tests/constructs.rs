//! Files of our own using the whole language (tests/valid/*.mod) are accepted, and the IR
//! keeps each construct as the back end needs it: reactions with stoichiometry and rates,
//! NET_RECEIVE with its weight arguments and INITIAL, LOCAL arrays, intrinsics, LINEAR
//! equations, nocmodl's default methods.

use nmodl_ir::{
    Expression, FunctionKind, Intrinsic, Mechanism, ReactionKind, SolveMethod, Statement, Storage,
    VariableKind,
};
use nmodl_sema::{analyze, analyze_with, IncludedFile, Options};
use nmodl_syntax::parse;

fn accept(name: &str) -> Mechanism {
    let path = format!("{}/tests/valid/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    let parsed = parse(&text);
    assert!(!parsed.has_errors(), "{name}: {:?}", parsed.diagnostics);
    let a = analyze(&parsed.file);
    let errors: Vec<_> = a.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{name}: {errors:?}");
    let mech = a.mechanism.expect("accepted");
    let back = Mechanism::from_json(&mech.to_json()).unwrap();
    assert_eq!(back, mech, "{name}: IR round-trip");
    mech
}

fn function(mech: &Mechanism, name: &str) -> nmodl_ir::Function {
    let h = mech.find_function(name).expect(name);
    mech.functions[h].clone()
}

#[test]
fn kinetic_scheme_keeps_stoichiometry_rates_and_conservation() {
    let mech = accept("kinetic.mod");
    let scheme = function(&mech, "scheme");
    assert_eq!(scheme.kind, FunctionKind::Kinetic);
    let Statement::Reaction(r) = &scheme.body.statements[0] else {
        panic!("{:?}", scheme.body.statements[0])
    };
    assert_eq!(r.lhs.len(), 2);
    assert_eq!(r.lhs[1].coefficient, 2);
    assert_eq!(mech.variables[r.lhs[1].species].name, "cai");
    let ReactionKind::Reversible {
        rhs,
        forward,
        backward,
    } = &r.kind
    else {
        panic!("reversible expected")
    };
    assert_eq!(mech.variables[rhs[0].species].name, "C1");
    assert!(
        matches!(mech.expressions[*forward], Expression::Load(v) if mech.variables[v].name == "kon")
    );
    assert!(
        matches!(mech.expressions[*backward], Expression::Load(v) if mech.variables[v].name == "koff")
    );
    let Statement::Conserve(c) = &scheme.body.statements[2] else {
        panic!("CONSERVE expected")
    };
    assert_eq!(c.terms.len(), 3);
    // STATEs in declaration order, the SOLVE in INITIAL kept as a steady-state statement.
    let names: Vec<_> = mech
        .states
        .iter()
        .map(|s| mech.variables[s.variable].name.as_str())
        .collect();
    assert_eq!(names, ["C", "C1", "O"]);
    let init = mech.initial.as_ref().unwrap();
    assert!(matches!(
        init.statements[0],
        Statement::Solve(s) if s.steady_state && s.method == SolveMethod::Sparse
    ));
    assert_eq!(mech.solves[0].method, SolveMethod::Sparse);
    assert_eq!(mech.limits.len(), 1);
    let faraday = mech.find_variable("FARADAY").unwrap();
    assert_eq!(mech.variables[faraday].default, Some(96485.33212331001));
}

#[test]
fn net_receive_has_weight_arguments_flag_and_initial() {
    let mech = accept("synapse.mod");
    let nr = mech.net_receive.as_ref().expect("NET_RECEIVE");
    assert_eq!(nr.parameters.len(), 2);
    for &p in &nr.parameters {
        assert_eq!(mech.variables[p].storage, Storage::Weight);
    }
    assert!(nr.initial.is_some());
    let flag = nr.flag.expect("flag is used");
    assert_eq!(mech.variables[flag].kind, VariableKind::EventFlag);
    let pre = mech.find_variable("pre").unwrap();
    assert_eq!(mech.variables[pre].kind, VariableKind::Pointer);
    let init = mech.initial.as_ref().unwrap();
    assert!(init
        .statements
        .iter()
        .any(|s| matches!(s, Statement::NetSend { .. })));
    let text = mech.to_json();
    for construct in ["NetEvent", "Watch", "ForNetcons", "Printf", "NrnPointing"] {
        assert!(text.contains(construct), "{construct} missing from the IR");
    }
}

#[test]
fn procedures_keep_local_arrays_tables_and_intrinsics() {
    let mech = accept("procedures.mod");
    assert!(mech.threadsafe);
    let k = mech
        .variables
        .iter()
        .find(|(_, v)| v.name == "k" && v.kind == VariableKind::Local)
        .unwrap()
        .1;
    assert_eq!(k.size, Some(4));
    let intrinsics: Vec<Intrinsic> = mech
        .expressions
        .iter()
        .filter_map(|(_, e)| match e {
            Expression::Intrinsic(f, _, _) => Some(*f),
            _ => None,
        })
        .collect();
    for f in [
        Intrinsic::NormRand,
        Intrinsic::ExpRand,
        Intrinsic::UniRand,
        Intrinsic::AtTime,
        Intrinsic::SetSeed,
    ] {
        assert!(intrinsics.contains(&f), "{f:?} missing");
    }
    assert!(function(&mech, "rates").table.is_some());
}

#[test]
fn linear_equations_and_default_methods() {
    let mech = accept("linear.mod");
    let eqs = function(&mech, "eqs");
    assert_eq!(eqs.kind, FunctionKind::Linear);
    assert_eq!(
        eqs.body
            .statements
            .iter()
            .filter(|s| matches!(s, Statement::Equation { .. }))
            .count(),
        2
    );
    let methods: Vec<_> = mech.solves.iter().map(|s| s.method).collect();
    assert_eq!(methods, [SolveMethod::None, SolveMethod::Derivimplicit]);
}

#[test]
fn include_splices_the_included_items() {
    let text =
        "NEURON { SUFFIX inc }\nASSIGNED { x }\nINCLUDE \"lib.inc\"\nBREAKPOINT { x = twice(2) }\n";
    let mut resolver = |name: &str| -> Result<IncludedFile, String> {
        assert_eq!(name, "lib.inc");
        Ok(IncludedFile {
            name: name.into(),
            text: "FUNCTION twice(a) { twice = 2 * a }\n".into(),
        })
    };
    let parsed = parse(text);
    let a = analyze_with(
        &parsed.file,
        Options {
            include: Some(&mut resolver),
            default_name: None,
        },
    );
    let mech = a.mechanism.expect("accepted");
    assert!(mech.find_function("twice").is_some());
    assert_eq!(mech.includes, ["lib.inc"]);
    // Without a resolver the INCLUDE is an error, not silently skipped.
    assert!(analyze(&parsed.file).mechanism.is_none());
}

#[test]
fn several_initial_blocks_run_in_order_and_state0_exists() {
    let text = "NEURON { SUFFIX two GLOBAL m0 }\nSTATE { m START 0.25 }\nASSIGNED { x }\nINITIAL { x = 1 }\nINITIAL { x = m0 }\n";
    let a = analyze(&parse(text).file);
    let mech = a.mechanism.expect("accepted");
    assert_eq!(mech.initial.as_ref().unwrap().statements.len(), 2);
    let m0 = mech.states[0].initial.expect("m0 declared by use");
    assert_eq!(mech.variables[m0].default, Some(0.25));
}
