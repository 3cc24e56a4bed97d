//! Lowering of statement blocks: name resolution with LOCAL scopes, calls, SOLVE, TABLE,
//! KINETIC reactions, events, and the rules on which statement may appear in which block.

use crate::declarations::{Context, Owner, Write};
use crate::include::Located;
use crate::names::builtin_of;
use nmodl_ir::{
    Block, Builtin, Expression, FunctionKind, Handle, Hook, HookPhase, HookTime, MechanismKind,
    Solve, SolveMethod, Statement, Storage, Table, Variable, VariableKind, Verbatim, WatchClause,
};
use nmodl_syntax::ast::{self, ItemKind, StmtKind};
use std::collections::HashMap;

/// Per-body state while lowering.
pub(crate) struct Scope {
    pub(crate) owner: Owner,
    /// The kind of block for PROCEDURE/FUNCTION/DERIVATIVE/... bodies.
    pub(crate) kind: Option<FunctionKind>,
    pub(crate) frames: Vec<HashMap<String, Handle<Variable>>>,
    pub(crate) locals: Vec<Handle<Variable>>,
    pub(crate) solves: Vec<Solve>,
    pub(crate) table: Option<Table>,
    /// `f_flux` and `b_flux` of a KINETIC block, created on first use.
    pub(crate) flux: Option<(Handle<Variable>, Handle<Variable>)>,
    /// `flag` of NET_RECEIVE, created on first use.
    pub(crate) flag: Option<Handle<Variable>>,
    /// The INITIAL block nested in NET_RECEIVE.
    pub(crate) nested_initial: Option<Block>,
    /// A SOLVE seen in this body, for the "net_send needs NET_RECEIVE" rule.
    pub(crate) uses_net_send: Option<ast::Span>,
}

impl Scope {
    pub(crate) fn new(owner: Owner, kind: Option<FunctionKind>) -> Scope {
        Scope {
            owner,
            kind,
            frames: vec![HashMap::new()],
            locals: Vec::new(),
            solves: Vec::new(),
            table: None,
            flux: None,
            flag: None,
            nested_initial: None,
            uses_net_send: None,
        }
    }

    pub(crate) fn in_net_receive(&self) -> bool {
        matches!(self.owner, Owner::NetReceive | Owner::NetReceiveInitial)
    }

    pub(crate) fn bind(&mut self, name: &str, h: Handle<Variable>) {
        self.frames
            .last_mut()
            .expect("a scope always has a frame")
            .insert(name.to_string(), h);
    }
}

pub(crate) type Expr = Handle<Expression>;

/// Name of the block kind as written in NMODL.
pub(crate) fn block_keyword(kind: FunctionKind) -> &'static str {
    match kind {
        FunctionKind::Procedure => "PROCEDURE",
        FunctionKind::Function => "FUNCTION",
        FunctionKind::Derivative => "DERIVATIVE",
        FunctionKind::Kinetic => "KINETIC",
        FunctionKind::Linear => "LINEAR",
        FunctionKind::NonLinear => "NONLINEAR",
        FunctionKind::FunctionTable => "FUNCTION_TABLE",
    }
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

pub(crate) fn arity_message(name: &str, expected: &str, given: usize) -> String {
    format!(
        "{name} takes {expected} but {} {} given",
        plural(given, "argument"),
        if given == 1 { "was" } else { "were" }
    )
}

impl Context {
    /// Pass 2: every body.
    pub fn lower_bodies(&mut self, items: &[Located]) {
        let mut net_send_use = None;
        for l in items {
            self.origin = l.origin;
            let item = &l.item;
            match &item.kind {
                ItemKind::Initial(b) => {
                    // nocmodl runs several INITIAL blocks one after the other, in file order.
                    let (block, scope) = self.lower_body(Scope::new(Owner::Initial, None), b);
                    net_send_use = net_send_use.or(scope.uses_net_send);
                    match &mut self.mech.initial {
                        Some(first) => first.statements.extend(block.statements),
                        None => self.mech.initial = Some(block),
                    }
                }
                ItemKind::Breakpoint(b) => {
                    if self.mech.breakpoint.is_some() {
                        self.error("a second BREAKPOINT block; a mechanism has one", item.span);
                        continue;
                    }
                    let (block, scope) = self.lower_body(Scope::new(Owner::Breakpoint, None), b);
                    self.mech.breakpoint = Some(block);
                    self.mech.solves = scope.solves;
                }
                ItemKind::Procedure(c) | ItemKind::Function(c) => {
                    self.lower_function(&c.name, &c.body)
                }
                ItemKind::Derivative { name, body }
                | ItemKind::Kinetic { name, body }
                | ItemKind::Linear { name, body }
                | ItemKind::NonLinear { name, body } => self.lower_function(name, body),
                ItemKind::NetReceive { params, body } => {
                    if let Some(at) = self.net_receive(params, body, item.span) {
                        net_send_use = net_send_use.or(Some(at));
                    }
                }
                ItemKind::Constructor(b) | ItemKind::Destructor(b) => {
                    let constructor = matches!(item.kind, ItemKind::Constructor(_));
                    let owner = if constructor {
                        Owner::Constructor
                    } else {
                        Owner::Destructor
                    };
                    let slot_taken = if constructor {
                        self.mech.constructor.is_some()
                    } else {
                        self.mech.destructor.is_some()
                    };
                    let what = if constructor {
                        "CONSTRUCTOR"
                    } else {
                        "DESTRUCTOR"
                    };
                    if slot_taken {
                        self.error(format!("a second {what} block"), item.span);
                        continue;
                    }
                    if self.mech.kind == MechanismKind::Density {
                        self.error(
                            format!(
                                "{what} is only for POINT_PROCESS and ARTIFICIAL_CELL mechanisms"
                            ),
                            item.span,
                        );
                    }
                    let (block, _) = self.lower_body(Scope::new(owner, None), b);
                    if constructor {
                        self.mech.constructor = Some(block);
                    } else {
                        self.mech.destructor = Some(block);
                    }
                }
                ItemKind::Before { event, body } | ItemKind::After { event, body } => {
                    let when = if matches!(item.kind, ItemKind::Before { .. }) {
                        HookTime::Before
                    } else {
                        HookTime::After
                    };
                    let phase = match event {
                        ast::BlockEvent::Breakpoint => HookPhase::Breakpoint,
                        ast::BlockEvent::Solve => HookPhase::Solve,
                        ast::BlockEvent::Initial => HookPhase::Initial,
                        ast::BlockEvent::Step => HookPhase::Step,
                    };
                    let (block, scope) = self.lower_body(Scope::new(Owner::Hook, None), body);
                    let span = self.sp(item.span);
                    self.mech.hooks.push(Hook {
                        when,
                        phase,
                        locals: scope.locals,
                        body: block,
                        span,
                    });
                }
                ItemKind::Verbatim(raw) => {
                    let span = self.sp(raw.span);
                    self.mech.verbatim.push(Verbatim {
                        text: raw.text.clone(),
                        span,
                    });
                }
                _ => {}
            }
        }
        self.origin = None;
        if let (Some(at), None) = (net_send_use, &self.mech.net_receive) {
            self.error(
                "net_send needs a NET_RECEIVE block to receive the event",
                at,
            );
        }
    }

    fn lower_function(&mut self, name: &ast::Ident, body: &ast::Block) {
        let Some(&h) = self.functions.get(&name.name) else {
            return;
        };
        let kind = self.mech.functions[h].kind;
        let mut scope = Scope::new(Owner::Function(h), Some(kind));
        let f = &self.mech.functions[h];
        let mut bound = Vec::new();
        for &p in &f.parameters {
            bound.push((self.mech.variables[p].name.clone(), p));
        }
        if let Some(r) = f.result {
            bound.push((f.name.clone(), r));
        }
        for (n, p) in bound {
            scope.bind(&n, p);
        }
        let (block, scope) = self.lower_body(scope, body);
        let f = &mut self.mech.functions[h];
        f.body = block;
        f.locals = scope.locals;
        f.table = scope.table;
    }

    pub(crate) fn lower_body(&mut self, mut scope: Scope, body: &ast::Block) -> (Block, Scope) {
        let block = self.block(&mut scope, &body.stmts);
        (block, scope)
    }

    pub(crate) fn block(&mut self, scope: &mut Scope, stmts: &[ast::Stmt]) -> Block {
        let mut out = Block::default();
        for s in stmts {
            self.statement(scope, s, &mut out);
        }
        out
    }

    pub(crate) fn nested(&mut self, scope: &mut Scope, b: &ast::Block) -> Block {
        scope.frames.push(HashMap::new());
        let block = self.block(scope, &b.stmts);
        scope.frames.pop();
        block
    }

    pub(crate) fn is_kinetic(scope: &Scope) -> bool {
        scope.kind == Some(FunctionKind::Kinetic)
    }

    pub(crate) fn only_in_kinetic(&mut self, scope: &Scope, what: &str, at: ast::Span) -> bool {
        if Self::is_kinetic(scope) {
            return true;
        }
        self.error(format!("{what} belongs in a KINETIC block"), at);
        false
    }

    pub(crate) fn only_in_net_receive(&mut self, scope: &Scope, what: &str, at: ast::Span) -> bool {
        if scope.in_net_receive() {
            return true;
        }
        self.error(
            format!("{what} is only allowed in the NET_RECEIVE block"),
            at,
        );
        false
    }

    pub(crate) fn statement(&mut self, scope: &mut Scope, s: &ast::Stmt, out: &mut Block) {
        match &s.kind {
            StmtKind::Local(vars) => self.locals(scope, vars),
            StmtKind::Assign { target, value } => {
                let value = self.expr(scope, value);
                if let Some((target, index)) = self.lvalue(scope, target) {
                    let span = self.sp(s.span);
                    out.statements.push(Statement::Assign {
                        target,
                        index,
                        value,
                        span,
                    });
                }
            }
            StmtKind::Derivative {
                target,
                order,
                value,
            } => self.derivative(scope, s.span, target, *order, value, out),
            StmtKind::Call(call) => self.call_statement(scope, call, s.span, out),
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
                // nocmodl makes the counter a fresh C int scoped to the loop; a LOCAL of the
                // same name declared for it counts as used.
                if let Some(h) = scope.frames.iter().rev().find_map(|f| f.get(&var.name)) {
                    self.reads.insert(*h);
                }
                let counter =
                    self.local_variable(var, VariableKind::LoopCounter, Storage::Local, None);
                scope.locals.push(counter);
                scope.frames.push(HashMap::new());
                scope.bind(&var.name, counter);
                let body = self.nested(scope, body);
                scope.frames.pop();
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
            } => self.solve(
                scope,
                s.span,
                block,
                method.as_ref(),
                steadystate.as_ref(),
                out,
            ),
            StmtKind::Verbatim(raw) => {
                let span = self.sp(raw.span);
                out.statements.push(Statement::Verbatim {
                    text: raw.text.clone(),
                    span,
                })
            }
            StmtKind::Block(b) => {
                let inner = self.nested(scope, b);
                out.statements.extend(inner.statements);
            }
            StmtKind::Protect(inner) => {
                let mut body = Block::default();
                self.statement(scope, inner, &mut body);
                let span = self.sp(s.span);
                out.statements.push(Statement::Protect { body, span });
            }
            StmtKind::MutexLock | StmtKind::MutexUnlock => {
                let span = self.sp(s.span);
                out.statements.push(Statement::Mutex {
                    lock: matches!(s.kind, StmtKind::MutexLock),
                    span,
                });
            }
            StmtKind::UnitsOn | StmtKind::UnitsOff => {}
            StmtKind::Reaction(r) => {
                if self.only_in_kinetic(scope, "a reaction statement (~)", s.span) {
                    self.reaction(scope, r, s.span, out);
                }
            }
            StmtKind::Conserve { lhs, rhs } => {
                if self.only_in_kinetic(scope, "CONSERVE", s.span) {
                    self.conserve(scope, lhs, rhs, s.span, out);
                }
            }
            StmtKind::Compartment {
                index,
                volume,
                species,
            }
            | StmtKind::LongitudinalDiffusion {
                index,
                rate: volume,
                species,
            } => {
                let diffusion = matches!(s.kind, StmtKind::LongitudinalDiffusion { .. });
                let what = if diffusion {
                    "LONGITUDINAL_DIFFUSION"
                } else {
                    "COMPARTMENT"
                };
                if self.only_in_kinetic(scope, what, s.span) {
                    let c = self.compartment(scope, index.as_ref(), volume, species, s.span);
                    out.statements.push(if diffusion {
                        Statement::LongitudinalDiffusion(c)
                    } else {
                        Statement::Compartment(c)
                    });
                }
            }
            StmtKind::Equation { lhs, rhs } => {
                if !matches!(
                    scope.kind,
                    Some(FunctionKind::Linear | FunctionKind::NonLinear)
                ) {
                    self.error(
                        "an equation ~ lhs = rhs belongs in a LINEAR or NONLINEAR block",
                        s.span,
                    );
                    return;
                }
                let lhs = self.expr(scope, lhs);
                let rhs = self.expr(scope, rhs);
                let span = self.sp(s.span);
                out.statements.push(Statement::Equation { lhs, rhs, span });
            }
            StmtKind::Watch(clauses) => {
                if !self.only_in_net_receive(scope, "WATCH", s.span) {
                    return;
                }
                let clauses = clauses
                    .iter()
                    .map(|c| WatchClause {
                        condition: self.expr(scope, &c.cond),
                        flag: self.expr(scope, &c.flag),
                    })
                    .collect();
                let span = self.sp(s.span);
                out.statements.push(Statement::Watch { clauses, span });
            }
            StmtKind::ForNetcons { params, body } => {
                self.for_netcons(scope, params, body, s.span, out)
            }
            StmtKind::Lag { name, by } => {
                let (Some(variable), Some(by_var)) =
                    (self.resolve(scope, name), self.resolve(scope, by))
                else {
                    return;
                };
                let lagged_name = format!("lag_{}_{}", name.name, by.name);
                let lagged = match self.names.get(&lagged_name) {
                    Some(&h) => h,
                    None => {
                        let ident = ast::Ident {
                            name: lagged_name,
                            span: name.span,
                        };
                        let h = self.local_variable(
                            &ident,
                            VariableKind::Assigned,
                            Storage::Range,
                            None,
                        );
                        self.names.insert(ident.name, h);
                        h
                    }
                };
                self.reads.insert(variable);
                self.reads.insert(by_var);
                let span = self.sp(s.span);
                out.statements.push(Statement::Lag {
                    variable,
                    by: by_var,
                    lagged,
                    span,
                });
            }
            StmtKind::Initial(b) => {
                if scope.owner != Owner::NetReceive || scope.frames.len() != 1 {
                    self.error(
                        "an INITIAL block belongs at top level or directly in NET_RECEIVE",
                        s.span,
                    );
                    return;
                }
                if scope.nested_initial.is_some() {
                    self.error("a second INITIAL block in NET_RECEIVE", s.span);
                    return;
                }
                scope.owner = Owner::NetReceiveInitial;
                let block = self.nested(scope, b);
                scope.owner = Owner::NetReceive;
                scope.nested_initial = Some(block);
            }
        }
    }

    fn locals(&mut self, scope: &mut Scope, vars: &[ast::LocalVar]) {
        for v in vars {
            if builtin_of(&v.name.name).is_some() && v.name.name != "v" {
                self.warning(
                    format!("LOCAL {} hides the variable NEURON provides", v.name.name),
                    v.name.span,
                );
            }
            let size = self.array_size(v.array.as_ref());
            let h = self.local_variable(&v.name, VariableKind::Local, Storage::Local, size);
            scope.locals.push(h);
            scope.bind(&v.name.name, h);
        }
    }

    fn derivative(
        &mut self,
        scope: &mut Scope,
        at: ast::Span,
        target: &ast::LValue,
        order: u32,
        value: &ast::Expr,
        out: &mut Block,
    ) {
        if !matches!(
            scope.kind,
            Some(FunctionKind::Derivative | FunctionKind::Kinetic)
        ) {
            self.error(
                "a derivative equation belongs in a DERIVATIVE (or KINETIC) block",
                at,
            );
            return;
        }
        if order != 1 {
            self.error(
                "higher-order derivative equations are not supported (nocmodl cannot translate them either); write a system of first-order equations",
                at,
            );
            return;
        }
        let value = self.expr(scope, value);
        let Some((state, index)) = self.lvalue(scope, target) else {
            return;
        };
        if !self.mech.states.iter().any(|s| s.variable == state) {
            let name = self.mech.variables[state].name.clone();
            self.error(
                format!("{name}' is a derivative equation for {name}, which is not a STATE"),
                target.span,
            );
            return;
        }
        let span = self.sp(at);
        out.statements.push(Statement::Derivative {
            state,
            index,
            value,
            span,
        });
    }

    fn solve(
        &mut self,
        scope: &mut Scope,
        at: ast::Span,
        block: &ast::Ident,
        method: Option<&ast::Ident>,
        steadystate: Option<&ast::Ident>,
        out: &mut Block,
    ) {
        let Some(&target) = self.functions.get(&block.name) else {
            self.error(
                format!(
                    "SOLVE {} names no DERIVATIVE, KINETIC, LINEAR, NONLINEAR or PROCEDURE block of this file",
                    block.name
                ),
                block.span,
            );
            return;
        };
        let kind = self.mech.functions[target].kind;
        let name = self.mech.functions[target].name.clone();
        // nocmodl solves LINEAR and NONLINEAR blocks wherever a statement may stand (a
        // PROCEDURE, a FUNCTION, a DERIVATIVE block); everything else only in BREAKPOINT and
        // INITIAL.
        let algebraic = matches!(kind, FunctionKind::Linear | FunctionKind::NonLinear)
            && method.is_none()
            && steadystate.is_none();
        if !algebraic && !matches!(scope.owner, Owner::Breakpoint | Owner::Initial) {
            self.error("SOLVE belongs in the BREAKPOINT or INITIAL block", at);
            return;
        }
        let method_ident = steadystate.or(method);
        let explicit = match method_ident {
            None => None,
            Some(m) => match SolveMethod::from_name(&m.name) {
                Some(x) => Some(x),
                None => {
                    self.error(
                        format!("unknown integration method {}; NEURON knows cnexp, derivimplicit, euler, runge and sparse (and after_cvode, cvode_t)", m.name),
                        m.span,
                    );
                    return;
                }
            },
        };
        // nocmodl's defaults: derivimplicit for DERIVATIVE, sparse for KINETIC.
        let method = match (explicit, kind) {
            (Some(m), _) => m,
            (None, FunctionKind::Derivative) => SolveMethod::Derivimplicit,
            (None, FunctionKind::Kinetic) => SolveMethod::Sparse,
            (None, _) => SolveMethod::None,
        };
        let steady_state = steadystate.is_some();
        let ok = match (method, kind) {
            (_, FunctionKind::Function | FunctionKind::FunctionTable) => false,
            (SolveMethod::None, k) => matches!(
                k,
                FunctionKind::Procedure | FunctionKind::Linear | FunctionKind::NonLinear
            ),
            (SolveMethod::Sparse, FunctionKind::Kinetic) => true,
            (SolveMethod::Derivimplicit, FunctionKind::Derivative) => true,
            // nocmodl turns the reactions into derivatives for euler and runge (and ignores
            // CONSERVE); it refuses cnexp and derivimplicit for KINETIC blocks.
            (SolveMethod::Euler | SolveMethod::Runge, FunctionKind::Kinetic) => !steady_state,
            (
                SolveMethod::Cnexp | SolveMethod::Euler | SolveMethod::Runge,
                FunctionKind::Derivative,
            ) => !steady_state,
            (SolveMethod::AfterCvode | SolveMethod::CvodeT, FunctionKind::Procedure) => {
                !steady_state
            }
            _ => false,
        };
        if !ok {
            let target_span = method_ident.map(|m| m.span).unwrap_or(at);
            let message = if steady_state {
                format!("STEADYSTATE {} cannot solve {name}, a {} block; use sparse for KINETIC and derivimplicit for DERIVATIVE blocks", method.name(), block_keyword(kind))
            } else if matches!(kind, FunctionKind::Function | FunctionKind::FunctionTable) {
                format!(
                    "{name} is a {}, which cannot be SOLVEd; call it instead",
                    block_keyword(kind)
                )
            } else if method == SolveMethod::None {
                format!(
                    "SOLVE {name} needs METHOD for a {} block",
                    block_keyword(kind)
                )
            } else {
                format!(
                    "METHOD {} cannot integrate {name}, a {} block",
                    method.name(),
                    block_keyword(kind)
                )
            };
            self.error(message, target_span);
            return;
        }
        let solve = Solve {
            target,
            method,
            steady_state,
            span: self.sp(at),
        };
        if scope.owner == Owner::Breakpoint {
            scope.solves.push(solve);
        } else {
            out.statements.push(Statement::Solve(solve));
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
        if !matches!(
            scope.kind,
            Some(FunctionKind::Procedure | FunctionKind::Function)
        ) {
            self.error("TABLE belongs in a PROCEDURE or FUNCTION", at);
            return;
        }
        if scope.table.is_some() {
            self.error("a second TABLE statement in the same block", at);
            return;
        }
        if scope.kind == Some(FunctionKind::Function) && !names.is_empty() {
            self.error(
                "a FUNCTION's TABLE tabulates the function's value and names no variables",
                at,
            );
        }
        if scope.kind == Some(FunctionKind::Procedure) && names.is_empty() {
            self.error(
                "a PROCEDURE's TABLE must name the variables it tabulates",
                at,
            );
        }
        let mut outputs = Vec::new();
        for n in names {
            let Some(h) = self.resolve(scope, n) else {
                continue;
            };
            if self.mech.variables[h].storage == Storage::Local {
                self.error(
                    format!(
                        "TABLE output {} must be a mechanism variable, not a LOCAL or argument",
                        n.name
                    ),
                    n.span,
                );
            }
            self.note_write(scope, h, n.span);
            outputs.push(h);
        }
        let mut depends = Vec::new();
        for n in depend {
            let Some(h) = self.resolve(scope, n) else {
                continue;
            };
            self.reads.insert(h);
            depends.push(h);
        }
        let from = self.expr(scope, from);
        let to = self.expr(scope, to);
        let with = match &with.kind {
            ast::ExprKind::Number(n) if n.value >= 1.0 && n.value.fract() == 0.0 => {
                n.value.min(u32::MAX as f64) as u32
            }
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
            depend: depends,
            from,
            to,
            with,
        });
    }

    pub(crate) fn lvalue(
        &mut self,
        scope: &mut Scope,
        lv: &ast::LValue,
    ) -> Option<(Handle<Variable>, Option<Expr>)> {
        let index = lv.index.as_ref().map(|i| self.expr(scope, i));
        if self.functions.contains_key(&lv.name.name)
            && !scope.frames.iter().any(|f| f.contains_key(&lv.name.name))
        {
            self.error(
                format!(
                    "{} is a function; a value can only be assigned to it inside its own FUNCTION",
                    lv.name.name
                ),
                lv.name.span,
            );
            return None;
        }
        let var = self.resolve(scope, &lv.name)?;
        let v = &self.mech.variables[var];
        let name = v.name.clone();
        match v.kind {
            VariableKind::Builtin(Builtin::V) => self.warning(
                "assigning v changes only this mechanism's copy of the membrane potential",
                lv.span,
            ),
            VariableKind::Builtin(_) => {
                self.error(
                    format!(
                        "{name} is a special NEURON variable and cannot be assigned in a .mod file"
                    ),
                    lv.span,
                );
                return None;
            }
            VariableKind::Constant => self.warning(
                format!("{name} is a CONSTANT; assigning it changes it for every instance"),
                lv.span,
            ),
            VariableKind::Random => {
                self.error(
                    format!("{name} is a RANDOM stream and can only be passed to the random_* functions"),
                    lv.span,
                );
                return None;
            }
            VariableKind::ReactionFlux(_) => {
                self.error(
                    format!("{name} is the flux of the previous reaction and cannot be assigned"),
                    lv.span,
                );
                return None;
            }
            _ => {}
        }
        self.check_index(var, index.is_some(), lv.span);
        self.note_write(scope, var, lv.span);
        Some((var, index))
    }

    pub(crate) fn note_write(&mut self, scope: &Scope, var: Handle<Variable>, at: ast::Span) {
        if self.mech.variables[var].storage != Storage::Local {
            let span = match self.origin.and_then(|o| self.origins.get(o)) {
                Some(o) => o.include_span,
                None => at,
            };
            self.writes.push(Write {
                variable: var,
                owner: scope.owner,
                span,
            });
        }
        self.used_local(var);
    }

    pub(crate) fn used_local(&mut self, var: Handle<Variable>) {
        if self.mech.variables[var].storage == Storage::Local {
            self.reads.insert(var);
        }
    }

    pub(crate) fn check_index(&mut self, var: Handle<Variable>, indexed: bool, at: ast::Span) {
        let v = &self.mech.variables[var];
        if indexed && v.size.is_none() {
            let name = v.name.clone();
            self.error(format!("{name} is not an array and cannot be indexed"), at);
        }
    }
}
