//! Unit mismatches (what NEURON's modlunit reports): an assignment whose two sides measure
//! different things (mV = mA/cm2), a derivative equation whose right side is not the state's
//! unit per ms, and a sum or comparison of two different kinds of quantity. Only dimensions
//! are compared, not scale factors, and only where every unit involved is known: a plain
//! number adopts whatever unit it is used with, a variable without a declared unit is
//! unknown, and code between UNITSOFF and UNITSON is not checked. These are warnings: they
//! never make a file fail.

use crate::declarations::Context;
use crate::include::{for_each_statement, Located};
use crate::units::Quantity;
use nmodl_ir::{
    BinaryOp, Block, Builtin, Expression, Handle, MathFunction, Statement, UnaryOp, Variable,
    VariableKind,
};
use nmodl_syntax::ast;
use nmodl_syntax::diagnostics::Diagnostic;

/// The unit of an expression: known, or unknown/adaptable (a plain number, an undeclared
/// unit).
#[derive(Clone, Copy)]
enum Unit {
    Known(Quantity),
    Any,
}

struct Checker<'a> {
    cx: &'a Context,
    /// Source offsets where UNITSOFF (false) or UNITSON (true) take effect, in order.
    toggles: &'a [(u32, bool)],
    found: Vec<Diagnostic>,
    /// The first sum or comparison mismatch of the statement being checked.
    inner: Option<String>,
}

impl Context {
    pub fn check_units(&mut self, toggles: &[(u32, bool)]) {
        let mut c = Checker {
            cx: self,
            toggles,
            found: Vec::new(),
            inner: None,
        };
        let mut blocks: Vec<&Block> = Vec::new();
        blocks.extend(self.mech.initial.iter());
        blocks.extend(self.mech.breakpoint.iter());
        for (_, f) in self.mech.functions.iter() {
            blocks.push(&f.body);
        }
        if let Some(nr) = &self.mech.net_receive {
            blocks.push(&nr.body);
            blocks.extend(nr.initial.iter());
        }
        for b in blocks {
            c.block(b);
        }
        let found = c.found;
        self.diagnostics.extend(found);
    }
}

impl Checker<'_> {
    fn units_on(&self, at: u32) -> bool {
        self.toggles
            .iter()
            .rev()
            .find(|(p, _)| *p <= at)
            .is_none_or(|(_, on)| *on)
    }

    fn in_included_text(&self, span: nmodl_ir::Span) -> bool {
        self.cx
            .origins
            .iter()
            .any(|o| o.include_span.start == span.start && o.include_span.end == span.end)
    }

    fn block(&mut self, b: &Block) {
        for s in &b.statements {
            self.statement(s);
        }
    }

    fn statement(&mut self, s: &Statement) {
        match s {
            Statement::Assign {
                target,
                value,
                span,
                ..
            } => self.equation(*target, *value, *span, false),
            Statement::Derivative {
                state, value, span, ..
            } => self.equation(*state, *value, *span, true),
            Statement::If { accept, reject, .. } => {
                self.block(accept);
                self.block(reject);
            }
            Statement::While { body, .. }
            | Statement::For { body, .. }
            | Statement::ForNetcons { body, .. }
            | Statement::Protect { body, .. } => self.block(body),
            _ => {}
        }
    }

    fn equation(
        &mut self,
        target: Handle<Variable>,
        value: Handle<Expression>,
        span: nmodl_ir::Span,
        derivative: bool,
    ) {
        if !self.units_on(span.start) || self.in_included_text(span) {
            return;
        }
        self.inner = None;
        let rhs = self.expr(value);
        let at = ast::Span {
            start: span.start,
            end: span.end,
        };
        if let Some(message) = self.inner.take() {
            self.found.push(Diagnostic::warning(message, at));
            return;
        }
        let Unit::Known(lhs) = self.variable(target) else {
            return;
        };
        let Unit::Known(rhs) = rhs else {
            return;
        };
        let name = &self.cx.mech.variables[target].name;
        let text = |q: Quantity| describe(q);
        if derivative {
            let per_ms = lhs.times(ms().powi(-1));
            if per_ms.dims != rhs.dims {
                self.found.push(Diagnostic::warning(
                    format!(
                        "units: {name}' should be in {} per ms, but the right side is in {}",
                        text(lhs),
                        text(rhs)
                    ),
                    at,
                ));
            }
        } else if lhs.dims != rhs.dims {
            self.found.push(Diagnostic::warning(
                format!(
                    "units: {name} is in {}, but the value assigned to it is in {}",
                    text(lhs),
                    text(rhs)
                ),
                at,
            ));
        }
    }

    fn variable(&self, h: Handle<Variable>) -> Unit {
        let v = &self.cx.mech.variables[h];
        let declared = match (&v.units, v.kind) {
            (Some(u), _) => u.as_str(),
            (None, VariableKind::Builtin(b)) => match b {
                Builtin::V => "mV",
                Builtin::T | Builtin::Dt => "ms",
                Builtin::Celsius => "degC",
                Builtin::Area => "um2",
                Builtin::Diam => "um",
            },
            _ => return Unit::Any,
        };
        match self.cx.units.parse(declared) {
            Ok(q) => Unit::Known(q),
            Err(_) => Unit::Any,
        }
    }

    fn expr(&mut self, e: Handle<Expression>) -> Unit {
        let mech = &self.cx.mech;
        match mech.expressions[e] {
            Expression::Number(_) => Unit::Any,
            Expression::Load(v) | Expression::LoadElement(v, _) => self.variable(v),
            Expression::Unary(UnaryOp::Neg, a) => self.expr(a),
            Expression::Unary(UnaryOp::Not, a) => {
                self.expr(a);
                Unit::Known(Quantity::one())
            }
            Expression::Binary(op, a, b) => {
                let (x, y) = (self.expr(a), self.expr(b));
                self.binary(op, x, y)
            }
            Expression::Math(f, args) => {
                for &a in mech.args(args) {
                    self.expr(a);
                }
                match f {
                    MathFunction::Fabs | MathFunction::Floor | MathFunction::Ceil => {
                        match mech.args(args).first() {
                            Some(&a) => self.expr(a),
                            None => Unit::Any,
                        }
                    }
                    MathFunction::Sqrt | MathFunction::Pow | MathFunction::Fmod => Unit::Any,
                    _ => Unit::Known(Quantity::one()),
                }
            }
            Expression::Call(_, args) | Expression::Intrinsic(_, args, _) => {
                for &a in mech.args(args) {
                    self.expr(a);
                }
                Unit::Any
            }
        }
    }

    fn binary(&mut self, op: BinaryOp, x: Unit, y: Unit) -> Unit {
        use BinaryOp::*;
        match op {
            Add | Sub | Lt | Le | Gt | Ge | Eq | Ne => {
                if let (Unit::Known(a), Unit::Known(b)) = (x, y) {
                    if a.dims != b.dims && self.inner.is_none() {
                        let verb = if matches!(op, Add | Sub) {
                            "adds or subtracts"
                        } else {
                            "compares"
                        };
                        self.inner = Some(format!(
                            "units: this {verb} a quantity in {} and one in {}",
                            describe(a),
                            describe(b)
                        ));
                    }
                }
                match op {
                    Add | Sub => match x {
                        Unit::Known(_) => x,
                        Unit::Any => y,
                    },
                    _ => Unit::Known(Quantity::one()),
                }
            }
            Mul | Div => match (x, y) {
                (Unit::Known(a), Unit::Known(b)) => Unit::Known(if op == Mul {
                    a.times(b)
                } else {
                    a.times(b.powi(-1))
                }),
                _ => Unit::Any,
            },
            Pow => Unit::Any,
            And | Or => Unit::Known(Quantity::one()),
        }
    }
}

fn ms() -> Quantity {
    Quantity {
        factor: 1e-3,
        dims: [0, 0, 1, 0, 0],
    }
}

/// What a dimension vector measures, in words where it is a common one, with its base units:
/// "a potential (m2 kg s-2 C-1)".
fn describe(q: Quantity) -> String {
    if q.is_dimensionless() {
        return "no unit (a pure number)".into();
    }
    let names = ["m", "kg", "s", "C", "K"];
    let base: Vec<String> = names
        .iter()
        .zip(q.dims)
        .filter(|(_, d)| *d != 0)
        .map(|(n, d)| {
            if d == 1 {
                n.to_string()
            } else {
                format!("{n}{d}")
            }
        })
        .collect();
    let base = base.join(" ");
    let word = match q.dims {
        [2, 1, -2, -1, 0] => "a potential",
        [-2, 0, -1, 1, 0] => "a current density",
        [0, 0, -1, 1, 0] => "a current",
        [-4, -1, 1, 2, 0] => "a conductance density",
        [-2, -1, 1, 2, 0] => "a conductance",
        [-3, 0, 0, 0, 0] => "a concentration",
        [-3, 0, -1, 0, 0] => "a concentration per time",
        [0, 0, 1, 0, 0] => "a time",
        [0, 0, -1, 0, 0] => "a rate",
        [1, 0, 0, 0, 0] => "a length",
        [2, 0, 0, 0, 0] => "an area",
        [0, 0, 0, 0, 1] => "a temperature",
        [0, 0, 0, 1, 0] => "a charge",
        _ => return format!("({base})"),
    };
    format!("{word} ({base})")
}

/// Where UNITSOFF and UNITSON take effect in the analyzed file (not in included files).
pub(crate) fn unit_toggles(items: &[Located]) -> Vec<(u32, bool)> {
    let main = || items.iter().filter(|l| l.origin.is_none());
    let mut out = Vec::new();
    for l in main() {
        match l.item.kind {
            ast::ItemKind::UnitsOff => out.push((l.item.span.start, false)),
            ast::ItemKind::UnitsOn => out.push((l.item.span.start, true)),
            _ => {}
        }
    }
    for_each_statement(main(), &mut |s| match s.kind {
        ast::StmtKind::UnitsOff => out.push((s.span.start, false)),
        ast::StmtKind::UnitsOn => out.push((s.span.start, true)),
        _ => {}
    });
    out.sort_by_key(|t| t.0);
    out
}
