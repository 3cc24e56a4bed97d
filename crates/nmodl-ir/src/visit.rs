//! One walk over what statements and expressions refer to, for the passes that need all of
//! it (which locals a body uses, which functions it calls, ...), so that each pass does not
//! spell out every statement kind again.

use crate::{
    Block, Expression, Function, Handle, Mechanism, PrintfArgument, ReactionKind, Statement,
    Variable,
};

/// What a walk reports. Every method has an empty default.
pub trait Visitor {
    /// A variable named by a statement (assignment target, loop counter, state, species, ...)
    /// or loaded by an expression.
    fn variable(&mut self, _var: Handle<Variable>) {}
    /// A PROCEDURE or FUNCTION call.
    fn call(&mut self, _function: Handle<Function>) {}
    /// A variable an assignment stores to (reported after [`Visitor::variable`]).
    fn assigned(&mut self, _var: Handle<Variable>) {}
}

/// Walks `e` and all its sub-expressions.
pub fn walk_expression(mech: &Mechanism, e: Handle<Expression>, v: &mut impl Visitor) {
    match mech.expressions[e] {
        Expression::Number(_) => {}
        Expression::Load(var) => v.variable(var),
        Expression::LoadElement(var, i) => {
            v.variable(var);
            walk_expression(mech, i, v);
        }
        Expression::Unary(_, a) => walk_expression(mech, a, v),
        Expression::Binary(_, a, b) => {
            walk_expression(mech, a, v);
            walk_expression(mech, b, v);
        }
        Expression::Call(f, args) => {
            v.call(f);
            for &a in mech.args(args) {
                walk_expression(mech, a, v);
            }
        }
        Expression::Math(_, args) | Expression::Intrinsic(_, args, _) => {
            for &a in mech.args(args) {
                walk_expression(mech, a, v);
            }
        }
    }
}

fn walk_optional(mech: &Mechanism, e: Option<Handle<Expression>>, v: &mut impl Visitor) {
    if let Some(e) = e {
        walk_expression(mech, e, v);
    }
}

/// Walks every statement of `block`, nested blocks included.
pub fn walk_block(mech: &Mechanism, block: &Block, v: &mut impl Visitor) {
    for s in &block.statements {
        walk_statement(mech, s, v);
    }
}

pub fn walk_statement(mech: &Mechanism, s: &Statement, v: &mut impl Visitor) {
    match s {
        Statement::Assign {
            target,
            index,
            value,
            ..
        }
        | Statement::StateDiscontinuity {
            target,
            index,
            value,
            ..
        }
        | Statement::Derivative {
            state: target,
            index,
            value,
            ..
        } => {
            v.variable(*target);
            if matches!(s, Statement::Assign { .. }) {
                v.assigned(*target);
            }
            walk_optional(mech, *index, v);
            walk_expression(mech, *value, v);
        }
        Statement::Evaluate { value, .. } => walk_expression(mech, *value, v),
        Statement::If {
            condition,
            accept,
            reject,
        } => {
            walk_expression(mech, *condition, v);
            walk_block(mech, accept, v);
            walk_block(mech, reject, v);
        }
        Statement::While { condition, body } => {
            walk_expression(mech, *condition, v);
            walk_block(mech, body, v);
        }
        Statement::For {
            counter,
            from,
            to,
            by,
            body,
        } => {
            v.variable(*counter);
            walk_expression(mech, *from, v);
            walk_expression(mech, *to, v);
            walk_optional(mech, *by, v);
            walk_block(mech, body, v);
        }
        Statement::Verbatim { .. } | Statement::Solve(_) | Statement::Mutex { .. } => {}
        Statement::Reaction(r) => {
            let (rhs, rates): (&[_], Vec<_>) = match &r.kind {
                ReactionKind::Reversible {
                    rhs,
                    forward,
                    backward,
                } => (rhs, vec![*forward, *backward]),
                ReactionKind::Irreversible { rhs, rate } => (rhs, vec![*rate]),
                ReactionKind::Flux { flux } => (&[], vec![*flux]),
            };
            for reactant in r.lhs.iter().chain(rhs) {
                v.variable(reactant.species);
                walk_optional(mech, reactant.index, v);
            }
            for rate in rates {
                walk_expression(mech, rate, v);
            }
        }
        Statement::Conserve(c) => {
            for term in &c.terms {
                v.variable(term.species);
                walk_optional(mech, term.index, v);
            }
            walk_expression(mech, c.total, v);
        }
        Statement::Compartment(c) | Statement::LongitudinalDiffusion(c) => {
            if let Some(i) = c.index {
                v.variable(i);
            }
            walk_expression(mech, c.volume, v);
            for &s in &c.species {
                v.variable(s);
            }
        }
        Statement::Equation { lhs, rhs, .. } => {
            walk_expression(mech, *lhs, v);
            walk_expression(mech, *rhs, v);
        }
        Statement::NetSend { delay, flag, .. } => {
            walk_expression(mech, *delay, v);
            walk_expression(mech, *flag, v);
        }
        Statement::NetEvent { time, .. } | Statement::NetMove { time, .. } => {
            walk_expression(mech, *time, v)
        }
        Statement::Watch { clauses, .. } => {
            for c in clauses {
                walk_expression(mech, c.condition, v);
                walk_expression(mech, c.flag, v);
            }
        }
        Statement::ForNetcons {
            parameters, body, ..
        } => {
            for &p in parameters {
                v.variable(p);
            }
            walk_block(mech, body, v);
        }
        Statement::Printf { arguments, .. } => {
            for a in arguments {
                if let PrintfArgument::Value(e) = a {
                    walk_expression(mech, *e, v);
                }
            }
        }
        Statement::Protect { body, .. } => walk_block(mech, body, v),
        Statement::Lag {
            variable,
            by,
            lagged,
            ..
        } => {
            v.variable(*variable);
            v.variable(*by);
            v.variable(*lagged);
        }
    }
}

/// Walks every block of the mechanism: functions and procedures, INITIAL, BREAKPOINT,
/// NET_RECEIVE and its INITIAL, CONSTRUCTOR/DESTRUCTOR and BEFORE/AFTER blocks.
pub fn walk_mechanism(mech: &Mechanism, v: &mut impl Visitor) {
    for (_, f) in mech.functions.iter() {
        walk_block(mech, &f.body, v);
    }
    let blocks = [
        &mech.initial,
        &mech.breakpoint,
        &mech.constructor,
        &mech.destructor,
    ];
    for block in blocks.into_iter().flatten() {
        walk_block(mech, block, v);
    }
    if let Some(nr) = &mech.net_receive {
        if let Some(init) = &nr.initial {
            walk_block(mech, init, v);
        }
        walk_block(mech, &nr.body, v);
    }
    for hook in &mech.hooks {
        walk_block(mech, &hook.body, v);
    }
}
