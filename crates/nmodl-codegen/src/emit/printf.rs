//! `printf("format", args...)`: the format string becomes read-only data in the module, the
//! numbers go to a stack array, and the simulator's printf service (C formatting, stdout)
//! prints them.

use super::body::{BodyEmitter, PTR};
use crate::CodegenError;
use cranelift_codegen::ir::{AbiParam, InstBuilder, StackSlotData, StackSlotKind};
use cranelift_module::{DataDescription, Module};
use nmodl_ir::{PrintfArgument, Span};
use rsnrn_abi::{KernelContext, Services};
use std::mem::offset_of;

pub(super) fn emit(
    e: &mut BodyEmitter,
    arguments: &[PrintfArgument],
    span: Span,
) -> Result<(), CodegenError> {
    let (format, values) = match arguments.split_first() {
        Some((PrintfArgument::Text(f), rest)) => (f, rest),
        _ => {
            return Err(CodegenError::at(
                span,
                "printf needs a format string as its first argument".into(),
            ))
        }
    };
    let mut numbers = Vec::with_capacity(values.len());
    for a in values {
        match a {
            PrintfArgument::Value(x) => numbers.push(e.expr(*x)?),
            PrintfArgument::Text(_) => {
                return Err(CodegenError::unsupported(
                    span,
                    "printf with string arguments after the format is not supported".into(),
                ))
            }
        }
    }
    print(e, format, &numbers)
}

/// Prints `numbers` with the C format `format` (escapes as written in the source).
pub(super) fn print(
    e: &mut BodyEmitter,
    format: &str,
    numbers: &[cranelift_codegen::ir::Value],
) -> Result<(), CodegenError> {
    let text = unescape(format).into_bytes();
    let len = text.len();
    let data = e
        .module
        .declare_anonymous_data(false, false)
        .map_err(super::module_error)?;
    let mut description = DataDescription::new();
    description.define(text.into_boxed_slice());
    e.module
        .define_data(data, &description)
        .map_err(super::module_error)?;
    let gv = e.module.declare_data_in_func(data, e.b.func);
    let format_ptr = e.b.ins().symbol_value(PTR, gv);

    let slot = e.b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        (numbers.len().max(1) * 8) as u32,
        3,
    ));
    for (k, &x) in numbers.iter().enumerate() {
        e.b.ins().stack_store(PTR, x, slot, (k * 8) as i32);
    }
    let args = e.b.ins().stack_addr(PTR, slot, 0);

    let services = e.load_ptr(e.env.ctx, offset_of!(KernelContext, services));
    let printf = e.load_ptr(services, offset_of!(Services, printf));
    let mut sig = e.module.make_signature();
    for _ in 0..5 {
        sig.params.push(AbiParam::new(PTR));
    }
    let sigref = e.b.import_signature(sig);
    let len = e.b.ins().iconst(PTR, len as i64);
    let count = e.b.ins().iconst(PTR, numbers.len() as i64);
    let ctx = e.env.ctx;
    e.b.ins()
        .call_indirect(sigref, printf, &[ctx, format_ptr, len, args, count]);
    Ok(())
}

/// C's escapes in a string literal: `\n`, `\t`, `\"`, `\\`, ... (unknown ones stay as written).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('0') => out.push('\0'),
            Some(c @ ('\\' | '"' | '\'')) => out.push(c),
            Some(c) => {
                out.push('\\');
                out.push(c);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes() {
        assert_eq!(
            super::unescape(r#"a\tb\n\"q\" 100%% \z"#),
            "a\tb\n\"q\" 100%% \\z"
        );
    }
}
