//! Entry points through which hoc and Python call a mechanism's FUNCTIONs and PROCEDUREs
//! (`rates_hh(v)`, `syn.f(x)`): one wrapper per function with the uniform signature of
//! [`rsnrn_abi::FunctionEntry`], which takes the arguments from an array, sets up v of the
//! instance's node and calls the body (through its TABLE when it has one).

use super::body::{flags, BodyEmitter, Env, F64, PTR};
use super::{define, module_error, Symbols};
use crate::layout::Layout;
use crate::CodegenError;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, UserFuncName};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{FuncId, Linkage, Module};
use nmodl_ir::{FunctionKind, Mechanism, MechanismKind};
use rsnrn_abi::{FunctionInfo, KernelContext, MechanismData};
use std::mem::offset_of;

/// The functions hoc can call, in order, with their wrappers.
pub(super) fn emit(
    module: &mut dyn Module,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    mech: &Mechanism,
    layout: &Layout,
    symbols: &Symbols,
    prefix: &str,
) -> Result<Vec<(FunctionInfo, FuncId)>, CodegenError> {
    let mut out = Vec::new();
    for (h, f) in mech.functions.iter() {
        let procedure = match f.kind {
            FunctionKind::Function | FunctionKind::FunctionTable => false,
            FunctionKind::Procedure => true,
            _ => continue,
        };
        let mut sig = module.make_signature();
        for _ in 0..4 {
            sig.params.push(AbiParam::new(PTR));
        }
        sig.returns.push(AbiParam::new(F64));
        let id = module
            .declare_function(
                &format!("{prefix}__hoc__{}__{}", f.name, h.index()),
                Linkage::Local,
                &sig,
            )
            .map_err(module_error)?;
        ctx.func.signature = sig;
        ctx.func.name = UserFuncName::user(0, id.as_u32());
        {
            let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let p = b.block_params(entry).to_vec();
            let (ctx_v, data, inst, args) = (p[0], p[1], p[2], p[3]);
            let zero = b.ins().f64const(0.0);
            let env = Env {
                ctx: ctx_v,
                data,
                inst,
                node: inst,
                v: zero,
            };
            let mut e = BodyEmitter::new(b, mech, layout, symbols, module, env);
            // An artificial cell has no node; everything else sees v of its node, when the
            // function uses instance data at all (otherwise there may be no instance).
            let uses_instance = super::calls::uses_instance(mech, layout, h);
            if uses_instance && mech.kind != MechanismKind::ArtificialCell {
                let node_index = e.load_ptr(data, offset_of!(MechanismData, node_index));
                let offset = e.b.ins().ishl_imm_u(inst, 2);
                let addr = e.b.ins().iadd(node_index, offset);
                let node32 = e.b.ins().load(types::I32, flags(), addr, 0);
                let node = e.b.ins().uextend(PTR, node32);
                e.env.node = node;
                let v_addr = e.node_addr(offset_of!(KernelContext, v));
                let v = e.load_f64(v_addr);
                e.set_v(v);
            }
            let mut values = vec![e.env.ctx, e.env.data, e.env.inst, e.env.v];
            for k in 0..f.parameters.len() {
                let x = e.b.ins().load(F64, flags(), args, (k * 8) as i32);
                values.push(x);
            }
            let callee = e.symbols.callable(h);
            let fref = e.module.declare_func_in_func(callee, e.b.func);
            let call = e.b.ins().call(fref, &values);
            let result = e.b.inst_results(call)[0];
            // hoc sees 1 from a PROCEDURE, as NEURON's wrappers return.
            let result = if procedure { e.f64(1.0) } else { result };
            e.b.ins().return_(&[result]);
            e.finish();
        }
        define(module, id, ctx)?;
        out.push((
            FunctionInfo {
                name: f.name.clone(),
                arguments: f.parameters.len() as u32,
                procedure,
                uses_instance: super::calls::uses_instance(mech, layout, h),
            },
            id,
        ));
    }
    Ok(out)
}
