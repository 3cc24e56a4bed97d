//! rsnrn-hoc: the hoc interpreter of rsnrn.
//!
//! hoc is NEURON's model-building language. This crate reads it the way NEURON 9.0.2 does
//! (statement by statement, newline-sensitive, with NEURON's precedence, `float_epsilon`
//! comparisons and top-level echo) and runs it over [`rsnrn_runtime::CableModel`]: sections,
//! mechanisms and point processes are the runtime's, hoc adds names, the section stack,
//! templates, objects (Vector, List, File, SectionRef, ...) and its own run-control library
//! (`stdrun.hoc`, see `lib/`).
//!
//! ```no_run
//! let mut hoc = rsnrn_hoc::Interp::new("rsnrniv").unwrap();
//! hoc.run_string("-c", "create soma\nsoma insert hh\nprint soma.gnabar_hh").unwrap();
//! ```
//!
//! Layout: [`lexer`] and [`parser`] make [`ast`] nodes; [`interp`] runs them (name lookup,
//! evaluation, statements, calls, sections); [`builtins`] holds the built-in functions and
//! classes; [`format`] is C's printf.

pub mod ast;
pub mod builtins;
pub mod error;
pub use rsnrn_runtime::cformat as format;
pub mod interp;
pub mod lexer;
pub mod parser;
pub mod progress;
pub mod regex;
pub mod source;
pub mod symmap;
pub mod value;

pub use error::{Flow, HocError};
pub use interp::Interp;
pub use source::Source;
