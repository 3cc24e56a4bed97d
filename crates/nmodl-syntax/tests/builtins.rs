//! The built-in mechanisms under `nmodl/` parse cleanly into the expected trees.

use nmodl_syntax::ast::*;
use nmodl_syntax::{parse, render, SourceFile};

fn parse_builtin(name: &str) -> (String, File) {
    let path = format!("{}/../../nmodl/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let result = parse(&text);
    assert!(
        result.diagnostics.is_empty(),
        "{}",
        render(
            &SourceFile::new(name, text.as_str()),
            &result.diagnostics,
            false
        )
    );
    (text, result.file)
}

fn items<'a, T>(file: &'a File, f: impl Fn(&'a ItemKind) -> Option<T>) -> Vec<T> {
    file.items.iter().filter_map(|i| f(&i.kind)).collect()
}

fn text(src: &str, span: Span) -> &str {
    &src[span.range()]
}

/// Render an expression fully parenthesized, to check precedence.
fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number(n) => n.text.clone(),
        ExprKind::WithUnit { value, unit } => format!("{}({})", value.text, unit.text),
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::Index { name, index } => format!("{}[{}]", name.name, show(index)),
        ExprKind::Call(c) => format!(
            "{}({})",
            c.name.name,
            c.args.iter().map(show).collect::<Vec<_>>().join(", ")
        ),
        ExprKind::String(s) => format!("{:?}", s.value),
        ExprKind::Unary { op, operand } => {
            let op = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Plus => "+",
                UnaryOp::Not => "!",
            };
            format!("({op}{})", show(operand))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", show(lhs), op.symbol(), show(rhs))
        }
    }
}

#[test]
fn hh_neuron_block() {
    let (_, file) = parse_builtin("hh.mod");
    let neuron = items(&file, |k| match k {
        ItemKind::Neuron(s) => Some(s),
        _ => None,
    });
    let stmts = &neuron[0];
    assert!(matches!(&stmts[0].kind, NeuronStmtKind::Suffix(n) if n.name == "hh"));
    let ions: Vec<_> = stmts
        .iter()
        .filter_map(|s| match &s.kind {
            NeuronStmtKind::UseIon {
                ion,
                read,
                write,
                valence,
                ..
            } => Some((
                ion.name.as_str(),
                read.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
                write.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
                valence.is_some(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        ions,
        vec![
            ("na", vec!["ena"], vec!["ina"], false),
            ("k", vec!["ek"], vec!["ik"], false)
        ]
    );
    assert!(stmts
        .iter()
        .any(|s| matches!(&s.kind, NeuronStmtKind::NonspecificCurrent(v) if v[0].name == "il")));
    let range = stmts
        .iter()
        .find_map(|s| match &s.kind {
            NeuronStmtKind::Range(v) => Some(v.iter().map(|n| n.name.clone()).collect::<Vec<_>>()),
            _ => None,
        })
        .unwrap();
    assert_eq!(range, ["gnabar", "gkbar", "gl", "el", "gna", "gk"]);
    assert!(
        matches!(stmts.last().unwrap().kind, NeuronStmtKind::ThreadSafe(ref v) if v.is_empty())
    );
}

#[test]
fn hh_parameters_have_values_units_and_limits() {
    let (src, file) = parse_builtin("hh.mod");
    let params = items(&file, |k| match k {
        ItemKind::Parameter(d) => Some(d),
        _ => None,
    })[0];
    assert_eq!(params.len(), 4);
    let gnabar = &params[0];
    assert_eq!(gnabar.name.name, "gnabar");
    assert_eq!(gnabar.value.as_ref().unwrap().value, 0.12);
    assert_eq!(gnabar.unit.as_ref().unwrap().text, "S/cm2");
    assert_eq!(text(&src, gnabar.unit.as_ref().unwrap().span), "(S/cm2)");
    let limits = gnabar.limits.as_ref().unwrap();
    assert_eq!((limits.lo.value, limits.hi.value), (0.0, 1e9));
    assert_eq!(text(&src, gnabar.span), "gnabar = .12 (S/cm2) <0, 1e9>");
    let el = &params[3];
    assert_eq!(el.value.as_ref().unwrap().value, -54.3);
    assert_eq!(el.value.as_ref().unwrap().text, "-54.3");
    assert_eq!(el.unit.as_ref().unwrap().text, "mV");
    assert!(el.limits.is_none());
}

#[test]
fn hh_state_and_assigned() {
    let (_, file) = parse_builtin("hh.mod");
    let state = items(&file, |k| match k {
        ItemKind::State(d) => Some(d),
        _ => None,
    })[0];
    let names: Vec<_> = state.iter().map(|d| d.name.name.as_str()).collect();
    assert_eq!(names, ["m", "h", "n"]);
    let assigned = items(&file, |k| match k {
        ItemKind::Assigned(d) => Some(d),
        _ => None,
    })[0];
    // `mtau (ms) htau (ms) ntau (ms)` on one line is three declarations.
    let tail: Vec<_> = assigned[assigned.len() - 3..]
        .iter()
        .map(|d| {
            (
                d.name.name.as_str(),
                d.unit.as_ref().map(|u| u.text.as_str()),
            )
        })
        .collect();
    assert_eq!(
        tail,
        [
            ("mtau", Some("ms")),
            ("htau", Some("ms")),
            ("ntau", Some("ms"))
        ]
    );
    assert_eq!(assigned.len(), 15);
}

#[test]
fn hh_breakpoint_solve_and_derivatives() {
    let (_, file) = parse_builtin("hh.mod");
    let bp = items(&file, |k| match k {
        ItemKind::Breakpoint(b) => Some(b),
        _ => None,
    })[0];
    match &bp.stmts[0].kind {
        StmtKind::Solve {
            block,
            method,
            steadystate,
        } => {
            assert_eq!(block.name, "states");
            assert_eq!(method.as_ref().unwrap().name, "cnexp");
            assert!(steadystate.is_none());
        }
        other => panic!("expected SOLVE, got {other:?}"),
    }
    let (name, body) = items(&file, |k| match k {
        ItemKind::Derivative { name, body } => Some((name, body)),
        _ => None,
    })[0];
    assert_eq!(name.name, "states");
    assert!(
        matches!(&body.stmts[0].kind, StmtKind::Call(c) if c.name.name == "rates" && c.args.len() == 1)
    );
    let eqs: Vec<_> = body.stmts[1..]
        .iter()
        .map(|s| match &s.kind {
            StmtKind::Derivative {
                target,
                order,
                value,
            } => (target.name.name.clone(), *order, show(value)),
            other => panic!("expected a derivative equation, got {other:?}"),
        })
        .collect();
    assert_eq!(
        eqs,
        [
            ("m".to_string(), 1, "((minf - m) / mtau)".to_string()),
            ("h".to_string(), 1, "((hinf - h) / htau)".to_string()),
            ("n".to_string(), 1, "((ninf - n) / ntau)".to_string()),
        ]
    );
}

#[test]
fn hh_rates_table_and_precedence() {
    let (_, file) = parse_builtin("hh.mod");
    let procs = items(&file, |k| match k {
        ItemKind::Procedure(c) => Some(c),
        _ => None,
    });
    let rates = procs[0];
    assert_eq!(rates.name.name, "rates");
    assert_eq!(rates.params.len(), 1);
    assert_eq!(rates.params[0].name.name, "v");
    assert_eq!(rates.params[0].unit.as_ref().unwrap().text, "mV");
    assert!(matches!(&rates.body.stmts[0].kind, StmtKind::Local(v) if v.len() == 4));
    match &rates.body.stmts[1].kind {
        StmtKind::Table {
            names,
            depend,
            from,
            to,
            with,
        } => {
            let names: Vec<_> = names.iter().map(|n| n.name.as_str()).collect();
            assert_eq!(names, ["minf", "mtau", "hinf", "htau", "ninf", "ntau"]);
            assert_eq!(depend.len(), 1);
            assert_eq!(depend[0].name, "celsius");
            assert_eq!(
                (show(from), show(to), show(with)),
                ("(-100)".into(), "100".into(), "200".into())
            );
        }
        other => panic!("expected TABLE, got {other:?}"),
    }
    assert!(matches!(rates.body.stmts[2].kind, StmtKind::UnitsOff));
    match &rates.body.stmts[3].kind {
        StmtKind::Assign { target, value } => {
            assert_eq!(target.name.name, "q10");
            assert_eq!(show(value), "(3 ^ ((celsius - 6.3) / 10))");
        }
        other => panic!("{other:?}"),
    }
    match &rates.body.stmts[4].kind {
        StmtKind::Assign { value, .. } => {
            assert_eq!(show(value), "(.1 * vtrap((-(v + 40)), 10))")
        }
        other => panic!("{other:?}"),
    }
    // The trailing UNITSON is a top-level item.
    assert!(matches!(file.items.last().unwrap().kind, ItemKind::UnitsOn));
}

#[test]
fn hh_vtrap_if_else_and_comments() {
    let (src, file) = parse_builtin("hh.mod");
    let f = items(&file, |k| match k {
        ItemKind::Function(c) => Some(c),
        _ => None,
    })[0];
    assert_eq!(f.name.name, "vtrap");
    match &f.body.stmts[0].kind {
        StmtKind::If(s) => {
            assert_eq!(show(&s.cond), "(fabs((x / y)) < 1e-6)");
            assert!(matches!(s.else_branch, Some(ElseBranch::Else(ref b)) if b.stmts.len() == 1));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(file.comments.len(), 1);
    assert!(file.comments[0].text.contains("Hodgkin & Huxley"));
    assert!(text(&src, file.comments[0].span).starts_with("COMMENT"));
    assert!(text(&src, file.comments[0].span).ends_with("ENDCOMMENT"));
    assert!(matches!(&file.items[0].kind, ItemKind::Title(t) if t.starts_with("hh.mod")));
}

#[test]
fn pas_and_iclamp() {
    let (_, pas) = parse_builtin("pas.mod");
    assert_eq!(pas.items.len(), 6);
    let (_, iclamp) = parse_builtin("iclamp.mod");
    let neuron = items(&iclamp, |k| match k {
        ItemKind::Neuron(s) => Some(s),
        _ => None,
    })[0];
    assert!(matches!(&neuron[0].kind, NeuronStmtKind::PointProcess(n) if n.name == "IClamp"));
    assert!(matches!(&neuron[2].kind, NeuronStmtKind::ElectrodeCurrent(v) if v[0].name == "i"));
    let params = items(&iclamp, |k| match k {
        ItemKind::Parameter(d) => Some(d),
        _ => None,
    })[0];
    assert!(params[0].value.is_none());
    assert!(params[1].limits.is_some());
    let bp = items(&iclamp, |k| match k {
        ItemKind::Breakpoint(b) => Some(b),
        _ => None,
    })[0];
    match &bp.stmts[0].kind {
        StmtKind::If(s) => assert_eq!(show(&s.cond), "((t < (del + dur)) && (t >= del))"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ast_serializes_to_json_and_back() {
    let (_, file) = parse_builtin("hh.mod");
    let json = serde_json::to_string(&file).unwrap();
    let back: File = serde_json::from_str(&json).unwrap();
    assert_eq!(back, file);
}
