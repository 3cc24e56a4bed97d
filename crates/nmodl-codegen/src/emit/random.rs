//! NMODL's random numbers through the simulator's services: `scop_random`, `set_seed`,
//! `normrand`, `exprand`, `poisrand` on NEURON's single generator state, and the `random_*`
//! functions of `RANDOM` variables on per-instance Random123 streams; the runtime reproduces
//! NEURON's numbers (rsnrn_runtime::random).

use super::body::{BodyEmitter, F64, PTR};
use crate::layout::Place;
use crate::CodegenError;
use cranelift_codegen::ir::{AbiParam, InstBuilder, Value};
use cranelift_module::Module;
use nmodl_ir::{ArgList, Intrinsic, Span};
use rsnrn_abi::{KernelContext, Services};
use std::mem::offset_of;

/// The service's code for a random function; None for other intrinsics.
pub(super) fn scop_code(f: Intrinsic) -> Option<u64> {
    Some(match f {
        Intrinsic::ScopRandom => rsnrn_abi::SCOP_UNIFORM,
        Intrinsic::SetSeed => rsnrn_abi::SCOP_SET_SEED,
        Intrinsic::NormRand => rsnrn_abi::SCOP_NORMRAND,
        Intrinsic::ExpRand => rsnrn_abi::SCOP_EXPRAND,
        Intrinsic::PoisRand => rsnrn_abi::SCOP_POISRAND,
        // NEURON 9 has no unirand: nocmodl translates it and the link fails.
        Intrinsic::UniRand => u64::MAX,
        _ => return None,
    })
}

pub(super) fn scop_call(
    e: &mut BodyEmitter,
    f: Intrinsic,
    args: ArgList,
    span: Span,
) -> Result<Value, CodegenError> {
    let which = scop_code(f).expect("checked by the caller");
    if which == u64::MAX {
        return Err(CodegenError::at(
            span,
            "unirand() does not exist in NEURON 9 (mod files that use it do not link); use \
             scop_random() for a uniform number in [0, 1]"
                .into(),
        ));
    }
    let mut values = Vec::new();
    for &a in e.mech.args(args) {
        values.push(e.expr(a)?);
    }
    let zero = e.f64(0.0);
    let a = values.first().copied().unwrap_or(zero);
    let b = values.get(1).copied().unwrap_or(zero);
    let services = e.load_ptr(e.env.ctx, offset_of!(KernelContext, services));
    let service = e.load_ptr(services, offset_of!(Services, scop_random));
    let mut sig = e.module.make_signature();
    sig.params.push(AbiParam::new(PTR));
    sig.params.push(AbiParam::new(PTR));
    sig.params.push(AbiParam::new(F64));
    sig.params.push(AbiParam::new(F64));
    sig.returns.push(AbiParam::new(F64));
    let sigref = e.b.import_signature(sig);
    let which = e.b.ins().iconst(PTR, which as i64);
    let ctx = e.env.ctx;
    let call =
        e.b.ins()
            .call_indirect(sigref, service, &[ctx, which, a, b]);
    Ok(e.b.inst_results(call)[0])
}

/// The service's code for a function of a RANDOM variable; None for other intrinsics.
pub(super) fn variable_op(f: Intrinsic) -> Option<u64> {
    Some(match f {
        Intrinsic::RandomUniform => rsnrn_abi::RANDOM_UNIFORM,
        Intrinsic::RandomNegexp => rsnrn_abi::RANDOM_NEGEXP,
        Intrinsic::RandomNormal => rsnrn_abi::RANDOM_NORMAL,
        Intrinsic::RandomIpick => rsnrn_abi::RANDOM_IPICK,
        Intrinsic::RandomDpick => rsnrn_abi::RANDOM_DPICK,
        Intrinsic::RandomSetseq => rsnrn_abi::RANDOM_SETSEQ,
        Intrinsic::RandomSetids => rsnrn_abi::RANDOM_SETIDS,
        _ => return None,
    })
}

/// `random_*(r, args...)`: the runtime's stream of RANDOM variable `r` for this instance.
/// Missing arguments take NEURON's defaults (uniform on (0, 1), negexp of mean 1, normal 0, 1).
pub(super) fn variable_call(
    e: &mut BodyEmitter,
    f: Intrinsic,
    args: ArgList,
    span: Span,
) -> Result<Value, CodegenError> {
    let op = variable_op(f).expect("checked by the caller");
    let all = e.mech.args(args).to_vec();
    let var = match all.first().map(|&a| &e.mech.expressions[a]) {
        Some(nmodl_ir::Expression::Load(v)) => *v,
        _ => {
            return Err(CodegenError::at(
                span,
                format!(
                    "{}() needs a RANDOM variable as its first argument",
                    f.name()
                ),
            ))
        }
    };
    let Place::Random(k) = e.layout.place(var) else {
        return Err(CodegenError::at(
            span,
            format!(
                "{}() needs a RANDOM variable as its first argument, not {}",
                f.name(),
                e.mech.variables[var].name
            ),
        ));
    };
    let mut values = Vec::new();
    for &a in &all[1..] {
        values.push(e.expr(a)?);
    }
    let defaults = match op {
        rsnrn_abi::RANDOM_UNIFORM => [0.0, 1.0, 0.0],
        rsnrn_abi::RANDOM_NEGEXP => [1.0, 0.0, 0.0],
        rsnrn_abi::RANDOM_NORMAL => [0.0, 1.0, 0.0],
        _ => [0.0; 3],
    };
    let mut abc = [Value::from_u32(0); 3];
    for (i, slot) in abc.iter_mut().enumerate() {
        *slot = match values.get(i) {
            Some(&v) => v,
            None => e.f64(defaults[i]),
        };
    }
    let services = e.load_ptr(e.env.ctx, offset_of!(KernelContext, services));
    let service = e.load_ptr(services, offset_of!(Services, random_var));
    let mut sig = e.module.make_signature();
    for _ in 0..5 {
        sig.params.push(AbiParam::new(PTR));
    }
    for _ in 0..3 {
        sig.params.push(AbiParam::new(F64));
    }
    sig.returns.push(AbiParam::new(F64));
    let sigref = e.b.import_signature(sig);
    let var = e.b.ins().iconst(PTR, i64::from(k));
    let op = e.b.ins().iconst(PTR, op as i64);
    let env = e.env;
    let call = e.b.ins().call_indirect(
        sigref,
        service,
        &[env.ctx, env.data, env.inst, var, op, abc[0], abc[1], abc[2]],
    );
    Ok(e.b.inst_results(call)[0])
}
