//! NMODL IR -> machine code with Cranelift.
//!
//! [`compile_jit`] turns a [`nmodl_ir::Mechanism`] into a [`JitMechanism`]: executable kernels
//! behind an [`rsnrn_abi::MechanismTable`], ready for the runtime. The passes, in order:
//! [`lower::lower_solves`] (SOLVE methods become assignments), [`layout::layout`] (where each
//! variable lives in the ABI's structure-of-arrays data), [`emit::generate`] (Cranelift IR).
//! [`compile_object`] does the same ahead of time into an object file for a shared library.

mod avx2;
pub mod emit;
mod error;
mod jit;
mod kinetic_ode;
pub mod layout;
mod longitudinal;
pub mod lower;
mod math;
mod object;
pub mod symbolic;
pub mod verbatim;

pub use avx2::without_avx2;
pub use emit::{
    thread_settings_are_default, with_newton_service, with_scalar_kernels, with_vector_report,
};
pub use error::CodegenError;
pub use jit::{compile_jit, JitMechanism};
pub use object::compile_object;
