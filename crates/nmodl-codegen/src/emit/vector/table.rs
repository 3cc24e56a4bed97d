//! TABLE lookups for two lanes: the interpolation of [`super::super::tables::lookup`] with
//! `usetable` on (the pair loop runs only then), the index arithmetic lane by lane.

use super::super::body::{F64, MAX_INLINE_DEPTH};
use super::super::tables::{checked_at_calls, emit_check};
use super::lanes::{select_lanes, Lanes, Refusal, VResult, F64X2};
use crate::layout::{Place, TableLayout};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};
use nmodl_ir::visit::{walk_block, Visitor};
use nmodl_ir::{Function, FunctionKind, Handle, Variable};

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
    let low = b.ins().fcmp(FloatCC::LessThanOrEqual, xi, zero);
    let high = b.ins().fcmp(FloatCC::GreaterThanOrEqual, xi, last);
    let clamped_high = select_lanes(b, high, last, xi);
    let xc = select_lanes(b, low, zero, clamped_high);
    // Index and next index per lane, as the scalar code computes them.
    let mut index = [xc; 2];
    let mut next = [xc; 2];
    let mut whole = [xc; 2];
    for lane in 0..2 {
        let x = b.ins().extractlane(xc, lane as u8);
        let i = b.ins().fcvt_to_sint_sat(types::I64, x);
        whole[lane] = b.ins().fcvt_from_sint(F64, i);
        let i_next = b.ins().iadd_imm_s(i, 1);
        let with = b.ins().iconst(types::I64, table.with as i64);
        let past_end = b.ins().icmp(IntCC::SignedGreaterThan, i_next, with);
        index[lane] = i;
        next[lane] = b.ins().select(past_end, with, i_next);
    }
    let fi = b.ins().scalar_to_vector(F64X2, whole[0]);
    let fi = b.ins().insertlane(fi, whole[1], 1);
    let theta = b.ins().fsub(xc, fi);

    let mut result = l.splat(0.0);
    for k in 0..table.outputs {
        let base = table.values(k);
        let y0 = gather_global(l, base, index);
        let y1 = gather_global(l, base, next);
        let b = &mut l.s.b;
        let dy = b.ins().fsub(y1, y0);
        let step = b.ins().fmul(theta, dy);
        let y = b.ins().fadd(y0, step);
        match f.kind {
            FunctionKind::Function => result = y,
            _ => {
                let out = f.table.as_ref().expect("tabled").outputs[k as usize];
                l.store_var(out, y)?;
            }
        }
    }
    Ok(result)
}

/// The check before a call of a table [`checked_at_calls`], made for lane 0 only: lane 1's
/// check, in the scalar order, finds nothing changed as long as the body assigns no DEPEND
/// variable (the pair loop refuses otherwise) and the exact body assigns nothing shared that
/// a rebuild would change behind lane 1's back.
fn check_at_lane_0(l: &mut Lanes, h: Handle<Function>, table: &TableLayout) -> VResult<()> {
    let mech = l.s.mech;
    if let Some(what) = assigns_shared(l, h, 0) {
        return Err(Refusal::Unsupported(format!(
            "TABLE of {} is checked at every call and its body assigns {what}",
            mech.functions[h].name
        )));
    }
    let t = mech.functions[h].table.as_ref().expect("tabled function");
    l.table_depends.extend(t.depend.iter().copied());
    let saved = l.s.env;
    let v0 = l.s.b.ins().extractlane(l.v, 0);
    l.s.env.inst = l.insts[0];
    l.s.env.node = l.nodes[0];
    l.s.env.v = v0;
    let checked = emit_check(l.s, mech, table);
    l.s.env = saved;
    Ok(checked?)
}

/// The GLOBAL or ion variable `h`'s body (or a function it calls) assigns, if any.
fn assigns_shared(l: &Lanes, h: Handle<Function>, depth: u32) -> Option<String> {
    struct Assigned<'a> {
        layout: &'a crate::layout::Layout,
        shared: Vec<Handle<Variable>>,
        calls: Vec<Handle<Function>>,
    }
    impl Visitor for Assigned<'_> {
        fn assigned(&mut self, var: Handle<Variable>) {
            if matches!(self.layout.place(var), Place::Global(_) | Place::Slot(_)) {
                self.shared.push(var);
            }
        }
        fn call(&mut self, f: Handle<Function>) {
            self.calls.push(f);
        }
    }
    let mech = l.s.mech;
    if depth > MAX_INLINE_DEPTH {
        return Some(format!("calls nested deeper than {MAX_INLINE_DEPTH}"));
    }
    let mut found = Assigned {
        layout: l.s.layout,
        shared: Vec::new(),
        calls: Vec::new(),
    };
    walk_block(mech, &mech.functions[h].body, &mut found);
    if let Some(&var) = found.shared.first() {
        return Some(mech.variables[var].name.clone());
    }
    found
        .calls
        .iter()
        .find_map(|&g| assigns_shared(l, g, depth + 1))
}

fn splat_global(l: &mut Lanes, index: u32) -> Value {
    let a = l.s.global_addr(index, None);
    let x = l.s.load_f64(a);
    l.s.b.ins().splat(F64X2, x)
}

/// Element `index[k]` of the global array at `base`, in lane k.
fn gather_global(l: &mut Lanes, base: u32, index: [Value; 2]) -> Value {
    let a0 = l.s.global_addr(base, Some(index[0]));
    let a1 = l.s.global_addr(base, Some(index[1]));
    let y0 = l.s.load_f64(a0);
    let y1 = l.s.load_f64(a1);
    let v = l.s.b.ins().scalar_to_vector(F64X2, y0);
    l.s.b.ins().insertlane(v, y1, 1)
}
