//! TABLE lookups for two lanes: the interpolation of [`super::super::tables::lookup`] with
//! `usetable` on (the pair loop runs only then), each lane indexing the table as the scalar
//! lookup does.

use super::super::body::{F64, MAX_INLINE_DEPTH};
use super::super::tables::{checked_at_calls, emit_check};
use super::lanes::{pair, select_lanes, zero_or_x, Lanes, Refusal, VResult, F64X2};
use crate::layout::{Layout, Place, TableLayout};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, ConstantData, Endianness, InstBuilder, MemFlagsData, Value};
use nmodl_ir::visit::{walk_block, Visitor};
use nmodl_ir::{Function, FunctionKind, Handle, Mechanism, Variable};

pub(super) fn lookup(
    l: &mut Lanes,
    h: Handle<Function>,
    table: &TableLayout,
    args: &[Value],
) -> VResult<Value> {
    let mech = l.s.mech;
    let f = &mech.functions[h];
    l.used_table = true;
    if checked_at_calls(mech) {
        check_at_lane_0(l, h, table)?;
    }
    let u = args[0];
    let tmin = splat_global(l, table.tmin());
    let mfac = splat_global(l, table.mfac());
    let b = &mut l.s.b;
    let diff = b.ins().fsub(u, tmin);
    let xi = b.ins().fmul(mfac, diff);
    let zero = l.splat(0.0);
    let last = l.splat(table.with as f64);
    let b = &mut l.s.b;
    let x86 = l.s.module.isa().name() == "x64";
    if x86 && i32::try_from(table.with).is_ok() {
        // Both lanes strictly inside the table (the usual case) need no clamp: xi is xc and
        // the index. Otherwise (an end, beyond it, NaN) a cold block clamps. The test is off
        // the loads' dependency chain (a predicted branch), where the clamps were on it.
        let above_zero = b.ins().fcmp(FloatCC::GreaterThan, xi, zero);
        let below_last = b.ins().fcmp(FloatCC::LessThan, xi, last);
        let inside = b.ins().band(above_zero, below_last);
        let lanes = b.ins().vhigh_bits(types::I32, inside);
        let both_inside = b.ins().icmp_imm_u(IntCC::Equal, lanes, 3);
        let clamp = b.create_block();
        let merge = b.create_block();
        let xc = b.append_block_param(merge, F64X2);
        let index = b.append_block_param(merge, F64X2);
        b.set_cold_block(clamp);
        b.ins()
            .brif(both_inside, merge, &[xi.into(), xi.into()], clamp, &[]);
        b.switch_to_block(clamp);
        let low = b.ins().fcmp(FloatCC::LessThanOrEqual, xi, zero);
        let high = b.ins().fcmp(FloatCC::GreaterThanOrEqual, xi, last);
        let clamped_high = select_lanes(b, high, last, xi);
        let clamped = zero_or_x(b, low, clamped_high);
        // xc with NaN replaced by 0 (what the scalar conversion makes of NaN).
        let not_above_zero = b.ins().fcmp(FloatCC::UnorderedOrLessThanOrEqual, xi, zero);
        let clamped_index = zero_or_x(b, not_above_zero, clamped_high);
        b.ins().jump(merge, &[clamped.into(), clamped_index.into()]);
        b.switch_to_block(merge);
        let (whole, rows) = rows_by_cvtt(l, index, table);
        let theta = l.s.b.ins().fsub(xc, whole);
        return interpolate_outputs(l, f, table, rows, theta);
    }
    let low = b.ins().fcmp(FloatCC::LessThanOrEqual, xi, zero);
    let high = b.ins().fcmp(FloatCC::GreaterThanOrEqual, xi, last);
    let clamped_high = select_lanes(b, high, last, xi);
    let xc = zero_or_x(b, low, clamped_high);
    let (whole, rows) = rows_by_conversion(l, xc, table);
    let theta = l.s.b.ins().fsub(xc, whole);
    interpolate_outputs(l, f, table, rows, theta)
}

/// Every output of the table at the rows of both lanes, θ of the way to the next point:
/// stored in its variable (a PROCEDURE's), or returned (a FUNCTION's).
fn interpolate_outputs(
    l: &mut Lanes,
    f: &Function,
    table: &TableLayout,
    rows: Rows,
    theta: Value,
) -> VResult<Value> {
    let mut result = l.splat(0.0);
    let row = table.rows() as i32 * 8;
    let at = |place: u32| row + place as i32 * 8;
    let mut k = 0;
    while k < table.outputs {
        // Two outputs at a time where the row holds them side by side: one vector load per
        // lane and row part, then the lanes' halves exchanged (two loads and two shuffles per
        // pair of quantities, where gathering them lane by lane takes four loads and two
        // inserts).
        let (values, steps) = if k + 1 < table.outputs {
            let values = l.transposed_at(rows, at(table.value(k)));
            let steps = l.transposed_at(rows, at(table.step(k)));
            (values.to_vec(), steps.to_vec())
        } else {
            let y0 = l.gather_at(rows, at(table.value(k)));
            let dy = l.gather_at(rows, at(table.step(k)));
            (vec![y0], vec![dy])
        };
        for (y0, dy) in values.into_iter().zip(steps) {
            let b = &mut l.s.b;
            let step = b.ins().fmul(theta, dy);
            let y = b.ins().fadd(y0, step);
            match f.kind {
                FunctionKind::Function => result = y,
                _ => {
                    let out = f.table.as_ref().expect("tabled").outputs[k as usize];
                    l.store_var(out, y)?;
                }
            }
            k += 1;
        }
    }
    Ok(result)
}

/// The check before a call of a table [`checked_at_calls`], made for lane 0 only. In the
/// scalar order lane 1's check finds nothing changed, as long as the body assigns no DEPEND
/// variable (the pair loop refuses that). A rebuild (at lane 0's check, as in the scalar
/// order) assigns GLOBALs in memory: both lanes see that as long as the body did not read or
/// assign them before (afterwards, as any GLOBAL, they become lane-private when assigned).
fn check_at_lane_0(l: &mut Lanes, h: Handle<Function>, table: &TableLayout) -> VResult<()> {
    let (mech, layout) = (l.s.mech, l.s.layout);
    let name = &mech.functions[h].name;
    let mut assigned = Vec::new();
    shared_assignments(mech, layout, h, 0, &mut assigned)
        .map_err(|why| Refusal::Unsupported(format!("TABLE of {name}: {why}")))?;
    for &var in &assigned {
        let var_name = &mech.variables[var].name;
        if matches!(layout.place(var), Place::Slot(_)) {
            return Err(Refusal::Unsupported(format!(
                "TABLE of {name} is checked at every call and its body assigns {var_name}"
            )));
        }
        if l.global_seen(var) {
            return Err(Refusal::Unsupported(format!(
                "TABLE of {name} is checked at every call and {var_name}, which its rebuild \
                 assigns, was read before"
            )));
        }
    }
    let t = mech.functions[h].table.as_ref().expect("tabled function");
    l.unassignable.extend(t.depend.iter().copied());
    l.rebuilt_globals.extend(assigned);
    // The check leaves the block and may evaluate the body with instance lane 0's columns.
    l.forget_columns();
    let saved = l.s.env;
    let v0 = l.s.b.ins().extractlane(l.v, 0);
    l.s.env.inst = l.insts[0];
    l.s.env.node = l.nodes[0];
    l.s.env.v = v0;
    let checked = emit_check(l.s, mech, table);
    l.s.env = saved;
    Ok(checked?)
}

/// Adds to `out` the GLOBALs and ion variables `h`'s body (or a function it calls) assigns.
fn shared_assignments(
    mech: &Mechanism,
    layout: &Layout,
    h: Handle<Function>,
    depth: u32,
    out: &mut Vec<Handle<Variable>>,
) -> Result<(), String> {
    struct Assigned<'a> {
        layout: &'a Layout,
        shared: &'a mut Vec<Handle<Variable>>,
        calls: Vec<Handle<Function>>,
    }
    impl Visitor for Assigned<'_> {
        fn assigned(&mut self, var: Handle<Variable>) {
            let shared = matches!(self.layout.place(var), Place::Global(_) | Place::Slot(_));
            if shared && !self.shared.contains(&var) {
                self.shared.push(var);
            }
        }
        fn call(&mut self, f: Handle<Function>) {
            self.calls.push(f);
        }
    }
    if depth > MAX_INLINE_DEPTH {
        return Err(format!("calls nested deeper than {MAX_INLINE_DEPTH}"));
    }
    let mut found = Assigned {
        layout,
        shared: out,
        calls: Vec::new(),
    };
    walk_block(mech, &mech.functions[h].body, &mut found);
    for g in found.calls {
        shared_assignments(mech, layout, g, depth + 1, out)?;
    }
    Ok(())
}

fn splat_global(l: &mut Lanes, index: u32) -> Value {
    let a = l.s.global_addr(index, None);
    let x = l.s.load_f64(a);
    l.s.b.ins().splat(F64X2, x)
}

/// Per lane, the address of a table's row i in the globals, less the offset of the table's
/// rows.
type Rows = [Value; 2];

/// The scalar lookup's i = fcvt_to_sint_sat(xc) for both lanes, as a float (`whole`), and
/// its [`Rows`], from `index`: xc (clamped to [0, with]) with NaN replaced by 0. x86-64
/// converts both lanes at once (cvttpd2dq, truncating; `with` is below 2^31) and moves both
/// 32-bit results to one integer register, without the saturating scalar conversion's
/// overflow and NaN branches.
fn rows_by_cvtt(l: &mut Lanes, index: Value, table: &TableLayout) -> (Value, Rows) {
    let little = MemFlagsData::new().with_endianness(Endianness::Little);
    let b = &mut l.s.b;
    // The pattern Cranelift lowers to cvttpd2dq alone: a narrowing with a zero vconst.
    let zero = b
        .func
        .dfg
        .constants
        .insert(ConstantData::from(vec![0u8; 16]));
    let zero = b.ins().vconst(types::I64X2, zero);
    let wide = b.ins().x86_cvtt2dq(types::I64X2, index);
    let narrow = b.ins().snarrow(wide, zero);
    let low = b.ins().swiden_low(narrow);
    let whole = b.ins().fcvt_from_sint(F64X2, low);
    let packed = b.ins().bitcast(types::I64X2, little, narrow);
    let both = b.ins().extractlane(packed, 0);
    let i0 = b.ins().ireduce(types::I32, both);
    let i0 = b.ins().uextend(types::I64, i0);
    let i1 = b.ins().ushr_imm_u(both, 32);
    let rows = [i0, i1].map(|i| row_addr(l, i, table));
    (whole, rows)
}

/// As [`rows_by_cvtt`], lane by lane with the scalar code's conversions (other targets).
fn rows_by_conversion(l: &mut Lanes, xc: Value, table: &TableLayout) -> (Value, Rows) {
    let b = &mut l.s.b;
    let mut index = [xc; 2];
    let mut whole = [xc; 2];
    for lane in 0..2 {
        let x = b.ins().extractlane(xc, lane as u8);
        let i = b.ins().fcvt_to_sint_sat(types::I64, x);
        whole[lane] = b.ins().fcvt_from_sint(F64, i);
        index[lane] = i;
    }
    let whole = pair(b, whole[0], whole[1]);
    let rows = index.map(|i| row_addr(l, i, table));
    (whole, rows)
}

/// globals + 8 i row_len: with the offset of the table's rows added by the load, one
/// addressing mode.
fn row_addr(l: &mut Lanes, i: Value, table: &TableLayout) -> Value {
    let globals = l.s.global_addr(0, None);
    let first = l.s.b.ins().imul_imm_s(i, i64::from(table.row_len()));
    l.s.element_addr(globals, first)
}
