//! In-process compilation: Cranelift's JIT, no linker.

use crate::{emit, layout, lower, math, CodegenError};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId};
use nmodl_ir::Mechanism;
use rsnrn_abi::HookKind;
use rsnrn_abi::{Kernel, MechanismInfo, MechanismTable, ABI_VERSION};

/// A mechanism compiled into executable memory. Keep it alive while its table is in use.
pub struct JitMechanism {
    // Field order: the table points into `info_json` and the module's memory.
    table: MechanismTable,
    info: MechanismInfo,
    /// Read through `table.info_json`; owned here so it lives as long as the table.
    _info_json: Box<[u8]>,
    /// Read through `table.functions`.
    _functions: Box<[rsnrn_abi::FunctionEntry]>,
    module: Option<JITModule>,
}

// SAFETY: after `finalize_definitions` the JIT memory is immutable code and the table only holds
// pointers into it and into `info_json`, which are never mutated; the module is only touched again
// in Drop. Sharing between threads is therefore sound.
unsafe impl Send for JitMechanism {}
unsafe impl Sync for JitMechanism {}

impl JitMechanism {
    pub fn table(&self) -> MechanismTable {
        self.table
    }

    pub fn info(&self) -> &MechanismInfo {
        &self.info
    }
}

impl Drop for JitMechanism {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: the owner of this value guarantees no kernel runs after it is dropped
            // (the runtime keeps an Arc of it while the table is registered).
            unsafe { module.free_memory() };
        }
    }
}

fn new_module() -> Result<JITModule, CodegenError> {
    let mut flags = settings::builder();
    let set = |flags: &mut settings::Builder, k: &str, v: &str| {
        flags
            .set(k, v)
            .map_err(|e| CodegenError::internal(format!("cranelift setting {k}: {e}")))
    };
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    set(&mut flags, "opt_level", "speed")?;
    let isa = cranelift_native::builder()
        .map_err(|e| {
            CodegenError::internal(format!("this host is not supported by Cranelift: {e}"))
        })?
        .finish(settings::Flags::new(flags))
        .map_err(|e| CodegenError::internal(format!("cranelift: {e}")))?;
    let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
    for f in math::IMPORTED {
        builder.symbol(math::symbol(f), math::address(f));
    }
    Ok(JITModule::new(builder))
}

/// Compiles `mech` to machine code in this process.
pub fn compile_jit(mech: &Mechanism) -> Result<JitMechanism, CodegenError> {
    let lowered = lower::lower_solves(mech)?;
    let layout = layout::layout(&lowered)?;
    let mut module = new_module()?;
    let prefix = format!("rsnrn_{}", lowered.name);
    let mut layout = layout;
    let ids = emit::generate(&mut module, &lowered, &layout, &prefix)?;
    layout.info.failure_sites = ids.failure_sites.clone();
    layout.info.functions = ids.functions.iter().map(|(f, _)| f.clone()).collect();
    module
        .finalize_definitions()
        .map_err(|e| CodegenError::internal(format!("cranelift: {e}")))?;
    let kernel = |module: &JITModule, id: FuncId| -> Kernel {
        let ptr = module.get_finalized_function(id);
        // SAFETY: the function was generated with `kernel_signature`, which is `Kernel`'s ABI.
        unsafe { std::mem::transmute::<*const u8, Kernel>(ptr) }
    };
    let info_json: Box<[u8]> = serde_json::to_vec(&layout.info)
        .map_err(|e| CodegenError::internal(format!("describing {}: {e}", lowered.name)))?
        .into_boxed_slice();
    let mut table = MechanismTable {
        abi_version: ABI_VERSION,
        info_json: info_json.as_ptr(),
        info_len: info_json.len(),
        table_check: Some(kernel(&module, ids.table_check)),
        initialize: Some(kernel(&module, ids.initialize)),
        current: ids.current.map(|id| kernel(&module, id)),
        state: ids.state.map(|id| kernel(&module, id)),
        // SAFETY (all three): generated with the signatures of these ABI types.
        net_receive: ids.events.net_receive.map(|id| unsafe {
            std::mem::transmute::<*const u8, rsnrn_abi::NetReceiveKernel>(
                module.get_finalized_function(id),
            )
        }),
        net_init: ids.events.net_init.map(|id| unsafe {
            std::mem::transmute::<*const u8, rsnrn_abi::NetInitKernel>(
                module.get_finalized_function(id),
            )
        }),
        watch_condition: ids.events.watch_condition.map(|id| unsafe {
            std::mem::transmute::<*const u8, rsnrn_abi::WatchConditionFn>(
                module.get_finalized_function(id),
            )
        }),
        hooks: Default::default(),
        functions: std::ptr::null(),
        // SAFETY (both): generated with the signature of `FunctionEntry`.
        constructor: ids.lifecycle[0].map(|id| unsafe {
            std::mem::transmute::<*const u8, rsnrn_abi::FunctionEntry>(
                module.get_finalized_function(id),
            )
        }),
        destructor: ids.lifecycle[1].map(|id| unsafe {
            std::mem::transmute::<*const u8, rsnrn_abi::FunctionEntry>(
                module.get_finalized_function(id),
            )
        }),
    };

    for &(kind, id) in &ids.hooks {
        let k = Some(kernel(&module, id));
        let h = &mut table.hooks;
        match kind {
            HookKind::BeforeInitial => h.before_initial = k,
            HookKind::AfterInitial => h.after_initial = k,
            HookKind::BeforeBreakpoint => h.before_breakpoint = k,
            HookKind::AfterSolve => h.after_solve = k,
            HookKind::BeforeStep => h.before_step = k,
        }
    }
    // SAFETY: generated with the signature of `FunctionEntry` (hoc_entry::emit).
    let functions: Box<[rsnrn_abi::FunctionEntry]> = ids
        .functions
        .iter()
        .map(|&(_, id)| unsafe {
            std::mem::transmute::<*const u8, rsnrn_abi::FunctionEntry>(
                module.get_finalized_function(id),
            )
        })
        .collect();
    if !functions.is_empty() {
        table.functions = functions.as_ptr();
    }
    Ok(JitMechanism {
        table,
        info: layout.info,
        _info_json: info_json,
        _functions: functions,
        module: Some(module),
    })
}
