//! The four ABI kernels: loops over all instances around the generated bodies.

use super::body::{BodyEmitter, PTR};
use super::vector::{self, Kernel};
use super::writer::FunctionWriter;
use super::{derivimplicit, kernel_signature, kinetic, tables, KernelIds, Symbols};
use crate::layout::Layout;
use crate::CodegenError;
use cranelift_codegen::ir::{types, InstBuilder, Value};
use cranelift_codegen::Context;
use cranelift_frontend::FunctionBuilderContext;
use cranelift_module::{FuncId, Linkage, Module};
use nmodl_ir::{FunctionKind, Mechanism, MechanismKind, Storage, VariableKind};
use rsnrn_abi::{HookKind, KernelContext, MechanismData};
use std::mem::offset_of;

type Result<T> = std::result::Result<T, CodegenError>;

pub(super) fn emit_all(
    module: &mut dyn Module,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    mech: &Mechanism,
    layout: &Layout,
    symbols: &Symbols,
    prefix: &str,
) -> Result<KernelIds> {
    let mut w = KernelWriter {
        functions: FunctionWriter {
            module,
            ctx,
            fctx,
            mech,
            layout,
            symbols,
        },
        prefix,
    };
    let table_check = w.kernel("table_check", |e| table_check(e, mech, layout))?;
    let initialize = w.kernel("initialize", |e| {
        each_instance(e, |e| {
            read_written_currents(e, mech, layout)?;
            initialize_instance(e, mech)
        })
    })?;
    // A BREAKPOINT that produces no current is not part of the matrix setup: nocmodl runs
    // it in the state update, after the SOLVEs, with v and t of the end of the step.
    let has_current = !mech.currents.is_empty();
    let current = if has_current {
        let plan = vector::decide(&mut w.functions, Kernel::Current);
        Some(w.kernel("current", |e| {
            instance_loops(e, plan, |e| {
                read_written_currents(e, mech, layout)?;
                current_instance(e, mech, layout)
            })
        })?)
    } else {
        None
    };
    let breakpoint_in_state = !has_current && mech.breakpoint.is_some();
    let state = if mech.solves.is_empty() && !breakpoint_in_state {
        None
    } else {
        let plan = vector::decide(&mut w.functions, Kernel::State);
        Some(w.kernel("state", |e| {
            instance_loops(e, plan, |e| {
                read_written_currents(e, mech, layout)?;
                for s in &mech.solves {
                    if let Some(derivative) = e.symbols.derivative(s.target) {
                        derivimplicit::emit_solve(e, s.target, derivative)?;
                    } else if s.method == nmodl_ir::SolveMethod::Runge {
                        let kinetic = mech.functions[s.target].kind == FunctionKind::Kinetic;
                        super::runge::emit_solve(e, s.target, kinetic)?;
                    } else if e.symbols.nonlinear(s.target).is_some() {
                        super::nonlinear::solve(e, s)?;
                    } else if let Some(system) = e.symbols.kinetic(s.target) {
                        kinetic::emit_solve(e, s.target, system, false)?;
                    } else if e.symbols.inlinable(s.target) {
                        if super::nonlinear::halves_dt_in_state(mech) {
                            let dt = super::nonlinear::half_dt_under_secondorder(e);
                            e.dt_override = Some(dt);
                        }
                        e.inline_call(s.target, &[])?;
                        e.dt_override = None;
                    } else {
                        call_body(e, e.symbols.callable(s.target), &[]);
                    }
                }
                if breakpoint_in_state {
                    let bp = mech.breakpoint.as_ref().expect("checked");
                    e.reset_locals_of(bp);
                    e.block(bp)?;
                }
                Ok(())
            })
        })?)
    };
    let mut hooks = Vec::new();
    for kind in HookKind::ALL {
        let blocks: Vec<&nmodl_ir::Hook> = mech
            .hooks
            .iter()
            .filter(|h| hook_kind(h) == Some(kind))
            .collect();
        if blocks.is_empty() {
            continue;
        }
        let name = kind.name().to_lowercase().replace(' ', "_");
        let id = w.kernel(&name, |e| {
            each_instance(e, |e| {
                for h in &blocks {
                    e.reset_locals_of(&h.body);
                    e.block(&h.body)?;
                }
                Ok(())
            })
        })?;
        hooks.push((kind, id));
    }
    if let Some(h) = mech.hooks.iter().find(|h| hook_kind(h).is_none()) {
        return Err(CodegenError::at(
            h.span,
            "NEURON runs only BEFORE INITIAL, AFTER INITIAL, BEFORE BREAKPOINT, AFTER SOLVE and \
             BEFORE STEP blocks"
                .into(),
        ));
    }
    Ok(KernelIds {
        table_check,
        initialize,
        current,
        state,
        events: Default::default(),
        functions: Vec::new(),
        lifecycle: [None, None],
        hooks,
        failure_sites: Vec::new(),
    })
}

/// The kind of kernel a BEFORE/AFTER block belongs to (None for combinations NEURON lacks).
fn hook_kind(h: &nmodl_ir::Hook) -> Option<HookKind> {
    use nmodl_ir::{HookPhase as P, HookTime as T};
    Some(match (h.when, h.phase) {
        (T::Before, P::Initial) => HookKind::BeforeInitial,
        (T::After, P::Initial) => HookKind::AfterInitial,
        (T::Before, P::Breakpoint) => HookKind::BeforeBreakpoint,
        (T::After, P::Solve) => HookKind::AfterSolve,
        (T::Before, P::Step) => HookKind::BeforeStep,
        _ => return None,
    })
}

/// What every kernel of one mechanism is emitted with.
struct KernelWriter<'a> {
    functions: FunctionWriter<'a>,
    prefix: &'a str,
}

impl KernelWriter<'_> {
    /// Declares, emits and defines the kernel `<prefix>_<name>`, `(ctx, data) -> i32`, whose
    /// body is `body`; the status reports a failure the body recorded.
    fn kernel(
        &mut self,
        name: &str,
        body: impl FnOnce(&mut BodyEmitter) -> Result<()>,
    ) -> Result<FuncId> {
        let sig = kernel_signature(self.functions.module);
        let name = format!("{}_{name}", self.prefix);
        self.functions
            .function(&name, Linkage::Export, sig, |e, _| {
                body(e)?;
                Ok(failure_status(e))
            })
    }
}

/// The kernel's status: 0, or [`rsnrn_abi::STATUS_FAILURE_SITE`] + site when generated code
/// recorded a failure (the record is cleared for the next call).
pub(super) fn failure_status(e: &mut BodyEmitter) -> Value {
    let Some(g) = e.layout.failure_global else {
        return e.b.ins().iconst(types::I32, 0);
    };
    let a = e.global_addr(g, None);
    let recorded = e.load_f64(a);
    let zero = e.f64(0.0);
    e.store_f64(zero, a);
    // recorded is 1 + site, or 0: status = recorded + STATUS_FAILURE_SITE - 1, or 0.
    let site_plus_one = e.b.ins().fcvt_to_sint_sat(types::I32, recorded);
    let failed = e.b.ins().icmp_imm_s(
        cranelift_codegen::ir::condcodes::IntCC::NotEqual,
        site_plus_one,
        0,
    );
    let status =
        e.b.ins()
            .iadd_imm_s(site_plus_one, i64::from(rsnrn_abi::STATUS_FAILURE_SITE) - 1);
    let ok = e.b.ins().iconst(types::I32, 0);
    e.b.ins().select(failed, status, ok)
}

/// [`each_instance`], or with a vector plan pairs of instances in f64x2 lanes first.
fn instance_loops(
    e: &mut BodyEmitter,
    plan: Option<vector::Plan>,
    per: impl FnOnce(&mut BodyEmitter) -> Result<()>,
) -> Result<()> {
    match plan {
        Some(plan) => {
            vector::pairs_then_instances(e, plan, |e, first| instances_from(e, first, per))
        }
        None => each_instance(e, per),
    }
}

/// `for inst in 0..count { node = node_index[inst]; v = ctx.v[node]; per(...) }`
fn each_instance(
    e: &mut BodyEmitter,
    per: impl FnOnce(&mut BodyEmitter) -> Result<()>,
) -> Result<()> {
    e.hoist();
    let zero = e.b.ins().iconst(PTR, 0);
    instances_from(e, zero, per)
}

/// The instance loop from instance `first` on (kernels hoist before it).
fn instances_from(
    e: &mut BodyEmitter,
    first: Value,
    per: impl FnOnce(&mut BodyEmitter) -> Result<()>,
) -> Result<()> {
    let count = e.load_ptr(e.env.data, offset_of!(MechanismData, count));
    let node_index = e.load_ptr(e.env.data, offset_of!(MechanismData, node_index));
    let header = e.b.create_block();
    let body = e.b.create_block();
    let exit = e.b.create_block();
    e.b.append_block_param(header, PTR);
    e.b.ins().jump(header, &[first.into()]);

    e.b.switch_to_block(header);
    let inst = e.b.block_params(header)[0];
    let go = e.icmp_lt(inst, count);
    e.b.ins().brif(go, body, &[], exit, &[]);

    e.b.switch_to_block(body);
    // Artificial cells have no node (env.node and env.v stay 0).
    e.enter_instance_at(inst, node_index);
    per(e)?;
    let next = e.b.ins().iadd_imm_s(inst, 1);
    e.b.ins().jump(header, &[next.into()]);

    e.b.switch_to_block(exit);
    Ok(())
}

/// Calls a body-signature function with the current environment.
fn call_body(e: &mut BodyEmitter, id: FuncId, extra: &[Value]) -> Value {
    let fref = e.module.declare_func_in_func(id, e.b.func);
    let mut args = vec![e.env.ctx, e.env.data, e.env.inst, e.env.v];
    args.extend_from_slice(extra);
    let call = e.b.ins().call(fref, &args);
    e.b.inst_results(call)[0]
}

fn table_check(e: &mut BodyEmitter, mech: &Mechanism, layout: &Layout) -> Result<()> {
    let Some(usetable) = layout.usetable else {
        return Ok(());
    };
    if tables::checked_at_calls(mech) {
        return Ok(());
    }
    // Tables are built only while they are in use, and only once instances exist (a
    // tabulated body may read per-instance data of instance 0).
    let a = e.global_addr(usetable, None);
    let u = e.load_f64(a);
    let in_use = e.truthy(u);
    let count = e.load_ptr(e.env.data, offset_of!(MechanismData, count));
    let zero = e.b.ins().iconst(PTR, 0);
    let has_instances = e.icmp_lt(zero, count);
    let go = e.b.ins().band(in_use, has_instances);
    let build = e.b.create_block();
    let done = e.b.create_block();
    e.b.ins().brif(go, build, &[], done, &[]);
    e.b.switch_to_block(build);
    for table in &layout.tables {
        tables::emit_check(e, mech, table)?;
    }
    e.b.ins().jump(done, &[]);
    e.b.switch_to_block(done);
    Ok(())
}

/// An ion current the mechanism both READs and WRITEs holds, until the mechanism assigns it,
/// the ion's total so far (nocmodl copies `ica = _ion_ica` at the start of every kernel).
fn read_written_currents(e: &mut BodyEmitter, mech: &Mechanism, layout: &Layout) -> Result<()> {
    for w in &layout.ion_writes {
        if mech.ions.iter().any(|ion| ion.read.contains(&w.variable)) {
            let p = e.slot_ptr(w.current_slot);
            let total = e.load_f64(p);
            e.store_var(w.variable, None, total)?;
        }
    }
    Ok(())
}

/// STATEs start at their declared value (0 unless given), then INITIAL runs.
fn initialize_instance(e: &mut BodyEmitter, mech: &Mechanism) -> Result<()> {
    for (h, var) in mech.variables.iter() {
        if var.kind == VariableKind::State && var.storage == Storage::Range {
            let x = e.f64(var.default.unwrap_or(0.0));
            for i in 0..var.len() {
                let index = (var.size.is_some()).then(|| e.b.ins().iconst(PTR, i as i64));
                e.store_var(h, index, x)?;
            }
        }
    }
    if let Some(init) = &mech.initial {
        e.reset_locals_of(init);
        e.block(init)?;
    }
    Ok(())
}

/// The BREAKPOINT body evaluated at membrane potential `v`; returns NEURON's `_nrn_current`:
/// 0, then each current added in declaration order.
fn breakpoint_at(e: &mut BodyEmitter, mech: &Mechanism, v: Value) -> Result<Value> {
    let v_node = e.env.v;
    e.set_v(v);
    if let Some(bp) = &mech.breakpoint {
        e.reset_locals_of(bp);
        e.block(bp)?;
    }
    let mut total = e.f64(0.0);
    for c in &mech.currents {
        let x = e.load_var(c.variable, None)?;
        total = e.b.ins().fadd(total, x);
    }
    e.env.v = v_node;
    Ok(total)
}

/// NEURON's nrn_cur: I at v + 0.001 and at v, conductance by difference, ion currents
/// accumulated, then the matrix entries of the node.
fn current_instance(e: &mut BodyEmitter, mech: &Mechanism, layout: &Layout) -> Result<()> {
    let dv = e.f64(0.001);
    // 1/dv: multiplying is several times cheaper than dividing, and differs from nocmodl's
    // division by round-off only (0.001 is not a binary fraction either way).
    let per_dv = e.f64(1000.0);
    let v_plus = e.b.ins().fadd(e.env.v, dv);
    let i_plus = breakpoint_at(e, mech, v_plus)?;
    let mut saved = Vec::new();
    for w in &layout.ion_writes {
        saved.push(e.load_var(w.variable, None)?);
    }
    let v = e.env.v;
    let i_v = breakpoint_at(e, mech, v)?;
    for (w, at_plus) in layout.ion_writes.iter().zip(saved) {
        let at_v = e.load_var(w.variable, None)?;
        let diff = e.b.ins().fsub(at_plus, at_v);
        let g = e.b.ins().fmul(diff, per_dv);
        let p = e.slot_ptr(w.conductance_slot);
        let old = e.load_f64(p);
        let new = e.b.ins().fadd(old, g);
        e.store_f64(new, p);
        let p = e.slot_ptr(w.current_slot);
        let old = e.load_f64(p);
        let new = e.b.ins().fadd(old, at_v);
        e.store_f64(new, p);
    }
    let diff = e.b.ins().fsub(i_plus, i_v);
    let mut g = e.b.ins().fmul(diff, per_dv);
    let mut rhs = i_v;
    if mech.kind != MechanismKind::Density {
        // nA -> mA/cm2 at this node
        let area_addr = e.node_addr(offset_of!(KernelContext, area));
        let area = e.load_f64(area_addr);
        let hundred = e.f64(100.0);
        let factor = e.b.ins().fdiv(hundred, area);
        g = e.b.ins().fmul(g, factor);
        rhs = e.b.ins().fmul(rhs, factor);
    }
    let rhs_addr = e.node_addr(offset_of!(KernelContext, rhs));
    let d_addr = e.node_addr(offset_of!(KernelContext, d));
    let old_rhs = e.load_f64(rhs_addr);
    let old_d = e.load_f64(d_addr);
    let (new_rhs, new_d) = if layout.info.electrode_current {
        (e.b.ins().fadd(old_rhs, rhs), e.b.ins().fsub(old_d, g))
    } else {
        (e.b.ins().fsub(old_rhs, rhs), e.b.ins().fadd(old_d, g))
    };
    e.store_f64(new_rhs, rhs_addr);
    e.store_f64(new_d, d_addr);
    Ok(())
}
