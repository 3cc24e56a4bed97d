//! Well-formedness of an IR, checked apart from building it: every handle points into its
//! arena, assignments target variables that can be written, calls have the right arity, and
//! each construct sits where NEURON allows it (reactions in KINETIC blocks, `net_send` in
//! INITIAL or NET_RECEIVE, ...).

use crate::{
    Block, Expression, FunctionKind, Handle, Mechanism, PrintfArgument, Reactant, ReactionKind,
    Statement, Storage, Variable, VariableKind,
};
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

/// The block a statement list belongs to: decides which statements are legal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Initial,
    Breakpoint,
    Function(FunctionKind),
    NetReceive,
    Other,
}

pub fn validate(mech: &Mechanism) -> Result<(), Vec<ValidationError>> {
    let mut v = Validator {
        mech,
        errors: Vec::new(),
    };
    for (_, e) in mech.expressions.iter() {
        v.expression(e);
    }
    for &a in &mech.arguments {
        v.expr_handle(a);
    }
    for (_, f) in mech.functions.iter() {
        for &p in f.parameters.iter().chain(&f.locals).chain(f.result.iter()) {
            v.variable(p);
        }
        if f.kind == FunctionKind::FunctionTable && !f.body.statements.is_empty() {
            v.error(format!("FUNCTION_TABLE {} has a body", f.name));
        }
        v.block(&f.body, Place::Function(f.kind));
        if let Some(t) = &f.table {
            for &h in t.outputs.iter().chain(&t.depend) {
                v.variable(h);
            }
            v.expr_handle(t.from);
            v.expr_handle(t.to);
        }
    }
    if let Some(b) = &mech.initial {
        v.block(b, Place::Initial);
    }
    if let Some(b) = &mech.breakpoint {
        v.block(b, Place::Breakpoint);
    }
    for s in &mech.solves {
        v.solve(s);
    }
    for c in &mech.currents {
        v.variable(c.variable);
    }
    for ion in &mech.ions {
        for &h in ion.read.iter().chain(&ion.write) {
            v.variable(h);
        }
    }
    for s in &mech.states {
        v.variable(s.variable);
        if let Some(i) = s.initial {
            v.variable(i);
        }
        if let Some(var) = mech.variables.get(s.variable) {
            let ok =
                var.kind == VariableKind::State || matches!(var.kind, VariableKind::Ion { .. });
            if !ok {
                v.error(format!("{} is listed as a STATE but is not one", var.name));
            }
        }
    }
    for l in &mech.limits {
        v.variable(l.variable);
    }
    if let Some(nr) = &mech.net_receive {
        for &p in &nr.parameters {
            v.variable(p);
            if mech
                .variables
                .get(p)
                .is_some_and(|x| x.storage != Storage::Weight)
            {
                v.error("a NET_RECEIVE parameter must have weight storage".into());
            }
        }
        for &h in nr.locals.iter().chain(nr.flag.iter()) {
            v.variable(h);
        }
        if let Some(b) = &nr.initial {
            v.block(b, Place::NetReceive);
        }
        v.block(&nr.body, Place::NetReceive);
    }
    for b in [&mech.constructor, &mech.destructor].into_iter().flatten() {
        v.block(b, Place::Other);
    }
    for h in &mech.hooks {
        for &l in &h.locals {
            v.variable(l);
        }
        v.block(&h.body, Place::Other);
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

    fn variable(&mut self, h: Handle<Variable>) {
        if self.mech.variables.get(h).is_none() {
            self.error(format!("variable handle {h:?} out of range"));
        }
    }

    fn expr_handle(&mut self, h: Handle<Expression>) {
        if self.mech.expressions.get(h).is_none() {
            self.error(format!("expression handle {h:?} out of range"));
        }
    }

    fn args_in_range(&mut self, args: crate::ArgList) -> bool {
        if (args.start as usize + args.len as usize) > self.mech.arguments.len() {
            self.error("argument list out of range".into());
            return false;
        }
        true
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
                if !self.args_in_range(args) {
                    return;
                }
                match self.mech.functions.get(f) {
                    None => self.error(format!("call of function handle {f:?} out of range")),
                    Some(func)
                        if !matches!(
                            func.kind,
                            FunctionKind::Procedure
                                | FunctionKind::Function
                                | FunctionKind::FunctionTable
                        ) =>
                    {
                        self.error(format!("{} is not callable", func.name))
                    }
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
            }
            Expression::Math(m, args) => {
                if self.args_in_range(args) && m.arity() != args.len as usize {
                    self.error(format!(
                        "{} takes {} arguments but is called with {}",
                        m.name(),
                        m.arity(),
                        args.len
                    ));
                }
            }
            Expression::Intrinsic(f, args, _) => {
                if !self.args_in_range(args) {
                    return;
                }
                if let crate::Intrinsic::CFunction(i) = f {
                    if i as usize >= self.mech.c_functions.len() {
                        self.error(format!("C function index {i} out of range"));
                    }
                }
                let (lo, hi) = f.arity();
                let n = args.len as usize;
                if n < lo || n > hi {
                    self.error(format!(
                        "{} is called with {} arguments",
                        f.name(),
                        args.len
                    ));
                }
                if f.takes_random_stream() && n > 0 {
                    let first = self.mech.args(args)[0];
                    let ok = matches!(
                        self.mech.expressions.get(first),
                        Some(Expression::Load(r))
                            if self.mech.variables.get(*r).is_some_and(|v| v.kind == VariableKind::Random)
                    );
                    if !ok {
                        self.error(format!(
                            "the first argument of {} must be a RANDOM variable",
                            f.name()
                        ));
                    }
                }
            }
        }
    }

    fn writable(&mut self, target: Handle<Variable>) {
        self.variable(target);
        if let Some(var) = self.mech.variables.get(target) {
            // v may be assigned (the mechanism's own copy); NEURON's other values may not.
            let writable = !matches!(
                var.kind,
                VariableKind::Random | VariableKind::ReactionFlux(_)
            ) && !matches!(var.kind, VariableKind::Builtin(b) if b != crate::Builtin::V);
            if !writable {
                self.error(format!("cannot assign to {}", var.name));
            }
        }
    }

    fn state(&mut self, h: Handle<Variable>, what: &str) {
        self.variable(h);
        if let Some(var) = self.mech.variables.get(h) {
            if !self.mech.states.iter().any(|s| s.variable == h) {
                self.error(format!("{what} {} is not a STATE", var.name));
            }
        }
    }

    fn reactants(&mut self, list: &[Reactant]) {
        for r in list {
            self.variable(r.species);
            if let Some(i) = r.index {
                self.expr_handle(i);
            }
        }
    }

    fn solve(&mut self, s: &crate::Solve) {
        if self.mech.functions.get(s.target).is_none() {
            self.error(format!(
                "SOLVE names function {:?}, which does not exist",
                s.target
            ));
        }
    }

    fn only_in(&mut self, place: Place, allowed: &[Place], what: &str) {
        if !allowed.contains(&place) {
            self.error(format!("{what} is not allowed in {place:?}"));
        }
    }

    fn block(&mut self, b: &Block, place: Place) {
        for s in &b.statements {
            self.statement(s, place);
        }
    }

    fn statement(&mut self, s: &Statement, place: Place) {
        let kinetic = Place::Function(FunctionKind::Kinetic);
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
            } => {
                self.writable(*target);
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
                self.block(accept, place);
                self.block(reject, place);
            }
            Statement::While { condition, body } => {
                self.expr_handle(*condition);
                self.block(body, place);
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
                self.block(body, place);
            }
            Statement::Derivative {
                state,
                index,
                value,
                ..
            } => {
                self.state(*state, "the derivative's");
                if let Some(i) = index {
                    self.expr_handle(*i);
                }
                self.expr_handle(*value);
            }
            Statement::Verbatim { .. } | Statement::Mutex { .. } => {}
            Statement::Solve(solve) => {
                // LINEAR and NONLINEAR blocks are solved wherever a statement may stand.
                let algebraic = self.mech.functions.get(solve.target).is_some_and(|f| {
                    matches!(f.kind, FunctionKind::Linear | FunctionKind::NonLinear)
                });
                if !algebraic {
                    self.only_in(place, &[Place::Initial], "SOLVE outside BREAKPOINT");
                }
                self.solve(solve);
            }
            Statement::Reaction(r) => {
                self.only_in(place, &[kinetic], "a reaction");
                self.reactants(&r.lhs);
                match &r.kind {
                    ReactionKind::Reversible {
                        rhs,
                        forward,
                        backward,
                    } => {
                        self.reactants(rhs);
                        self.expr_handle(*forward);
                        self.expr_handle(*backward);
                    }
                    ReactionKind::Irreversible { rhs, rate } => {
                        self.reactants(rhs);
                        self.expr_handle(*rate);
                    }
                    ReactionKind::Flux { flux } => self.expr_handle(*flux),
                }
            }
            Statement::Conserve(c) => {
                self.only_in(place, &[kinetic], "CONSERVE");
                for t in &c.terms {
                    self.state(t.species, "CONSERVE term");
                    if let Some(i) = t.index {
                        self.expr_handle(i);
                    }
                }
                self.expr_handle(c.total);
            }
            Statement::Compartment(c) | Statement::LongitudinalDiffusion(c) => {
                self.only_in(place, &[kinetic], "COMPARTMENT/LONGITUDINAL_DIFFUSION");
                for &h in c.index.iter().chain(&c.species) {
                    self.variable(h);
                }
                self.expr_handle(c.volume);
            }
            Statement::Equation { lhs, rhs, .. } => {
                self.only_in(
                    place,
                    &[
                        Place::Function(FunctionKind::Linear),
                        Place::Function(FunctionKind::NonLinear),
                    ],
                    "an equation",
                );
                self.expr_handle(*lhs);
                self.expr_handle(*rhs);
            }
            Statement::NetSend { delay, flag, .. } => {
                self.only_in(place, &[Place::Initial, Place::NetReceive], "net_send");
                self.expr_handle(*delay);
                self.expr_handle(*flag);
            }
            Statement::NetEvent { time, .. } | Statement::NetMove { time, .. } => {
                self.only_in(place, &[Place::NetReceive], "net_event/net_move");
                self.expr_handle(*time);
            }
            Statement::Watch { clauses, .. } => {
                self.only_in(place, &[Place::NetReceive], "WATCH");
                for c in clauses {
                    self.expr_handle(c.condition);
                    self.expr_handle(c.flag);
                }
            }
            Statement::ForNetcons {
                parameters, body, ..
            } => {
                self.only_in(place, &[Place::NetReceive], "FOR_NETCONS");
                for &p in parameters {
                    self.variable(p);
                }
                self.block(body, place);
            }
            Statement::Printf { arguments, .. } => {
                for a in arguments {
                    if let PrintfArgument::Value(e) = a {
                        self.expr_handle(*e);
                    }
                }
            }
            Statement::Protect { body, .. } => self.block(body, place),
            Statement::Lag {
                variable,
                by,
                lagged,
                ..
            } => {
                self.variable(*variable);
                self.variable(*by);
                self.variable(*lagged);
            }
        }
    }
}
