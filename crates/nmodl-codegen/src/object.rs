//! Ahead-of-time compilation: many mechanisms into one relocatable object file, which the
//! system linker turns into the shared library `rsnrnivmodl` builds.
//!
//! Besides the code, the object carries, per mechanism, its [`MechanismTable`] (with its
//! description) and its IR as JSON, and one exported [`LibraryManifest`] listing them.

use crate::{emit, layout, lower, CodegenError};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_module::{default_libcall_names, DataDescription, DataId, FuncId, Linkage, Module};
use cranelift_object::{ObjectBuilder, ObjectModule};
use nmodl_ir::Mechanism;
use rsnrn_abi::{
    LibraryEntry, LibraryManifest, MechanismTable, ABI_VERSION, LIBRARY_MANIFEST_SYMBOL,
};
use std::collections::HashSet;
use std::mem::{offset_of, size_of};

fn err(context: &str, e: impl std::fmt::Display) -> CodegenError {
    CodegenError::internal(format!("{context}: {e}"))
}

fn new_module() -> Result<ObjectModule, CodegenError> {
    let mut flags = settings::builder();
    for (k, v) in [("is_pic", "true"), ("opt_level", "speed")] {
        flags.set(k, v).map_err(|e| err("cranelift setting", e))?;
    }
    let isa = cranelift_native::builder()
        .map_err(|e| err("this host is not supported by Cranelift", e))?
        .finish(settings::Flags::new(flags))
        .map_err(|e| err("cranelift", e))?;
    let builder = ObjectBuilder::new(isa, "librsnrnmech", default_libcall_names())
        .map_err(|e| err("cranelift-object", e))?;
    Ok(ObjectModule::new(builder))
}

/// Defines a private data object holding `bytes`.
fn bytes_object(
    module: &mut ObjectModule,
    name: &str,
    bytes: Vec<u8>,
) -> Result<DataId, CodegenError> {
    let id = module
        .declare_data(name, Linkage::Local, false, false)
        .map_err(|e| err("declaring data", e))?;
    let mut desc = DataDescription::new();
    desc.define(bytes.into_boxed_slice());
    module
        .define_data(id, &desc)
        .map_err(|e| err("defining data", e))?;
    Ok(id)
}

fn write_u32(bytes: &mut [u8], offset: usize, value: u32) {
    bytes[offset..offset + 4].copy_from_slice(&value.to_ne_bytes());
}

fn write_u64(bytes: &mut [u8], offset: usize, value: u64) {
    bytes[offset..offset + 8].copy_from_slice(&value.to_ne_bytes());
}

/// The table of one mechanism as initialized data with relocations to its kernels and info.
fn table_object(
    module: &mut ObjectModule,
    prefix: &str,
    info: DataId,
    info_len: usize,
    kernels: &emit::KernelIds,
) -> Result<DataId, CodegenError> {
    // Writable: relocated pointers cannot live in read-only data of a shared object.
    let id = module
        .declare_data(&format!("{prefix}_table"), Linkage::Local, true, false)
        .map_err(|e| err("declaring the mechanism table", e))?;
    let mut bytes = vec![0u8; size_of::<MechanismTable>()];
    write_u32(
        &mut bytes,
        offset_of!(MechanismTable, abi_version),
        ABI_VERSION,
    );
    write_u64(
        &mut bytes,
        offset_of!(MechanismTable, info_len),
        info_len as u64,
    );
    let mut desc = DataDescription::new();
    desc.define(bytes.into_boxed_slice());
    desc.set_align(8);
    let info_gv = module.declare_data_in_data(info, &mut desc);
    desc.write_data_addr(offset_of!(MechanismTable, info_json) as u32, info_gv, 0);
    let kernel_fields: [(usize, Option<FuncId>); 7] = [
        (
            offset_of!(MechanismTable, table_check),
            Some(kernels.table_check),
        ),
        (
            offset_of!(MechanismTable, initialize),
            Some(kernels.initialize),
        ),
        (offset_of!(MechanismTable, current), kernels.current),
        (offset_of!(MechanismTable, state), kernels.state),
        (
            offset_of!(MechanismTable, net_receive),
            kernels.events.net_receive,
        ),
        (
            offset_of!(MechanismTable, net_init),
            kernels.events.net_init,
        ),
        (
            offset_of!(MechanismTable, watch_condition),
            kernels.events.watch_condition,
        ),
    ];
    let hook_fields = kernels
        .hooks
        .iter()
        .map(|&(kind, id)| (kind.table_offset(), Some(id)))
        .chain([
            (
                offset_of!(MechanismTable, constructor),
                kernels.lifecycle[0],
            ),
            (offset_of!(MechanismTable, destructor), kernels.lifecycle[1]),
        ]);
    for (offset, kernel) in kernel_fields.into_iter().chain(hook_fields) {
        if let Some(f) = kernel {
            let fref = module.declare_func_in_data(f, &mut desc);
            desc.write_function_addr(offset as u32, fref);
        }
    }
    if !kernels.functions.is_empty() {
        let entries = function_entries(module, prefix, kernels)?;
        let gv = module.declare_data_in_data(entries, &mut desc);
        desc.write_data_addr(offset_of!(MechanismTable, functions) as u32, gv, 0);
    }
    module
        .define_data(id, &desc)
        .map_err(|e| err("defining the mechanism table", e))?;
    Ok(id)
}

/// The array of FunctionEntry pointers `MechanismTable::functions` points to.
fn function_entries(
    module: &mut ObjectModule,
    prefix: &str,
    kernels: &emit::KernelIds,
) -> Result<DataId, CodegenError> {
    let id = module
        .declare_data(&format!("{prefix}_functions"), Linkage::Local, true, false)
        .map_err(|e| err("declaring the function entries", e))?;
    let mut desc = DataDescription::new();
    desc.define(vec![0u8; 8 * kernels.functions.len()].into_boxed_slice());
    desc.set_align(8);
    for (k, &(_, f)) in kernels.functions.iter().enumerate() {
        let fref = module.declare_func_in_data(f, &mut desc);
        desc.write_function_addr((k * 8) as u32, fref);
    }
    module
        .define_data(id, &desc)
        .map_err(|e| err("defining the function entries", e))?;
    Ok(id)
}

/// Compiles `mechanisms` into one object file (bytes of an ELF/Mach-O `.o` for this host).
pub fn compile_object(mechanisms: &[&Mechanism]) -> Result<Vec<u8>, CodegenError> {
    let mut module = new_module()?;
    let mut names = HashSet::new();
    let mut entries = Vec::new();
    for mech in mechanisms {
        if !names.insert(mech.name.clone()) {
            return Err(CodegenError::internal(format!(
                "two mechanisms are named {}; a library holds each name once",
                mech.name
            )));
        }
        let lowered = lower::lower_solves(mech)?;
        let mut layout = layout::layout(&lowered)?;
        let prefix = format!("rsnrn_{}", lowered.name);
        let kernels = emit::generate(&mut module, &lowered, &layout, &prefix)?;
        layout.info.failure_sites = kernels.failure_sites.clone();
        layout.info.functions = kernels.functions.iter().map(|(f, _)| f.clone()).collect();
        let info_json =
            serde_json::to_vec(&layout.info).map_err(|e| err("describing the mechanism", e))?;
        let info_len = info_json.len();
        let info = bytes_object(&mut module, &format!("{prefix}_info"), info_json)?;
        let ir_json = mech.to_json().into_bytes();
        let ir_len = ir_json.len();
        let ir = bytes_object(&mut module, &format!("{prefix}_ir"), ir_json)?;
        let table = table_object(&mut module, &prefix, info, info_len, &kernels)?;
        entries.push((table, ir, ir_len));
    }

    let entries_id = module
        .declare_data("rsnrn_library_entries", Linkage::Local, true, false)
        .map_err(|e| err("declaring the library entries", e))?;
    let stride = size_of::<LibraryEntry>();
    let mut bytes = vec![0u8; stride * entries.len().max(1)];
    for (i, &(_, _, ir_len)) in entries.iter().enumerate() {
        write_u64(
            &mut bytes,
            i * stride + offset_of!(LibraryEntry, ir_len),
            ir_len as u64,
        );
    }
    let mut desc = DataDescription::new();
    desc.define(bytes.into_boxed_slice());
    desc.set_align(8);
    for (i, &(table, ir, _)) in entries.iter().enumerate() {
        let gv = module.declare_data_in_data(table, &mut desc);
        desc.write_data_addr((i * stride + offset_of!(LibraryEntry, table)) as u32, gv, 0);
        let gv = module.declare_data_in_data(ir, &mut desc);
        desc.write_data_addr(
            (i * stride + offset_of!(LibraryEntry, ir_json)) as u32,
            gv,
            0,
        );
    }
    module
        .define_data(entries_id, &desc)
        .map_err(|e| err("defining the library entries", e))?;

    let manifest_id = module
        .declare_data(LIBRARY_MANIFEST_SYMBOL, Linkage::Export, true, false)
        .map_err(|e| err("declaring the library manifest", e))?;
    let mut bytes = vec![0u8; size_of::<LibraryManifest>()];
    write_u32(
        &mut bytes,
        offset_of!(LibraryManifest, abi_version),
        ABI_VERSION,
    );
    write_u32(
        &mut bytes,
        offset_of!(LibraryManifest, count),
        entries.len() as u32,
    );
    let mut desc = DataDescription::new();
    desc.define(bytes.into_boxed_slice());
    desc.set_align(8);
    let gv = module.declare_data_in_data(entries_id, &mut desc);
    desc.write_data_addr(offset_of!(LibraryManifest, mechanisms) as u32, gv, 0);
    module
        .define_data(manifest_id, &desc)
        .map_err(|e| err("defining the library manifest", e))?;

    module
        .finish()
        .emit()
        .map_err(|e| err("writing the object file", e))
}
