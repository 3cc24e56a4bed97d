//! TABLE: lookup with linear interpolation, and the rebuild done by the `table_check` kernel.
//!
//! NUMERICS §4: `WITH n` gives n + 1 points from `FROM` to `TO`, built by repeated `x += dx`;
//! lookup at u: xi = mfac·(u − tmin), clamped to the first/last point outside the range,
//! otherwise i = trunc(xi), θ = xi − i, y = T[i] + θ·(T[i+1] − T[i]). NaN propagates.
//! The build stores T[i+1] − T[i] beside T[i] (see [`TableLayout`]), so a lookup reads one
//! row and does the same arithmetic.
//!
//! When tables are checked: a thread-safe mechanism's tables are checked (built, or rebuilt
//! when a DEPEND value changed) by the `table_check` kernel, at the start of finitialize and of
//! every step. A mechanism nocmodl does not vectorize (not THREADSAFE, and it assigns a GLOBAL
//! somewhere) checks a table at every call of the tabled function instead, as NEURON 9.0.2's
//! translation of it does; the difference shows when INITIAL computes a GLOBAL the tabled body
//! reads (the STN model's `rate_k`): the first build then happens after it, not before.

use super::body::{BodyEmitter, Env, F64};
use super::{enter_body, Symbols};
use crate::layout::{Layout, TableLayout};
use crate::CodegenError;
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::Module;
use nmodl_ir::{
    Block, Function, FunctionKind, Handle, Mechanism, Statement, Storage, VariableKind,
};

/// Whether `mech`'s tables are checked at every call of the tabled function rather than by
/// the `table_check` kernel (see the module comment): not THREADSAFE, and a GLOBAL PARAMETER
/// or ASSIGNED is assigned outside PROTECT in some block, or there is a VERBATIM block, even
/// one that does nothing (nocmodl's "not thread safe" notices). This agrees with nocmodl's
/// output (whether it registers a thread table check) for all 129 tabled corpus files.
pub(super) fn checked_at_calls(mech: &Mechanism) -> bool {
    if mech.threadsafe {
        return false;
    }
    if !mech.verbatim.is_empty() {
        return true;
    }
    let unsafe_in = |block: &Block| not_thread_safe_in(mech, block);
    mech.initial.iter().any(unsafe_in)
        || mech.breakpoint.iter().any(unsafe_in)
        || mech.functions.iter().any(|(_, f)| unsafe_in(&f.body))
        || mech
            .net_receive
            .iter()
            .any(|nr| unsafe_in(&nr.body) || nr.initial.iter().any(unsafe_in))
        || mech.constructor.iter().any(unsafe_in)
        || mech.destructor.iter().any(unsafe_in)
        || mech.hooks.iter().any(|h| unsafe_in(&h.body))
}

/// Whether `block` assigns a GLOBAL or holds VERBATIM text (either makes nocmodl give up
/// thread safety).
fn not_thread_safe_in(mech: &Mechanism, block: &Block) -> bool {
    block.statements.iter().any(|s| match s {
        Statement::Verbatim { .. } => true,
        Statement::Assign { target, .. } | Statement::StateDiscontinuity { target, .. } => {
            let v = &mech.variables[*target];
            v.storage == Storage::Global
                && matches!(v.kind, VariableKind::Parameter | VariableKind::Assigned)
        }
        Statement::If { accept, reject, .. } => {
            not_thread_safe_in(mech, accept) || not_thread_safe_in(mech, reject)
        }
        Statement::While { body, .. }
        | Statement::For { body, .. }
        | Statement::ForNetcons { body, .. } => not_thread_safe_in(mech, body),
        // PROTECT makes an assignment to a GLOBAL thread safe (it runs under the mutex).
        _ => false,
    })
}

/// The wrapper a call of a tabled function goes to.
#[allow(clippy::too_many_arguments)]
pub(super) fn emit_lookup(
    module: &mut dyn Module,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    mech: &Mechanism,
    layout: &Layout,
    symbols: &Symbols,
    h: Handle<Function>,
    table: &TableLayout,
) -> Result<(), CodegenError> {
    let f = &mech.functions[h];
    if f.parameters.is_empty() {
        return Err(CodegenError::unsupported(
            f.span,
            format!(
                "TABLE in {} needs the function to take the tabulated argument",
                f.name
            ),
        ));
    }
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let (env, args) = enter_body(&mut b);
    let mut e = BodyEmitter::new(b, mech, layout, symbols, module, env);
    let result = lookup(&mut e, h, table, &args)?;
    e.b.ins().return_(&[result]);
    e.finish();
    Ok(())
}

/// A call of tabled `h` with `args`: interpolation in the table when `usetable` is on, the
/// exact body otherwise. Returns the function's value (0 for a PROCEDURE).
pub(super) fn lookup(
    e: &mut BodyEmitter,
    h: Handle<Function>,
    table: &TableLayout,
    args: &[Value],
) -> Result<Value, CodegenError> {
    let mech = e.mech;
    let f = &mech.functions[h];
    let usetable_addr = e.global_addr(e.layout.usetable.expect("tables imply usetable"), None);
    let usetable = e.load_f64(usetable_addr);
    let use_it = e.truthy(usetable);
    let interpolate_block = e.b.create_block();
    let direct = e.b.create_block();
    let merge = e.b.create_block();
    e.b.append_block_param(merge, F64);
    e.b.ins().brif(use_it, interpolate_block, &[], direct, &[]);

    // usetable = 0: the exact body.
    e.b.switch_to_block(direct);
    let exact = e.module.declare_func_in_func(e.symbols.exact(h), e.b.func);
    let mut call_args = vec![e.env.ctx, e.env.data, e.env.inst, e.env.v];
    call_args.extend_from_slice(args);
    let call = e.b.ins().call(exact, &call_args);
    let r = e.b.inst_results(call)[0];
    e.b.ins().jump(merge, &[r.into()]);

    e.b.switch_to_block(interpolate_block);
    if checked_at_calls(mech) {
        emit_check(e, mech, table)?;
    }
    let u = args[0];
    let tmin = load_global(e, table.tmin());
    let mfac = load_global(e, table.mfac());
    let diff = e.b.ins().fsub(u, tmin);
    let xi = e.b.ins().fmul(mfac, diff);
    let zero = e.f64(0.0);
    let last = e.f64(table.with as f64);
    let low = e.b.ins().fcmp(FloatCC::LessThanOrEqual, xi, zero);
    let high = e.b.ins().fcmp(FloatCC::GreaterThanOrEqual, xi, last);
    let clamped_high = e.b.ins().select(high, last, xi);
    let xc = e.b.ins().select(low, zero, clamped_high);
    // NaN stays NaN in xc (both comparisons are false), making θ and every output NaN.
    let i = e.b.ins().fcvt_to_sint_sat(types::I64, xc);
    let fi = e.b.ins().fcvt_from_sint(F64, i);
    let theta = e.b.ins().fsub(xc, fi);
    let row = row_addr(e, table, i);

    let mut result = e.f64(0.0);
    for k in 0..table.outputs {
        let y = interpolate(e, table, row, k, theta);
        match f.kind {
            FunctionKind::Function => result = y,
            _ => {
                let out = f.table.as_ref().expect("tabled").outputs[k as usize];
                e.store_var(out, None, y)?;
            }
        }
    }
    e.b.ins().jump(merge, &[result.into()]);
    e.b.switch_to_block(merge);
    Ok(e.b.block_params(merge)[0])
}

fn load_global(e: &mut BodyEmitter, index: u32) -> Value {
    let a = e.global_addr(index, None);
    e.load_f64(a)
}

/// Address of row `i` of `table`.
fn row_addr(e: &mut BodyEmitter, table: &TableLayout, i: Value) -> Value {
    let first = e.b.ins().imul_imm_s(i, i64::from(table.row_len()));
    e.global_addr(table.rows(), Some(first))
}

/// `output`'s value at the point of `row` plus θ times its step to the next point.
fn interpolate(
    e: &mut BodyEmitter,
    table: &TableLayout,
    row: Value,
    output: u32,
    theta: Value,
) -> Value {
    let y0 = e.load_f64_offset(row, table.value(output) as i32 * 8);
    let dy = e.load_f64_offset(row, table.step(output) as i32 * 8);
    let step = e.b.ins().fmul(theta, dy);
    e.b.ins().fadd(y0, step)
}

/// The steps of a built table: row j's step of each output is T[j+1] - T[j] for j < with,
/// and 0 in the last row (where θ is 0).
fn emit_steps(e: &mut BodyEmitter, table: &TableLayout) {
    let header = e.b.create_block();
    let body = e.b.create_block();
    let exit = e.b.create_block();
    e.b.append_block_param(header, types::I64);
    let j0 = e.b.ins().iconst(types::I64, 0);
    e.b.ins().jump(header, &[j0.into()]);
    e.b.switch_to_block(header);
    let j = e.b.block_params(header)[0];
    let with = e.b.ins().iconst(types::I64, table.with as i64);
    let go = e.b.ins().icmp(IntCC::SignedLessThan, j, with);
    e.b.ins().brif(go, body, &[], exit, &[]);

    e.b.switch_to_block(body);
    let row = row_addr(e, table, j);
    let next_row = table.row_len() as i32 * 8;
    for k in 0..table.outputs {
        let at = table.value(k) as i32 * 8;
        let y0 = e.load_f64_offset(row, at);
        let y1 = e.load_f64_offset(row, at + next_row);
        let dy = e.b.ins().fsub(y1, y0);
        e.store_f64_offset(dy, row, table.step(k) as i32 * 8);
    }
    let j_next = e.b.ins().iadd_imm_s(j, 1);
    e.b.ins().jump(header, &[j_next.into()]);

    e.b.switch_to_block(exit);
    let last = row_addr(e, table, with);
    let zero = e.f64(0.0);
    for k in 0..table.outputs {
        e.store_f64_offset(zero, last, table.step(k) as i32 * 8);
    }
}

/// Inside the `table_check` kernel (instance 0, v = 0), or before a lookup when tables are
/// [`checked_at_calls`]: rebuild `table` if it was never built or a DEPEND variable changed.
pub(super) fn emit_check(
    e: &mut BodyEmitter,
    mech: &Mechanism,
    table: &TableLayout,
) -> Result<(), CodegenError> {
    let h = table.function;
    let f = &mech.functions[h];
    let t = f.table.as_ref().expect("tabled function");

    // needed = !built || any depend != saved
    let built_addr = e.global_addr(table.built(), None);
    let built = e.load_f64(built_addr);
    let zero = e.f64(0.0);
    let mut needed = e.b.ins().fcmp(FloatCC::Equal, built, zero);
    let mut depend_values = Vec::new();
    for (k, &d) in t.depend.iter().enumerate() {
        let now = e.load_var(d, None)?;
        let saved_addr = e.global_addr(table.depend(k as u32), None);
        let saved = e.load_f64(saved_addr);
        let changed = e.b.ins().fcmp(FloatCC::NotEqual, now, saved);
        needed = e.b.ins().bor(needed, changed);
        depend_values.push((now, saved_addr));
    }
    let rebuild = e.b.create_block();
    let done = e.b.create_block();
    // Rare (a DEPEND variable changed): out of the way, and the AVX2 back end's cue to leave
    // such iterations to the pair loop.
    e.b.set_cold_block(rebuild);
    e.b.ins().brif(needed, rebuild, &[], done, &[]);

    e.b.switch_to_block(rebuild);
    let tmin = e.expr(t.from)?;
    let tmax = e.expr(t.to)?;
    let range = e.b.ins().fsub(tmax, tmin);
    let n = e.f64(table.with as f64);
    let dx = e.b.ins().fdiv(range, n);
    let one = e.f64(1.0);
    let mfac = e.b.ins().fdiv(one, dx);
    let a = e.global_addr(table.tmin(), None);
    e.store_f64(tmin, a);
    let a = e.global_addr(table.mfac(), None);
    e.store_f64(mfac, a);

    // for j in 0..=with { exact(x); store outputs at j; x += dx }
    let header = e.b.create_block();
    let body = e.b.create_block();
    let exit = e.b.create_block();
    e.b.append_block_param(header, types::I64);
    e.b.append_block_param(header, F64);
    let j0 = e.b.ins().iconst(types::I64, 0);
    e.b.ins().jump(header, &[j0.into(), tmin.into()]);
    e.b.switch_to_block(header);
    let j = e.b.block_params(header)[0];
    let x = e.b.block_params(header)[1];
    let with = e.b.ins().iconst(types::I64, table.with as i64);
    let go = e.b.ins().icmp(IntCC::SignedLessThanOrEqual, j, with);
    e.b.ins().brif(go, body, &[], exit, &[]);

    e.b.switch_to_block(body);
    let exact = e.module.declare_func_in_func(e.symbols.exact(h), e.b.func);
    let Env {
        ctx, data, inst, v, ..
    } = e.env;
    let mut args = vec![ctx, data, inst, v, x];
    for _ in 1..f.parameters.len() {
        args.push(zero);
    }
    let call = e.b.ins().call(exact, &args);
    let r = e.b.inst_results(call)[0];
    let row = row_addr(e, table, j);
    for k in 0..table.outputs {
        let y = if t.outputs.is_empty() {
            r
        } else {
            e.load_var(t.outputs[k as usize], None)?
        };
        e.store_f64_offset(y, row, table.value(k) as i32 * 8);
    }
    let j_next = e.b.ins().iadd_imm_s(j, 1);
    let x_next = e.b.ins().fadd(x, dx);
    e.b.ins().jump(header, &[j_next.into(), x_next.into()]);

    e.b.switch_to_block(exit);
    emit_steps(e, table);
    for (now, saved_addr) in depend_values {
        e.store_f64(now, saved_addr);
    }
    let one = e.f64(1.0);
    let a = e.global_addr(table.built(), None);
    e.store_f64(one, a);
    e.b.ins().jump(done, &[]);
    e.b.switch_to_block(done);
    Ok(())
}
