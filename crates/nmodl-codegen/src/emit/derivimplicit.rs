//! `METHOD derivimplicit`: the DERIVATIVE block becomes a function that evaluates the
//! derivatives at given state values ([`rsnrn_abi::DerivativeFn`]); the state kernel hands it
//! to the simulator's Newton solver (`KernelContext::services`), which implements NEURON's
//! iteration (NUMERICS §5), and stores the solution back.

use super::body::{flags, BodyEmitter, F64, PTR};
use super::{enter_body, Symbols};
use crate::layout::Layout;
use crate::CodegenError;
use cranelift_codegen::ir::{
    types, AbiParam, InstBuilder, Signature, StackSlotData, StackSlotKind,
};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Module};
use nmodl_ir::{Block, Function, Handle, Mechanism, Statement, Variable};
use rsnrn_abi::{KernelContext, Services};
use std::mem::offset_of;

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
    emit_newton(e, &states, derivative, 0)
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
