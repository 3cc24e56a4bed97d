//! Semantic analysis: NMODL AST -> IR.
//!
//! Resolves every name to a variable or function, decides where each variable lives (NEURON's
//! rules: PARAMETERs are GLOBAL unless RANGE, ASSIGNED per instance, USEION variables through
//! the ion), extracts SOLVE statements and TABLEs, and reports what nocmodl or the C compiler
//! would reject (undefined names, wrong argument counts, a derivative of a non-STATE, SOLVE of a
//! missing block) as diagnostics with spans.

mod body;
mod declarations;
mod units;

use nmodl_ir::Mechanism;
use nmodl_syntax::ast;
use nmodl_syntax::diagnostics::Diagnostic;

/// Result of analysis: the IR when there was no error, and every diagnostic found.
pub struct Analysis {
    pub mechanism: Option<Mechanism>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Analyzes a parsed file. The file must come from a parse without errors for the result to
/// be meaningful; analysis of a partial tree still never panics.
pub fn analyze(file: &ast::File) -> Analysis {
    let mut cx = declarations::Context::new();
    cx.declare(file);
    if !cx.has_errors() {
        cx.lower_bodies(file);
    }
    let (mechanism, diagnostics) = cx.finish();
    Analysis {
        mechanism,
        diagnostics,
    }
}

pub(crate) fn span(s: ast::Span) -> nmodl_ir::Span {
    nmodl_ir::Span {
        start: s.start,
        end: s.end,
    }
}
