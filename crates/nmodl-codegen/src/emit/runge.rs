//! `METHOD runge`: scopmath's fourth-order Runge-Kutta step, emitted into the state kernel.
//! The DERIVATIVE block (or a KINETIC block's reactions as derivatives, [`crate::kinetic_ode`])
//! is evaluated four times with its derivatives caught in an array: at (t, y), at t + h/2 with
//! y + (h/2)·k1, again at t + h/2 with y + (h/2)·k2, at t + h with y + h·k3; then y = y +
//! h/6·(k1 + 2k2 + 2k3 + k4), accumulated in scopmath's order. h is dt, dt/2 under
//! secondorder (nocmodl halves dt in the state update and afterwards adds h times the last
//! derivatives). A KINETIC block then runs once more at the new states, as in nocmodl's code.

use super::body::{flags, BodyEmitter, F64, PTR};
use super::derivimplicit::derivative_states;
use crate::CodegenError;
use cranelift_codegen::ir::condcodes::FloatCC;
use cranelift_codegen::ir::{InstBuilder, StackSlotData, StackSlotKind, Value};
use nmodl_ir::{Function, Handle, Variable};
use rsnrn_abi::KernelContext;
use std::mem::offset_of;

type Result<T> = std::result::Result<T, CodegenError>;

/// Whether BREAKPOINT integrates `f` by runge (its body exists only inside the state kernel).
pub(super) fn solves(mech: &nmodl_ir::Mechanism, f: Handle<Function>) -> bool {
    mech.solves
        .iter()
        .any(|s| s.target == f && s.method == nmodl_ir::SolveMethod::Runge)
}

fn array(e: &mut BodyEmitter, n: usize) -> Value {
    let slot = e.b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        (n.max(1) * 8) as u32,
        3,
    ));
    e.b.ins().stack_addr(PTR, slot, 0)
}

/// Runs block `f` at time `t`, its derivatives into `d`.
fn stage(
    e: &mut BodyEmitter,
    f: Handle<Function>,
    states: &[Handle<Variable>],
    d: Value,
    t: Value,
) -> Result<()> {
    let saved_sink = e.derivative_sink.replace((d, states.to_vec()));
    let saved_t = e.t_override.replace(t);
    let done = e.inline_body(f, &[]);
    e.derivative_sink = saved_sink;
    e.t_override = saved_t;
    done.map(|_| ())
}

/// One runge step of block `f` for the current instance; `rerun`: evaluate the block once
/// more at the result (KINETIC blocks).
pub(super) fn emit_solve(e: &mut BodyEmitter, f: Handle<Function>, rerun: bool) -> Result<()> {
    let states = derivative_states(e.mech, f);
    let n = states.len();
    let d = array(e, n);
    let work = array(e, 2 * n);
    let ctx = e.env.ctx;
    let dt =
        e.b.ins()
            .load(F64, flags(), ctx, offset_of!(KernelContext, dt) as i32);
    let order = e.b.ins().load(
        F64,
        flags(),
        ctx,
        offset_of!(KernelContext, secondorder) as i32,
    );
    let t0 =
        e.b.ins()
            .load(F64, flags(), ctx, offset_of!(KernelContext, t) as i32);
    let zero = e.f64(0.0);
    let half = e.f64(0.5);
    let halved = e.b.ins().fmul(dt, half);
    let second = e.b.ins().fcmp(FloatCC::NotEqual, order, zero);
    let h = e.b.ins().select(second, halved, dt);
    // The blocks see h as dt, as in nocmodl's state update.
    let saved_dt = e.dt_override.replace(h);
    let two = e.f64(2.0);
    let three = e.f64(3.0);
    let six = e.f64(6.0);
    let h2 = e.b.ins().fdiv(h, two);
    let h6 = e.b.ins().fdiv(h, six);

    stage(e, f, &states, d, t0)?;
    for (i, &s) in states.iter().enumerate() {
        let y = e.load_var(s, None)?;
        e.store_f64_at(y, work, i);
        let di = e.load_f64_at(d, i);
        let temp = e.b.ins().fmul(h2, di);
        let y1 = e.b.ins().fadd(y, temp);
        e.store_var(s, None, y1)?;
        let third = e.b.ins().fdiv(temp, three);
        let acc = e.b.ins().fadd(y, third);
        e.store_f64_at(acc, work, n + i);
    }
    let t_mid = e.b.ins().fadd(t0, h2);
    for last in [false, true] {
        stage(e, f, &states, d, t_mid)?;
        for (i, &s) in states.iter().enumerate() {
            let di = e.load_f64_at(d, i);
            let temp = e.b.ins().fmul(h, di);
            let y0 = e.load_f64_at(work, i);
            let step = if last {
                temp
            } else {
                e.b.ins().fdiv(temp, two)
            };
            let y = e.b.ins().fadd(y0, step);
            e.store_var(s, None, y)?;
            let third = e.b.ins().fdiv(temp, three);
            let acc = e.load_f64_at(work, n + i);
            let acc = e.b.ins().fadd(acc, third);
            e.store_f64_at(acc, work, n + i);
        }
    }
    let t_end = e.b.ins().fadd(t_mid, h2);
    stage(e, f, &states, d, t_end)?;
    for (i, &s) in states.iter().enumerate() {
        let di = e.load_f64_at(d, i);
        let step = e.b.ins().fmul(h6, di);
        let acc = e.load_f64_at(work, n + i);
        let y = e.b.ins().fadd(acc, step);
        e.store_var(s, None, y)?;
    }
    // secondorder: y += h·(the last derivatives).
    for (i, &s) in states.iter().enumerate() {
        let di = e.load_f64_at(d, i);
        let step = e.b.ins().fmul(h, di);
        let y = e.load_var(s, None)?;
        let corrected = e.b.ins().fadd(y, step);
        let y = e.b.ins().select(second, corrected, y);
        e.store_var(s, None, y)?;
    }
    if rerun {
        stage(e, f, &states, d, t0)?;
    }
    e.dt_override = saved_dt;
    Ok(())
}
