//! Four instances per iteration for the state and current kernels, in AVX2 registers.
//!
//! Cranelift's x86-64 back end has no 256-bit vectors, so the vector kernels (emit/vector)
//! run two instances per iteration in f64x2 lanes. This back end takes the finished kernel's
//! pair loops (over affine instance data; and the general one, whose instances' nodes and
//! ion values are gathered lane by lane, when it stores nothing outside the mechanism's own
//! columns) and [`widen`]s them to four instances, assembles that
//! ([`assemble`], [`encoder`]) into a function of its own (given to the module as bytes, so
//! the JIT and shared libraries get the same code through the same ABI), and makes the pair
//! loop call it: the widened function runs as far as it can and returns where it stopped; the
//! pair loop does the rest (fewer than four instances left, or four that need a cold path),
//! then calls it again. Every instance gets exactly the operations of the pair loop, so the
//! results are bit-identical with or without it (tests/vector_kernels.rs compares).
//!
//! Used when the target has AVX2 and FMA (the host, for the JIT and for the shared libraries
//! rsnrnivmodl builds) and RSNRN_SCALAR_KERNELS / RSNRN_NO_AVX2 are unset.
//! RSNRN_AVX2_SOURCE_ORDER keeps the body in the pair loop's order instead of [`schedule`]'s
//! (for measuring what the scheduling gains).

mod assemble;
// The encoder covers a small instruction set whole (each form tested against GNU as); the
// back end uses part of it today.
#[allow(dead_code)]
pub(crate) mod encoder;
mod program;
mod schedule;
mod widen;

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, Function, InstBuilder, InstructionData, Signature, StackSlotData,
    StackSlotKind,
};
use cranelift_codegen::isa::CallConv;
use cranelift_module::{Linkage, Module};
use std::cell::Cell;

thread_local! {
    /// Set by [`without_avx2`].
    static OFF: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the kernels generated on this thread meanwhile kept to f64x2 (for comparing
/// both in one process, as RSNRN_NO_AVX2 does for the whole process).
pub fn without_avx2<T>(f: impl FnOnce() -> T) -> T {
    let before = OFF.with(|s| s.replace(true));
    let result = f();
    OFF.with(|s| s.set(before));
    result
}

/// Whether [`without_avx2`] is in effect on this thread.
pub(crate) fn turned_off_on_this_thread() -> bool {
    OFF.with(|s| s.get())
}

/// Whether the target runs AVX2 and FMA code.
fn target_ready(module: &dyn Module) -> Result<(), String> {
    let isa = module.isa();
    if isa.triple().architecture.to_string() != "x86_64" {
        return Err("the target is not x86-64".into());
    }
    if isa.default_call_conv() != CallConv::SystemV {
        return Err("the calling convention is not System V".into());
    }
    let flags = isa.isa_flags();
    for name in ["has_avx", "has_avx2", "has_fma"] {
        if !flags
            .iter()
            .any(|f| f.name == name && f.as_bool() == Some(true))
        {
            return Err(format!("the target lacks {}", &name[4..]));
        }
    }
    Ok(())
}

/// Widens the pair loop at `header` of `func` into a function `name` of `module` and makes
/// the loop call it. On an error `func` is unchanged.
pub(crate) fn attach(
    module: &mut dyn Module,
    func: &mut Function,
    header: Block,
    name: &str,
) -> Result<(), String> {
    if OFF.with(|s| s.get()) || std::env::var_os("RSNRN_NO_AVX2").is_some() {
        return Err("turned off".into());
    }
    target_ready(module)?;
    let mut widened = widen::widen(func, header)?;
    if std::env::var_os("RSNRN_AVX2_SOURCE_ORDER").is_none() {
        schedule::schedule(&mut widened.program);
    }
    let bytes = assemble::assemble(&widened.program)?;

    // The header is `c = icmp ult i, end; brif c, body, exit`.
    let insts: Vec<_> = func.layout.block_insts(header).collect();
    let [compare, _] = insts[..] else {
        return Err("the loop header is not a compare and a branch".into());
    };
    let end = match func.dfg.insts[compare] {
        InstructionData::IntCompare { args, .. } => args[1],
        _ => return Err("the loop header does not compare".into()),
    };
    let index = func.dfg.block_params(header)[0];
    let body = match func.dfg.insts[insts[1]] {
        InstructionData::Brif { blocks, .. } => blocks[0].block(&func.dfg.value_lists),
        _ => return Err("the loop header does not branch".into()),
    };
    let loop_blocks = widen::blocks_of_loop(func, header, body);
    let preheader_jumps: Vec<_> = func
        .layout
        .blocks()
        .filter_map(|b| func.layout.last_inst(b))
        .filter(|&inst| {
            matches!(func.dfg.insts[inst], InstructionData::Jump { destination, .. }
                if destination.block(&func.dfg.value_lists) == header)
        })
        .filter(|&inst| {
            let b = func.layout.inst_block(inst).expect("inserted");
            !loop_blocks.contains(&b)
        })
        .collect();
    let [preheader_jump] = preheader_jumps[..] else {
        return Err("the loop has no single entry".into());
    };

    let mut sig = Signature::new(CallConv::SystemV);
    for _ in 0..3 {
        sig.params.push(AbiParam::new(types::I64));
    }
    sig.returns.push(AbiParam::new(types::I64));
    let id = module
        .declare_function(name, Linkage::Local, &sig)
        .map_err(|e| e.to_string())?;
    module
        .define_function_bytes(id, 32, &bytes, &[])
        .map_err(|e| e.to_string())?;
    let callee = module.declare_func_in_func(id, func);

    let count = widened.invariants.len().max(1) as u32;
    let array = func.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        16 * count,
        4,
    ));
    let resume =
        func.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
    let mut cur = FuncCursor::new(func).at_inst(preheader_jump);
    for (k, &v) in widened.invariants.iter().enumerate() {
        cur.ins().stack_store(types::I64, v, array, 16 * k as i32);
    }
    let zero = cur.ins().iconst(types::I64, 0);
    cur.ins().stack_store(types::I64, zero, resume, 0);

    // header: if i >= resume && i + 4 <= end { wide } else { the old header }
    let rest = cur.func.dfg.make_block();
    cur.func.layout.split_block(rest, compare);
    let wide = cur.func.dfg.make_block();
    cur.func.layout.insert_block(wide, rest);
    let mut cur = cur.at_bottom(header);
    let resume_at = cur.ins().stack_load(types::I64, types::I64, resume, 0);
    let due = cur
        .ins()
        .icmp(IntCC::UnsignedGreaterThanOrEqual, index, resume_at);
    let four_on = cur.ins().iadd_imm_s(index, 4);
    let fits = cur.ins().icmp(IntCC::UnsignedLessThanOrEqual, four_on, end);
    let go = cur.ins().band(due, fits);
    cur.ins().brif(go, wide, &[], rest, &[]);
    let mut cur = cur.at_bottom(wide);
    let array_addr = cur.ins().stack_addr(types::I64, array, 0);
    let call = cur.ins().call(callee, &[array_addr, index, end]);
    let stopped = cur.func.dfg.first_result(call);
    // The iteration it stopped at (if any) is the pair loop's; the next from then on.
    let next = cur.ins().iadd_imm_s(stopped, 4);
    cur.ins().stack_store(types::I64, next, resume, 0);
    cur.ins().jump(header, &[stopped.into()]);
    Ok(())
}
