//! Semantic analysis: NMODL AST -> IR.
//!
//! Resolves every name to a variable or function, decides where each variable lives (NEURON's
//! rules: PARAMETERs are GLOBAL unless RANGE, ASSIGNED per instance, USEION variables through
//! the ion), reads INCLUDEd files, extracts SOLVE statements and TABLEs, keeps KINETIC
//! reactions, events and the other constructs as the IR's own nodes, and reports what nocmodl
//! or the C compiler would reject (undefined names, wrong argument counts, a derivative of a
//! non-STATE, SOLVE of a missing block, ...) as diagnostics with spans. Warnings (unused
//! variables, GLOBALs assigned during the simulation, defaults NEURON ignores) never make a
//! file fail.
//!
//! ```
//! let parsed = nmodl_syntax::parse("NEURON { SUFFIX leak }\nPARAMETER { g = 1 }\n");
//! let analysis = nmodl_sema::analyze(&parsed.file);
//! assert_eq!(analysis.mechanism.unwrap().name, "leak");
//! ```

mod body;
mod declarations;
mod events;
mod expr;
mod include;
mod kinetic;
mod lint;
mod names;
mod unit_check;
pub mod units;

pub use include::{folder_resolver, IncludedFile};

use nmodl_ir::Mechanism;
use nmodl_syntax::ast;
use nmodl_syntax::diagnostics::Diagnostic;

/// Result of analysis: the IR when there was no error, and every diagnostic found.
pub struct Analysis {
    pub mechanism: Option<Mechanism>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reads the file an `INCLUDE "name"` statement names, or says why it cannot.
pub type IncludeResolver<'a> = dyn FnMut(&str) -> Result<IncludedFile, String> + 'a;

/// How to analyze a file.
#[derive(Default)]
pub struct Options<'a> {
    /// Reads INCLUDEd files; without one, an INCLUDE is an error. The CLI and `rsnrn::compile`
    /// pass [`folder_resolver`] of the .mod's folder, as nocmodl looks beside the file.
    pub include: Option<&'a mut IncludeResolver<'a>>,
    /// The mechanism's name when the file has no SUFFIX/POINT_PROCESS/ARTIFICIAL_CELL
    /// (nocmodl uses the file's base name then).
    pub default_name: Option<String>,
}

/// Analyzes a parsed file that has no INCLUDE (an INCLUDE is reported as an error).
pub fn analyze(file: &ast::File) -> Analysis {
    analyze_with(file, Options::default())
}

/// Analyzes a parsed file. The file must come from a parse without errors for the result to
/// be meaningful; analysis of a partial tree still never panics.
pub fn analyze_with(file: &ast::File, options: Options<'_>) -> Analysis {
    let Options {
        include,
        default_name,
    } = options;
    let mut cx = declarations::Context::new();
    let items = include::expand(&mut cx, file, include);
    cx.collect_verbatim_names(&items);
    cx.declare(&items, default_name);
    if !cx.has_errors() {
        cx.lower_bodies(&items);
    }
    if !cx.has_errors() {
        cx.lint();
        cx.check_units(&unit_check::unit_toggles(&items));
    }
    let (mechanism, mut diagnostics) = cx.finish();
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    Analysis {
        mechanism,
        diagnostics,
    }
}
