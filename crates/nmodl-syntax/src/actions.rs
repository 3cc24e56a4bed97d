//! Node constructors used by the actions of `grammar.lalrpop`, kept here so the grammar reads
//! as grammar.

use crate::ast::*;
use crate::lexer::{offset_in, Token};
use lalrpop_util::ParseError;

/// An error raised by a grammar action (a construct the grammar accepts token-wise but that is
/// malformed, e.g. a UNITS line without `=`).
#[derive(Debug, Clone, PartialEq)]
pub struct ActionError {
    pub message: String,
    pub span: Span,
}

impl std::fmt::Display for ActionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

pub type ActionResult<'s, T> = Result<T, ParseError<usize, Token<'s>, ActionError>>;

fn fail<'s, T>(message: impl Into<String>, span: Span) -> ActionResult<'s, T> {
    Err(ParseError::User {
        error: ActionError {
            message: message.into(),
            span,
        },
    })
}

pub fn sp(l: usize, r: usize) -> Span {
    Span::new(l, r)
}

pub fn ident(name: &str, l: usize, r: usize) -> Ident {
    Ident {
        name: name.to_string(),
        span: sp(l, r),
    }
}

pub fn parse_number(text: &str) -> f64 {
    text.parse().unwrap_or(f64::NAN)
}

pub fn number(text: &str, l: usize, r: usize) -> Number {
    Number {
        text: text.to_string(),
        value: parse_number(text),
        span: sp(l, r),
    }
}

/// `-54.3` in a declaration: the sign belongs to the literal.
pub fn signed_number(sign: &str, digits: &str, l: usize, r: usize) -> Number {
    let magnitude = parse_number(digits);
    Number {
        text: format!("{sign}{digits}"),
        value: if sign == "-" { -magnitude } else { magnitude },
        span: sp(l, r),
    }
}

/// A unit `( ... )` spanning `l..r`: keep the text between the parentheses.
pub fn unit(src: &str, l: usize, r: usize) -> Unit {
    let inner = src.get(l + 1..r.saturating_sub(1)).unwrap_or("");
    Unit {
        text: inner.split_whitespace().collect::<Vec<_>>().join(" "),
        span: sp(l, r),
    }
}

pub fn string_lit(value: &str, l: usize, r: usize) -> StringLit {
    StringLit {
        value: value.to_string(),
        span: sp(l, r),
    }
}

/// VERBATIM/COMMENT text: `text` is the lexer payload, a subslice of `src`.
pub fn raw_text(src: &str, text: &str, l: usize, r: usize) -> RawText {
    let start = offset_in(src, text);
    RawText {
        text: text.to_string(),
        span: sp(l, r),
        text_span: sp(start, start + text.len()),
    }
}

pub fn ontology(src: &str, id: &str, l: usize, r: usize) -> Ontology {
    let span = if id.is_empty() {
        sp(l, r)
    } else {
        let start = offset_in(src, id);
        sp(start, start + id.len())
    };
    Ontology {
        id: id.to_string(),
        span,
    }
}

pub fn expr(kind: ExprKind, l: usize, r: usize) -> Expr {
    Expr {
        kind,
        span: sp(l, r),
    }
}

pub fn binary(op: BinaryOp, lhs: Expr, rhs: Expr, l: usize, r: usize) -> Expr {
    expr(
        ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        l,
        r,
    )
}

pub fn unary(op: UnaryOp, operand: Expr, l: usize, r: usize) -> Expr {
    expr(
        ExprKind::Unary {
            op,
            operand: Box::new(operand),
        },
        l,
        r,
    )
}

/// One attribute after a declared name; they may come in any order.
pub enum DeclAttr {
    Value(Number),
    Unit(Unit),
    Limits(Limits),
    Abstol(Number),
    FromTo(Number, Number),
    With(Number),
    Start(Number),
}

pub fn var_decl(
    name: Ident,
    array: Option<ArraySize>,
    attrs: Vec<DeclAttr>,
    l: usize,
    r: usize,
) -> VarDecl {
    let mut d = VarDecl {
        name,
        array,
        value: None,
        unit: None,
        limits: None,
        abstol: None,
        from_to: None,
        with: None,
        start: None,
        span: sp(l, r),
    };
    for attr in attrs {
        match attr {
            DeclAttr::Value(v) => d.value = Some(v),
            DeclAttr::Unit(u) => d.unit = Some(u),
            DeclAttr::Limits(x) => d.limits = Some(x),
            DeclAttr::Abstol(x) => d.abstol = Some(x),
            DeclAttr::FromTo(a, b) => d.from_to = Some((a, b)),
            DeclAttr::With(x) => d.with = Some(x),
            DeclAttr::Start(x) => d.start = Some(x),
        }
    }
    d
}

pub enum IonClause {
    Read(Vec<Ident>),
    Write(Vec<Ident>),
    Valence(Number),
}

pub fn use_ion(ion: Ident, clauses: Vec<IonClause>) -> NeuronStmtKind {
    let (mut read, mut write, mut valence) = (Vec::new(), Vec::new(), None);
    for c in clauses {
        match c {
            IonClause::Read(v) => read.extend(v),
            IonClause::Write(v) => write.extend(v),
            IonClause::Valence(z) => valence = Some(z),
        }
    }
    NeuronStmtKind::UseIon {
        ion,
        read,
        write,
        valence,
        represents: None,
    }
}

/// `REPRESENTS id` on the same line as a USEION belongs to that ion (NEURON 9); on a line of its
/// own it describes the mechanism. The grammar cannot tell the two apart without newlines, so
/// it parses REPRESENTS as a statement of its own and this pass moves it into the USEION.
pub fn attach_represents(src: &str, stmts: Vec<NeuronStmt>) -> Vec<NeuronStmt> {
    let mut out: Vec<NeuronStmt> = Vec::with_capacity(stmts.len());
    for stmt in stmts {
        if let NeuronStmtKind::Represents(ontology) = &stmt.kind {
            if let Some(NeuronStmt {
                kind:
                    NeuronStmtKind::UseIon {
                        represents: represents @ None,
                        ..
                    },
                span,
            }) = out.last_mut()
            {
                let between = src
                    .get(span.end as usize..stmt.span.start as usize)
                    .unwrap_or("\n");
                if !between.contains('\n') {
                    *represents = Some(ontology.clone());
                    span.end = stmt.span.end;
                    continue;
                }
            }
        }
        out.push(stmt);
    }
    out
}

/// A piece of the UNITS block. The block is parsed as a flat piece list and grouped by
/// [`fold_units`], because with newlines as white space `FARADAY = (faraday)` followed by a line
/// `(mV) = (millivolt)` needs two tokens of look-ahead to tell whether `(mV)` ends the first line.
pub enum UnitsPiece {
    Unit(Unit),
    Name(Ident),
    Eq(Span),
    Num(Number),
}

impl UnitsPiece {
    fn span(&self) -> Span {
        match self {
            UnitsPiece::Unit(u) => u.span,
            UnitsPiece::Name(n) => n.span,
            UnitsPiece::Eq(s) => *s,
            UnitsPiece::Num(n) => n.span,
        }
    }

    fn describe(&self) -> String {
        match self {
            UnitsPiece::Unit(u) => format!("unit '({})'", u.text),
            UnitsPiece::Name(n) => format!("name '{}'", n.name),
            UnitsPiece::Eq(_) => "'='".into(),
            UnitsPiece::Num(n) => format!("number '{}'", n.text),
        }
    }
}

pub fn fold_units<'s>(pieces: Vec<UnitsPiece>) -> ActionResult<'s, Vec<UnitDef>> {
    const HELP: &str =
        "a unit definition like (mV) = (millivolt) or a constant like FARADAY = (faraday) (coulomb)";
    let mut defs = Vec::new();
    let mut it = pieces.into_iter();
    while let Some(first) = it.next() {
        let start = first.span();
        let what = match &first {
            UnitsPiece::Unit(u) => format!("({})", u.text),
            UnitsPiece::Name(n) => n.name.clone(),
            other => {
                return fail(
                    format!(
                        "unexpected {} in the UNITS block; expected {HELP}",
                        other.describe()
                    ),
                    other.span(),
                )
            }
        };
        match it.next() {
            Some(UnitsPiece::Eq(_)) => {}
            Some(other) => {
                return fail(
                    format!(
                        "expected '=' after '{what}' in the UNITS block, found {}",
                        other.describe()
                    ),
                    other.span(),
                )
            }
            None => {
                return fail(
                    format!("expected '=' after '{what}' in the UNITS block"),
                    start,
                )
            }
        }
        let Some(value) = it.next() else {
            return fail(
                format!("expected a value after '{what} =' in the UNITS block"),
                start,
            );
        };
        let kind = match (first, value) {
            (UnitsPiece::Unit(unit), UnitsPiece::Unit(definition)) => {
                UnitDefKind::Alias { unit, definition }
            }
            (UnitsPiece::Name(name), UnitsPiece::Unit(from)) => {
                let to = trailing_unit(&mut it);
                UnitDefKind::Factor { name, from, to }
            }
            (UnitsPiece::Name(name), UnitsPiece::Num(value)) => {
                let unit = trailing_unit(&mut it);
                UnitDefKind::Constant { name, value, unit }
            }
            (UnitsPiece::Unit(_), other) => {
                return fail(
                    format!(
                        "expected a unit like (millivolt) after '{what} =', found {}",
                        other.describe()
                    ),
                    other.span(),
                )
            }
            (_, other) => {
                return fail(
                    format!(
                        "expected a unit like (faraday) or a number after '{what} =', found {}",
                        other.describe()
                    ),
                    other.span(),
                )
            }
        };
        let end = match &kind {
            UnitDefKind::Alias { definition, .. } => definition.span,
            UnitDefKind::Factor { from, to, .. } => to.as_ref().map_or(from.span, |u| u.span),
            UnitDefKind::Constant { value, unit, .. } => {
                unit.as_ref().map_or(value.span, |u| u.span)
            }
        };
        defs.push(UnitDef {
            kind,
            span: start.to(end),
        });
    }
    Ok(defs)
}

/// A unit after a UNITS line's value belongs to that line unless an `=` follows it (then it
/// starts the next line).
fn trailing_unit(it: &mut std::vec::IntoIter<UnitsPiece>) -> Option<Unit> {
    let rest = it.as_slice();
    if matches!(rest.first(), Some(UnitsPiece::Unit(_)))
        && !matches!(rest.get(1), Some(UnitsPiece::Eq(_)))
    {
        if let Some(UnitsPiece::Unit(u)) = it.next() {
            return Some(u);
        }
    }
    None
}
