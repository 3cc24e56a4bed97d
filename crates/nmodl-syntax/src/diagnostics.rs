//! Diagnostics as plain data, and the one function that renders them.
//!
//! The parser (and later passes) only build [`Diagnostic`] values; turning them into text is
//! [`render`]'s job, so tests can assert on data and tools can emit JSON instead.

use crate::ast::Span;
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

/// One message about the source: a primary span, extra labelled spans, and notes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// One plain sentence, no trailing period.
    pub message: String,
    /// Where the problem is.
    pub span: Span,
    /// Secondary spans with their explanations (e.g. where an unclosed block was opened).
    pub labels: Vec<(Span, String)>,
    /// Extra lines printed after the snippet.
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            severity,
            message: message.into(),
            span,
            labels: Vec::new(),
            notes: Vec::new(),
        }
    }

    pub fn error(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::new(Severity::Error, message, span)
    }

    pub fn warning(message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic::new(Severity::Warning, message, span)
    }

    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Diagnostic {
        self.labels.push((span, text.into()));
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// A source file: the name shown in `--> name:line:col` and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub name: String,
    pub text: String,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> SourceFile {
        SourceFile {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Decode bytes read from disk. Many ModelDB files are Latin-1, not UTF-8; invalid bytes
    /// become U+FFFD, which only ever occurs in comments in practice.
    pub fn from_bytes(name: impl Into<String>, bytes: &[u8]) -> SourceFile {
        SourceFile::new(name, String::from_utf8_lossy(bytes).into_owned())
    }

    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        line_col(&self.text, offset as usize)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`. An offset past the end
/// or inside a character is moved back to the nearest character boundary.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(text, offset);
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Render diagnostics rustc-style:
///
/// ```text
/// error: expected '}' to close the PARAMETER block opened at line 3
///   --> hh.mod:7:1
///    |
/// ...
/// ```
///
/// With `color`, ANSI escapes highlight severities and carets (for a terminal).
pub fn render(file: &SourceFile, diagnostics: &[Diagnostic], color: bool) -> String {
    let files = SimpleFile::new(file.name.as_str(), file.text.as_str());
    let config = term::Config {
        chars: term::Chars::ascii(),
        ..term::Config::default()
    };
    let clamp = |span: Span| {
        let start = floor_char_boundary(&file.text, span.start as usize);
        let end = floor_char_boundary(&file.text, span.end as usize).max(start);
        start..end
    };
    let mut out = Vec::new();
    for d in diagnostics {
        let severity = match d.severity {
            Severity::Error => cs::Severity::Error,
            Severity::Warning => cs::Severity::Warning,
            Severity::Note => cs::Severity::Note,
        };
        let mut labels = vec![cs::Label::primary((), clamp(d.span))];
        labels.extend(
            d.labels
                .iter()
                .map(|(span, text)| cs::Label::secondary((), clamp(*span)).with_message(text)),
        );
        let diagnostic = cs::Diagnostic::new(severity)
            .with_message(&d.message)
            .with_labels(labels)
            .with_notes(d.notes.clone());
        // Writing into a Vec cannot fail and every span was clamped into the file, so an error
        // here would be a codespan bug; fall back to a plain line rather than panic.
        let written = if color {
            let mut w = term::termcolor::Ansi::new(&mut out);
            term::emit(&mut w, &config, &files, &diagnostic)
        } else {
            let mut w = term::termcolor::NoColor::new(&mut out);
            term::emit(&mut w, &config, &files, &diagnostic)
        };
        if written.is_err() {
            let (line, col) = file.line_col(d.span.start);
            out.extend_from_slice(
                format!("error: {}\n  --> {}:{line}:{col}\n", d.message, file.name).as_bytes(),
            );
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
