//! Cranelift code for one mechanism, into any `cranelift_module::Module` (JIT or object file).
//!
//! Generated functions:
//! - one per PROCEDURE/FUNCTION, `(ctx, data, inst, v, args...) -> f64`; a tabled one gets an
//!   `__exact` body plus a lookup wrapper ([`tables`]);
//! - the four ABI kernels ([`kernels`]), `(ctx, data) -> i32`, each a loop over instances,
//!   into which BREAKPOINT, INITIAL, the SOLVEd blocks and every non-recursive call are
//!   emitted inline.

mod body;
mod calls;
mod derivimplicit;
mod exp;
pub(crate) mod function_table;
mod hoc_entry;
mod kernels;
mod kinetic;
mod linear;
mod net_receive;
mod nonlinear;
mod printf;
mod random;
mod runge;
mod tables;
mod vector;
mod writer;

pub use derivimplicit::with_newton_service;
pub use net_receive::{for_netcons_argument, uses_for_netcons, watch_conditions, EventKernelIds};
pub use vector::{with_scalar_kernels, with_vector_report};

use crate::layout::Layout;
use crate::{math, CodegenError};
use body::{BodyEmitter, Env, F64, PTR};
use cranelift_codegen::ir::{
    types, AbiParam, GlobalValueData, InstBuilder, Signature, UserFuncName, Value,
};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use nmodl_ir::{Function, FunctionKind, Handle, MathFunction, Mechanism};
use std::cell::RefCell;
use std::collections::HashMap;

/// Ids of everything generated for one mechanism.
pub(crate) struct Symbols {
    pub math: HashMap<MathFunction, FuncId>,
    /// Per function: what a call goes to (the table wrapper for tabled functions).
    callable: Vec<Option<FuncId>>,
    /// Per function: the body itself (differs from `callable` for tabled functions).
    exact: Vec<Option<FuncId>>,
    /// Per function: whether kernels may emit its body in place of a call (not recursive).
    inlinable: Vec<bool>,
    /// Derivative functions of the blocks solved by derivimplicit.
    derivative: HashMap<Handle<Function>, FuncId>,
    /// Run-time failure messages, numbered as the code that reports them was emitted.
    failure_sites: RefCell<Vec<String>>,
    /// System functions of the blocks the sparse service solves (KINETIC by sparse, LINEAR).
    kinetic: HashMap<Handle<Function>, FuncId>,
    /// Residual functions of the NONLINEAR blocks some SOLVE solves.
    nonlinear: HashMap<Handle<Function>, FuncId>,
    /// The table of the table-driven exp for scalar code (the vector loops keep a copy in
    /// their constant pools).
    pub exp_table: DataId,
}

impl Symbols {
    pub fn inlinable(&self, f: Handle<Function>) -> bool {
        self.inlinable[f.index()]
    }
    /// The derivative function of `f` when a SOLVE integrates it with derivimplicit.
    pub fn derivative(&self, f: Handle<Function>) -> Option<FuncId> {
        self.derivative.get(&f).copied()
    }

    /// Numbers a run-time failure message (see [`rsnrn_abi::STATUS_FAILURE_SITE`]).
    pub fn failure_site(&self, message: String) -> u32 {
        let mut sites = self.failure_sites.borrow_mut();
        sites.push(message);
        sites.len() as u32 - 1
    }

    /// The residual function of NONLINEAR block `f`.
    pub fn nonlinear(&self, f: Handle<Function>) -> Option<FuncId> {
        self.nonlinear.get(&f).copied()
    }

    /// The system function of `f` when the sparse service solves it (KINETIC, LINEAR).
    pub fn kinetic(&self, f: Handle<Function>) -> Option<FuncId> {
        self.kinetic.get(&f).copied()
    }

    pub fn callable(&self, f: Handle<Function>) -> FuncId {
        self.callable[f.index()]
            .expect("only derivimplicit blocks lack a body, and SOLVE alone uses them")
    }
    pub fn exact(&self, f: Handle<Function>) -> FuncId {
        self.exact[f.index()]
            .expect("only derivimplicit blocks lack a body, and SOLVE alone uses them")
    }
}

/// The kernels of the ABI table, by id in the module.
pub struct KernelIds {
    pub table_check: FuncId,
    pub initialize: FuncId,
    pub current: Option<FuncId>,
    pub state: Option<FuncId>,
    pub events: EventKernelIds,
    /// CONSTRUCTOR and DESTRUCTOR entries.
    pub lifecycle: [Option<FuncId>; 2],
    /// The FUNCTIONs and PROCEDUREs hoc may call, with their entry wrappers.
    pub functions: Vec<(rsnrn_abi::FunctionInfo, FuncId)>,
    /// The BEFORE/AFTER kernels the mechanism has.
    pub hooks: Vec<(rsnrn_abi::HookKind, FuncId)>,
    /// [`rsnrn_abi::MechanismInfo::failure_sites`] of the generated code.
    pub failure_sites: Vec<String>,
}

pub(crate) fn body_signature(module: &dyn Module, args: usize) -> Signature {
    let mut sig = module.make_signature();
    for _ in 0..3 {
        sig.params.push(AbiParam::new(PTR));
    }
    sig.params.push(AbiParam::new(F64));
    for _ in 0..args {
        sig.params.push(AbiParam::new(F64));
    }
    sig.returns.push(AbiParam::new(F64));
    sig
}

pub(crate) fn kernel_signature(module: &dyn Module) -> Signature {
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(PTR));
    sig.params.push(AbiParam::new(PTR));
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

/// The address of data object `id` in the function `b` builds. Position-independent code
/// reaches it relative to itself; the JIT may place data and code further apart than a 32-bit
/// displacement reaches, so its code takes the absolute address.
pub(super) fn data_address(module: &dyn Module, b: &mut FunctionBuilder, id: DataId) -> Value {
    let colocated = module.isa().flags().is_pic();
    let name = b
        .func
        .declare_imported_user_function(cranelift_codegen::ir::UserExternalName {
            namespace: 1,
            index: id.as_u32(),
        });
    let gv = b.func.create_global_value(GlobalValueData::Symbol {
        name: cranelift_codegen::ir::ExternalName::user(name),
        offset: cranelift_codegen::ir::immediates::Imm64::new(0),
        colocated,
        tls: false,
    });
    b.ins().symbol_value(body::PTR, gv)
}

pub(super) fn module_error(e: cranelift_module::ModuleError) -> CodegenError {
    CodegenError::internal(format!("cranelift: {e}"))
}

/// Generates all code of `mech` into `module`. Kernel symbols are named `<prefix>_<kernel>`
/// and exported; everything else is local to the module.
pub fn generate(
    module: &mut dyn Module,
    mech: &Mechanism,
    layout: &Layout,
    prefix: &str,
) -> Result<KernelIds, CodegenError> {
    crate::verbatim::check(mech)?;
    let mut math_ids = HashMap::new();
    for f in math::IMPORTED {
        let mut sig = module.make_signature();
        for _ in 0..f.arity() {
            sig.params.push(AbiParam::new(F64));
        }
        sig.returns.push(AbiParam::new(F64));
        let id = module
            .declare_function(math::symbol(f), Linkage::Import, &sig)
            .map_err(module_error)?;
        math_ids.insert(f, id);
    }

    let mut derivative = HashMap::new();
    let breakpoint_derivimplicit = mech
        .solves
        .iter()
        .filter(|s| s.method == nmodl_ir::SolveMethod::Derivimplicit)
        .map(|s| s.target);
    for f in breakpoint_derivimplicit.chain(nonlinear::extra_derivative_targets(mech)) {
        if let std::collections::hash_map::Entry::Vacant(slot) = derivative.entry(f) {
            let sig = derivimplicit::derivative_signature(module);
            let name = format!("{prefix}__{}__derivative", mech.functions[f].name);
            let id = module
                .declare_function(&name, Linkage::Local, &sig)
                .map_err(module_error)?;
            slot.insert(id);
        }
    }
    let mut nonlinear = HashMap::new();
    for f in nonlinear::nonlinear_targets(mech) {
        let sig = derivimplicit::derivative_signature(module);
        let name = format!("{prefix}__{}__residual", mech.functions[f].name);
        let id = module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(module_error)?;
        nonlinear.insert(f, id);
    }
    let mut kinetic = HashMap::new();
    for f in kinetic::sparse_targets(mech) {
        let sig = kinetic::system_signature(module);
        let name = format!("{prefix}__{}__system", mech.functions[f].name);
        let id = module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(module_error)?;
        kinetic.insert(f, id);
    }
    let mut callable = Vec::new();
    let mut exact = Vec::new();
    for (h, f) in mech.functions.iter() {
        // A block solved by derivimplicit exists only as its derivative function, a KINETIC
        // block only as its system function (nothing calls either).
        if derivative.contains_key(&h)
            || kinetic.contains_key(&h)
            || matches!(f.kind, FunctionKind::Kinetic | FunctionKind::NonLinear)
            || runge::solves(mech, h)
        {
            exact.push(None);
            callable.push(None);
            continue;
        }
        let sig = body_signature(module, f.parameters.len());
        let body_id = module
            .declare_function(
                &format!("{prefix}__{}__{}", f.name, h.index()),
                Linkage::Local,
                &sig,
            )
            .map_err(module_error)?;
        exact.push(Some(body_id));
        if f.table.is_some() {
            let wrap = module
                .declare_function(
                    &format!("{prefix}__{}__{}__table", f.name, h.index()),
                    Linkage::Local,
                    &sig,
                )
                .map_err(module_error)?;
            callable.push(Some(wrap));
        } else {
            callable.push(Some(body_id));
        }
    }
    let exp_table = module
        .declare_anonymous_data(false, false)
        .map_err(module_error)?;
    let mut table = DataDescription::new();
    let little_endian = module.isa().endianness() == cranelift_codegen::ir::Endianness::Little;
    table.define(exp::table_bytes(little_endian).into_boxed_slice());
    table.set_align(16);
    module
        .define_data(exp_table, &table)
        .map_err(module_error)?;
    let symbols = Symbols {
        exp_table,
        derivative,
        kinetic,
        nonlinear,
        math: math_ids,
        callable,
        exact,
        inlinable: mech
            .functions
            .handles()
            .map(|f| !calls::reaches(mech, f, f))
            .collect(),
        failure_sites: RefCell::new(Vec::new()),
    };

    let mut ctx = module.make_context();
    let mut fctx = FunctionBuilderContext::new();

    for (h, f) in mech.functions.iter() {
        if symbols.derivative(h).is_some()
            || symbols.kinetic(h).is_some()
            || matches!(f.kind, FunctionKind::Kinetic | FunctionKind::NonLinear)
            || runge::solves(mech, h)
        {
            continue;
        }
        ctx.func.signature = body_signature(module, f.parameters.len());
        ctx.func.name = UserFuncName::user(0, symbols.exact(h).as_u32());
        emit_function(module, &mut ctx, &mut fctx, mech, layout, &symbols, h)?;
        define(module, symbols.exact(h), &mut ctx)?;
        if let Some(table) = layout.table_of(h) {
            ctx.func.signature = body_signature(module, f.parameters.len());
            ctx.func.name = UserFuncName::user(0, symbols.callable(h).as_u32());
            tables::emit_lookup(
                module, &mut ctx, &mut fctx, mech, layout, &symbols, h, table,
            )?;
            define(module, symbols.callable(h), &mut ctx)?;
        }
    }
    for (&f, &id) in &symbols.derivative {
        ctx.func.signature = derivimplicit::derivative_signature(module);
        ctx.func.name = UserFuncName::user(0, id.as_u32());
        derivimplicit::emit_derivative_fn(module, &mut ctx, &mut fctx, mech, layout, &symbols, f)?;
        define(module, id, &mut ctx)?;
    }
    for (&f, &id) in &symbols.nonlinear {
        ctx.func.signature = derivimplicit::derivative_signature(module);
        ctx.func.name = UserFuncName::user(0, id.as_u32());
        nonlinear::emit_residual_fn(module, &mut ctx, &mut fctx, mech, layout, &symbols, f)?;
        define(module, id, &mut ctx)?;
    }
    for (&f, &id) in &symbols.kinetic {
        ctx.func.signature = kinetic::system_signature(module);
        ctx.func.name = UserFuncName::user(0, id.as_u32());
        if mech.functions[f].kind == FunctionKind::Linear {
            linear::emit_system_fn(module, &mut ctx, &mut fctx, mech, layout, &symbols, f)?;
        } else {
            kinetic::emit_system_fn(module, &mut ctx, &mut fctx, mech, layout, &symbols, f)?;
        }
        define(module, id, &mut ctx)?;
    }
    let mut ids = kernels::emit_all(module, &mut ctx, &mut fctx, mech, layout, &symbols, prefix)?;
    ids.events = net_receive::emit(module, &mut ctx, &mut fctx, mech, layout, &symbols, prefix)?;
    ids.functions = hoc_entry::emit(module, &mut ctx, &mut fctx, mech, layout, &symbols, prefix)?;
    ids.lifecycle =
        hoc_entry::emit_lifecycle(module, &mut ctx, &mut fctx, mech, layout, &symbols, prefix)?;
    ids.failure_sites = symbols.failure_sites.take();
    Ok(ids)
}

/// Whether none of this crate's per-thread switches ([`with_scalar_kernels`],
/// [`with_vector_report`], [`with_newton_service`], [`crate::without_avx2`]) is in effect on
/// this thread: code generated on any other thread is then the same as here.
pub fn thread_settings_are_default() -> bool {
    !vector::thread_switches_set()
        && !derivimplicit::newton_service_requested()
        && !crate::avx2::turned_off_on_this_thread()
}

pub(crate) fn define(
    module: &mut dyn Module,
    id: FuncId,
    ctx: &mut Context,
) -> Result<(), CodegenError> {
    // A debugging aid: RSNRN_DUMP_CLIF=1 prints every generated function's Cranelift IR.
    if std::env::var_os("RSNRN_DUMP_CLIF").is_some() {
        eprintln!("{}", ctx.func.display());
    }
    // RSNRN_DUMP_ASM=1 prints the machine code Cranelift made of it (for performance work).
    let dump_asm = std::env::var_os("RSNRN_DUMP_ASM").is_some();
    ctx.set_disasm(dump_asm);
    let result = module.define_function(id, ctx);
    if dump_asm {
        if let Some(code) = ctx.compiled_code().and_then(|c| c.vcode.as_ref()) {
            eprintln!("{}\n{code}", ctx.func.name);
        }
    }
    if let Err(e) = result {
        let text = ctx.func.display().to_string();
        module.clear_context(ctx);
        return Err(CodegenError::internal(format!(
            "cranelift rejected generated code: {e:?}\n{text}"
        )));
    }
    module.clear_context(ctx);
    Ok(())
}

/// Sets up the entry block of a body-signature function and returns its environment and
/// the extra arguments.
/// Sets up the entry block of a kernel-signature function (context, data): its parameters,
/// and an environment with no instance yet (instance and node 0, v 0).
pub(super) fn enter_kernel(b: &mut FunctionBuilder) -> (Env, Vec<cranelift_codegen::ir::Value>) {
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();
    let zero_i = b.ins().iconst(PTR, 0);
    let zero_f = b.ins().f64const(0.0);
    let env = Env {
        ctx: params[0],
        data: params[1],
        inst: zero_i,
        node: zero_i,
        v: zero_f,
    };
    (env, params)
}

fn enter_body(b: &mut FunctionBuilder) -> (Env, Vec<cranelift_codegen::ir::Value>) {
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();
    let (ctx, data, inst, v) = (params[0], params[1], params[2], params[3]);
    // Node of this instance (area, diam and the node arrays are indexed by it).
    let node_index = b.ins().load(
        PTR,
        body::flags(),
        data,
        std::mem::offset_of!(rsnrn_abi::MechanismData, node_index) as i32,
    );
    let offset = b.ins().ishl_imm_u(inst, 2);
    let addr = b.ins().iadd(node_index, offset);
    let node32 = b.ins().load(types::I32, body::flags(), addr, 0);
    let node = b.ins().uextend(PTR, node32);
    (
        Env {
            ctx,
            data,
            inst,
            node,
            v,
        },
        params[4..].to_vec(),
    )
}

fn emit_function(
    module: &mut dyn Module,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    mech: &Mechanism,
    layout: &Layout,
    symbols: &Symbols,
    h: Handle<Function>,
) -> Result<(), CodegenError> {
    let f = &mech.functions[h];
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let (env, args) = enter_body(&mut b);
    let mut e = BodyEmitter::new(b, mech, layout, symbols, module, env);
    if f.kind == FunctionKind::FunctionTable {
        let value = function_table::call(&mut e, h, &args)?;
        e.b.ins().return_(&[value]);
        e.finish();
        return Ok(());
    }
    e.reset_locals_of(&f.body);
    for (&p, &value) in f.parameters.iter().zip(&args) {
        e.bind_local(p, value);
    }
    if let Some(r) = f.result {
        let zero = e.f64(0.0);
        e.bind_local(r, zero);
    }
    e.block(&f.body)?;
    let ret = match (f.kind, f.result) {
        (FunctionKind::Function, Some(r)) => e.load_var(r, None)?,
        _ => e.f64(0.0),
    };
    e.b.ins().return_(&[ret]);
    e.finish();
    Ok(())
}
