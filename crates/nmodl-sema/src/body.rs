//! Lowering of statement blocks: name resolution with LOCAL scopes, calls, SOLVE and TABLE.

use crate::declarations::{builtin_of, Context};
use crate::span;
use nmodl_ir::{
    BinaryOp, Block, Expression, Function, FunctionKind, Handle, MathFunction, Solve, SolveMethod,
    Statement, Storage, Table, UnaryOp, Variable, VariableKind,
};
use nmodl_syntax::ast::{self, ItemKind, StmtKind};
use std::collections::HashMap;

/// Which block a body belongs to: decides what statements are allowed.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    Initial,
    Breakpoint,
    Function(Handle<Function>),
}

/// Per-body state while lowering.
struct Scope {
    place: Place,
    frames: Vec<HashMap<String, Handle<Variable>>>,
    locals: Vec<Handle<Variable>>,
    solves: Vec<Solve>,
    table: Option<Table>,
}

type Expr = Handle<Expression>;

impl Context {
    /// Pass 2: bodies of INITIAL, BREAKPOINT and every PROCEDURE/FUNCTION/DERIVATIVE.
    pub fn lower_bodies(&mut self, file: &ast::File) {
        for item in &file.items {
            match &item.kind {
                ItemKind::Initial(b) => {
                    let (block, _) = self.lower_body(Place::Initial, b);
                    self.mech.initial = Some(block);
                }
                ItemKind::Breakpoint(b) => {
                    let (block, scope) = self.lower_body(Place::Breakpoint, b);
                    self.mech.breakpoint = Some(block);
                    self.mech.solves = scope.solves;
                }
                ItemKind::Procedure(c) | ItemKind::Function(c) => {
                    self.lower_function(&c.name, &c.body)
                }
                ItemKind::Derivative { name, body } => self.lower_function(name, body),
                ItemKind::Kinetic { name, .. } => self.unsupported("a KINETIC block", name.span),
                ItemKind::Linear { name, .. } => self.unsupported("a LINEAR block", name.span),
                ItemKind::NonLinear { name, .. } => {
                    self.unsupported("a NONLINEAR block", name.span)
                }
                ItemKind::NetReceive { .. } => self.unsupported("NET_RECEIVE", item.span),
                ItemKind::Constructor(_) => self.unsupported("CONSTRUCTOR", item.span),
                ItemKind::Destructor(_) => self.unsupported("DESTRUCTOR", item.span),
                ItemKind::Before { .. } | ItemKind::After { .. } => {
                    self.unsupported("a BEFORE/AFTER block", item.span)
                }
                ItemKind::FunctionTable { name, .. } => {
                    self.unsupported("FUNCTION_TABLE", name.span)
                }
                ItemKind::Include(s) => self.unsupported("INCLUDE", s.span),
                ItemKind::Verbatim(raw) if !is_trivial_c(&raw.text) => {
                    self.unsupported("top-level VERBATIM C code", raw.span)
                }
                _ => {}
            }
        }
        // Each SOLVE must name a block that can be solved by its method.
        for s in self.mech.solves.clone() {
            let f = &self.mech.functions[s.target];
            let ok = match s.method {
                SolveMethod::None => matches!(f.kind, FunctionKind::Procedure),
                SolveMethod::Cnexp | SolveMethod::Derivimplicit | SolveMethod::Euler => {
                    f.kind == FunctionKind::Derivative
                }
                SolveMethod::Sparse => f.kind == FunctionKind::Kinetic,
            };
            if !ok {
                let name = f.name.clone();
                let kind = block_keyword(f.kind);
                self.diagnostics
                    .push(nmodl_syntax::diagnostics::Diagnostic::error(
                        format!("this SOLVE method cannot integrate {name}, a {kind} block"),
                        ast::Span {
                            start: s.span.start,
                            end: s.span.end,
                        },
                    ));
            }
        }
    }

    fn unsupported(&mut self, what: &str, at: ast::Span) {
        self.error(format!("{what} is not supported by rsnrn yet"), at);
    }

    fn lower_function(&mut self, name: &ast::Ident, body: &ast::Block) {
        let Some(&h) = self.functions.get(&name.name) else {
            return;
        };
        let (block, scope) = self.lower_body(Place::Function(h), body);
        let f = &mut self.mech.functions[h];
        f.body = block;
        f.locals = scope.locals;
        f.table = scope.table;
    }

    fn lower_body(&mut self, place: Place, body: &ast::Block) -> (Block, Scope) {
        let mut frame = HashMap::new();
        if let Place::Function(h) = place {
            let f = &self.mech.functions[h];
            for &p in &f.parameters {
                frame.insert(self.mech.variables[p].name.clone(), p);
            }
            if let Some(r) = f.result {
                frame.insert(f.name.clone(), r);
            }
        }
        let mut scope = Scope {
            place,
            frames: vec![frame],
            locals: Vec::new(),
            solves: Vec::new(),
            table: None,
        };
        let block = self.block(&mut scope, &body.stmts);
        (block, scope)
    }

    fn block(&mut self, scope: &mut Scope, stmts: &[ast::Stmt]) -> Block {
        let mut out = Block::default();
        for s in stmts {
            self.statement(scope, s, &mut out);
        }
        out
    }

    fn nested(&mut self, scope: &mut Scope, b: &ast::Block) -> Block {
        scope.frames.push(HashMap::new());
        let block = self.block(scope, &b.stmts);
        scope.frames.pop();
        block
    }

    fn statement(&mut self, scope: &mut Scope, s: &ast::Stmt, out: &mut Block) {
        match &s.kind {
            StmtKind::Local(vars) => {
                for v in vars {
                    if v.array.is_some() {
                        self.error("LOCAL arrays are not supported by rsnrn yet", v.span);
                    }
                    let h = self.add_variable(Variable {
                        name: v.name.name.clone(),
                        kind: VariableKind::Local,
                        storage: Storage::Local,
                        visible: false,
                        size: None,
                        default: None,
                        units: None,
                        span: span(v.span),
                    });
                    scope.locals.push(h);
                    scope
                        .frames
                        .last_mut()
                        .expect("a frame")
                        .insert(v.name.name.clone(), h);
                }
            }
            StmtKind::Assign { target, value } => {
                let value = self.expr(scope, value);
                if let Some((target, index)) = self.lvalue(scope, target) {
                    out.statements.push(Statement::Assign {
                        target,
                        index,
                        value,
                        span: span(s.span),
                    });
                }
            }
            StmtKind::Derivative {
                target,
                order,
                value,
            } => {
                if !matches!(scope.place, Place::Function(h) if self.mech.functions[h].kind == FunctionKind::Derivative)
                {
                    self.error(
                        "a derivative equation belongs in a DERIVATIVE block",
                        s.span,
                    );
                    return;
                }
                if *order != 1 {
                    self.error(
                        "higher-order derivative equations are not supported by rsnrn yet",
                        s.span,
                    );
                    return;
                }
                let value = self.expr(scope, value);
                let Some((state, index)) = self.lvalue(scope, target) else {
                    return;
                };
                if self.mech.variables[state].kind != VariableKind::State {
                    let name = self.mech.variables[state].name.clone();
                    self.error(
                        format!(
                            "{name}' is a derivative equation for {name}, which is not a STATE"
                        ),
                        target.span,
                    );
                    return;
                }
                out.statements.push(Statement::Derivative {
                    state,
                    index,
                    value,
                    span: span(s.span),
                });
            }
            StmtKind::Call(call) => {
                let value = self.call(scope, call);
                out.statements.push(Statement::Evaluate {
                    value,
                    span: span(s.span),
                });
            }
            StmtKind::If(i) => {
                let st = self.if_statement(scope, i);
                out.statements.push(st);
            }
            StmtKind::While { cond, body } => {
                let condition = self.expr(scope, cond);
                let body = self.nested(scope, body);
                out.statements.push(Statement::While { condition, body });
            }
            StmtKind::FromLoop {
                var,
                from,
                to,
                by,
                body,
            } => {
                let from = self.expr(scope, from);
                let to = self.expr(scope, to);
                let by = by.as_ref().map(|b| self.expr(scope, b));
                let Some(counter) = self.resolve(scope, var) else {
                    return;
                };
                let body = self.nested(scope, body);
                out.statements.push(Statement::For {
                    counter,
                    from,
                    to,
                    by,
                    body,
                });
            }
            StmtKind::Table {
                names,
                depend,
                from,
                to,
                with,
            } => self.table(scope, s.span, names, depend, from, to, with),
            StmtKind::Solve {
                block,
                method,
                steadystate,
            } => {
                if scope.place != Place::Breakpoint {
                    self.error("SOLVE belongs in the BREAKPOINT block", s.span);
                    return;
                }
                if steadystate.is_some() {
                    self.error(
                        "SOLVE ... STEADYSTATE is not supported by rsnrn yet",
                        s.span,
                    );
                    return;
                }
                let Some(&target) = self.functions.get(&block.name) else {
                    self.error(
                        format!(
                            "SOLVE {} names no DERIVATIVE, KINETIC or PROCEDURE block of this file",
                            block.name
                        ),
                        block.span,
                    );
                    return;
                };
                let method = match method.as_ref().map(|m| m.name.as_str()) {
                    None => SolveMethod::None,
                    Some("cnexp") => SolveMethod::Cnexp,
                    Some("derivimplicit") => SolveMethod::Derivimplicit,
                    Some("euler") => SolveMethod::Euler,
                    Some("sparse") => SolveMethod::Sparse,
                    Some(other) => {
                        self.error(
                            format!("unknown integration METHOD {other}; NEURON knows cnexp, derivimplicit, euler and sparse"),
                            method.as_ref().map(|m| m.span).unwrap_or(s.span),
                        );
                        return;
                    }
                };
                scope.solves.push(Solve {
                    target,
                    method,
                    span: span(s.span),
                });
            }
            StmtKind::Verbatim(raw) => out.statements.push(Statement::Verbatim {
                text: raw.text.clone(),
                span: span(raw.span),
            }),
            StmtKind::Block(b) => {
                let inner = self.nested(scope, b);
                out.statements.extend(inner.statements);
            }
            StmtKind::Protect(inner) => self.statement(scope, inner, out),
            StmtKind::MutexLock
            | StmtKind::MutexUnlock
            | StmtKind::UnitsOn
            | StmtKind::UnitsOff => {}
            StmtKind::Reaction(_)
            | StmtKind::Conserve { .. }
            | StmtKind::Compartment { .. }
            | StmtKind::LongitudinalDiffusion { .. } => {
                self.error("KINETIC statements are not supported by rsnrn yet", s.span)
            }
            StmtKind::Equation { .. } => self.error(
                "LINEAR/NONLINEAR equations are not supported by rsnrn yet",
                s.span,
            ),
            StmtKind::Watch(_) => self.error("WATCH is not supported by rsnrn yet", s.span),
            StmtKind::ForNetcons { .. } => {
                self.error("FOR_NETCONS is not supported by rsnrn yet", s.span)
            }
            StmtKind::Lag { .. } => self.error("LAG is not supported by rsnrn yet", s.span),
            StmtKind::Initial(_) => self.error(
                "an INITIAL block belongs at top level or in NET_RECEIVE",
                s.span,
            ),
        }
    }

    fn if_statement(&mut self, scope: &mut Scope, i: &ast::IfStmt) -> Statement {
        let condition = self.expr(scope, &i.cond);
        let accept = self.nested(scope, &i.then_block);
        let reject = match &i.else_branch {
            None => Block::default(),
            Some(ast::ElseBranch::Else(b)) => self.nested(scope, b),
            Some(ast::ElseBranch::ElseIf(inner)) => Block {
                statements: vec![self.if_statement(scope, inner)],
            },
        };
        Statement::If {
            condition,
            accept,
            reject,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn table(
        &mut self,
        scope: &mut Scope,
        at: ast::Span,
        names: &[ast::Ident],
        depend: &[ast::Ident],
        from: &ast::Expr,
        to: &ast::Expr,
        with: &ast::Expr,
    ) {
        let Place::Function(h) = scope.place else {
            self.error("TABLE belongs in a PROCEDURE or FUNCTION", at);
            return;
        };
        if scope.table.is_some() {
            self.error("a second TABLE statement in the same block", at);
            return;
        }
        let kind = self.mech.functions[h].kind;
        if kind == FunctionKind::Function && !names.is_empty() {
            self.error(
                "a FUNCTION's TABLE tabulates the function's value and names no variables",
                at,
            );
        }
        let outputs = names
            .iter()
            .filter_map(|n| self.resolve(scope, n))
            .collect();
        let depend = depend
            .iter()
            .filter_map(|n| self.resolve(scope, n))
            .collect();
        let from = self.expr(scope, from);
        let to = self.expr(scope, to);
        let with = match &with.kind {
            ast::ExprKind::Number(n) if n.value >= 1.0 && n.value.fract() == 0.0 => n.value as u32,
            _ => {
                self.error(
                    "WITH takes a positive whole number of table intervals",
                    with.span,
                );
                return;
            }
        };
        scope.table = Some(Table {
            outputs,
            depend,
            from,
            to,
            with,
        });
    }

    fn lvalue(
        &mut self,
        scope: &mut Scope,
        lv: &ast::LValue,
    ) -> Option<(Handle<Variable>, Option<Expr>)> {
        let var = self.resolve(scope, &lv.name)?;
        let index = lv.index.as_ref().map(|i| self.expr(scope, i));
        let v = &self.mech.variables[var];
        match v.kind {
            VariableKind::Constant => {
                let name = v.name.clone();
                self.error(
                    format!("{name} is a constant and cannot be assigned"),
                    lv.span,
                );
                return None;
            }
            VariableKind::Builtin(_) => {
                let name = v.name.clone();
                self.error(
                    format!("{name} is provided by NEURON and cannot be assigned here"),
                    lv.span,
                );
                return None;
            }
            _ => {}
        }
        self.check_index(var, index.is_some(), lv.span);
        Some((var, index))
    }

    fn check_index(&mut self, var: Handle<Variable>, indexed: bool, at: ast::Span) {
        let v = &self.mech.variables[var];
        if indexed && v.size.is_none() {
            let name = v.name.clone();
            self.error(format!("{name} is not an array and cannot be indexed"), at);
        }
    }

    /// A name in an expression: LOCAL frames, then mechanism variables, then NEURON's.
    fn resolve(&mut self, scope: &Scope, name: &ast::Ident) -> Option<Handle<Variable>> {
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
        let hint = if self.functions.contains_key(&name.name) {
            format!("; {} is a function: call it with ()", name.name)
        } else {
            String::new()
        };
        self.error(
            format!("cannot find {} in this scope: it is not declared in PARAMETER, ASSIGNED, STATE, CONSTANT or as a LOCAL{hint}", name.name),
            name.span,
        );
        None
    }

    fn number(&mut self, x: f64) -> Expr {
        self.mech.expressions.append(Expression::Number(x))
    }

    fn expr(&mut self, scope: &mut Scope, e: &ast::Expr) -> Expr {
        use ast::ExprKind as K;
        match &e.kind {
            K::Number(n) => self.number(n.value),
            K::WithUnit { value, .. } => self.number(value.value),
            K::Name(n) => match self.resolve(scope, n) {
                Some(var) => {
                    if let Some(&x) = self.defines.get(&n.name) {
                        return self.number(x);
                    }
                    self.mech.expressions.append(Expression::Load(var))
                }
                None => match self.defines.get(&n.name) {
                    Some(&x) => {
                        // DEFINE'd names resolve to numbers; drop the error `resolve` pushed.
                        self.diagnostics.pop();
                        self.number(x)
                    }
                    None => self.number(f64::NAN),
                },
            },
            K::Index { name, index } => {
                let i = self.expr(scope, index);
                match self.resolve(scope, name) {
                    Some(var) => {
                        self.check_index(var, true, e.span);
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

    fn call(&mut self, scope: &mut Scope, c: &ast::Call) -> Expr {
        let args: Vec<Expr> = c.args.iter().map(|a| self.expr(scope, a)).collect();
        if let Some(&f) = self.functions.get(&c.name.name) {
            let func = &self.mech.functions[f];
            if !matches!(func.kind, FunctionKind::Procedure | FunctionKind::Function) {
                let name = func.name.clone();
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
                let (name, n) = (func.name.clone(), func.parameters.len());
                self.error(
                    format!(
                        "{name} takes {n} argument{} but {} {} given",
                        if n == 1 { "" } else { "s" },
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                    c.span,
                );
                return self.number(f64::NAN);
            }
            let list = self.mech.push_args(&args);
            return self.mech.expressions.append(Expression::Call(f, list));
        }
        if let Some(m) = MathFunction::from_name(&c.name.name) {
            if m.arity() != args.len() {
                let n = m.arity();
                self.error(
                    format!(
                        "{} takes {n} argument{} but {} {} given",
                        m.name(),
                        if n == 1 { "" } else { "s" },
                        args.len(),
                        if args.len() == 1 { "was" } else { "were" }
                    ),
                    c.span,
                );
                return self.number(f64::NAN);
            }
            let list = self.mech.push_args(&args);
            return self.mech.expressions.append(Expression::Math(m, list));
        }
        let known_later = [
            "net_send",
            "net_event",
            "net_move",
            "printf",
            "fprintf",
            "at_time",
            "state_discontinuity",
            "normrand",
            "exprand",
            "unirand",
            "scop_random",
            "set_seed",
            "nrn_ghk",
            "ghk",
        ];
        if known_later.contains(&c.name.name.as_str()) {
            self.error(
                format!("{}() is not supported by rsnrn yet", c.name.name),
                c.span,
            );
        } else {
            self.error(
                format!("cannot find function {} : it is neither a PROCEDURE or FUNCTION of this file nor a math function", c.name.name),
                c.name.span,
            );
        }
        self.number(f64::NAN)
    }
}

fn block_keyword(kind: FunctionKind) -> &'static str {
    match kind {
        FunctionKind::Procedure => "PROCEDURE",
        FunctionKind::Function => "FUNCTION",
        FunctionKind::Derivative => "DERIVATIVE",
        FunctionKind::Kinetic => "KINETIC",
        FunctionKind::Linear => "LINEAR",
        FunctionKind::NonLinear => "NONLINEAR",
    }
}

fn is_trivial_c(text: &str) -> bool {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.is_empty() || compact == "return0;"
}
