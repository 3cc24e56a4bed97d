//! The compile pipeline: NMODL text -> AST -> IR -> machine code, with every diagnostic kept.

use nmodl_codegen::{compile_jit, CodegenError, JitMechanism};
use nmodl_ir::Mechanism;
use nmodl_syntax::ast;
use nmodl_syntax::diagnostics::{render, Diagnostic, SourceFile};
use std::fmt;
use std::path::Path;

/// The pipeline stage where a file's first error arose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Parse,
    Analyze,
    Codegen,
}

impl Stage {
    pub fn name(self) -> &'static str {
        match self {
            Stage::Parse => "parse",
            Stage::Analyze => "analyze",
            Stage::Codegen => "codegen",
        }
    }
}

/// Result of checking one source: the IR when the front end accepted it.
pub struct Checked {
    pub source: SourceFile,
    pub ast: ast::File,
    pub mechanism: Option<Mechanism>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where the first error arose; `None` when there is none.
    pub failed_at: Option<Stage>,
}

impl Checked {
    pub fn render(&self, color: bool) -> String {
        render(&self.source, &self.diagnostics, color)
    }
}

/// Parses and analyzes `source`.
pub fn check(source: SourceFile) -> Checked {
    let parsed = nmodl_syntax::parse(&source.text);
    let mut diagnostics = parsed.diagnostics;
    if diagnostics.iter().any(|d| d.is_error()) {
        return Checked {
            source,
            ast: parsed.file,
            mechanism: None,
            diagnostics,
            failed_at: Some(Stage::Parse),
        };
    }
    let analysis = nmodl_sema::analyze(&parsed.file);
    diagnostics.extend(analysis.diagnostics);
    let failed_at = analysis.mechanism.is_none().then_some(Stage::Analyze);
    Checked {
        source,
        ast: parsed.file,
        mechanism: analysis.mechanism,
        diagnostics,
        failed_at,
    }
}

/// A .mod file that did not compile, with its diagnostics rendered like rustc's.
#[derive(Debug, Clone)]
pub struct CompileError {
    pub file: String,
    pub stage: Stage,
    /// `error: ...` / `--> file:line:col` / the line / a caret.
    pub rendered: String,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rendered.trim_end())
    }
}

impl std::error::Error for CompileError {}

pub fn codegen_diagnostic(e: &CodegenError) -> Diagnostic {
    let span = e
        .span
        .map(|s| ast::Span {
            start: s.start,
            end: s.end,
        })
        .unwrap_or_default();
    Diagnostic::error(e.message.clone(), span)
}

/// Checks `checked` through code generation.
pub fn compile_checked(mut checked: Checked) -> Result<JitMechanism, CompileError> {
    let fail = |checked: &Checked, stage| CompileError {
        file: checked.source.name.clone(),
        stage,
        rendered: checked.render(false),
    };
    let Some(mech) = checked.mechanism.as_ref() else {
        return Err(fail(&checked, checked.failed_at.unwrap_or(Stage::Analyze)));
    };
    match compile_jit(mech) {
        Ok(jit) => Ok(jit),
        Err(e) => {
            checked.diagnostics.push(codegen_diagnostic(&e));
            checked.failed_at = Some(Stage::Codegen);
            Err(fail(&checked, Stage::Codegen))
        }
    }
}

/// Compiles NMODL text named `name` (used in messages) in this process.
pub fn compile_source(name: &str, text: &str) -> Result<JitMechanism, CompileError> {
    compile_checked(check(SourceFile::new(name, text)))
}

/// Compiles a .mod file in this process.
pub fn compile_file(path: &Path) -> Result<JitMechanism, CompileError> {
    let bytes = std::fs::read(path).map_err(|e| CompileError {
        file: path.display().to_string(),
        stage: Stage::Parse,
        rendered: format!("error: cannot read {}: {e}", path.display()),
    })?;
    compile_checked(check(SourceFile::from_bytes(
        path.display().to_string(),
        &bytes,
    )))
}
