//! Events: the NET_RECEIVE kernel, its INITIAL block (per NetCon at finitialize), the WATCH
//! conditions, and the statements that talk to the runtime's event queue (`net_send`,
//! `net_event`, `net_move`, `WATCH`) through [`rsnrn_abi::Services`].
//!
//! Requests are calls into the runtime; it queues them and acts on them when the kernel
//! returns, so generated code never sees the queue.

use super::body::{flags, BodyEmitter, F64, PTR};
use super::writer::FunctionWriter;
use super::Symbols;
use crate::layout::Layout;
use crate::CodegenError;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, Type, Value};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilderContext, Variable as CVar};
use cranelift_module::{FuncId, Linkage, Module};
use nmodl_ir::{Block, Handle, Mechanism, Statement, Variable, WatchClause};
use rsnrn_abi::{KernelContext, Services};
use std::mem::offset_of;

type Result<T> = std::result::Result<T, CodegenError>;

/// What a body inside NET_RECEIVE sees of the event being delivered.
#[derive(Clone, Copy)]
pub(crate) struct EventEnv {
    /// The weight vector (`*mut f64`).
    pub weight: Value,
    pub flag: Value,
    /// 1 until the first WATCH clause of this call is armed, then 0 (the runtime disarms the
    /// instance's watches before the first one, as NEURON does).
    pub first_watch: Option<CVar>,
    /// Inside a FOR_NETCONS loop: the weight vector of the NetCon it is at.
    pub loop_weight: Option<Value>,
}

/// The kernels of [`emit`], by id in the module.
#[derive(Default)]
pub struct EventKernelIds {
    pub net_receive: Option<FuncId>,
    pub net_init: Option<FuncId>,
    pub watch_condition: Option<FuncId>,
}

/// Every WATCH clause of the mechanism in source order; a clause's position is its number in
/// [`rsnrn_abi::Services::watch_activate`].
pub fn watch_conditions(mech: &Mechanism) -> Vec<WatchClause> {
    fn walk(block: &Block, out: &mut Vec<WatchClause>) {
        for s in &block.statements {
            match s {
                Statement::Watch { clauses, .. } => out.extend(clauses.iter().copied()),
                Statement::If { accept, reject, .. } => {
                    walk(accept, out);
                    walk(reject, out);
                }
                Statement::While { body, .. }
                | Statement::For { body, .. }
                | Statement::ForNetcons { body, .. }
                | Statement::Protect { body, .. } => walk(body, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    if let Some(nr) = &mech.net_receive {
        if let Some(init) = &nr.initial {
            walk(init, &mut out);
        }
        walk(&nr.body, &mut out);
    }
    out
}

/// Whether NET_RECEIVE (or its INITIAL) loops over the target's NetCons.
pub fn uses_for_netcons(mech: &Mechanism) -> bool {
    fn walk(block: &Block) -> bool {
        block.statements.iter().any(|s| match s {
            Statement::ForNetcons { .. } => true,
            Statement::If { accept, reject, .. } => walk(accept) || walk(reject),
            Statement::While { body, .. }
            | Statement::For { body, .. }
            | Statement::Protect { body, .. } => walk(body),
            _ => false,
        })
    }
    mech.net_receive
        .as_ref()
        .is_some_and(|nr| nr.initial.as_ref().is_some_and(walk) || walk(&nr.body))
}

/// Position of `var` among the arguments of the FOR_NETCONS statement that declares it.
pub fn for_netcons_argument(mech: &Mechanism, var: Handle<Variable>) -> Option<u32> {
    fn walk(block: &Block, var: Handle<Variable>) -> Option<u32> {
        block.statements.iter().find_map(|s| match s {
            Statement::ForNetcons {
                parameters, body, ..
            } => parameters
                .iter()
                .position(|&p| p == var)
                .map(|k| k as u32)
                .or_else(|| walk(body, var)),
            Statement::If { accept, reject, .. } => walk(accept, var).or_else(|| walk(reject, var)),
            Statement::While { body, .. }
            | Statement::For { body, .. }
            | Statement::Protect { body, .. } => walk(body, var),
            _ => None,
        })
    }
    walk(&mech.net_receive.as_ref()?.body, var)
}

/// Address of weight element `k` of the NetCon a FOR_NETCONS loop is at.
pub(crate) fn loop_weight_addr(
    e: &mut BodyEmitter,
    var: Handle<Variable>,
    k: u32,
) -> Result<Value> {
    let Some(w) = e.event.and_then(|ev| ev.loop_weight) else {
        return Err(CodegenError::at(
            e.mech.variables[var].span,
            format!(
                "FOR_NETCONS argument {} used outside its loop",
                e.mech.variables[var].name
            ),
        ));
    };
    Ok(e.b.ins().iadd_imm_s(w, k as i64 * 8))
}

/// `FOR_NETCONS(args) { body }`: `for i in 0..count { weight = weight_i; body }`, inline so
/// that the body shares the NET_RECEIVE's locals (as nocmodl's loop does).
fn for_netcons(e: &mut BodyEmitter, body: &Block, span: nmodl_ir::Span) -> Result<()> {
    let Some(outer) = e.event.filter(|ev| ev.first_watch.is_some()) else {
        return Err(CodegenError::at(
            span,
            "FOR_NETCONS is allowed only in NET_RECEIVE".into(),
        ));
    };
    let services = e.load_ptr(e.env.ctx, offset_of!(KernelContext, services));
    let count_fn = e.load_ptr(services, offset_of!(Services, for_netcons_count));
    let weight_fn = e.load_ptr(services, offset_of!(Services, for_netcons_weight));
    let mut sig = e.module.make_signature();
    for _ in 0..3 {
        sig.params.push(AbiParam::new(PTR));
    }
    sig.returns.push(AbiParam::new(PTR));
    let count_sig = e.b.import_signature(sig.clone());
    sig.params.push(AbiParam::new(PTR));
    let weight_sig = e.b.import_signature(sig);
    let (ctx, data, inst) = (e.env.ctx, e.env.data, e.env.inst);
    let call =
        e.b.ins()
            .call_indirect(count_sig, count_fn, &[ctx, data, inst]);
    let count = e.b.inst_results(call)[0];

    let header = e.b.create_block();
    let body_block = e.b.create_block();
    let exit = e.b.create_block();
    e.b.append_block_param(header, PTR);
    let zero = e.b.ins().iconst(PTR, 0);
    e.b.ins().jump(header, &[zero.into()]);
    e.b.switch_to_block(header);
    let i = e.b.block_params(header)[0];
    let go = e.icmp_lt(i, count);
    e.b.ins().brif(go, body_block, &[], exit, &[]);
    e.b.switch_to_block(body_block);
    let call =
        e.b.ins()
            .call_indirect(weight_sig, weight_fn, &[ctx, data, inst, i]);
    let weight = e.b.inst_results(call)[0];
    e.event = Some(EventEnv {
        loop_weight: Some(weight),
        ..outer
    });
    let emitted = e.block(body);
    e.event = Some(outer);
    emitted?;
    let next = e.b.ins().iadd_imm_s(i, 1);
    e.b.ins().jump(header, &[next.into()]);
    e.b.switch_to_block(exit);
    Ok(())
}

/// Address of weight element `k` in the event being delivered.
pub(crate) fn weight_addr(e: &mut BodyEmitter, var: Handle<Variable>, k: u32) -> Result<Value> {
    let Some(ev) = e.event else {
        return Err(CodegenError::at(
            e.mech.variables[var].span,
            format!(
                "NET_RECEIVE argument {} used outside NET_RECEIVE",
                e.mech.variables[var].name
            ),
        ));
    };
    Ok(e.b.ins().iadd_imm_s(ev.weight, k as i64 * 8))
}

pub(crate) fn flag(e: &mut BodyEmitter, var: Handle<Variable>) -> Result<Value> {
    match e.event {
        Some(ev) => Ok(ev.flag),
        None => Err(CodegenError::at(
            e.mech.variables[var].span,
            "flag used outside NET_RECEIVE".into(),
        )),
    }
}

/// Calls the service at `field` of `Services` with (ctx, data, inst, extra...).
fn call_service(e: &mut BodyEmitter, field: usize, extra: &[(Type, Value)]) {
    let services = e.load_ptr(e.env.ctx, offset_of!(KernelContext, services));
    let f = e.load_ptr(services, field);
    let mut sig = e.module.make_signature();
    for _ in 0..3 {
        sig.params.push(AbiParam::new(PTR));
    }
    for &(ty, _) in extra {
        sig.params.push(AbiParam::new(ty));
    }
    let sigref = e.b.import_signature(sig);
    let mut args = vec![e.env.ctx, e.env.data, e.env.inst];
    args.extend(extra.iter().map(|&(_, v)| v));
    e.b.ins().call_indirect(sigref, f, &args);
}

/// The scop random-number functions, which the runtime does not provide yet.
fn time_now(e: &mut BodyEmitter) -> Value {
    e.b.ins()
        .load(F64, flags(), e.env.ctx, offset_of!(KernelContext, t) as i32)
}

/// net_send / net_event / net_move / WATCH / FOR_NETCONS.
pub(crate) fn statement(e: &mut BodyEmitter, s: &Statement) -> Result<()> {
    match s {
        Statement::NetSend { delay, flag, .. } => {
            let delay = e.expr(*delay)?;
            let flag = e.expr(*flag)?;
            let t = time_now(e);
            let time = e.b.ins().fadd(t, delay);
            call_service(
                e,
                offset_of!(Services, net_send),
                &[(F64, time), (F64, flag)],
            );
        }
        Statement::NetEvent { time, .. } | Statement::NetMove { time, .. } => {
            let field = if matches!(s, Statement::NetEvent { .. }) {
                offset_of!(Services, net_event)
            } else {
                offset_of!(Services, net_move)
            };
            let time = e.expr(*time)?;
            let zero = e.f64(0.0);
            call_service(e, field, &[(F64, time), (F64, zero)]);
        }
        Statement::Watch { clauses, span } => {
            let Some(first) = e.event.and_then(|ev| ev.first_watch) else {
                return Err(CodegenError::at(
                    *span,
                    "WATCH is allowed only in NET_RECEIVE".into(),
                ));
            };
            let all = watch_conditions(e.mech);
            for c in clauses {
                let number = all
                    .iter()
                    .position(|w| w.condition == c.condition)
                    .expect("watch_conditions lists every clause");
                let flag = e.expr(c.flag)?;
                let clause = e.b.ins().iconst(PTR, number as i64);
                let is_first = e.b.use_var(first);
                call_service(
                    e,
                    offset_of!(Services, watch_activate),
                    &[(PTR, clause), (F64, is_first), (F64, flag)],
                );
                let zero = e.f64(0.0);
                e.b.def_var(first, zero);
            }
        }
        Statement::ForNetcons { body, span, .. } => for_netcons(e, body, *span)?,
        _ => unreachable!("only event statements are passed here"),
    }
    Ok(())
}

/// Emits NET_RECEIVE, its INITIAL and the WATCH conditions of `mech`, when it has them.
pub(super) fn emit(
    module: &mut dyn Module,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    mech: &Mechanism,
    layout: &Layout,
    symbols: &Symbols,
    prefix: &str,
) -> Result<EventKernelIds> {
    let mut ids = EventKernelIds {
        net_receive: None,
        net_init: None,
        watch_condition: None,
    };
    let Some(nr) = &mech.net_receive else {
        return Ok(ids);
    };
    let mut w = Writer(FunctionWriter {
        module,
        ctx,
        fctx,
        mech,
        layout,
        symbols,
    });
    // (ctx, data, inst, weight, flag) -> status
    let params = [PTR, PTR, PTR, PTR, F64];
    ids.net_receive = Some(w.function(
        &format!("{prefix}_net_receive"),
        &params,
        types::I32,
        |e, p| {
            e.enter_instance(p[2]);
            let first = e.b.declare_var(F64);
            let one = e.f64(1.0);
            e.b.def_var(first, one);
            e.event = Some(EventEnv {
                weight: p[3],
                flag: p[4],
                first_watch: Some(first),
                loop_weight: None,
            });
            e.reset_locals_of(&nr.body);
            e.block(&nr.body)?;
            Ok(super::kernels::failure_status(e))
        },
    )?);
    if let Some(init) = &nr.initial {
        ids.net_init = Some(w.function(
            &format!("{prefix}_net_init"),
            &params[..4],
            types::I32,
            |e, p| {
                e.enter_instance(p[2]);
                let flag = e.f64(0.0);
                e.event = Some(EventEnv {
                    weight: p[3],
                    flag,
                    first_watch: None,
                    loop_weight: None,
                });
                e.reset_locals_of(init);
                e.block(init)?;
                Ok(super::kernels::failure_status(e))
            },
        )?);
    }
    let clauses = watch_conditions(mech);
    if !clauses.is_empty() {
        // (ctx, data, inst, clause) -> 1.0 when the condition holds, else 0.0
        ids.watch_condition = Some(w.function(
            &format!("{prefix}_watch_condition"),
            &params[..4],
            F64,
            |e, p| {
                e.enter_instance(p[2]);
                let done = e.b.create_block();
                e.b.append_block_param(done, F64);
                for (k, c) in clauses.iter().enumerate() {
                    let this = e.b.create_block();
                    let next = e.b.create_block();
                    let is_k = e.b.ins().icmp_imm_s(IntCC::Equal, p[3], k as i64);
                    e.b.ins().brif(is_k, this, &[], next, &[]);
                    e.b.switch_to_block(this);
                    let x = e.expr(c.condition)?;
                    let holds = e.truthy(x);
                    let (one, zero) = (e.f64(1.0), e.f64(0.0));
                    let r = e.b.ins().select(holds, one, zero);
                    e.b.ins().jump(done, &[r.into()]);
                    e.b.switch_to_block(next);
                }
                let zero = e.f64(0.0);
                e.b.ins().jump(done, &[zero.into()]);
                e.b.switch_to_block(done);
                Ok(e.b.block_params(done)[0])
            },
        )?);
    }
    Ok(ids)
}

struct Writer<'a>(FunctionWriter<'a>);

impl Writer<'_> {
    /// Declares, emits and defines the exported function `name` with `params`, returning
    /// what `body` returns (after hoisting the instance-independent pointers).
    fn function(
        &mut self,
        name: &str,
        params: &[Type],
        ret: Type,
        body: impl FnOnce(&mut BodyEmitter, &[Value]) -> Result<Value>,
    ) -> Result<FuncId> {
        let mut sig = self.0.module.make_signature();
        sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
        sig.returns.push(AbiParam::new(ret));
        self.0.function(name, Linkage::Export, sig, |e, p| {
            e.hoist();
            body(e, p)
        })
    }
}
