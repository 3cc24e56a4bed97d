//! The mechanisms NEURON has built in, written by us in NMODL (`nmodl/`) and compiled by our
//! own compiler at start-up.

use crate::compile::{compile_source, CompileError};
use crate::CableModel;
use nmodl_codegen::JitMechanism;
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

/// Compiles every built-in mechanism with the JIT and registers it with `model`, in
/// [`SOURCES`]' order. Each compiles on its own, so they are compiled on two threads: the
/// compilation is most of a short run's start-up.
pub fn load(model: &mut CableModel) -> Result<(), BuiltinError> {
    let compiled: Vec<_> = std::thread::scope(|scope| {
        let other = scope.spawn(|| compile_every_other(1));
        let mut mine = compile_every_other(0).into_iter();
        let mut theirs = other
            .join()
            .expect("a built-in's compilation panicked")
            .into_iter();
        (0..SOURCES.len())
            .filter_map(|k| {
                if k % 2 == 0 {
                    mine.next()
                } else {
                    theirs.next()
                }
            })
            .collect()
    });
    for mech in compiled {
        let mech = mech.map_err(BuiltinError::Compile)?;
        crate::register(model, mech).map_err(BuiltinError::Runtime)?;
    }
    Ok(())
}

/// The built-ins at even (`first` 0) or odd (`first` 1) positions of [`SOURCES`], compiled.
fn compile_every_other(first: usize) -> Vec<Result<JitMechanism, CompileError>> {
    SOURCES
        .iter()
        .skip(first)
        .step_by(2)
        .map(|(name, text)| compile_source(name, text))
        .collect()
}

/// A new model with the built-in mechanisms loaded.
pub fn model() -> Result<CableModel, BuiltinError> {
    let mut model = CableModel::new();
    load(&mut model)?;
    Ok(model)
}
