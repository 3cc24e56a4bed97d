//! NMODL source text to a syntax tree with byte spans, plus diagnostics as data.
//!
//! ```
//! let result = nmodl_syntax::parse("NEURON { SUFFIX pas }\n");
//! assert!(result.diagnostics.is_empty());
//! assert_eq!(result.file.items.len(), 1);
//! ```
//!
//! Pipeline: [`lexer`] (logos) -> `split` (cut into top-level items; error recovery) ->
//! `grammar.lalrpop` (one item at a time) -> [`ast`]. No semantic analysis happens here.

mod actions;
pub mod ast;
pub mod diagnostics;
pub mod lexer;
mod split;
mod syntax_error;

lalrpop_util::lalrpop_mod!(
    #[allow(clippy::all, clippy::pedantic, unused_parens, dead_code)]
    grammar
);

pub use ast::Span;
pub use diagnostics::{line_col, render, Diagnostic, Severity, SourceFile};
pub use lexer::{lex, Lexed, Token};

/// The result of [`parse`]: a syntax tree (missing the items that failed to parse) and every
/// diagnostic, sorted by position.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseResult {
    pub file: ast::File,
    pub diagnostics: Vec<Diagnostic>,
}

impl ParseResult {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parse one NMODL file. Never panics; every problem is a diagnostic.
pub fn parse(source: &str) -> ParseResult {
    let lexed = lexer::lex(source);
    // A lexical error was repaired by dropping or replacing text; a parse error after it in the
    // same item is most likely its echo, so only the lexical error is reported.
    let lex_errors: Vec<usize> = lexed
        .diagnostics
        .iter()
        .map(|d| d.span.start as usize)
        .collect();
    let mut diagnostics = lexed.diagnostics;
    let split = split::split(source, lexed.tokens);
    diagnostics.extend(split.diagnostics);
    let parser = grammar::ItemParser::new();
    let mut items = Vec::new();
    for chunk in &split.chunks {
        match chunk.kind {
            split::ChunkKind::Junk => diagnostics.push(junk_diagnostic(chunk)),
            split::ChunkKind::Item if chunk.too_deep => {}
            split::ChunkKind::Item => {
                match parser.parse(source, chunk.tokens.iter().copied().map(Ok)) {
                    Ok(item) => items.push(item),
                    Err(e) => {
                        let d = syntax_error::to_diagnostic(source, chunk, e);
                        let item_start = chunk.tokens.first().map_or(0, |t| t.0);
                        // `lex_errors` is in source order: find the first at or after the item.
                        let first = lex_errors.partition_point(|&p| p < item_start);
                        let echo = lex_errors
                            .get(first)
                            .is_some_and(|&p| p <= d.span.start as usize);
                        if !echo {
                            diagnostics.push(d);
                        }
                    }
                }
            }
        }
    }
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
    ParseResult {
        file: ast::File {
            items,
            comments: split.comments,
        },
        diagnostics,
    }
}

/// Parse a single expression (for tests and tools).
pub fn parse_expr(source: &str) -> Result<ast::Expr, Diagnostic> {
    let lexed = lexer::lex(source);
    if let Some(d) = lexed.diagnostics.into_iter().next() {
        return Err(d);
    }
    let tokens = lexed
        .tokens
        .into_iter()
        .filter(|t| !matches!(t.1, Token::Comment(_)));
    grammar::ExprParser::new()
        .parse(source, tokens.map(Ok))
        .map_err(|e| {
            let span = match &e {
                lalrpop_util::ParseError::UnrecognizedToken {
                    token: (l, _, r), ..
                }
                | lalrpop_util::ParseError::ExtraToken { token: (l, _, r) } => Span::new(*l, *r),
                lalrpop_util::ParseError::UnrecognizedEof { location, .. }
                | lalrpop_util::ParseError::InvalidToken { location } => {
                    Span::new(*location, *location)
                }
                lalrpop_util::ParseError::User { error } => error.span,
            };
            Diagnostic::error(format!("invalid expression: {e}"), span)
        })
}

fn junk_diagnostic(chunk: &split::Chunk) -> Diagnostic {
    let (l, tok, r) = chunk.tokens[0];
    Diagnostic::error(
        format!(
            "unexpected {} at top level; expected a block keyword such as NEURON, PARAMETER, BREAKPOINT or PROCEDURE",
            tok.describe()
        ),
        Span::new(l, r),
    )
}
