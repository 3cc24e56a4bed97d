//! State and current kernels that run two instances per iteration, in f64x2 lanes.
//!
//! Every lane performs exactly the operations the scalar code performs for its instance, in the
//! same order (same constants, same fused multiply-adds, libm calls lane by lane), so the
//! results are bit-identical to the scalar kernels; only instruction count changes. A kernel
//! whose body uses anything outside the supported subset stays entirely scalar: whether it is
//! supported is decided by emitting the vector loop once into a scratch function
//! ([`decide`]), so the check and the code can never disagree.
//!
//! What has to be sequential stays sequential: the read-modify-writes of a node's `rhs`/`d`
//! and of an ion's current run lane 0 then lane 1 (two instances may share a node). Values
//! that are not per instance (GLOBALs a body assigns, ion variables it writes) are supported
//! only when no lane could observe another lane's write (see [`lanes`]). A kernel assigning
//! through a POINTER stays scalar; one reading through a POINTER is vectorized on the
//! assumption that the pointer does not name a variable this same kernel assigns for another
//! instance of the mechanism (pointers name membrane potentials or other mechanisms'
//! variables in practice), since lane 1 may read it before lane 0 assigned it.
//!
//! `RSNRN_SCALAR_KERNELS` set (to anything) when code is generated turns this off;
//! `RSNRN_VECTOR_REPORT` prints, per kernel, whether it was vectorized or why not.

mod consts;
mod lanes;
mod table;

use super::body::{BodyEmitter, PTR};
use super::writer::FunctionWriter;
use super::{kernel_signature, nonlinear};
use crate::CodegenError;
use consts::ConstantPool;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{Function, InstBuilder, Value};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use lanes::{Lanes, Refusal, VResult, F64X2};
use nmodl_ir::{MechanismKind, SolveMethod};
use rsnrn_abi::{KernelContext, MechanismData};
use std::cell::{Cell, RefCell};
use std::mem::offset_of;

/// The kernels that can be vectorized.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Kernel {
    State,
    Current,
}

impl Kernel {
    fn name(self) -> &'static str {
        match self {
            Kernel::State => "state",
            Kernel::Current => "current",
        }
    }
}

/// How a kernel is vectorized.
#[derive(Clone, Copy, Debug)]
pub(super) struct Plan {
    kernel: Kernel,
    /// The body interpolates in a TABLE: the vector loop runs only while `usetable` is on
    /// (the exact bodies are left to the scalar loop).
    uses_table: bool,
}

thread_local! {
    /// Set by [`with_scalar_kernels`].
    static SCALAR_ONLY: Cell<bool> = const { Cell::new(false) };
    /// Collecting decisions for [`with_vector_report`] when Some.
    static REPORT: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Runs `f` with every kernel generated on this thread scalar, as RSNRN_SCALAR_KERNELS does
/// for the whole process (for comparing both kinds of kernels in one process).
pub fn with_scalar_kernels<T>(f: impl FnOnce() -> T) -> T {
    let before = SCALAR_ONLY.with(|s| s.replace(true));
    let result = f();
    SCALAR_ONLY.with(|s| s.set(before));
    result
}

/// Runs `f` and returns, with its result, one line per state or current kernel generated on
/// this thread meanwhile: `<mechanism> <kernel>: f64x2` or `...: scalar (<why>)`.
pub fn with_vector_report<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let before = REPORT.with(|r| r.replace(Some(Vec::new())));
    let result = f();
    let lines = REPORT.with(|r| r.replace(before)).unwrap_or_default();
    (result, lines)
}

/// Whether this thread asked for scalar kernels or collects a report ([`with_scalar_kernels`],
/// [`with_vector_report`]).
pub(crate) fn thread_switches_set() -> bool {
    SCALAR_ONLY.with(|s| s.get()) || REPORT.with(|r| r.borrow().is_some())
}

/// Adds a line to the report of [`with_vector_report`] (and prints it under
/// RSNRN_VECTOR_REPORT).
pub(crate) fn report(line: String) {
    if std::env::var_os("RSNRN_VECTOR_REPORT").is_some() {
        eprintln!("vector kernels: {line}");
    }
    REPORT.with(|r| {
        if let Some(lines) = r.borrow_mut().as_mut() {
            lines.push(line);
        }
    });
}

/// Whether scalar kernels only are asked for (RSNRN_SCALAR_KERNELS set, or
/// [`with_scalar_kernels`]).
fn scalar_requested() -> bool {
    std::env::var_os("RSNRN_SCALAR_KERNELS").is_some() || SCALAR_ONLY.with(|s| s.get())
}

/// The plan for `kernel` of the writer's mechanism, or None when it stays scalar.
pub(super) fn decide(w: &mut FunctionWriter, kernel: Kernel) -> Option<Plan> {
    let outcome = if scalar_requested() {
        Err("RSNRN_SCALAR_KERNELS is set".to_string())
    } else if w.mech.kind == MechanismKind::ArtificialCell {
        Err("artificial cells have no node".to_string())
    } else {
        dry_run(w, kernel)
    };
    let line = match &outcome {
        Ok(_) => format!("{} {}: f64x2", w.mech.name, kernel.name()),
        Err(why) => format!("{} {}: scalar ({why})", w.mech.name, kernel.name()),
    };
    report(line);
    outcome.ok()
}

/// Emits the vector loop into a scratch function; the plan when that succeeds.
fn dry_run(w: &mut FunctionWriter, kernel: Kernel) -> Result<Plan, String> {
    let mut func = Function::with_name_signature(Default::default(), kernel_signature(w.module));
    let mut fctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut fctx);
    let (env, _) = super::enter_kernel(&mut b);
    let mut e = BodyEmitter::new(b, w.mech, w.layout, w.symbols, &mut *w.module, env);
    e.hoist();
    let plan = Plan {
        kernel,
        uses_table: false,
    };
    match pair_loop(&mut e, plan, true) {
        Ok(uses_table) => Ok(Plan { kernel, uses_table }),
        Err(Refusal::Unsupported(why)) => Err(why),
        Err(Refusal::Failed(err)) => Err(format!("{err:?}")),
    }
}

/// The vectorized kernel loop: pairs of instances in lanes while at least two remain (and
/// `usetable` is on, when the body interpolates in tables), then `scalar(e, first)` for the
/// instances from `first` on.
pub(super) fn pairs_then_instances(
    e: &mut BodyEmitter,
    plan: Plan,
    scalar: impl FnOnce(&mut BodyEmitter, Value) -> Result<(), CodegenError>,
) -> Result<(), CodegenError> {
    e.hoist();
    match pair_loop(e, plan, false) {
        Ok(_) => {}
        Err(Refusal::Failed(err)) => return Err(err),
        Err(Refusal::Unsupported(why)) => {
            return Err(CodegenError::internal(format!(
                "the vector kernel passed its dry run, then failed: {why}"
            )))
        }
    }
    let exit =
        e.b.current_block()
            .expect("the pair loop ends in its exit block");
    let start = e.b.block_params(exit)[0];
    scalar(e, start)
}

/// Emits the loop over instance pairs; the builder ends in a block whose only parameter is
/// the first instance left to the scalar loop. Returns whether the body used a table.
/// `dry_run`: the function is a scratch one, never compiled.
fn pair_loop(e: &mut BodyEmitter, plan: Plan, dry_run: bool) -> VResult<bool> {
    let count = e.load_ptr(e.env.data, offset_of!(MechanismData, count));
    let node_index = e.load_ptr(e.env.data, offset_of!(MechanismData, node_index));
    let even = e.b.ins().band_imm_s(count, -2);
    let pairs_end = match (plan.uses_table, e.layout.usetable) {
        (true, Some(usetable)) => {
            let a = e.global_addr(usetable, None);
            let u = e.load_f64(a);
            let in_use = e.truthy(u);
            let zero = e.b.ins().iconst(PTR, 0);
            e.b.ins().select(in_use, even, zero)
        }
        _ => even,
    };
    let exit = e.b.create_block();
    e.b.append_block_param(exit, PTR);
    let ends = LoopEnds {
        node_index,
        pairs_end,
        exit,
    };
    // The dry run decides for both loops: they differ only in how they address node and
    // ion values.
    let uses_table = if dry_run {
        one_pair_loop(e, plan, dry_run, false, &ends)?
    } else {
        // The affine loop reads its first instance's node and slot pointers before it
        // starts: taken only when there is a pair.
        let affine = e.load_ptr(e.env.data, offset_of!(MechanismData, affine));
        let affine = e.b.ins().icmp_imm_u(IntCC::NotEqual, affine, 0);
        let some_pair = e.b.ins().icmp_imm_u(IntCC::NotEqual, ends.pairs_end, 0);
        let affine = e.b.ins().band(affine, some_pair);
        let affine_loop = e.b.create_block();
        let general_loop = e.b.create_block();
        e.b.ins().brif(affine, affine_loop, &[], general_loop, &[]);
        e.b.switch_to_block(affine_loop);
        one_pair_loop(e, plan, dry_run, true, &ends)?;
        e.b.switch_to_block(general_loop);
        one_pair_loop(e, plan, dry_run, false, &ends)?
    };
    e.b.switch_to_block(exit);
    Ok(uses_table)
}

/// What both pair loops share: the node numbers, where the pairs end and the block after.
struct LoopEnds {
    node_index: Value,
    pairs_end: Value,
    exit: cranelift_codegen::ir::Block,
}

/// One loop over the pairs, from the current block to `ends.exit`; `affine`: for affine
/// instance data (see [`Lanes::affine`]).
fn one_pair_loop(
    e: &mut BodyEmitter,
    plan: Plan,
    dry_run: bool,
    affine: bool,
    ends: &LoopEnds,
) -> VResult<bool> {
    let consts = ConstantPool::new(e, dry_run)?;
    let header = e.b.create_block();
    let body = e.b.create_block();
    e.b.append_block_param(header, PTR);
    let zero = e.b.ins().iconst(PTR, 0);
    let preheader = e.b.ins().jump(header, &[zero.into()]);

    if !dry_run {
        e.pair_headers.push((header, affine));
    }
    e.b.switch_to_block(header);
    let inst = e.b.block_params(header)[0];
    let go = e.icmp_lt(inst, ends.pairs_end);
    e.b.ins()
        .brif(go, body, &[], ends.exit, &[ends.pairs_end.into()]);

    e.b.switch_to_block(body);
    let keep_columns = plan.kernel == Kernel::Current;
    let mut l = Lanes::enter(
        e,
        inst,
        ends.node_index,
        consts,
        keep_columns,
        preheader,
        affine,
    );
    match plan.kernel {
        Kernel::State => state_pair(&mut l)?,
        Kernel::Current => current_pair(&mut l)?,
    }
    if let Some(&d) = l.unassignable.iter().find(|d| l.written.contains(d)) {
        return Err(Refusal::Unsupported(format!(
            "{} is assigned, and a TABLE checked at its calls depends on it",
            l.s.mech.variables[d].name
        )));
    }
    l.write_back();
    l.flush_globals();
    let uses_table = l.used_table;
    let consts = l.consts;
    consts.finish(&mut *e.module)?;
    let next = e.b.ins().iadd_imm_s(inst, 2);
    e.b.ins().jump(header, &[next.into()]);
    Ok(uses_table)
}

/// The state kernel's body (kernels.rs) for two instances: the SOLVEs that are inlined
/// blocks (cnexp, euler and plain PROCEDUREs), then a BREAKPOINT that produces no current.
fn state_pair(l: &mut Lanes) -> VResult<()> {
    let mech = l.s.mech;
    read_written_currents(l)?;
    for s in &mech.solves {
        let symbols = l.s.symbols;
        if symbols.derivative(s.target).is_some()
            || s.method == SolveMethod::Runge
            || symbols.nonlinear(s.target).is_some()
            || symbols.kinetic(s.target).is_some()
        {
            return Err(Refusal::Unsupported(format!(
                "SOLVE {} METHOD {:?}",
                mech.functions[s.target].name, s.method
            )));
        }
        if !symbols.inlinable(s.target) || nonlinear::halves_dt_in_state(mech) {
            return Err(Refusal::Unsupported(format!(
                "SOLVE {} is not inlined",
                mech.functions[s.target].name
            )));
        }
        l.inline_call(s.target, &[])?;
    }
    if mech.currents.is_empty() {
        if let Some(bp) = &mech.breakpoint {
            l.reset_locals_of(bp);
            l.block(bp)?;
        }
    }
    Ok(())
}

/// kernels.rs `read_written_currents`: an ion current the mechanism READs and WRITEs starts
/// at the ion's total so far. That total includes the previous instance's contribution when
/// both are on one node, which only point processes can be: they stay scalar.
fn read_written_currents(l: &mut Lanes) -> VResult<()> {
    let (mech, layout) = (l.s.mech, l.s.layout);
    for w in &layout.ion_writes {
        if mech.ions.iter().any(|ion| ion.read.contains(&w.variable)) {
            if mech.kind != MechanismKind::Density {
                return Err(Refusal::Unsupported(format!(
                    "{} is read and written by a point process",
                    mech.variables[w.variable].name
                )));
            }
            let total = l.slot_values(w.current_slot);
            l.store_var(w.variable, total)?;
        }
    }
    Ok(())
}

/// The BREAKPOINT at membrane potential `v` (both lanes), as kernels.rs `breakpoint_at`.
fn breakpoint_at(l: &mut Lanes, v: Value) -> VResult<Value> {
    let v_node = l.v;
    l.set_v(v);
    let mech = l.s.mech;
    if let Some(bp) = &mech.breakpoint {
        l.reset_locals_of(bp);
        l.block(bp)?;
    }
    let mut total = l.splat(0.0);
    for c in &mech.currents {
        let x = l.load_var(c.variable)?;
        total = l.s.b.ins().fadd(total, x);
    }
    l.v = v_node;
    Ok(total)
}

/// kernels.rs `current_instance` for two instances; the accumulations into the ions and the
/// matrix run lane 0 then lane 1.
fn current_pair(l: &mut Lanes) -> VResult<()> {
    read_written_currents(l)?;
    let (mech, layout) = (l.s.mech, l.s.layout);
    let dv = l.splat(0.001);
    let per_dv = l.splat(1000.0);
    let v_plus = l.s.b.ins().fadd(l.v, dv);
    let i_plus = breakpoint_at(l, v_plus)?;
    let mut saved = Vec::new();
    for w in &layout.ion_writes {
        saved.push(l.load_var(w.variable)?);
    }
    let v = l.v;
    let i_v = breakpoint_at(l, v)?;
    let mut ion_terms = Vec::new();
    for (w, at_plus) in layout.ion_writes.iter().zip(saved) {
        let at_v = l.load_var(w.variable)?;
        let diff = l.s.b.ins().fsub(at_plus, at_v);
        let g = l.s.b.ins().fmul(diff, per_dv);
        ion_terms.push((w, g, at_v));
    }
    let diff = l.s.b.ins().fsub(i_plus, i_v);
    let mut g = l.s.b.ins().fmul(diff, per_dv);
    let mut rhs = i_v;
    if mech.kind != MechanismKind::Density {
        let area = l.node_values(offset_of!(KernelContext, area));
        let hundred = l.splat(100.0);
        let factor = l.s.b.ins().fdiv(hundred, area);
        g = l.s.b.ins().fmul(g, factor);
        rhs = l.s.b.ins().fmul(rhs, factor);
    }
    if l.affine {
        // Distinct consecutive nodes and ion instances: each sum is one vector operation.
        for &(w, g_ion, at_v) in &ion_terms {
            let old = l.slot_values(w.conductance_slot);
            let new = l.s.b.ins().fadd(old, g_ion);
            l.store_slot_values(w.conductance_slot, new);
            let old = l.slot_values(w.current_slot);
            let new = l.s.b.ins().fadd(old, at_v);
            l.store_slot_values(w.current_slot, new);
        }
        let rhs_addr = lanes::node_addr_of(l.s, offset_of!(KernelContext, rhs), l.nodes[0]);
        let d_addr = lanes::node_addr_of(l.s, offset_of!(KernelContext, d), l.nodes[0]);
        let b = &mut l.s.b;
        let flags = cranelift_codegen::ir::MemFlagsData::new().with_notrap();
        let old_rhs = b.ins().load(F64X2, flags, rhs_addr, 0);
        let old_d = b.ins().load(F64X2, flags, d_addr, 0);
        let (new_rhs, new_d) = if layout.info.electrode_current {
            (b.ins().fadd(old_rhs, rhs), b.ins().fsub(old_d, g))
        } else {
            (b.ins().fsub(old_rhs, rhs), b.ins().fadd(old_d, g))
        };
        b.ins().store(flags, new_rhs, rhs_addr, 0);
        b.ins().store(flags, new_d, d_addr, 0);
        return Ok(());
    }
    for lane in 0..2u8 {
        let inst = l.insts[lane as usize];
        let node = l.nodes[lane as usize];
        let e = &mut *l.s;
        for &(w, g_ion, at_v) in &ion_terms {
            let g_lane = e.b.ins().extractlane(g_ion, lane);
            let p = lanes::slot_ptr_of(e, w.conductance_slot, inst);
            let old = e.load_f64(p);
            let new = e.b.ins().fadd(old, g_lane);
            e.store_f64(new, p);
            let i_lane = e.b.ins().extractlane(at_v, lane);
            let p = lanes::slot_ptr_of(e, w.current_slot, inst);
            let old = e.load_f64(p);
            let new = e.b.ins().fadd(old, i_lane);
            e.store_f64(new, p);
        }
        let rhs_addr = lanes::node_addr_of(e, offset_of!(KernelContext, rhs), node);
        let d_addr = lanes::node_addr_of(e, offset_of!(KernelContext, d), node);
        let rhs_lane = e.b.ins().extractlane(rhs, lane);
        let g_lane = e.b.ins().extractlane(g, lane);
        let old_rhs = e.load_f64(rhs_addr);
        let old_d = e.load_f64(d_addr);
        let (new_rhs, new_d) = if layout.info.electrode_current {
            (
                e.b.ins().fadd(old_rhs, rhs_lane),
                e.b.ins().fsub(old_d, g_lane),
            )
        } else {
            (
                e.b.ins().fsub(old_rhs, rhs_lane),
                e.b.ins().fadd(old_d, g_lane),
            )
        };
        e.store_f64(new_rhs, rhs_addr);
        e.store_f64(new_d, d_addr);
    }
    Ok(())
}
