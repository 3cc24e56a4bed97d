//! Well-formedness of an IR, checked apart from building it: every handle points into its
//! arena, assignments target variables that can be written, calls have the right arity.

use crate::{Block, Expression, Handle, Mechanism, Statement, VariableKind};
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub struct ValidationError {
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValidationError {}

pub fn validate(mech: &Mechanism) -> Result<(), Vec<ValidationError>> {
    let mut v = Validator {
        mech,
        errors: Vec::new(),
    };
    for (_, e) in mech.expressions.iter() {
        v.expression(e);
    }
    for (_, f) in mech.functions.iter() {
        for &p in f.parameters.iter().chain(&f.locals).chain(f.result.iter()) {
            v.variable(p);
        }
        v.block(&f.body);
        if let Some(t) = &f.table {
            for &h in t.outputs.iter().chain(&t.depend) {
                v.variable(h);
            }
            v.expr_handle(t.from);
            v.expr_handle(t.to);
        }
    }
    for b in [&mech.initial, &mech.breakpoint].into_iter().flatten() {
        v.block(b);
    }
    for s in &mech.solves {
        if mech.functions.get(s.target).is_none() {
            v.error(format!(
                "SOLVE names function {:?}, which does not exist",
                s.target
            ));
        }
    }
    for c in &mech.currents {
        v.variable(c.variable);
    }
    if v.errors.is_empty() {
        Ok(())
    } else {
        Err(v.errors)
    }
}

struct Validator<'a> {
    mech: &'a Mechanism,
    errors: Vec<ValidationError>,
}

impl Validator<'_> {
    fn error(&mut self, message: String) {
        self.errors.push(ValidationError { message });
    }

    fn variable(&mut self, h: Handle<crate::Variable>) {
        if self.mech.variables.get(h).is_none() {
            self.error(format!("variable handle {h:?} out of range"));
        }
    }

    fn expr_handle(&mut self, h: Handle<Expression>) {
        if self.mech.expressions.get(h).is_none() {
            self.error(format!("expression handle {h:?} out of range"));
        }
    }

    fn expression(&mut self, e: &Expression) {
        match *e {
            Expression::Number(_) => {}
            Expression::Load(var) => self.variable(var),
            Expression::LoadElement(var, i) => {
                self.variable(var);
                self.expr_handle(i);
            }
            Expression::Unary(_, a) => self.expr_handle(a),
            Expression::Binary(_, a, b) => {
                self.expr_handle(a);
                self.expr_handle(b);
            }
            Expression::Call(f, args) => {
                if (args.start + args.len) as usize > self.mech.arguments.len() {
                    self.error("argument list out of range".into());
                    return;
                }
                match self.mech.functions.get(f) {
                    None => self.error(format!("call of function handle {f:?} out of range")),
                    Some(func) if func.parameters.len() != args.len as usize => {
                        self.error(format!(
                            "{} takes {} arguments but is called with {}",
                            func.name,
                            func.parameters.len(),
                            args.len
                        ))
                    }
                    Some(_) => {}
                }
                for &a in self.mech.args(args) {
                    self.expr_handle(a);
                }
            }
            Expression::Math(m, args) => {
                if (args.start + args.len) as usize > self.mech.arguments.len() {
                    self.error("argument list out of range".into());
                    return;
                }
                if m.arity() != args.len as usize {
                    self.error(format!(
                        "{} takes {} arguments but is called with {}",
                        m.name(),
                        m.arity(),
                        args.len
                    ));
                }
            }
        }
    }

    fn block(&mut self, b: &Block) {
        for s in &b.statements {
            match s {
                Statement::Assign {
                    target,
                    index,
                    value,
                    ..
                } => {
                    self.variable(*target);
                    if let Some(var) = self.mech.variables.get(*target) {
                        let writable =
                            !matches!(var.kind, VariableKind::Constant | VariableKind::Builtin(_));
                        if !writable {
                            self.error(format!("cannot assign to {}", var.name));
                        }
                    }
                    if let Some(i) = index {
                        self.expr_handle(*i);
                    }
                    self.expr_handle(*value);
                }
                Statement::Evaluate { value, .. } => self.expr_handle(*value),
                Statement::If {
                    condition,
                    accept,
                    reject,
                } => {
                    self.expr_handle(*condition);
                    self.block(accept);
                    self.block(reject);
                }
                Statement::While { condition, body } => {
                    self.expr_handle(*condition);
                    self.block(body);
                }
                Statement::For {
                    counter,
                    from,
                    to,
                    by,
                    body,
                } => {
                    self.variable(*counter);
                    self.expr_handle(*from);
                    self.expr_handle(*to);
                    if let Some(by) = by {
                        self.expr_handle(*by);
                    }
                    self.block(body);
                }
                Statement::Derivative {
                    state,
                    index,
                    value,
                    ..
                } => {
                    self.variable(*state);
                    if let Some(var) = self.mech.variables.get(*state) {
                        if var.kind != VariableKind::State {
                            self.error(format!("{}' is the derivative of a non-STATE", var.name));
                        }
                    }
                    if let Some(i) = index {
                        self.expr_handle(*i);
                    }
                    self.expr_handle(*value);
                }
                Statement::Verbatim { .. } => {}
            }
        }
    }
}
