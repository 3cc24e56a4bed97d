//! `METHOD derivimplicit`: the DERIVATIVE block becomes a function that evaluates the
//! derivatives at given state values ([`rsnrn_abi::DerivativeFn`]); the state kernel hands it
//! to the simulator's Newton solver (`KernelContext::services`), which implements NEURON's
//! iteration (NUMERICS §5), and stores the solution back.

use super::body::{flags, BodyEmitter, F64, PTR};
use super::{enter_body, Symbols};
use crate::layout::Layout;
use crate::CodegenError;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, AbiParam, InstBuilder, Signature, StackSlotData, StackSlotKind, Value,
};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Module};
use nmodl_ir::{Block, Function, Handle, Mechanism, Statement, Variable};
use rsnrn_abi::{KernelContext, Services};
use std::cell::Cell;
use std::mem::offset_of;

thread_local! {
    /// Set by [`with_newton_service`].
    static SERVICE_ONLY: Cell<bool> = const { Cell::new(false) };
}

/// Whether [`with_newton_service`] is in effect on this thread.
pub(crate) fn newton_service_requested() -> bool {
    SERVICE_ONLY.with(|s| s.get())
}

/// Runs `f` with every derivimplicit solve generated on this thread calling the runtime's
/// Newton service, also for one state (for comparing the inline iteration with it).
pub fn with_newton_service<T>(f: impl FnOnce() -> T) -> T {
    let before = SERVICE_ONLY.with(|s| s.replace(true));
    let result = f();
    SERVICE_ONLY.with(|s| s.set(before));
    result
}

/// The states of a DERIVATIVE block in the order of their equations.
pub(crate) fn derivative_states(mech: &Mechanism, f: Handle<Function>) -> Vec<Handle<Variable>> {
    fn walk(b: &Block, out: &mut Vec<Handle<Variable>>) {
        for s in &b.statements {
            match s {
                Statement::Derivative { state, .. } if !out.contains(state) => out.push(*state),
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
    walk(&mech.functions[f].body, &mut out);
    out
}

/// `(ctx, data, inst, v, x, dxdt)`, as [`rsnrn_abi::DerivativeFn`].
pub(crate) fn derivative_signature(module: &dyn Module) -> Signature {
    let mut sig = module.make_signature();
    for _ in 0..3 {
        sig.params.push(AbiParam::new(PTR));
    }
    sig.params.push(AbiParam::new(F64));
    sig.params.push(AbiParam::new(PTR));
    sig.params.push(AbiParam::new(PTR));
    sig
}

/// `(n, x, derivative, ctx, data, inst, v) -> status`, as [`rsnrn_abi::DerivimplicitFn`].
fn solver_signature(module: &dyn Module) -> Signature {
    let mut sig = module.make_signature();
    for _ in 0..6 {
        sig.params.push(AbiParam::new(PTR));
    }
    sig.params.push(AbiParam::new(F64));
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

#[allow(clippy::too_many_arguments)]
pub(super) fn emit_derivative_fn(
    module: &mut dyn Module,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    mech: &Mechanism,
    layout: &Layout,
    symbols: &Symbols,
    f: Handle<Function>,
) -> Result<(), CodegenError> {
    let states = derivative_states(mech, f);
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let (env, extra) = enter_body(&mut b);
    let (x, dxdt) = (extra[0], extra[1]);
    let mut e = BodyEmitter::new(b, mech, layout, symbols, module, env);
    for (k, &s) in states.iter().enumerate() {
        let value = e.b.ins().load(F64, flags(), x, (k * 8) as i32);
        e.store_var(s, None, value)?;
    }
    e.derivative_sink = Some((dxdt, states));
    let body = &mech.functions[f].body;
    e.reset_locals_of(body);
    e.block(body)?;
    e.b.ins().return_(&[]);
    e.finish();
    Ok(())
}

/// In the state kernel, for the current instance: solve block `f` with `derivative`.
pub(super) fn emit_solve(
    e: &mut BodyEmitter,
    f: Handle<Function>,
    derivative: FuncId,
) -> Result<(), CodegenError> {
    let states = derivative_states(e.mech, f);
    if let [state] = states[..] {
        if !SERVICE_ONLY.with(|s| s.get()) {
            return emit_newton_one(e, state, derivative);
        }
    }
    emit_newton(e, &states, derivative, 0)
}

/// derivimplicit of one state for the current instance, inline: the runtime service's
/// iteration for one unknown (services.rs, `newton_one`) operation for operation, so the
/// same iterates, with the derivative function called directly. A calcium pool solved so
/// is in most ModelDB cells; the service's call, its argument checks and the indirect
/// calls of the derivative took twice the time of the derivative itself (ModelDB 2488).
/// f64::max(a, b) with b a number is a > b ? a : b there (NaN gives b) and so here.
fn emit_newton_one(
    e: &mut BodyEmitter,
    state: Handle<Variable>,
    derivative: FuncId,
) -> Result<(), CodegenError> {
    use rsnrn_abi::{
        NEWTON_CONVERGED, NEWTON_MAX_ITERATIONS, NEWTON_MIN_INCREMENT, NEWTON_REBUILD_CHANGE,
        NEWTON_ZERO, STATUS_NO_CONVERGENCE,
    };
    let x_old = e.load_var(state, None)?;
    let slot =
        e.b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 16, 3));
    let (x_at, dxdt_at) = (
        e.b.ins().stack_addr(PTR, slot, 0),
        e.b.ins().stack_addr(PTR, slot, 8),
    );
    // The step: dt, or dt/2 under secondorder (then x += (dt/2)·f(x) at the end).
    let env = e.env;
    let dt =
        e.b.ins()
            .load(F64, flags(), env.ctx, offset_of!(KernelContext, dt) as i32);
    let secondorder = e.b.ins().load(
        F64,
        flags(),
        env.ctx,
        offset_of!(KernelContext, secondorder) as i32,
    );
    let zero = e.f64(0.0);
    let second = e.b.ins().fcmp(FloatCC::NotEqual, secondorder, zero);
    let two = e.f64(2.0);
    let half = e.b.ins().fdiv(dt, two);
    let step = e.b.ins().select(second, half, dt);
    let fref = e.module.declare_func_in_func(derivative, e.b.func);
    // f(x), the derivative function at x.
    let derivative_at = |e: &mut BodyEmitter, x: Value| -> Value {
        e.b.ins().store(flags(), x, x_at, 0);
        let env = e.env;
        e.b.ins()
            .call(fref, &[env.ctx, env.data, env.inst, env.v, x_at, dxdt_at]);
        e.b.ins().load(F64, flags(), dxdt_at, 0)
    };
    // f(x) − (x − x_old)/step.
    let residual = |e: &mut BodyEmitter, x: Value| -> Value {
        let f = derivative_at(e, x);
        let moved = e.b.ins().fsub(x, x_old);
        let rate = e.b.ins().fdiv(moved, step);
        e.b.ins().fsub(f, rate)
    };
    // a > b ? a : b, f64::max(a, b) for a number b.
    let max_with = |e: &mut BodyEmitter, a: Value, b: f64| -> Value {
        let b = e.f64(b);
        let above = e.b.ins().fcmp(FloatCC::GreaterThan, a, b);
        e.b.ins().select(above, a, b)
    };
    let finite = |e: &mut BodyEmitter, a: Value| -> Value {
        let magnitude = e.b.ins().fabs(a);
        let infinity = e.f64(f64::INFINITY);
        e.b.ins().fcmp(FloatCC::LessThan, magnitude, infinity)
    };

    // iteration(i, x, change, slope, value)
    let iteration = e.b.create_block();
    let jacobian = e.b.create_block();
    let update = e.b.create_block();
    let check = e.b.create_block();
    let next = e.b.create_block();
    let solved = e.b.create_block();
    let failed = e.b.create_block();
    e.b.append_block_param(iteration, types::I64);
    for _ in 0..4 {
        e.b.append_block_param(iteration, F64);
    }
    for _ in 0..3 {
        e.b.append_block_param(update, F64);
    }
    e.b.append_block_param(check, F64);
    for _ in 0..4 {
        e.b.append_block_param(next, F64);
    }
    e.b.append_block_param(solved, F64);
    let first = e.b.ins().iconst(types::I64, 0);
    e.b.ins().jump(
        iteration,
        &[
            first.into(),
            x_old.into(),
            zero.into(),
            zero.into(),
            zero.into(),
        ],
    );

    e.b.switch_to_block(iteration);
    let p = e.b.block_params(iteration).to_vec();
    let (i, x, change, slope, value) = (p[0], p[1], p[2], p[3], p[4]);
    let is_first = e.b.ins().icmp_imm_u(IntCC::Equal, i, 0);
    let rebuild_change = e.f64(NEWTON_REBUILD_CHANGE);
    let changed_much = e.b.ins().fcmp(FloatCC::GreaterThan, change, rebuild_change);
    let rebuild = e.b.ins().bor(is_first, changed_much);
    e.b.ins().brif(
        rebuild,
        jacobian,
        &[],
        update,
        &[x.into(), slope.into(), value.into()],
    );

    // The slope by central differences, then the residual at x again.
    e.b.switch_to_block(jacobian);
    let fraction = e.f64(0.02);
    let scaled = e.b.ins().fmul(fraction, x);
    let magnitude = e.b.ins().fabs(scaled);
    let increment = max_with(e, magnitude, NEWTON_MIN_INCREMENT);
    let up = e.b.ins().fadd(x, increment);
    let high = residual(e, up);
    let two_increments = e.b.ins().fmul(two, increment);
    let down = e.b.ins().fsub(up, two_increments);
    let low = residual(e, down);
    let difference = e.b.ins().fsub(high, low);
    let new_slope = e.b.ins().fdiv(difference, two_increments);
    let back = e.b.ins().fadd(down, increment);
    let new_value = residual(e, back);
    // SmallLu's test of a 1×1 matrix: non-zero and finite.
    let nonzero = e.b.ins().fcmp(FloatCC::NotEqual, new_slope, zero);
    let slope_finite = finite(e, new_slope);
    let usable = e.b.ins().band(nonzero, slope_finite);
    e.b.ins().brif(
        usable,
        update,
        &[back.into(), new_slope.into(), new_value.into()],
        failed,
        &[],
    );

    // x += −value/slope; the relative change and the residual there.
    e.b.switch_to_block(update);
    let p = e.b.block_params(update).to_vec();
    let (x, slope, value) = (p[0], p[1], p[2]);
    let minus_value = e.b.ins().fneg(value);
    let delta = e.b.ins().fdiv(minus_value, slope);
    let size = e.b.ins().fabs(x);
    let tiny = e.f64(NEWTON_ZERO);
    let counts = e.b.ins().fcmp(FloatCC::GreaterThan, size, tiny);
    let ratio = e.b.ins().fdiv(delta, x);
    let relative = e.b.ins().fabs(ratio);
    let relative = max_with(e, relative, 0.0);
    let new_change = e.b.ins().select(counts, relative, zero);
    let moved = e.b.ins().fadd(x, delta);
    let value = residual(e, moved);
    let deviation = e.b.ins().fabs(value);
    let deviation = max_with(e, deviation, 0.0);
    let change_finite = finite(e, new_change);
    let deviation_finite = finite(e, deviation);
    let both_finite = e.b.ins().band(change_finite, deviation_finite);
    e.b.ins()
        .brif(both_finite, check, &[deviation.into()], failed, &[]);

    e.b.switch_to_block(check);
    let deviation = e.b.block_params(check)[0];
    let converged_at = e.f64(NEWTON_CONVERGED);
    let small_change =
        e.b.ins()
            .fcmp(FloatCC::LessThanOrEqual, new_change, converged_at);
    let small_residual = e.b.ins().fcmp(FloatCC::LessThanOrEqual, deviation, tiny);
    let converged = e.b.ins().band(small_change, small_residual);
    e.b.ins().brif(
        converged,
        solved,
        &[moved.into()],
        next,
        &[moved.into(), new_change.into(), slope.into(), value.into()],
    );

    e.b.switch_to_block(next);
    let p = e.b.block_params(next).to_vec();
    let following = e.b.ins().iadd_imm_u(i, 1);
    let more = e.b.ins().icmp_imm_u(
        IntCC::UnsignedLessThan,
        following,
        NEWTON_MAX_ITERATIONS as i64,
    );
    e.b.ins().brif(
        more,
        iteration,
        &[
            following.into(),
            p[0].into(),
            p[1].into(),
            p[2].into(),
            p[3].into(),
        ],
        failed,
        &[],
    );

    e.b.switch_to_block(failed);
    let status =
        e.b.ins()
            .iconst(types::I32, i64::from(STATUS_NO_CONVERGENCE));
    e.b.ins().return_(&[status]);

    e.b.switch_to_block(solved);
    let x = e.b.block_params(solved)[0];
    // secondorder: x += (dt/2)·f(x), after the branch so that f runs only then.
    let corrected = e.b.create_block();
    let done = e.b.create_block();
    e.b.append_block_param(done, F64);
    e.b.ins().brif(second, corrected, &[], done, &[x.into()]);
    e.b.switch_to_block(corrected);
    let f = derivative_at(e, x);
    let increase = e.b.ins().fmul(step, f);
    let x2 = e.b.ins().fadd(x, increase);
    e.b.ins().jump(done, &[x2.into()]);
    e.b.switch_to_block(done);
    let x = e.b.block_params(done)[0];
    e.store_var(state, None, x)
}

/// For the current instance: the Newton service on `function` over `states` (in its order),
/// `mode` ([`rsnrn_abi::NEWTON_ALGEBRAIC`], ...) added to the count; the solution is stored
/// back, a failure returns the service's status from the kernel.
pub(super) fn emit_newton(
    e: &mut BodyEmitter,
    states: &[Handle<Variable>],
    function: FuncId,
    mode: u64,
) -> Result<(), CodegenError> {
    let n = states.len();
    let slot = e.b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        (n.max(1) * 8) as u32,
        3,
    ));
    let x = e.b.ins().stack_addr(PTR, slot, 0);
    for (k, &s) in states.iter().enumerate() {
        let value = e.load_var(s, None)?;
        e.b.ins().store(flags(), value, x, (k * 8) as i32);
    }
    let services = e.load_ptr(e.env.ctx, offset_of!(KernelContext, services));
    let solver = e.load_ptr(services, offset_of!(Services, derivimplicit));
    let fref = e.module.declare_func_in_func(function, e.b.func);
    let derivative_addr = e.b.ins().func_addr(PTR, fref);
    let sig = solver_signature(e.module);
    let sigref = e.b.import_signature(sig);
    let count = e.b.ins().iconst(PTR, (n as u64 | mode) as i64);
    let env = e.env;
    let call = e.b.ins().call_indirect(
        sigref,
        solver,
        &[
            count,
            x,
            derivative_addr,
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
    let in_kernel = e.b.func.signature.returns.first().map(|r| r.value_type) == Some(types::I32);
    if in_kernel {
        e.b.ins().return_(&[status]);
    } else {
        // Inside a PROCEDURE or FUNCTION (a NONLINEAR SOLVE there): record the failure for
        // the kernel or front end that called it, and go on with the last iterate.
        e.record_failure("Newton's method did not converge on this SOLVE");
        e.b.ins().jump(solved, &[]);
    }
    e.b.switch_to_block(solved);
    for (k, &s) in states.iter().enumerate() {
        let value = e.b.ins().load(F64, flags(), x, (k * 8) as i32);
        e.store_var(s, None, value)?;
    }
    Ok(())
}
