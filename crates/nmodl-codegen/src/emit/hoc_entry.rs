//! Entry points through which hoc and Python call a mechanism's FUNCTIONs and PROCEDUREs
//! (`rates_hh(v)`, `syn.f(x)`): one wrapper per function with the uniform signature of
//! [`rsnrn_abi::FunctionEntry`], which takes the arguments from an array, sets up v of the
//! instance's node and calls the body (through its TABLE when it has one).

use super::body::{flags, F64, PTR};
use super::writer::FunctionWriter;
use super::Symbols;
use crate::layout::Layout;
use crate::CodegenError;
use cranelift_codegen::ir::{AbiParam, InstBuilder};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{FuncId, Linkage, Module};
use nmodl_ir::{FunctionKind, Mechanism};
use rsnrn_abi::FunctionInfo;

/// CONSTRUCTOR and DESTRUCTOR as [`rsnrn_abi::FunctionEntry`]s: the block run on one
/// instance.
pub(super) fn emit_lifecycle(
    module: &mut dyn Module,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    mech: &Mechanism,
    layout: &Layout,
    symbols: &Symbols,
    prefix: &str,
) -> Result<[Option<FuncId>; 2], CodegenError> {
    let mut w = FunctionWriter {
        module,
        ctx,
        fctx,
        mech,
        layout,
        symbols,
    };
    let mut ids = [None, None];
    for (k, (block, name)) in [
        (&mech.constructor, "constructor"),
        (&mech.destructor, "destructor"),
    ]
    .into_iter()
    .enumerate()
    {
        let Some(block) = block else { continue };
        let mut sig = w.module.make_signature();
        for _ in 0..4 {
            sig.params.push(AbiParam::new(PTR));
        }
        sig.returns.push(AbiParam::new(F64));
        ids[k] = Some(
            w.function(&format!("{prefix}_{name}"), Linkage::Local, sig, |e, p| {
                // NEURON runs these blocks on a fresh instance whose own copy of v is 0, not the
                // node's (checked with nrniv): v stays 0 here.
                e.env.inst = p[2];
                e.reset_locals_of(block);
                e.block(block)?;
                Ok(e.f64(0.0))
            })?,
        );
    }
    Ok(ids)
}

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
    let mut w = FunctionWriter {
        module,
        ctx,
        fctx,
        mech,
        layout,
        symbols,
    };
    let mut out = Vec::new();
    for (h, f) in mech.functions.iter() {
        let procedure = match f.kind {
            FunctionKind::Function | FunctionKind::FunctionTable => false,
            FunctionKind::Procedure => true,
            _ => continue,
        };
        let mut sig = w.module.make_signature();
        for _ in 0..4 {
            sig.params.push(AbiParam::new(PTR));
        }
        sig.returns.push(AbiParam::new(F64));
        let name = format!("{prefix}__hoc__{}__{}", f.name, h.index());
        let uses_instance = super::calls::uses_instance(mech, layout, h);
        let id = w.function(&name, Linkage::Local, sig, |e, p| {
            let (inst, args) = (p[2], p[3]);
            e.env.inst = inst;
            // v of the instance's node, when the function uses instance data at all
            // (otherwise there may be no instance).
            if uses_instance {
                e.enter_instance(inst);
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
            Ok(if procedure { e.f64(1.0) } else { result })
        })?;
        out.push((
            FunctionInfo {
                name: f.name.clone(),
                arguments: f.parameters.len() as u32,
                procedure,
                uses_instance,
            },
            id,
        ));
    }
    Ok(out)
}
