//! One test per NMODL construct, on small inline sources.

use nmodl_syntax::ast::*;
use nmodl_syntax::{lex, parse, parse_expr, render, SourceFile, Token};

fn ok(src: &str) -> File {
    let r = parse(src);
    assert!(
        r.diagnostics.is_empty(),
        "{}",
        render(&SourceFile::new("test.mod", src), &r.diagnostics, false)
    );
    r.file
}

fn body(file: &File) -> &Block {
    file.items
        .iter()
        .find_map(|i| match &i.kind {
            ItemKind::Initial(b) | ItemKind::Breakpoint(b) => Some(b),
            ItemKind::Derivative { body, .. }
            | ItemKind::Kinetic { body, .. }
            | ItemKind::Linear { body, .. }
            | ItemKind::NonLinear { body, .. }
            | ItemKind::NetReceive { body, .. } => Some(body),
            ItemKind::Procedure(c) | ItemKind::Function(c) => Some(&c.body),
            _ => None,
        })
        .expect("a block item")
}

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
        ExprKind::Unary { op, operand } => format!(
            "({}{})",
            match op {
                UnaryOp::Neg => "-",
                UnaryOp::Plus => "+",
                UnaryOp::Not => "!",
            },
            show(operand)
        ),
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", show(lhs), op.symbol(), show(rhs))
        }
    }
}

fn expr(src: &str) -> String {
    show(&parse_expr(src).unwrap_or_else(|d| panic!("{src}: {}", d.message)))
}

#[test]
fn precedence() {
    assert_eq!(expr("-x^2"), "(-(x ^ 2))");
    assert_eq!(expr("2^-1"), "(2 ^ (-1))");
    assert_eq!(expr("a^b^c"), "(a ^ (b ^ c))");
    assert_eq!(expr("a - b - c"), "((a - b) - c)");
    assert_eq!(expr("a + b * c / d"), "(a + ((b * c) / d))");
    assert_eq!(
        expr("a < b && c >= d || !e"),
        "(((a < b) && (c >= d)) || (!e))"
    );
    assert_eq!(expr("a == b != c"), "((a == b) != c)");
    assert_eq!(expr("-a*b"), "((-a) * b)");
    assert_eq!(expr("2^x*3"), "((2 ^ x) * 3)");
    assert_eq!(expr("f(a, g(b[i + 1]))"), "f(a, g(b[(i + 1)]))");
}

#[test]
fn numbers() {
    for (text, value) in [
        ("1", 1.0),
        (".12", 0.12),
        ("1e-3", 1e-3),
        ("1.5E+2", 150.0),
        ("1.", 1.0),
        ("1.e10", 1e10),
    ] {
        match parse_expr(text).unwrap().kind {
            ExprKind::Number(n) => assert_eq!(n.value, value, "{text}"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn units_after_numbers_in_expressions() {
    assert_eq!(
        expr("Q10^((celsius - 30(degC))/10 (degC))"),
        "(Q10 ^ ((celsius - 30(degC)) / 10(degC)))"
    );
    assert_eq!(expr("x / 1 (mV)"), "(x / 1(mV))");
}

#[test]
fn parenthesized_expression_span_covers_parens() {
    let e = parse_expr("(a + b)").unwrap();
    assert_eq!((e.span.start, e.span.end), (0, 7));
}

#[test]
fn units_block() {
    let f = ok("UNITS {\n (mA) = (milliamp)\n FARADAY = (faraday) (coulomb)\n R = (k-mole) (joule/degC)\n PI = 3.14159\n (mV) = (millivolt)\n KTOMV = .0853 (mV/degC)\n e0 = (e) \n (um) = (micron)\n}\n");
    let ItemKind::Units(defs) = &f.items[0].kind else {
        panic!()
    };
    let kinds: Vec<String> = defs
        .iter()
        .map(|d| match &d.kind {
            UnitDefKind::Alias { unit, definition } => {
                format!("{} = {}", unit.text, definition.text)
            }
            UnitDefKind::Factor { name, from, to } => format!(
                "{} = ({}) ({})",
                name.name,
                from.text,
                to.as_ref().map_or("", |u| u.text.as_str())
            ),
            UnitDefKind::Constant { name, value, unit } => format!(
                "{} = {} ({})",
                name.name,
                value.text,
                unit.as_ref().map_or("", |u| u.text.as_str())
            ),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "mA = milliamp",
            "FARADAY = (faraday) (coulomb)",
            "R = (k-mole) (joule/degC)",
            "PI = 3.14159 ()",
            "mV = millivolt",
            "KTOMV = .0853 (mV/degC)",
            "e0 = (e) ()",
            "um = micron",
        ]
    );
}

#[test]
fn declarations() {
    let f = ok("PARAMETER { a = -1 (mV) <-100, 100> x[3] b = +2 c }\nSTATE { ca[NANN] (mM) <1e-6> o FROM 0 TO 1 s START 0.5 }\nINDEPENDENT {t FROM 0 TO 1 WITH 1 (ms)}\nCONSTANT { F = 96485 (coul) }\nASSIGNED { v (mV) }\n");
    let ItemKind::Parameter(p) = &f.items[0].kind else {
        panic!()
    };
    assert_eq!(p.len(), 4);
    assert_eq!(p[0].value.as_ref().unwrap().value, -1.0);
    assert_eq!(p[0].limits.as_ref().unwrap().lo.value, -100.0);
    assert!(matches!(&p[1].array, Some(ArraySize::Literal(n)) if n.value == 3.0));
    assert_eq!(p[2].value.as_ref().unwrap().value, 2.0);
    let ItemKind::State(s) = &f.items[1].kind else {
        panic!()
    };
    assert!(matches!(&s[0].array, Some(ArraySize::Named(n)) if n.name == "NANN"));
    assert_eq!(s[0].abstol.as_ref().unwrap().value, 1e-6);
    assert_eq!(s[1].from_to.as_ref().unwrap().1.value, 1.0);
    assert_eq!(s[2].start.as_ref().unwrap().value, 0.5);
    let ItemKind::Independent(i) = &f.items[2].kind else {
        panic!()
    };
    assert_eq!(i[0].with.as_ref().unwrap().value, 1.0);
    assert_eq!(i[0].unit.as_ref().unwrap().text, "ms");
    assert!(matches!(&f.items[3].kind, ItemKind::Constant(c) if c[0].name.name == "F"));
}

#[test]
fn neuron_block_statements() {
    let f = ok("NEURON {\n POINT_PROCESS Syn\n USEION ca READ cai, cao WRITE ica VALENCE 2\n USEION na READ ena REPRESENTS CHEBI:29101\n REPRESENTS NCIT:C17145\n POINTER p, q\n BBCOREPOINTER r\n EXTERNAL e\n GLOBAL g\n RANDOM ran\n THREADSAFE\n}\nNEURON { ARTIFICIAL_CELL A }\n");
    let ItemKind::Neuron(n) = &f.items[0].kind else {
        panic!()
    };
    match &n[1].kind {
        NeuronStmtKind::UseIon {
            ion,
            read,
            write,
            valence,
            represents,
        } => {
            assert_eq!(ion.name, "ca");
            assert_eq!(read.len(), 2);
            assert_eq!(write[0].name, "ica");
            assert_eq!(valence.as_ref().unwrap().value, 2.0);
            assert!(represents.is_none());
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&n[2].kind, NeuronStmtKind::UseIon { represents: Some(o), .. } if o.id == "CHEBI:29101")
    );
    assert!(matches!(&n[3].kind, NeuronStmtKind::Represents(o) if o.id == "NCIT:C17145"));
    assert!(matches!(&n[4].kind, NeuronStmtKind::Pointer(v) if v.len() == 2));
    assert!(matches!(&n[5].kind, NeuronStmtKind::BbcorePointer(_)));
    assert!(matches!(&n[6].kind, NeuronStmtKind::External(_)));
    assert!(matches!(&n[8].kind, NeuronStmtKind::Random(_)));
    assert!(matches!(&n[9].kind, NeuronStmtKind::ThreadSafe(_)));
    assert!(
        matches!(&f.items[1].kind, ItemKind::Neuron(n) if matches!(n[0].kind, NeuronStmtKind::ArtificialCell(_)))
    );
}

#[test]
fn kinetic_block() {
    let f = ok("KINETIC kin {\n COMPARTMENT i, diam*diam*vol[i]*1(um) {ca CaBuffer}\n COMPARTMENT volo {cao}\n LONGITUDINAL_DIFFUSION i, DCa*vrat[i] {ca}\n ~ ca[0] << (-ica*PI*diam/(2*FARADAY))\n ~ c1 + 2 o <-> c2 (kf, kb)\n ~ g -> (1/tau)\n ~ a -> b (k)\n CONSERVE c1 + c2 = 1\n}\nBREAKPOINT { SOLVE kin STEADYSTATE sparse }\n");
    let b = body(&f);
    assert!(
        matches!(&b.stmts[0].kind, StmtKind::Compartment { index: Some(i), species, .. } if i.name == "i" && species.len() == 2)
    );
    assert!(matches!(
        &b.stmts[1].kind,
        StmtKind::Compartment { index: None, .. }
    ));
    assert!(matches!(
        &b.stmts[2].kind,
        StmtKind::LongitudinalDiffusion { .. }
    ));
    match &b.stmts[3].kind {
        StmtKind::Reaction(Reaction {
            lhs,
            kind: ReactionKind::Flux { flux },
        }) => {
            assert_eq!(lhs[0].name.name, "ca");
            assert_eq!(show(lhs[0].index.as_ref().unwrap()), "0");
            assert_eq!(show(flux), "((((-ica) * PI) * diam) / (2 * FARADAY))");
        }
        other => panic!("{other:?}"),
    }
    match &b.stmts[4].kind {
        StmtKind::Reaction(Reaction {
            lhs,
            kind:
                ReactionKind::Reversible {
                    rhs,
                    forward,
                    backward,
                },
        }) => {
            assert_eq!(lhs.len(), 2);
            assert_eq!(lhs[1].coefficient.as_ref().unwrap().value, 2.0);
            assert_eq!(rhs[0].name.name, "c2");
            assert_eq!((show(forward), show(backward)), ("kf".into(), "kb".into()));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&b.stmts[5].kind, StmtKind::Reaction(Reaction { kind: ReactionKind::Irreversible { rhs, .. }, .. }) if rhs.is_empty())
    );
    assert!(
        matches!(&b.stmts[6].kind, StmtKind::Reaction(Reaction { kind: ReactionKind::Irreversible { rhs, .. }, .. }) if rhs.len() == 1)
    );
    assert!(matches!(&b.stmts[7].kind, StmtKind::Conserve { .. }));
    let ItemKind::Breakpoint(bp) = &f.items[1].kind else {
        panic!()
    };
    assert!(
        matches!(&bp.stmts[0].kind, StmtKind::Solve { steadystate: Some(s), method: None, .. } if s.name == "sparse")
    );
}

#[test]
fn linear_equations() {
    let f = ok("LINEAR lin {\n ~ a + b = 1\n ~ 2*a - c = d\n}\nNONLINEAR nl { ~ x*x = 2 }\n");
    let b = body(&f);
    match &b.stmts[0].kind {
        StmtKind::Equation { lhs, rhs } => {
            assert_eq!((show(lhs), show(rhs)), ("(a + b)".into(), "1".into()))
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(&f.items[1].kind, ItemKind::NonLinear { body, .. } if matches!(body.stmts[0].kind, StmtKind::Equation { .. }))
    );
}

#[test]
fn net_receive_watch_for_netcons() {
    let f = ok("NET_RECEIVE(w (uS), A, tp) {\n INITIAL { A = 0 tp = t }\n if (flag == 0) {\n  net_send(0, 1)\n } else if (flag == 2) {\n  WATCH (v > thresh) 2, (v < -20) 3\n } else {\n  FOR_NETCONS(w1, A1, tp1) { A1 = A1 + 1 }\n  net_event(t)\n }\n}\n");
    let ItemKind::NetReceive { params, body } = &f.items[0].kind else {
        panic!()
    };
    assert_eq!(params.len(), 3);
    assert_eq!(params[0].unit.as_ref().unwrap().text, "uS");
    assert!(matches!(&body.stmts[0].kind, StmtKind::Initial(b) if b.stmts.len() == 2));
    let StmtKind::If(s) = &body.stmts[1].kind else {
        panic!()
    };
    let Some(ElseBranch::ElseIf(s2)) = &s.else_branch else {
        panic!()
    };
    assert!(
        matches!(&s2.then_block.stmts[0].kind, StmtKind::Watch(w) if w.len() == 2 && show(&w[1].flag) == "3")
    );
    let Some(ElseBranch::Else(b)) = &s2.else_branch else {
        panic!()
    };
    assert!(matches!(&b.stmts[0].kind, StmtKind::ForNetcons { params, .. } if params.len() == 3));
}

#[test]
fn control_flow_and_misc_statements() {
    let f = ok("PROCEDURE p() {\n LOCAL a, b[2]\n FROM i = 0 TO n - 1 BY 2 { b[i] = i }\n while (a < 10) { a = a + 1 }\n PROTECT x = x + 1\n MUTEXLOCK\n MUTEXUNLOCK\n UNITSOFF\n LAG x BY tau\n VERBATIM\n return 0;\nENDVERBATIM\n { nested = 1 }\n printf(\"%g\\n\", a)\n x'' = 1\n y'[2] = 0\n}\n");
    let b = body(&f);
    let kinds: Vec<&str> = b
        .stmts
        .iter()
        .map(|s| match &s.kind {
            StmtKind::Local(_) => "local",
            StmtKind::FromLoop { by: Some(_), .. } => "from",
            StmtKind::While { .. } => "while",
            StmtKind::Protect(s) if matches!(s.kind, StmtKind::Assign { .. }) => "protect",
            StmtKind::MutexLock => "lock",
            StmtKind::MutexUnlock => "unlock",
            StmtKind::UnitsOff => "unitsoff",
            StmtKind::Lag { .. } => "lag",
            StmtKind::Verbatim(v) if v.text.contains("return 0;") => "verbatim",
            StmtKind::Block(_) => "block",
            StmtKind::Call(c) if matches!(c.args[0].kind, ExprKind::String(_)) => "printf",
            StmtKind::Derivative {
                order: 2, target, ..
            } if target.index.is_none() => "x''",
            StmtKind::Derivative {
                order: 1, target, ..
            } if target.index.is_some() => "y'[2]",
            _ => "?",
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "local", "from", "while", "protect", "lock", "unlock", "unitsoff", "lag", "verbatim",
            "block", "printf", "x''", "y'[2]"
        ]
    );
}

#[test]
fn top_level_items() {
    let src = "TITLE  my model : not a comment\r\n? a ? comment\r\nINCLUDE \"ghk.inc\"\r\nDEFINE NANN 4\r\nLOCAL k\r\nVERBATIM\r\n#include <stdio.h>\r\nENDVERBATIM\r\nUNITSOFF\r\nFUNCTION_TABLE tau(v(mV), x) (ms)\r\nCONSTRUCTOR { }\r\nDESTRUCTOR { }\r\nBEFORE BREAKPOINT { }\r\nAFTER SOLVE { }\r\nBEFORE STEP { }\r\nAFTER INITIAL { }\r\nUNITSON\x1a";
    let f = ok(src);
    let kinds: Vec<String> = f
        .items
        .iter()
        .map(|i| match &i.kind {
            ItemKind::Title(t) => format!("title:{t}"),
            ItemKind::Include(s) => format!("include:{}", s.value),
            ItemKind::Define { name, value } => format!("define:{}={}", name.name, value.value),
            ItemKind::Local(v) => format!("local:{}", v[0].name.name),
            ItemKind::Verbatim(v) => format!("verbatim:{}", v.text.trim()),
            ItemKind::UnitsOff => "unitsoff".into(),
            ItemKind::UnitsOn => "unitson".into(),
            ItemKind::FunctionTable { name, params, unit } => {
                format!(
                    "ftable:{}/{}/{}",
                    name.name,
                    params.len(),
                    unit.as_ref().unwrap().text
                )
            }
            ItemKind::Constructor(_) => "constructor".into(),
            ItemKind::Destructor(_) => "destructor".into(),
            ItemKind::Before { event, .. } => format!("before:{event:?}"),
            ItemKind::After { event, .. } => format!("after:{event:?}"),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "title:my model : not a comment",
            "include:ghk.inc",
            "define:NANN=4",
            "local:k",
            "verbatim:#include <stdio.h>",
            "unitsoff",
            "ftable:tau/2/ms",
            "constructor",
            "destructor",
            "before:Breakpoint",
            "after:Solve",
            "before:Step",
            "after:Initial",
            "unitson",
        ]
    );
    // VERBATIM keeps the text and where it is.
    let ItemKind::Verbatim(v) = &f.items[4].kind else {
        panic!()
    };
    assert_eq!(&src[v.text_span.range()], v.text);
    assert!(
        src[v.span.range()].starts_with("VERBATIM") && src[v.span.range()].ends_with("ENDVERBATIM")
    );
}

#[test]
fn comments_anywhere_and_endcomment_mid_line() {
    let f = ok("COMMENT\nfree text with { braces ( and PROCEDURE\nstill comment ENDCOMMENT\nPARAMETER {\n a = 1 COMMENT inline ENDCOMMENT b = 2 : trailing\n}\n");
    assert_eq!(f.comments.len(), 2);
    let ItemKind::Parameter(p) = &f.items[0].kind else {
        panic!()
    };
    assert_eq!(p.len(), 2);
}

#[test]
fn one_line_statement_sequences_and_no_final_newline() {
    let f = ok("INITIAL { a = 1 b = 2 rates(v) m = minf }");
    assert_eq!(body(&f).stmts.len(), 4);
}

#[test]
fn spans_are_byte_offsets() {
    let src = "NEURON { SUFFIX µfoo }";
    // `µ` is not a name character: reported, not a panic.
    let r = parse(src);
    assert!(r.has_errors());
    let src = "BREAKPOINT { x = 1 } : µ in a comment is fine\n";
    let f = ok(src);
    let b = body(&f);
    assert_eq!(&src[b.stmts[0].span.range()], "x = 1");
}

#[test]
fn lexer_tokens() {
    let toks: Vec<Token> = lex("m' = a <-> b -> c << ~ <= && || != !")
        .tokens
        .into_iter()
        .map(|t| t.1)
        .collect();
    assert_eq!(
        toks,
        [
            Token::Name("m"),
            Token::Prime,
            Token::Assign,
            Token::Name("a"),
            Token::DoubleArrow,
            Token::Name("b"),
            Token::Arrow,
            Token::Name("c"),
            Token::Flux,
            Token::Tilde,
            Token::Le,
            Token::AndAnd,
            Token::OrOr,
            Token::NotEq,
            Token::Not,
        ]
    );
    // Keywords are case-sensitive: `Suffix` is a name.
    assert_eq!(lex("Suffix").tokens[0].1, Token::Name("Suffix"));
    assert_eq!(
        lex("2b").tokens.iter().map(|t| t.1).collect::<Vec<_>>(),
        [Token::Number("2"), Token::Name("b")]
    );
}

#[test]
fn byte_order_mark_crlf_and_ctrl_z() {
    let f = ok("\u{feff}NEURON {\r\n SUFFIX a\r\n}\r\n\x1a");
    assert_eq!(f.items.len(), 1);
}
