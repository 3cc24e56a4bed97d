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

/// Parses and analyzes `source`. When its name is the path of a file on disk, INCLUDEs are
/// read beside that file (as [`check_file`] does); otherwise an INCLUDE is an error.
pub fn check(source: SourceFile) -> Checked {
    let path = std::path::PathBuf::from(&source.name);
    if path.is_file() {
        return check_in(source, Some(&path));
    }
    check_in(source, None)
}

/// Reads, parses and analyzes the .mod file `path`; INCLUDEd files are read from its folder
/// and a file without a NEURON block is named after the file, as nocmodl does.
pub fn check_file(path: &Path) -> std::io::Result<Checked> {
    let bytes = std::fs::read(path)?;
    let source = SourceFile::from_bytes(path.display().to_string(), &bytes);
    Ok(check_in(source, Some(path)))
}

/// Parses and analyzes `source`, which is the file `path` when given. A mechanism that uses
/// what the code generator does not look at yet ([`backend_gaps`]) keeps its IR but fails at
/// [`Stage::Codegen`].
pub fn check_in(source: SourceFile, path: Option<&Path>) -> Checked {
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
    let folder = path
        .and_then(Path::parent)
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .map(Path::to_path_buf);
    let mut resolver = folder.map(nmodl_sema::folder_resolver);
    let options = nmodl_sema::Options {
        include: resolver
            .as_mut()
            .map(|r| r as &mut nmodl_sema::IncludeResolver<'_>),
        default_name: path
            .and_then(Path::file_stem)
            .map(|s| s.to_string_lossy().into_owned()),
    };
    let mut analysis = nmodl_sema::analyze_with(&parsed.file, options);
    diagnostics.extend(analysis.diagnostics);
    if let Some(m) = &mut analysis.mechanism {
        m.source_map = Some(nmodl_ir::SourceMap::new(&source.name, &source.text));
    }
    let mut failed_at = analysis.mechanism.is_none().then_some(Stage::Analyze);
    // Constructs the code generator would silently skip fail here already, so that every
    // caller (the JIT, shared libraries, the CLI) refuses them; the IR stays available.
    if let Some(gap) = analysis.mechanism.as_ref().and_then(backend_gaps) {
        diagnostics.push(codegen_diagnostic(&gap));
        failed_at = Some(Stage::Codegen);
    }
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

/// What the code generator will refuse, known before code generation so that `check` reports
/// it at stage codegen with the IR kept: VERBATIM C (first, as it is what the user must change
/// whatever else the file lacks). Statements, expressions and variable storage the code
/// generator does not implement are refused by the code generator itself.
pub fn backend_gaps(mech: &Mechanism) -> Option<CodegenError> {
    nmodl_codegen::verbatim::check(mech).err()
}

/// The code generator on an analyzed mechanism, after [`backend_gaps`].
pub fn codegen(mech: &Mechanism) -> Result<JitMechanism, CodegenError> {
    if let Some(e) = backend_gaps(mech) {
        return Err(e);
    }
    compile_jit(mech)
}

/// Checks `checked` through code generation.
pub fn compile_checked(mut checked: Checked) -> Result<JitMechanism, CompileError> {
    let fail = |checked: &Checked, stage| CompileError {
        file: checked.source.name.clone(),
        stage,
        rendered: checked.render(false),
    };
    let (Some(mech), None) = (checked.mechanism.as_ref(), checked.failed_at) else {
        return Err(fail(&checked, checked.failed_at.unwrap_or(Stage::Analyze)));
    };
    match codegen(mech) {
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

/// Compiles a .mod file in this process (INCLUDEs are read from its folder).
pub fn compile_file(path: &Path) -> Result<JitMechanism, CompileError> {
    let checked = check_file(path).map_err(|e| CompileError {
        file: path.display().to_string(),
        stage: Stage::Parse,
        rendered: format!("error: cannot read {}: {e}", path.display()),
    })?;
    compile_checked(checked)
}
