//! TABLE lookups for two lanes: the interpolation of [`super::super::tables::lookup`] with
//! `usetable` on (the pair loop runs only then), the index arithmetic lane by lane.

use super::super::body::{F64, MAX_INLINE_DEPTH};
use super::super::tables::{checked_at_calls, emit_check};
use super::lanes::{pair, select_lanes, Lanes, Refusal, VResult, F64X2};
use crate::layout::{Layout, Place, TableLayout};
use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, InstBuilder, Value};
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
    let fi = pair(b, whole[0], whole[1]);
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

/// Element `index[k]` of the global array at `base`, in lane k.
fn gather_global(l: &mut Lanes, base: u32, index: [Value; 2]) -> Value {
    let a0 = l.s.global_addr(base, Some(index[0]));
    let a1 = l.s.global_addr(base, Some(index[1]));
    let y0 = l.s.load_f64(a0);
    let y1 = l.s.load_f64(a1);
    pair(&mut l.s.b, y0, y1)
}
