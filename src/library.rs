//! Mechanism libraries: what `rsnrnivmodl` builds (`x86_64/librsnrnmech.so`) and what
//! `nrn_load_dll` loads into a model.
//!
//! Building: every .mod goes through the front end, then all of them through Cranelift into
//! one object file, which the system C compiler driver (`cc`, or `$CC`) links into a shared
//! library against libm. Loading: libloading opens the library, its exported
//! [`LibraryManifest`] lists the mechanism tables, each is registered with the model, and the
//! library stays open as long as the model holds any of them.

use crate::compile::{check, codegen_diagnostic, Checked, Stage};
use crate::CableModel;
use nmodl_syntax::diagnostics::SourceFile;
use rsnrn_abi::{LibraryManifest, ABI_VERSION, LIBRARY_MANIFEST_SYMBOL};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

#[derive(Debug)]
pub enum LibraryError {
    /// Some .mod files did not pass the front end or code generation; each is rendered.
    Compile(Vec<(String, Stage, String)>),
    Io(String),
    Link(String),
    Load(String),
    Runtime(rsnrn_runtime::RuntimeError),
}

impl fmt::Display for LibraryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LibraryError::Compile(files) => {
                for (_, _, rendered) in files {
                    writeln!(f, "{}", rendered.trim_end())?;
                }
                write!(f, "{} file(s) did not compile", files.len())
            }
            LibraryError::Io(m) | LibraryError::Link(m) | LibraryError::Load(m) => f.write_str(m),
            LibraryError::Runtime(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for LibraryError {}

/// The folder nrnivmodl uses for this machine (`x86_64`, `aarch64`, ...).
pub fn arch_dir() -> &'static str {
    std::env::consts::ARCH
}

/// One mechanism that went into a library.
#[derive(Debug, Clone)]
pub struct BuiltMechanism {
    pub file: PathBuf,
    pub name: String,
}

/// Compiles `files` into the shared library `output`.
pub fn build_library(
    files: &[PathBuf],
    output: &Path,
) -> Result<Vec<BuiltMechanism>, LibraryError> {
    let mut checked: Vec<Checked> = Vec::new();
    let mut failures = Vec::new();
    for file in files {
        let bytes = std::fs::read(file)
            .map_err(|e| LibraryError::Io(format!("cannot read {}: {e}", file.display())))?;
        let mut c = check(SourceFile::from_bytes(file.display().to_string(), &bytes));
        if let Some(mech) = &c.mechanism {
            // The JIT is the fastest way to find code generation errors with their spans.
            if let Err(e) = nmodl_codegen::compile_jit(mech) {
                c.diagnostics.push(codegen_diagnostic(&e));
                c.failed_at = Some(Stage::Codegen);
            }
        }
        match c.failed_at {
            Some(stage) => failures.push((c.source.name.clone(), stage, c.render(false))),
            None => checked.push(c),
        }
    }
    if !failures.is_empty() {
        return Err(LibraryError::Compile(failures));
    }
    let mechanisms: Vec<&nmodl_ir::Mechanism> = checked
        .iter()
        .filter_map(|c| c.mechanism.as_ref())
        .collect();
    let object = nmodl_codegen::compile_object(&mechanisms).map_err(|e| {
        LibraryError::Compile(vec![("<library>".into(), Stage::Codegen, e.to_string())])
    })?;
    if let Some(dir) = output.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| LibraryError::Io(format!("cannot create {}: {e}", dir.display())))?;
    }
    let object_path = output.with_extension("o");
    std::fs::write(&object_path, object)
        .map_err(|e| LibraryError::Io(format!("cannot write {}: {e}", object_path.display())))?;
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let linked = Command::new(&cc)
        .arg("-shared")
        .arg("-o")
        .arg(output)
        .arg(&object_path)
        .arg("-lm")
        .output();
    let _ = std::fs::remove_file(&object_path);
    let linked = linked.map_err(|e| {
        LibraryError::Link(format!(
            "cannot run the linker `{cc}` (set CC to a C compiler driver): {e}"
        ))
    })?;
    if !linked.status.success() {
        return Err(LibraryError::Link(format!(
            "`{cc} -shared` failed:\n{}",
            String::from_utf8_lossy(&linked.stderr)
        )));
    }
    Ok(checked
        .iter()
        .zip(files)
        .filter_map(|(c, f)| {
            c.mechanism.as_ref().map(|m| BuiltMechanism {
                file: f.clone(),
                name: m.name.clone(),
            })
        })
        .collect())
}

/// An open mechanism library; kept alive by the models that use its code.
struct OpenLibrary {
    _library: libloading::Library,
}

/// Loads a library built by `rsnrnivmodl` into `model` (NEURON's `nrn_load_dll`). Returns the
/// names of the mechanisms it registered.
pub fn nrn_load_dll(model: &mut CableModel, path: &Path) -> Result<Vec<String>, LibraryError> {
    // SAFETY: loading runs the library's initializers; libraries built by rsnrnivmodl have none
    // beyond the C runtime's. A foreign library is rejected below unless it exports our manifest.
    let library = unsafe { libloading::Library::new(path) }
        .map_err(|e| LibraryError::Load(format!("cannot load {}: {e}", path.display())))?;
    // SAFETY: the symbol, if present, is the manifest static the object emitter defines.
    let manifest: &LibraryManifest = unsafe {
        let symbol = library
            .get::<*const LibraryManifest>(LIBRARY_MANIFEST_SYMBOL.as_bytes())
            .map_err(|_| {
                LibraryError::Load(format!(
                    "{} is not an rsnrn mechanism library (it has no {LIBRARY_MANIFEST_SYMBOL}); build it with rsnrnivmodl",
                    path.display()
                ))
            })?;
        // A data symbol's address is the static itself.
        &**symbol
    };
    if manifest.abi_version != ABI_VERSION {
        return Err(LibraryError::Load(format!(
            "{} was built for mechanism ABI version {}, this rsnrn speaks version {}; rebuild it with this rsnrnivmodl",
            path.display(),
            manifest.abi_version,
            ABI_VERSION
        )));
    }
    let entries = if manifest.count == 0 {
        &[][..]
    } else {
        // SAFETY: the manifest points at `count` entries in the library's data.
        unsafe { std::slice::from_raw_parts(manifest.mechanisms, manifest.count as usize) }
    };
    let tables: Vec<_> = entries
        .iter()
        // SAFETY: each entry's table is a static of the library.
        .map(|e| unsafe { *e.table })
        .collect();
    let owner = Arc::new(OpenLibrary { _library: library });
    let mut names = Vec::new();
    for table in tables {
        // SAFETY: the table was emitted by our code generator for this ABI version, and
        // `owner` keeps the library mapped while the model holds the table.
        let id = unsafe { model.register_mechanism(table, owner.clone()) }
            .map_err(LibraryError::Runtime)?;
        if let Some(info) = model.mechanism_info(id) {
            names.push(info.name.clone());
        }
    }
    Ok(names)
}
