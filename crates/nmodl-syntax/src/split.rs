//! Cutting the token stream into top-level items before parsing.
//!
//! This is the parser's error recovery. An item starts at a top-level keyword (NEURON, PARAMETER,
//! PROCEDURE, ...) at brace depth 0 and, for items with a body, ends at the `}` that brings the
//! depth back to 0. Each item is then parsed on its own, so a syntax error costs only the item it
//! is in, and one file reports all its independent errors.
//!
//! A missing `}` is caught here too: a keyword that can only start a top-level item (PROCEDURE,
//! STATE, ...) seen inside braces ends the current item early. The parser then meets the end of
//! the item where it wanted `}`, and [`Chunk::open_braces`] says which block was left open.
//!
//! While copying tokens this pass also
//! - moves `COMMENT ... ENDCOMMENT` blocks out of the stream (they go to `File::comments`),
//! - turns `~` into `TildeEq` inside LINEAR/NONLINEAR, so the grammar can tell an equation
//!   `~ a + b = c` from a reaction `~ a + b <-> c (k1, k2)` with one token of look-ahead.

use crate::actions::raw_text;
use crate::ast::{RawText, Span};
use crate::diagnostics::Diagnostic;
use crate::lexer::{Spanned, Token};

/// Limits on how deep the syntax tree of one item can get. Deeper input is refused with a
/// diagnostic: the tree would overflow the stack when dropped, serialized or walked
/// recursively. Real models stay far below (the ModelDB corpus: 6 levels of brackets and braces,
/// 36 operators in one expression).
pub const MAX_NESTING: usize = 200;
/// Operators in one expression (a chain `a + b + ...` is as deep as it is long).
pub const MAX_OPERATORS: usize = 400;
/// `else` branches in one item (an `else if` chain nests).
pub const MAX_ELSE: usize = 200;
/// `PROTECT PROTECT ...` in a row.
pub const MAX_PROTECT: usize = 8;

/// A top-level block left unclosed at the end of a chunk, or a nested one.
#[derive(Debug, Clone)]
pub struct OpenBrace {
    pub span: Span,
    /// What the brace opens, for messages: "PARAMETER block", "PROCEDURE rates", "'if' block".
    pub what: String,
}

#[derive(Debug, Clone)]
pub enum ChunkKind {
    /// Starts with an item keyword: parse it.
    Item,
    /// Tokens at top level that do not start an item; reported, not parsed.
    Junk,
}

#[derive(Debug, Clone)]
pub struct Chunk<'s> {
    pub kind: ChunkKind,
    pub tokens: Vec<Spanned<'s>>,
    /// Braces still open where the chunk ends, outermost first.
    pub open_braces: Vec<OpenBrace>,
    /// The keyword of the next item, which ended this chunk (None at the end of the file).
    pub cut_by: Option<(Span, Token<'s>)>,
    /// A nesting limit ([`MAX_NESTING`], ...) was exceeded; already reported, do not parse.
    pub too_deep: bool,
}

impl<'s> Chunk<'s> {
    fn new(kind: ChunkKind) -> Chunk<'s> {
        Chunk {
            kind,
            tokens: Vec::new(),
            open_braces: Vec::new(),
            cut_by: None,
            too_deep: false,
        }
    }

    /// The keyword that starts the item.
    pub fn keyword(&self) -> Option<Token<'s>> {
        self.tokens.first().map(|t| t.1)
    }

    /// "PARAMETER block", "PROCEDURE rates", "BEFORE BREAKPOINT block", ...
    pub fn describe(&self) -> String {
        let Some(kw) = self.keyword() else {
            return "block".into();
        };
        match (kw, self.tokens.get(1).map(|t| t.1)) {
            (
                Token::Procedure
                | Token::Function
                | Token::Derivative
                | Token::Kinetic
                | Token::Linear
                | Token::NonLinear
                | Token::FunctionTable,
                Some(Token::Name(n)),
            ) => format!("{kw} {n}"),
            (Token::Before | Token::After, Some(event)) => format!("{kw} {event} block"),
            _ => format!("{kw} block"),
        }
    }
}

pub struct Split<'s> {
    pub chunks: Vec<Chunk<'s>>,
    pub comments: Vec<RawText>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Keywords that start a top-level item.
pub fn starts_item(t: &Token) -> bool {
    matches!(
        t,
        Token::Title(_)
            | Token::Verbatim(_)
            | Token::Include
            | Token::Define
            | Token::UnitsOn
            | Token::UnitsOff
            | Token::Local
            | Token::Initial
    ) || starts_item_only(t)
}

/// Keywords that can only ever start a top-level item, so seeing one inside braces means a `}`
/// is missing. (INITIAL is special: it also opens a block inside NET_RECEIVE.)
fn starts_item_only(t: &Token) -> bool {
    matches!(
        t,
        Token::Neuron
            | Token::Units
            | Token::Parameter
            | Token::Constant
            | Token::Assigned
            | Token::State
            | Token::Independent
            | Token::Breakpoint
            | Token::Derivative
            | Token::Kinetic
            | Token::Linear
            | Token::NonLinear
            | Token::Procedure
            | Token::Function
            | Token::FunctionTable
            | Token::NetReceive
            | Token::Constructor
            | Token::Destructor
            | Token::Before
            | Token::After
            | Token::Title(_)
            | Token::Include
            | Token::Define
    )
}

/// Items that are exactly one token.
fn single_token_item(t: &Token) -> bool {
    matches!(
        t,
        Token::Title(_) | Token::Verbatim(_) | Token::UnitsOn | Token::UnitsOff
    )
}

/// True if only white space precedes `offset` on its line.
fn at_line_start(src: &str, offset: usize) -> bool {
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    src[line_start..offset].trim().is_empty()
}

pub fn split<'s>(src: &'s str, tokens: Vec<Spanned<'s>>) -> Split<'s> {
    let mut out = Split {
        chunks: Vec::new(),
        comments: Vec::new(),
        diagnostics: Vec::new(),
    };
    let mut current: Option<Chunk<'s>> = None;
    // Braces open in the current item.
    let mut braces: Vec<OpenBrace> = Vec::new();
    // Round and square brackets open in the current item (for the nesting limit only).
    let mut brackets = 0usize;
    // The current item's body has been closed; what follows at depth 0 is a new item or junk.
    let mut closed = false;
    let mut depth = DepthCount::default();

    let finish = |chunk: Option<Chunk<'s>>, braces: &mut Vec<OpenBrace>, out: &mut Split<'s>| {
        if let Some(mut c) = chunk {
            c.open_braces = std::mem::take(braces);
            out.chunks.push(c);
        }
    };

    for (l, tok, r) in tokens {
        if let Token::Comment(text) = tok {
            out.comments.push(raw_text(src, text, l, r));
            continue;
        }
        let in_item = matches!(current.as_ref().map(|c| &c.kind), Some(ChunkKind::Item));
        let after_before_after = in_item
            && current.as_ref().is_some_and(|c| {
                c.tokens.len() == 1 && matches!(c.keyword(), Some(Token::Before | Token::After))
            });
        let new_item = if braces.is_empty() {
            starts_item(&tok) && !after_before_after
        } else {
            // Inside braces: only a keyword that cannot be nested ends the item (missing `}`).
            let in_net_receive = current
                .as_ref()
                .is_some_and(|c| matches!(c.keyword(), Some(Token::NetReceive)));
            starts_item_only(&tok)
                || (tok == Token::Initial && !in_net_receive && at_line_start(src, l))
        };
        if new_item {
            if let Some(c) = current.as_mut() {
                c.cut_by = Some((Span::new(l, r), tok));
            }
            finish(current.take(), &mut braces, &mut out);
            brackets = 0;
            depth = DepthCount::default();
            let mut c = Chunk::new(ChunkKind::Item);
            c.tokens.push((l, tok, r));
            closed = single_token_item(&tok);
            current = Some(c);
            continue;
        }

        if braces.is_empty() && (closed || current.is_none()) {
            // Top level, outside any item.
            if tok == Token::RBrace {
                out.diagnostics.push(
                    Diagnostic::error("unmatched '}': no block is open here", Span::new(l, r))
                        .with_note("the block this was meant to close has already ended, or it never had an opening '{'"),
                );
                continue;
            }
            if !matches!(current.as_ref().map(|c| &c.kind), Some(ChunkKind::Junk)) {
                finish(current.take(), &mut braces, &mut out);
                current = Some(Chunk::new(ChunkKind::Junk));
            }
            if let Some(c) = current.as_mut() {
                c.tokens.push((l, tok, r));
            }
            continue;
        }

        let Some(chunk) = current.as_mut() else {
            continue;
        };
        if matches!(chunk.kind, ChunkKind::Junk) {
            chunk.tokens.push((l, tok, r));
            continue;
        }
        let tok = match tok {
            Token::Tilde if matches!(chunk.keyword(), Some(Token::Linear | Token::NonLinear)) => {
                Token::TildeEq
            }
            other => other,
        };
        match tok {
            Token::LBrace => {
                let what = if braces.is_empty() {
                    chunk.describe()
                } else {
                    nested_owner(&chunk.tokens)
                };
                braces.push(OpenBrace {
                    span: Span::new(l, r),
                    what,
                });
            }
            Token::RBrace => {
                braces.pop();
                if braces.is_empty() {
                    closed = true;
                }
            }
            Token::LParen | Token::LBracket => brackets += 1,
            Token::RParen | Token::RBracket => brackets = brackets.saturating_sub(1),
            _ => {}
        }
        chunk.tokens.push((l, tok, r));
        let excess = if braces.len() + brackets > MAX_NESTING {
            Some(format!(
                "blocks and parentheses nest more than {MAX_NESTING} deep here"
            ))
        } else {
            depth.add(&tok)
        };
        if let Some(message) = excess {
            if !chunk.too_deep {
                chunk.too_deep = true;
                out.diagnostics
                    .push(Diagnostic::error(message, Span::new(l, r)));
            }
        }
    }
    finish(current.take(), &mut braces, &mut out);
    out
}

/// What a nested `{` opens, judged by the nearest statement keyword before it.
fn nested_owner(tokens: &[Spanned]) -> String {
    for (_, t, _) in tokens.iter().rev() {
        let what = match t {
            Token::If => "'if' block",
            Token::Else => "'else' block",
            Token::While => "'while' loop",
            Token::From => "FROM loop",
            Token::Initial => "INITIAL block",
            Token::ForNetcons => "FOR_NETCONS block",
            Token::Compartment => "COMPARTMENT species list",
            Token::LongitudinalDiffusion => "LONGITUDINAL_DIFFUSION species list",
            Token::LBrace | Token::RBrace => break,
            _ => continue,
        };
        return what.into();
    }
    "block".into()
}

/// Counters for the chain-like constructs that make the tree deep without brackets.
#[derive(Default)]
struct DepthCount {
    operators: usize,
    elses: usize,
    protects: usize,
}

impl DepthCount {
    fn add(&mut self, tok: &Token) -> Option<String> {
        match tok {
            Token::Plus
            | Token::Minus
            | Token::Star
            | Token::Slash
            | Token::Percent
            | Token::Caret
            | Token::Lt
            | Token::Le
            | Token::Gt
            | Token::Ge
            | Token::EqEq
            | Token::NotEq
            | Token::AndAnd
            | Token::OrOr
            | Token::Not => self.operators += 1,
            // Operands and brackets continue an expression.
            Token::Name(_)
            | Token::Number(_)
            | Token::Str(_)
            | Token::LParen
            | Token::RParen
            | Token::LBracket
            | Token::RBracket
            | Token::Prime => {}
            _ => self.operators = 0,
        }
        match tok {
            Token::Else => self.elses += 1,
            Token::Protect => self.protects += 1,
            _ => self.protects = 0,
        }
        if self.operators > MAX_OPERATORS {
            Some(format!("expression has more than {MAX_OPERATORS} operators; split it up with LOCAL variables"))
        } else if self.elses > MAX_ELSE {
            Some(format!("more than {MAX_ELSE} 'else' branches in one block"))
        } else if self.protects > MAX_PROTECT {
            Some("PROTECT is repeated too often in a row".to_string())
        } else {
            None
        }
    }
}
