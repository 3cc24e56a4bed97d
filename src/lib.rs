//! rsnrn: NEURON's model-building toolchain and simulator core, in Rust.
//!
//! This facade ties the layers together for Rust users, the examples, the end-to-end tests
//! and the benches: [`compile`] runs NMODL text through parser, analysis and the Cranelift JIT;
//! [`builtins`] are the mechanisms of `nmodl/`; [`library`] builds and loads shared mechanism
//! libraries; the simulator is [`runtime`].

pub mod builtins;
pub mod compile;
pub mod library;

pub use rsnrn_runtime as runtime;
pub use rsnrn_runtime::{CableModel, RecordTarget};

use nmodl_codegen::JitMechanism;
use std::sync::Arc;

/// Registers a compiled mechanism with a model; the model keeps the code alive.
pub fn register(model: &mut CableModel, mechanism: JitMechanism) -> runtime::Result<()> {
    register_shared(model, Arc::new(mechanism))
}

/// Registers a compiled mechanism that other models may use too (compile once, run many).
pub fn register_shared(
    model: &mut CableModel,
    mechanism: Arc<JitMechanism>,
) -> runtime::Result<()> {
    let table = mechanism.table();
    // SAFETY: the table was produced by our code generator from a validated IR, its kernels
    // follow the ABI contract, and `mechanism` (passed as the owner) keeps the code and the
    // description it points to alive as long as the model holds the table.
    unsafe { model.register_mechanism(table, mechanism)? };
    Ok(())
}
