//! The IR's new nodes round-trip through serde exactly, and `validate` catches misplaced
//! constructs and dangling handles.

use nmodl_ir::*;

fn variable(
    m: &mut Mechanism,
    name: &str,
    kind: VariableKind,
    storage: Storage,
) -> Handle<Variable> {
    m.variables.append(Variable {
        name: name.into(),
        kind,
        storage,
        visible: false,
        size: None,
        default: Some(96485.33212331001),
        units: None,
        span: Span { start: 1, end: 2 },
    })
}

fn function(m: &mut Mechanism, name: &str, kind: FunctionKind, body: Block) -> Handle<Function> {
    m.functions.append(Function {
        name: name.into(),
        kind,
        parameters: Vec::new(),
        locals: Vec::new(),
        result: None,
        body,
        table: None,
        span: Span::default(),
    })
}

/// A point process with a kinetic scheme, events and the other new constructs.
fn sample() -> Mechanism {
    let mut m = Mechanism {
        name: "sample".into(),
        kind: MechanismKind::PointProcess,
        ..Mechanism::default()
    };
    let c = variable(&mut m, "C", VariableKind::State, Storage::Range);
    let o = variable(&mut m, "O", VariableKind::State, Storage::Range);
    for v in [c, o] {
        m.states.push(StateDecl {
            variable: v,
            abstol: Some(1e-6),
            initial: None,
        });
    }
    let w = variable(&mut m, "w", VariableKind::Argument, Storage::Weight);
    let flag = variable(&mut m, "flag", VariableKind::EventFlag, Storage::Event);
    let r = variable(&mut m, "r", VariableKind::Random, Storage::Opaque);
    let kf = m.expressions.append(Expression::Number(0.1));
    let kb = m.expressions.append(Expression::Number(0.2));
    let one = m.expressions.append(Expression::Number(1.0));
    let reaction = Statement::Reaction(Reaction {
        lhs: vec![Reactant {
            coefficient: 2,
            species: c,
            index: None,
        }],
        kind: ReactionKind::Reversible {
            rhs: vec![Reactant {
                coefficient: 1,
                species: o,
                index: None,
            }],
            forward: kf,
            backward: kb,
        },
        span: Span { start: 3, end: 9 },
    });
    let conserve = Statement::Conserve(Conserve {
        terms: vec![
            ConserveTerm {
                coefficient: 1.0,
                species: c,
                index: None,
            },
            ConserveTerm {
                coefficient: 1.0,
                species: o,
                index: None,
            },
        ],
        total: one,
        span: Span::default(),
    });
    let scheme = function(
        &mut m,
        "scheme",
        FunctionKind::Kinetic,
        Block {
            statements: vec![reaction, conserve],
        },
    );
    m.solves.push(Solve {
        target: scheme,
        method: SolveMethod::Sparse,
        steady_state: false,
        span: Span::default(),
    });
    m.initial = Some(Block {
        statements: vec![
            Statement::Solve(Solve {
                target: scheme,
                method: SolveMethod::Sparse,
                steady_state: true,
                span: Span::default(),
            }),
            Statement::NetSend {
                delay: one,
                flag: one,
                span: Span::default(),
            },
        ],
    });
    let args = m.push_args(&[]);
    let stream = m.expressions.append(Expression::Load(r));
    let rargs = m.push_args(&[stream]);
    let uniform = m.expressions.append(Expression::Intrinsic(
        Intrinsic::RandomNegexp,
        rargs,
        Span::default(),
    ));
    let t = m.expressions.append(Expression::Intrinsic(
        Intrinsic::UniRand,
        args,
        Span::default(),
    ));
    m.net_receive = Some(NetReceive {
        parameters: vec![w],
        locals: Vec::new(),
        flag: Some(flag),
        initial: Some(Block::default()),
        body: Block {
            statements: vec![
                Statement::NetEvent {
                    time: t,
                    span: Span::default(),
                },
                Statement::Watch {
                    clauses: vec![WatchClause {
                        condition: uniform,
                        flag: one,
                    }],
                    span: Span::default(),
                },
                Statement::Printf {
                    arguments: vec![
                        PrintfArgument::Text("w %g\\n".into()),
                        PrintfArgument::Value(t),
                    ],
                    span: Span::default(),
                },
            ],
        },
        span: Span::default(),
    });
    m.hooks.push(Hook {
        when: HookTime::After,
        phase: HookPhase::Solve,
        locals: Vec::new(),
        body: Block::default(),
        span: Span::default(),
    });
    m
}

#[test]
fn new_nodes_round_trip_exactly() {
    let m = sample();
    assert_eq!(validate(&m), Ok(()));
    let json = m.to_json();
    let back = Mechanism::from_json(&json).expect("parses");
    assert_eq!(back, m);
    assert_eq!(
        back.variables[Handle::new(0)].default,
        Some(96485.33212331001)
    );
}

#[test]
fn validate_reports_misplaced_constructs_and_dangling_handles() {
    let mut m = sample();
    // A reaction moved into a PROCEDURE, net_send moved into BREAKPOINT, and a CONSERVE
    // term pointing past the arena.
    let scheme = m.find_function("scheme").unwrap();
    let body = m.functions[scheme].body.clone();
    function(&mut m, "p", FunctionKind::Procedure, body);
    let send = m.initial.as_ref().unwrap().statements[1].clone();
    m.breakpoint = Some(Block {
        statements: vec![send],
    });
    if let Statement::Conserve(c) = &mut m.functions[scheme].body.statements[1] {
        c.terms[0].species = Handle::new(999);
    }
    let errors = validate(&m).unwrap_err();
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(
        text.iter().any(|e| e.contains("a reaction is not allowed")),
        "{text:?}"
    );
    assert!(
        text.iter().any(|e| e.contains("net_send is not allowed")),
        "{text:?}"
    );
    assert!(text.iter().any(|e| e.contains("out of range")), "{text:?}");
}
