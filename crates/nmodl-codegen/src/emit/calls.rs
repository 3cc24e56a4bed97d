//! The call graph of a mechanism's functions, for deciding what may be inlined.

use nmodl_ir::{Block, Expression, Function, Handle, Mechanism, Statement};

/// Functions called directly by the body of `f`.
fn callees(mech: &Mechanism, f: Handle<Function>) -> Vec<Handle<Function>> {
    let mut out = Vec::new();
    block(mech, &mech.functions[f].body, &mut out);
    out
}

/// Whether a call chain leads from `from` to `to` (through at least one call).
pub fn reaches(mech: &Mechanism, from: Handle<Function>, to: Handle<Function>) -> bool {
    let mut seen = vec![false; mech.functions.len()];
    let mut stack = callees(mech, from);
    while let Some(f) = stack.pop() {
        if f == to {
            return true;
        }
        if !std::mem::replace(&mut seen[f.index()], true) {
            stack.extend(callees(mech, f));
        }
    }
    false
}

fn expr(mech: &Mechanism, e: Handle<Expression>, out: &mut Vec<Handle<Function>>) {
    match mech.expressions[e] {
        Expression::Number(_) | Expression::Load(_) => {}
        Expression::LoadElement(_, i) => expr(mech, i, out),
        Expression::Unary(_, a) => expr(mech, a, out),
        Expression::Binary(_, a, b) => {
            expr(mech, a, out);
            expr(mech, b, out);
        }
        Expression::Call(f, args) => {
            out.push(f);
            for &a in mech.args(args) {
                expr(mech, a, out);
            }
        }
        Expression::Math(_, args) => {
            for &a in mech.args(args) {
                expr(mech, a, out);
            }
        }
        Expression::Intrinsic(_, args, _) => {
            for &a in mech.args(args) {
                expr(mech, a, out);
            }
        }
    }
}

fn block(mech: &Mechanism, b: &Block, out: &mut Vec<Handle<Function>>) {
    for s in &b.statements {
        match s {
            Statement::Assign { index, value, .. } => {
                if let Some(i) = index {
                    expr(mech, *i, out);
                }
                expr(mech, *value, out);
            }
            Statement::Evaluate { value, .. } => expr(mech, *value, out),
            Statement::If {
                condition,
                accept,
                reject,
            } => {
                expr(mech, *condition, out);
                block(mech, accept, out);
                block(mech, reject, out);
            }
            Statement::While { condition, body } => {
                expr(mech, *condition, out);
                block(mech, body, out);
            }
            Statement::For {
                from, to, by, body, ..
            } => {
                expr(mech, *from, out);
                expr(mech, *to, out);
                if let Some(by) = by {
                    expr(mech, *by, out);
                }
                block(mech, body, out);
            }
            Statement::Derivative { index, value, .. } => {
                if let Some(i) = index {
                    expr(mech, *i, out);
                }
                expr(mech, *value, out);
            }
            Statement::Verbatim { .. } => {}
            // Not compiled yet (the emitter refuses them), so they add no callees.
            Statement::Solve(_)
            | Statement::Reaction(_)
            | Statement::Conserve(_)
            | Statement::Compartment(_)
            | Statement::LongitudinalDiffusion(_)
            | Statement::Equation { .. }
            | Statement::NetSend { .. }
            | Statement::NetEvent { .. }
            | Statement::NetMove { .. }
            | Statement::Watch { .. }
            | Statement::ForNetcons { .. }
            | Statement::StateDiscontinuity { .. }
            | Statement::Printf { .. }
            | Statement::Protect { .. }
            | Statement::Mutex { .. }
            | Statement::Lag { .. } => {}
        }
    }
}
