//! KINETIC blocks solved by `METHOD sparse` (and `STEADYSTATE sparse` in INITIAL).
//!
//! The block becomes a system function ([`rsnrn_abi::KineticSystemFn`]) that, at given
//! states, runs the block's statements and builds the Newton system of its implicit-Euler
//! step the way nocmodl's generated code does (NUMERICS §5):
//!
//! * every unknown row starts as `rhs = −(x − x_old)/dt`, `J[i][i] = 1/dt`, both multiplied by
//!   the state's COMPARTMENT volume;
//! * a reaction with forward flux `ff = kf·Π lhs^ν` and backward flux `bf = kb·Π rhs^ν` takes
//!   `ν·(ff − bf)` from each left STATE's rhs and adds it to each right one; its Jacobian
//!   entries are the derivatives of the fluxes by the STATEs, the rates held constant;
//! * `~ s << (flux)` adds `flux` to s's rhs (f_flux = 0, b_flux = flux afterwards);
//! * each CONSERVE replaces the row of one of its STATEs: `Σ ν·vol·Δs = total − Σ ν·vol·s`.
//!
//! The runtime's `sparse` service ([`rsnrn_abi::Services::sparse`]) iterates and solves.
//!
//! Unknowns are numbered as nocmodl does where it matters: the rows the CONSERVE statements
//! replace come first. CONSERVEs are taken last to first; each takes the last-written of its
//! scalar STATEs whose row is not taken yet. The other STATEs follow in declaration order
//! (nocmodl's order there only changes round-off).

use super::body::{flags, BodyEmitter, F64, PTR};
use super::{enter_body, Symbols};
use crate::layout::Layout;
use crate::CodegenError;
use cranelift_codegen::ir::{
    types, AbiParam, InstBuilder, Signature, StackSlotData, StackSlotKind, Value,
};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Module};
use nmodl_ir::{
    Block, Conserve, Expression, FluxDirection, Function, Handle, Mechanism, Reactant, Reaction,
    ReactionKind, Statement, Variable, VariableKind,
};
use rsnrn_abi::{KernelContext, Services, SPARSE_ALGEBRAIC, SPARSE_LINEAR, SPARSE_STEADY_STATE};
use std::collections::HashMap;
use std::mem::offset_of;
use std::rc::Rc;

type Result<T> = std::result::Result<T, CodegenError>;

/// A STATE solved for by the block: rows `base .. base + len`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unknown {
    pub variable: Handle<Variable>,
    pub base: usize,
    pub len: usize,
    pub array: bool,
}

/// The equations of one KINETIC block, as numbered for the solver.
#[derive(Debug)]
pub(crate) struct KineticSystem {
    pub unknowns: Vec<Unknown>,
    /// Number of rows (array STATEs count each element).
    pub size: usize,
    /// Row replaced by each CONSERVE, in source order.
    conserve_rows: Vec<usize>,
    /// Rows `0 .. conserved` are CONSERVE rows.
    conserved: usize,
    /// Whether the matrix does not depend on the states (nocmodl's `_linmat`).
    pub linear: bool,
    /// COMPARTMENT of each STATE.
    volumes: HashMap<Handle<Variable>, Volume>,
}

/// A COMPARTMENT's index variable (for array STATEs) and volume expression.
type Volume = (Option<Handle<Variable>>, Handle<Expression>);

/// Statements of a block in source order, nested blocks included.
pub(super) fn statements(block: &Block) -> Vec<&Statement> {
    fn walk<'a>(b: &'a Block, out: &mut Vec<&'a Statement>) {
        for s in &b.statements {
            out.push(s);
            match s {
                Statement::If { accept, reject, .. } => {
                    walk(accept, out);
                    walk(reject, out);
                }
                Statement::While { body, .. } | Statement::For { body, .. } => walk(body, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(block, &mut out);
    out
}

/// Whether `s` is solved through the sparse service: a KINETIC block by sparse, a LINEAR
/// block (no METHOD).
pub(crate) fn solved_by_service(mech: &Mechanism, s: &nmodl_ir::Solve) -> bool {
    use nmodl_ir::{FunctionKind, SolveMethod};
    matches!(
        (s.method, mech.functions[s.target].kind),
        (SolveMethod::Sparse, FunctionKind::Kinetic) | (SolveMethod::None, FunctionKind::Linear)
    )
}

/// The KINETIC and LINEAR blocks some SOLVE solves through the sparse service (in BREAKPOINT, INITIAL or elsewhere).
pub(crate) fn sparse_targets(mech: &Mechanism) -> Vec<Handle<Function>> {
    let mut out = Vec::new();
    for s in super::nonlinear::all_solves(mech) {
        if solved_by_service(mech, &s) && !out.contains(&s.target) {
            out.push(s.target);
        }
    }
    out
}

fn is_state(mech: &Mechanism, v: Handle<Variable>) -> bool {
    mech.states.iter().any(|s| s.variable == v)
}

impl KineticSystem {
    pub fn analyse(mech: &Mechanism, f: Handle<Function>) -> Result<KineticSystem> {
        let func = &mech.functions[f];
        let all = statements(&func.body);
        let mut involved = Vec::new();
        let mut conserves: Vec<&Conserve> = Vec::new();
        let mut linear = true;
        let mut volumes = HashMap::new();
        for s in &all {
            match s {
                Statement::Reaction(r) => {
                    let (rhs, rhs_has_rate): (&[Reactant], bool) = match &r.kind {
                        ReactionKind::Reversible { rhs, .. } => (rhs, true),
                        ReactionKind::Irreversible { rhs, .. } => (rhs, false),
                        ReactionKind::Flux { .. } => (&[], false),
                    };
                    for t in r.lhs.iter().chain(rhs) {
                        if is_state(mech, t.species) && !involved.contains(&t.species) {
                            involved.push(t.species);
                        }
                    }
                    if !matches!(r.kind, ReactionKind::Flux { .. }) {
                        let mut sides = vec![&r.lhs[..]];
                        if rhs_has_rate {
                            sides.push(rhs);
                        }
                        for side in sides {
                            let has_state = side.iter().any(|t| is_state(mech, t.species));
                            if has_state && !(side.len() == 1 && side[0].coefficient == 1) {
                                linear = false;
                            }
                        }
                    }
                }
                Statement::Conserve(c) => {
                    for t in &c.terms {
                        if !involved.contains(&t.species) {
                            involved.push(t.species);
                        }
                    }
                    conserves.push(c);
                }
                Statement::Compartment(c) => {
                    for &s in &c.species {
                        volumes.insert(s, (c.index, c.volume));
                    }
                }
                // The runtime diffuses after the state update (crate::longitudinal).
                Statement::LongitudinalDiffusion(_) => {}
                _ => {}
            }
        }
        // CONSERVE rows first, last statement first, each on its last-written free scalar.
        let mut order: Vec<Handle<Variable>> = Vec::new();
        let mut rows_reversed = Vec::new();
        for c in conserves.iter().rev() {
            let chosen =
                c.terms.iter().rev().find(|t| {
                    mech.variables[t.species].size.is_none() && !order.contains(&t.species)
                });
            let Some(t) = chosen else {
                return Err(CodegenError::at(
                    c.span,
                    "cannot choose an equation for this CONSERVE: each of its scalar STATEs already has one (nocmodl: \"Failed to diagonalize the Kinetic matrix\")".into(),
                ));
            };
            rows_reversed.push(order.len());
            order.push(t.species);
        }
        let conserved = order.len();
        let conserve_rows: Vec<usize> = rows_reversed.into_iter().rev().collect();
        for s in &mech.states {
            if involved.contains(&s.variable) && !order.contains(&s.variable) {
                order.push(s.variable);
            }
        }
        let mut unknowns = Vec::new();
        let mut size = 0;
        for v in order {
            let var = &mech.variables[v];
            let len = var.len() as usize;
            unknowns.push(Unknown {
                variable: v,
                base: size,
                len,
                array: var.size.is_some(),
            });
            size += len;
        }
        if size == 0 {
            return Err(CodegenError::at(
                func.span,
                format!("KINETIC {} contains no reactions of STATEs", func.name),
            ));
        }
        Ok(KineticSystem {
            unknowns,
            size,
            conserve_rows,
            conserved,
            linear,
            volumes,
        })
    }

    fn unknown(&self, v: Handle<Variable>) -> Option<&Unknown> {
        self.unknowns.iter().find(|u| u.variable == v)
    }

    /// Whether `v`'s row is replaced by a CONSERVE (only scalars can be).
    fn conserved(&self, v: Handle<Variable>) -> bool {
        self.unknown(v)
            .is_some_and(|u| !u.array && u.base < self.conserved)
    }
}

/// What the statements of a KINETIC block write to while its system function is emitted.
#[derive(Clone)]
pub(crate) struct KineticSink {
    system: Rc<KineticSystem>,
    jacobian: Value,
    rhs: Value,
    /// CONSERVE statements emitted so far.
    next_conserve: usize,
}

/// `(ctx, data, inst, v, x, x_old, jacobian, rhs)`, as [`rsnrn_abi::KineticSystemFn`].
pub(crate) fn system_signature(module: &dyn Module) -> Signature {
    let mut sig = module.make_signature();
    for _ in 0..3 {
        sig.params.push(AbiParam::new(PTR));
    }
    sig.params.push(AbiParam::new(F64));
    for _ in 0..4 {
        sig.params.push(AbiParam::new(PTR));
    }
    sig
}

/// `(n, x, system, mode, ctx, data, inst, v) -> status`, as [`rsnrn_abi::SparseFn`].
fn sparse_signature(module: &dyn Module) -> Signature {
    let mut sig = module.make_signature();
    for _ in 0..3 {
        sig.params.push(AbiParam::new(PTR));
    }
    sig.params.push(AbiParam::new(types::I32));
    for _ in 0..3 {
        sig.params.push(AbiParam::new(PTR));
    }
    sig.params.push(AbiParam::new(F64));
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

pub(super) fn f64_at(e: &mut BodyEmitter, base: Value, row: usize) -> Value {
    e.b.ins().load(F64, flags(), base, (row * 8) as i32)
}

/// Address of entry `index` (an i64 value) of an array of doubles.
fn entry(e: &mut BodyEmitter, base: Value, index: Value) -> Value {
    e.element_addr(base, index)
}

/// The volume of `species` (its element `element`, an f64, for arrays), if in a COMPARTMENT.
fn volume(
    e: &mut BodyEmitter,
    system: &KineticSystem,
    species: Handle<Variable>,
    element: Option<Value>,
) -> Result<Option<Value>> {
    let Some(&(index, expr)) = system.volumes.get(&species) else {
        return Ok(None);
    };
    if let Some(counter) = index {
        let at = match element {
            Some(x) => x,
            None => e.f64(0.0),
        };
        e.bind_local(counter, at);
    }
    Ok(Some(e.expr(expr)?))
}

#[allow(clippy::too_many_arguments)]
pub(super) fn emit_system_fn(
    module: &mut dyn Module,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    mech: &Mechanism,
    layout: &Layout,
    symbols: &Symbols,
    f: Handle<Function>,
) -> Result<()> {
    let system = Rc::new(KineticSystem::analyse(mech, f)?);
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let (env, extra) = enter_body(&mut b);
    let (x, x_old, jacobian, rhs) = (extra[0], extra[1], extra[2], extra[3]);
    let mut e = BodyEmitter::new(b, mech, layout, symbols, module, env);
    let body = &mech.functions[f].body;
    e.reset_locals_of(body);
    for u in &system.unknowns {
        for k in 0..u.len {
            let value = f64_at(&mut e, x, u.base + k);
            let index = u.array.then(|| e.b.ins().iconst(PTR, k as i64));
            e.store_var(u.variable, index, value)?;
        }
    }
    // rhs = −(1/dt)·(x − x_old), J[i][i] = 1/dt, then both times the volume.
    let dt =
        e.b.ins()
            .load(F64, flags(), env.ctx, offset_of!(KernelContext, dt) as i32);
    let one = e.f64(1.0);
    let dt1 = e.b.ins().fdiv(one, dt);
    let minus_dt1 = e.b.ins().fneg(dt1);
    let n = system.size;
    let with_matrix = e.b.create_block();
    let after_setup = e.b.create_block();
    e.b.ins().brif(jacobian, with_matrix, &[], after_setup, &[]);
    e.b.switch_to_block(with_matrix);
    for row in system.conserved..n {
        let now = f64_at(&mut e, x, row);
        let old = f64_at(&mut e, x_old, row);
        let change = e.b.ins().fsub(now, old);
        let r = e.b.ins().fmul(minus_dt1, change);
        e.b.ins().store(flags(), r, rhs, (row * 8) as i32);
        e.b.ins()
            .store(flags(), dt1, jacobian, ((row * n + row) * 8) as i32);
    }
    for u in system
        .unknowns
        .iter()
        .filter(|u| u.base >= system.conserved)
    {
        for k in 0..u.len {
            let element = u.array.then(|| e.f64(k as f64));
            let Some(vol) = volume(&mut e, &system, u.variable, element)? else {
                break;
            };
            let row = u.base + k;
            for (base, offset) in [(rhs, row), (jacobian, row * n + row)] {
                let old = f64_at(&mut e, base, offset);
                let scaled = e.b.ins().fmul(old, vol);
                e.b.ins().store(flags(), scaled, base, (offset * 8) as i32);
            }
        }
    }
    e.b.ins().jump(after_setup, &[]);
    e.b.switch_to_block(after_setup);
    e.kinetic_sink = Some(KineticSink {
        system,
        jacobian,
        rhs,
        next_conserve: 0,
    });
    e.block(body)?;
    e.b.ins().return_(&[]);
    e.finish();
    Ok(())
}

/// One side of a reaction: each term's value and, for STATEs, its row (i64).
struct Term {
    value: Value,
    coefficient: u32,
    /// Row of a STATE whose equation the reaction enters (None: not a STATE, or its row is
    /// a CONSERVE row).
    row: Option<Value>,
    /// Column of a STATE (None: not a STATE).
    column: Option<Value>,
}

fn terms(e: &mut BodyEmitter, sink: &KineticSink, side: &[Reactant]) -> Result<Vec<Term>> {
    let mut out = Vec::new();
    // nocmodl keeps a side's terms last-written first; products follow that order.
    for t in side.iter().rev() {
        let index = e.index_value(t.species, t.index)?;
        let value = e.load_var(t.species, index)?;
        let column = match sink.system.unknown(t.species) {
            Some(u) => {
                let base = e.b.ins().iconst(PTR, u.base as i64);
                Some(match index {
                    Some(i) => e.b.ins().iadd(base, i),
                    None => base,
                })
            }
            None => None,
        };
        let row = column.filter(|_| !sink.system.conserved(t.species));
        out.push(Term {
            value,
            coefficient: t.coefficient,
            row,
            column,
        });
    }
    Ok(out)
}

/// rate · Π value^ν over `side`, one factor per unit of each coefficient, leaving out one
/// unit of term `skip`.
fn product(e: &mut BodyEmitter, rate: Value, side: &[Term], skip: Option<usize>) -> Value {
    let mut acc = rate;
    for (k, t) in side.iter().enumerate() {
        let times = t.coefficient - u32::from(skip == Some(k));
        for _ in 0..times {
            acc = e.b.ins().fmul(acc, t.value);
        }
    }
    acc
}

/// Emits `body` only when the system function was given a matrix (`jacobian` not null): the
/// runtime's last evaluation at the solution passes none and runs the block for what it
/// assigns (the fluxes and everything computed from the states stay outside `body`).
fn when_matrix(
    e: &mut BodyEmitter,
    jacobian: Value,
    body: impl FnOnce(&mut BodyEmitter) -> Result<()>,
) -> Result<()> {
    let with_matrix = e.b.create_block();
    let after = e.b.create_block();
    e.b.ins().brif(jacobian, with_matrix, &[], after, &[]);
    e.b.switch_to_block(with_matrix);
    body(e)?;
    e.b.ins().jump(after, &[]);
    e.b.switch_to_block(after);
    Ok(())
}

fn add_to(e: &mut BodyEmitter, base: Value, index: Value, amount: Value, subtract: bool) {
    let a = entry(e, base, index);
    let old = e.load_f64(a);
    let new = if subtract {
        e.b.ins().fsub(old, amount)
    } else {
        e.b.ins().fadd(old, amount)
    };
    e.store_f64(new, a);
}

fn times(e: &mut BodyEmitter, coefficient: u32, x: Value) -> Value {
    if coefficient == 1 {
        return x;
    }
    let c = e.f64(coefficient as f64);
    e.b.ins().fmul(c, x)
}

fn bind_fluxes(e: &mut BodyEmitter, forward: Value, backward: Value) {
    let fluxes: Vec<_> = e
        .mech
        .variables
        .iter()
        .filter_map(|(h, v)| match v.kind {
            VariableKind::ReactionFlux(d) => Some((h, d)),
            _ => None,
        })
        .collect();
    for (h, d) in fluxes {
        e.bind_local(
            h,
            match d {
                FluxDirection::Forward => forward,
                FluxDirection::Backward => backward,
            },
        );
    }
}

/// A reaction statement inside the system function.
pub(super) fn reaction(e: &mut BodyEmitter, r: &Reaction) -> Result<()> {
    let sink = e.kinetic_sink.clone().expect("only called with a sink");
    if let ReactionKind::Flux { flux } = r.kind {
        let t = &r.lhs[0];
        let Some(u) = sink.system.unknown(t.species).copied() else {
            return Err(CodegenError::at(
                r.span,
                format!(
                    "{} must be a STATE to receive a flux",
                    e.mech.variables[t.species].name
                ),
            ));
        };
        if sink.system.conserved(t.species) {
            return Err(CodegenError::at(
                r.span,
                format!(
                    "{} is conserved and has a flux",
                    e.mech.variables[t.species].name
                ),
            ));
        }
        let value = e.expr(flux)?;
        let zero = e.f64(0.0);
        bind_fluxes(e, zero, value);
        let index = e.index_value(t.species, t.index)?;
        let base = e.b.ins().iconst(PTR, u.base as i64);
        let row = match index {
            Some(i) => e.b.ins().iadd(base, i),
            None => base,
        };
        return when_matrix(e, sink.jacobian, |e| {
            add_to(e, sink.rhs, row, value, false);
            Ok(())
        });
    }
    let (rhs_side, forward, backward) = match &r.kind {
        ReactionKind::Reversible {
            rhs,
            forward,
            backward,
        } => (rhs, *forward, Some(*backward)),
        ReactionKind::Irreversible { rhs, rate } => (rhs, *rate, None),
        ReactionKind::Flux { .. } => unreachable!("handled above"),
    };
    let kf = e.expr(forward)?;
    let kb = match backward {
        Some(b) => e.expr(b)?,
        None => e.f64(0.0),
    };
    let left = terms(e, &sink, &r.lhs)?;
    let right = terms(e, &sink, rhs_side)?;
    let ff = product(e, kf, &left, None);
    let bf = product(e, kb, &right, None);
    bind_fluxes(e, ff, bf);
    when_matrix(e, sink.jacobian, |e| {
        reaction_entries(
            e,
            &sink,
            [kf, kb],
            backward.is_some(),
            [&left, &right],
            [ff, bf],
        )
    })
}

/// A reaction's shares of the rhs (its net flux) and of the Jacobian.
fn reaction_entries(
    e: &mut BodyEmitter,
    sink: &KineticSink,
    [kf, kb]: [Value; 2],
    reversible: bool,
    [left, right]: [&Vec<Term>; 2],
    [ff, bf]: [Value; 2],
) -> Result<()> {
    let n = sink.system.size as i64;
    let net = e.b.ins().fsub(ff, bf);
    for (side, subtract) in [(left, true), (right, false)] {
        for t in side.iter() {
            if let Some(row) = t.row {
                let amount = times(e, t.coefficient, net);
                add_to(e, sink.rhs, row, amount, subtract);
            }
        }
    }
    // d(flux of side j)/d(state of side j) into every row of the reaction.
    let sides: Vec<(&Vec<Term>, Value, bool)> = if reversible {
        vec![(left, kf, true), (right, kb, false)]
    } else {
        vec![(left, kf, true)]
    };
    for &(side, rate, is_left) in &sides {
        for (k, t) in side.iter().enumerate() {
            let Some(column) = t.column else { continue };
            let rate = times(e, t.coefficient, rate);
            let term = product(e, rate, side, Some(k));
            for (other, other_left) in [(left, true), (right, false)] {
                for t1 in other.iter() {
                    let Some(row) = t1.row else { continue };
                    let amount = times(e, t1.coefficient, term);
                    let n_value = e.b.ins().iconst(PTR, n);
                    let offset = e.b.ins().imul(row, n_value);
                    let index = e.b.ins().iadd(offset, column);
                    add_to(e, sink.jacobian, index, amount, other_left != is_left);
                }
            }
        }
    }
    Ok(())
}

/// A CONSERVE statement inside the system function: sets its row.
pub(super) fn conserve(e: &mut BodyEmitter, c: &Conserve) -> Result<()> {
    let mut sink = e.kinetic_sink.clone().expect("only called with a sink");
    let row = sink.system.conserve_rows[sink.next_conserve];
    sink.next_conserve += 1;
    e.kinetic_sink.as_mut().expect("checked").next_conserve = sink.next_conserve;
    when_matrix(e, sink.jacobian, |e| conserve_row(e, c, &sink, row))
}

/// CONSERVE's row `row` of the matrix and its rhs.
fn conserve_row(e: &mut BodyEmitter, c: &Conserve, sink: &KineticSink, row: usize) -> Result<()> {
    let n = sink.system.size;
    let total = e.expr(c.total)?;
    let mut rhs = total;
    for t in c.terms.iter().rev() {
        let u = *sink
            .system
            .unknown(t.species)
            .expect("every CONSERVE term is an unknown");
        let (element, index) = match t.index {
            Some(i) => {
                let x = e.expr(i)?;
                let k = e.b.ins().fcvt_to_sint_sat(types::I64, x);
                (Some(x), Some(k))
            }
            None => (None, None),
        };
        let vol = volume(e, &sink.system, t.species, element)?;
        let mut coefficient = e.f64(t.coefficient);
        if let Some(vol) = vol {
            coefficient = e.b.ins().fmul(coefficient, vol);
        }
        let base = e.b.ins().iconst(PTR, (row * n + u.base) as i64);
        let column = match index {
            Some(k) => e.b.ins().iadd(base, k),
            None => base,
        };
        let a = entry(e, sink.jacobian, column);
        e.store_f64(coefficient, a);
        let mut s = e.load_var(t.species, index)?;
        if let Some(vol) = vol {
            s = e.b.ins().fmul(s, vol);
        }
        if t.coefficient != 1.0 {
            let c = e.f64(t.coefficient);
            s = e.b.ins().fmul(s, c);
        }
        rhs = e.b.ins().fsub(rhs, s);
    }
    e.b.ins().store(flags(), rhs, sink.rhs, (row * 8) as i32);
    Ok(())
}

/// In a kernel, for the current instance: solve KINETIC block `f` with `system_fn` by the
/// runtime's sparse service, one step or (`steady`) to the steady state; or LINEAR block `f`
/// ([`super::linear`]), whose system the service solves in one pass.
pub(super) fn emit_solve(
    e: &mut BodyEmitter,
    f: Handle<Function>,
    system_fn: FuncId,
    steady: bool,
) -> Result<()> {
    let (unknowns, n, mut mode) = if e.mech.functions[f].kind == nmodl_ir::FunctionKind::Linear {
        let unknowns = super::linear::unknowns(e.mech, f)?;
        let n = unknowns.len();
        (unknowns, n, SPARSE_LINEAR | SPARSE_ALGEBRAIC)
    } else {
        let system = KineticSystem::analyse(e.mech, f)?;
        let linear = if system.linear { SPARSE_LINEAR } else { 0 };
        (system.unknowns, system.size, linear)
    };
    let slot = e.b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        (n * 8) as u32,
        3,
    ));
    let x = e.b.ins().stack_addr(PTR, slot, 0);
    for u in &unknowns {
        for k in 0..u.len {
            let index = u.array.then(|| e.b.ins().iconst(PTR, k as i64));
            let value = e.load_var(u.variable, index)?;
            e.b.ins()
                .store(flags(), value, x, ((u.base + k) * 8) as i32);
        }
    }
    if steady {
        mode |= SPARSE_STEADY_STATE;
    }
    let services = e.load_ptr(e.env.ctx, offset_of!(KernelContext, services));
    let solver = e.load_ptr(services, offset_of!(Services, sparse));
    let fref = e.module.declare_func_in_func(system_fn, e.b.func);
    let system_addr = e.b.ins().func_addr(PTR, fref);
    let sig = sparse_signature(e.module);
    let sigref = e.b.import_signature(sig);
    let count = e.b.ins().iconst(PTR, n as i64);
    let mode = e.b.ins().iconst(types::I32, mode as i64);
    let env = e.env;
    let call = e.b.ins().call_indirect(
        sigref,
        solver,
        &[
            count,
            x,
            system_addr,
            mode,
            env.ctx,
            env.data,
            env.inst,
            env.v,
        ],
    );
    let status = e.b.inst_results(call)[0];
    let failed = e.b.create_block();
    let solved = e.b.create_block();
    e.b.ins().brif(status, failed, &[], solved, &[]);
    e.b.switch_to_block(failed);
    e.b.ins().return_(&[status]);
    e.b.switch_to_block(solved);
    for u in &unknowns {
        for k in 0..u.len {
            let value = e.b.ins().load(F64, flags(), x, ((u.base + k) * 8) as i32);
            let index = u.array.then(|| e.b.ins().iconst(PTR, k as i64));
            e.store_var(u.variable, index, value)?;
        }
    }
    Ok(())
}
