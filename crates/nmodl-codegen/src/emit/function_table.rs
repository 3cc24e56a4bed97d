//! A call of a `FUNCTION_TABLE`: the runtime holds the values hoc gave the table
//! (`table_<name>_<suffix>(...)`) and interpolates in them through
//! [`rsnrn_abi::Services::function_table`]; a call before any values were given records a
//! failure naming the table, so that the kernel stops with it.

use super::body::{BodyEmitter, F64, PTR};
use crate::CodegenError;
use cranelift_codegen::ir::{AbiParam, InstBuilder, StackSlotData, StackSlotKind, Value};
use cranelift_module::Module;
use nmodl_ir::{Function, FunctionKind, Handle, Mechanism};
use rsnrn_abi::{FunctionTableInfo, KernelContext, Services};
use std::mem::offset_of;

/// The mechanism's FUNCTION_TABLEs in the runtime's numbering (source order).
pub fn tables(mech: &Mechanism) -> Vec<(Handle<Function>, FunctionTableInfo)> {
    mech.functions
        .iter()
        .filter(|(_, f)| f.kind == FunctionKind::FunctionTable)
        .map(|(h, f)| {
            (
                h,
                FunctionTableInfo {
                    name: f.name.clone(),
                    arguments: f.parameters.len() as u32,
                },
            )
        })
        .collect()
}

/// The value of FUNCTION_TABLE `f` at `args`.
pub(super) fn call(
    e: &mut BodyEmitter,
    f: Handle<Function>,
    args: &[Value],
) -> Result<Value, CodegenError> {
    let func = &e.mech.functions[f];
    let number = tables(e.mech)
        .iter()
        .position(|(h, _)| *h == f)
        .expect("f is a FUNCTION_TABLE");
    let Some(failure) = e.layout.failure_global else {
        return Err(CodegenError::internal(
            "a mechanism with a FUNCTION_TABLE has no failure record".into(),
        ));
    };
    let place = e
        .mech
        .source_map
        .as_ref()
        .map(|m| format!(" (declared at {})", m.locate(func.span)))
        .unwrap_or_default();
    let site = e.symbols.failure_site(format!(
        "table not specified: FUNCTION_TABLE {name} was called before its values were given \
         (hoc: table_{name}_{mech}(...)){place}",
        name = func.name,
        mech = e.mech.name,
    ));
    let slot = e.b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        (args.len().max(1) * 8) as u32,
        3,
    ));
    for (k, &x) in args.iter().enumerate() {
        e.b.ins().stack_store(PTR, x, slot, (k * 8) as i32);
    }
    let args_ptr = e.b.ins().stack_addr(PTR, slot, 0);
    let failure_ptr = e.global_addr(failure, None);
    let services = e.load_ptr(e.env.ctx, offset_of!(KernelContext, services));
    let service = e.load_ptr(services, offset_of!(Services, function_table));
    let mut sig = e.module.make_signature();
    for _ in 0..6 {
        sig.params.push(AbiParam::new(PTR));
    }
    sig.params.push(AbiParam::new(F64));
    sig.returns.push(AbiParam::new(F64));
    let sigref = e.b.import_signature(sig);
    let number = e.b.ins().iconst(PTR, number as i64);
    let nargs = e.b.ins().iconst(PTR, args.len() as i64);
    let code = e.f64(f64::from(site + 1));
    let env = e.env;
    let call = e.b.ins().call_indirect(
        sigref,
        service,
        &[
            env.ctx,
            env.data,
            number,
            args_ptr,
            nargs,
            failure_ptr,
            code,
        ],
    );
    Ok(e.b.inst_results(call)[0])
}
