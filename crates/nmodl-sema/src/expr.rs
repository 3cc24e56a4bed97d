//! Expressions: name resolution (LOCAL frames, mechanism variables, NEURON's variables,
//! the implicit `flag`, `f_flux`, `b_flux`, `s0`), calls of PROCEDUREs, FUNCTIONs, math and
//! NEURON's intrinsic functions.

use crate::body::{arity_message, block_keyword, plural, Expr, Scope};
use crate::declarations::Context;
use crate::names::{builtin_of, C_LIBRARY_FUNCTIONS};
use nmodl_ir::{
    BinaryOp, Expression, FluxDirection, FunctionKind, Handle, Intrinsic, MathFunction, Storage,
    UnaryOp, Variable, VariableKind,
};
use nmodl_syntax::ast;

impl Context {
    /// A name in an expression: LOCAL frames, then mechanism variables, then NEURON's, then
    /// the block's implicit names (`flag`, `f_flux`, `b_flux`).
    pub(crate) fn resolve(
        &mut self,
        scope: &mut Scope,
        name: &ast::Ident,
    ) -> Option<Handle<Variable>> {
        if let Some(h) = self.lookup(scope, name) {
            return Some(h);
        }
        let hint = if self.functions.contains_key(&name.name) {
            format!("; {} is a function: call it with ()", name.name)
        } else {
            String::new()
        };
        if hint.is_empty() && self.verbatim_names.contains(&name.name) {
            // nocmodl: "Warning: x undefined. (declared within VERBATIM?)" and the C code
            // may indeed declare it.
            self.warning(
                format!(
                    "{} is not declared in NMODL; it must come from the VERBATIM C code",
                    name.name
                ),
                name.span,
            );
            let h = self.local_variable(name, VariableKind::External, Storage::External, None);
            self.names.insert(name.name.clone(), h);
            return Some(h);
        }
        self.error(
            format!("cannot find {} in this scope: it is not declared in PARAMETER, ASSIGNED, STATE, CONSTANT or as a LOCAL{hint}", name.name),
            name.span,
        );
        None
    }

    pub(crate) fn lookup(
        &mut self,
        scope: &mut Scope,
        name: &ast::Ident,
    ) -> Option<Handle<Variable>> {
        for frame in scope.frames.iter().rev() {
            if let Some(&h) = frame.get(&name.name) {
                return Some(h);
            }
        }
        if let Some(&h) = self.names.get(&name.name) {
            return Some(h);
        }
        if let Some(b) = builtin_of(&name.name) {
            return Some(self.builtin(&name.name, b, name.span));
        }
        if let Some(h) = self.state_initial(&name.name) {
            return Some(h);
        }
        match name.name.as_str() {
            "f_flux" | "b_flux" if Self::is_kinetic(scope) => {
                let (f, b) = match scope.flux {
                    Some(pair) => pair,
                    None => {
                        let mk = |cx: &mut Context, n: &str, d| {
                            let ident = ast::Ident {
                                name: n.to_string(),
                                span: name.span,
                            };
                            cx.local_variable(
                                &ident,
                                VariableKind::ReactionFlux(d),
                                Storage::Local,
                                None,
                            )
                        };
                        let f = mk(self, "f_flux", FluxDirection::Forward);
                        let b = mk(self, "b_flux", FluxDirection::Backward);
                        scope.locals.extend([f, b]);
                        scope.flux = Some((f, b));
                        (f, b)
                    }
                };
                Some(if name.name == "f_flux" { f } else { b })
            }
            "flag" if scope.in_net_receive() => Some(match scope.flag {
                Some(h) => h,
                None => {
                    let h =
                        self.local_variable(name, VariableKind::EventFlag, Storage::Event, None);
                    scope.flag = Some(h);
                    h
                }
            }),
            _ => None,
        }
    }

    pub(crate) fn number(&mut self, x: f64) -> Expr {
        self.mech.expressions.append(Expression::Number(x))
    }

    pub(crate) fn expr(&mut self, scope: &mut Scope, e: &ast::Expr) -> Expr {
        use ast::ExprKind as K;
        match &e.kind {
            K::Number(n) | K::WithUnit { value: n, .. } => {
                let x = self.finite(n);
                self.number(x)
            }
            K::Name(n) => {
                if let Some(&x) = self.defines.get(&n.name) {
                    return self.number(x);
                }
                match self.resolve(scope, n) {
                    Some(var) => self.load(var),
                    None => self.number(f64::NAN),
                }
            }
            K::Index { name, index } => {
                let i = self.expr(scope, index);
                match self.resolve(scope, name) {
                    Some(var) => {
                        self.check_index(var, true, e.span);
                        self.reads.insert(var);
                        self.mech
                            .expressions
                            .append(Expression::LoadElement(var, i))
                    }
                    None => self.number(f64::NAN),
                }
            }
            K::Call(c) => self.call(scope, c),
            K::String(s) => {
                self.error("a string can only be an argument of printf", s.span);
                self.number(f64::NAN)
            }
            K::Unary { op, operand } => {
                let a = self.expr(scope, operand);
                match op {
                    ast::UnaryOp::Plus => a,
                    ast::UnaryOp::Neg => self
                        .mech
                        .expressions
                        .append(Expression::Unary(UnaryOp::Neg, a)),
                    ast::UnaryOp::Not => self
                        .mech
                        .expressions
                        .append(Expression::Unary(UnaryOp::Not, a)),
                }
            }
            K::Binary { op, lhs, rhs } => {
                let a = self.expr(scope, lhs);
                let b = self.expr(scope, rhs);
                let op = match op {
                    ast::BinaryOp::Or => BinaryOp::Or,
                    ast::BinaryOp::And => BinaryOp::And,
                    ast::BinaryOp::Lt => BinaryOp::Lt,
                    ast::BinaryOp::Le => BinaryOp::Le,
                    ast::BinaryOp::Gt => BinaryOp::Gt,
                    ast::BinaryOp::Ge => BinaryOp::Ge,
                    ast::BinaryOp::Eq => BinaryOp::Eq,
                    ast::BinaryOp::Ne => BinaryOp::Ne,
                    ast::BinaryOp::Add => BinaryOp::Add,
                    ast::BinaryOp::Sub => BinaryOp::Sub,
                    ast::BinaryOp::Mul => BinaryOp::Mul,
                    ast::BinaryOp::Div => BinaryOp::Div,
                    ast::BinaryOp::Pow => BinaryOp::Pow,
                    ast::BinaryOp::Rem => {
                        let args = self.mech.push_args(&[a, b]);
                        return self
                            .mech
                            .expressions
                            .append(Expression::Math(MathFunction::Fmod, args));
                    }
                };
                self.mech.expressions.append(Expression::Binary(op, a, b))
            }
        }
    }

    pub(crate) fn load(&mut self, var: Handle<Variable>) -> Expr {
        self.reads.insert(var);
        self.mech.expressions.append(Expression::Load(var))
    }

    pub(crate) fn call(&mut self, scope: &mut Scope, c: &ast::Call) -> Expr {
        let name = c.name.name.as_str();
        match name {
            "net_send" | "net_event" | "net_move" | "state_discontinuity" | "printf" => {
                self.error(
                    format!("{name} has no value; call it as a statement of its own"),
                    c.span,
                );
                return self.number(f64::NAN);
            }
            _ => {}
        }
        if let Some(intrinsic) = Intrinsic::from_name(name) {
            if !self.functions.contains_key(name) {
                return self.intrinsic(scope, intrinsic, c);
            }
        }
        let args: Vec<Expr> = c.args.iter().map(|a| self.expr(scope, a)).collect();
        if let Some(&f) = self.functions.get(name) {
            let func = &self.mech.functions[f];
            if !matches!(
                func.kind,
                FunctionKind::Procedure | FunctionKind::Function | FunctionKind::FunctionTable
            ) {
                let kind = block_keyword(func.kind);
                self.error(
                    format!(
                        "{name} is a {kind} block and cannot be called; SOLVE it from BREAKPOINT"
                    ),
                    c.span,
                );
                return self.number(f64::NAN);
            }
            if func.parameters.len() != args.len() {
                let n = func.parameters.len();
                self.error(
                    arity_message(name, &plural(n, "argument"), args.len()),
                    c.span,
                );
                return self.number(f64::NAN);
            }
            self.calls.push((scope.owner, f));
            let list = self.mech.push_args(&args);
            return self.mech.expressions.append(Expression::Call(f, list));
        }
        if let Some(m) = MathFunction::from_name(name) {
            if m.arity() != args.len() {
                self.error(
                    arity_message(m.name(), &plural(m.arity(), "argument"), args.len()),
                    c.span,
                );
                return self.number(f64::NAN);
            }
            let list = self.mech.push_args(&args);
            return self.mech.expressions.append(Expression::Math(m, list));
        }
        if C_LIBRARY_FUNCTIONS.contains(&name) || self.verbatim_names.contains(name) {
            self.warning(
                format!("{name} is not an NMODL function; the call is passed to C as it is"),
                c.name.span,
            );
            let index = match self.mech.c_functions.iter().position(|f| f == name) {
                Some(i) => i,
                None => {
                    self.mech.c_functions.push(name.to_string());
                    self.mech.c_functions.len() - 1
                }
            };
            let list = self.mech.push_args(&args);
            let span = self.sp(c.span);
            return self.mech.expressions.append(Expression::Intrinsic(
                Intrinsic::CFunction(index as u32),
                list,
                span,
            ));
        }
        self.error(
            format!("cannot find function {name}: it is neither a PROCEDURE or FUNCTION of this file nor a function NEURON provides"),
            c.name.span,
        );
        self.number(f64::NAN)
    }

    pub(crate) fn intrinsic(&mut self, scope: &mut Scope, f: Intrinsic, c: &ast::Call) -> Expr {
        let (lo, hi) = f.arity();
        let n = c.args.len();
        if n < lo || n > hi {
            let expected = if lo == hi {
                plural(lo, "argument")
            } else {
                format!("{lo} to {hi} arguments")
            };
            self.error(arity_message(f.name(), &expected, n), c.span);
            return self.number(f64::NAN);
        }
        let args: Vec<Expr> = c.args.iter().map(|a| self.expr(scope, a)).collect();
        if f.takes_random_stream() {
            let first = args[0];
            let ok = matches!(
                self.mech.expressions[first],
                Expression::Load(r) if self.mech.variables[r].kind == VariableKind::Random
            );
            if !ok {
                self.error(
                    format!(
                        "the first argument of {} must be a RANDOM variable",
                        f.name()
                    ),
                    c.args[0].span,
                );
                return self.number(f64::NAN);
            }
        }
        if f == Intrinsic::NrnPointing {
            let ok = matches!(
                self.mech.expressions[args[0]],
                Expression::Load(p) if self.mech.variables[p].kind == VariableKind::Pointer
            );
            if !ok {
                self.error(
                    "the argument of nrn_pointing must be a POINTER variable",
                    c.args[0].span,
                );
                return self.number(f64::NAN);
            }
        }
        let list = self.mech.push_args(&args);
        let span = self.sp(c.span);
        self.mech
            .expressions
            .append(Expression::Intrinsic(f, list, span))
    }
}
