//! The mechanisms NEURON has built in, written by us in NMODL (`nmodl/`) and compiled by our
//! own compiler at start-up.

use crate::compile::{compile_source, CompileError};
use crate::CableModel;
use std::fmt;

/// `(file name, NMODL text)` of every built-in mechanism, in NEURON's registration order.
pub const SOURCES: [(&str, &str); 13] = [
    ("nmodl/pas.mod", include_str!("../nmodl/pas.mod")),
    ("nmodl/hh.mod", include_str!("../nmodl/hh.mod")),
    ("nmodl/iclamp.mod", include_str!("../nmodl/iclamp.mod")),
    ("nmodl/seclamp.mod", include_str!("../nmodl/seclamp.mod")),
    (
        "nmodl/alphasynapse.mod",
        include_str!("../nmodl/alphasynapse.mod"),
    ),
    ("nmodl/expsyn.mod", include_str!("../nmodl/expsyn.mod")),
    ("nmodl/exp2syn.mod", include_str!("../nmodl/exp2syn.mod")),
    ("nmodl/vclamp.mod", include_str!("../nmodl/vclamp.mod")),
    ("nmodl/intfire1.mod", include_str!("../nmodl/intfire1.mod")),
    ("nmodl/intfire2.mod", include_str!("../nmodl/intfire2.mod")),
    ("nmodl/intfire4.mod", include_str!("../nmodl/intfire4.mod")),
    ("nmodl/netstim.mod", include_str!("../nmodl/netstim.mod")),
    ("nmodl/apcount.mod", include_str!("../nmodl/apcount.mod")),
];

#[derive(Debug)]
pub enum BuiltinError {
    Compile(CompileError),
    Runtime(rsnrn_runtime::RuntimeError),
}

impl fmt::Display for BuiltinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuiltinError::Compile(e) => {
                write!(f, "built-in mechanism {} does not compile:\n{e}", e.file)
            }
            BuiltinError::Runtime(e) => write!(f, "registering a built-in mechanism: {e}"),
        }
    }
}

impl std::error::Error for BuiltinError {}

/// Compiles every built-in mechanism with the JIT and registers it with `model`.
///
/// Every process starts with this (about 0.15 s on one core), so the mechanisms compile side
/// by side, one thread each; not while a test has set one of the code generator's per-thread
/// switches (scalar kernels, ...), which other threads would not see.
pub fn load(model: &mut CableModel) -> Result<(), BuiltinError> {
    let compiled: Vec<_> = if nmodl_codegen::thread_settings_are_default() {
        std::thread::scope(|scope| {
            let threads: Vec<_> = SOURCES
                .iter()
                .map(|&(name, text)| scope.spawn(move || compile_source(name, text)))
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        })
    } else {
        SOURCES
            .iter()
            .map(|&(name, text)| compile_source(name, text))
            .collect()
    };
    for mech in compiled {
        let mech = mech.map_err(BuiltinError::Compile)?;
        crate::register(model, mech).map_err(BuiltinError::Runtime)?;
    }
    Ok(())
}

/// A new model with the built-in mechanisms loaded.
pub fn model() -> Result<CableModel, BuiltinError> {
    let mut model = CableModel::new();
    load(&mut model)?;
    Ok(model)
}
