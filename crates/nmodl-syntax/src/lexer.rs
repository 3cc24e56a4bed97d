//! Tokens of NMODL, produced by a logos lexer.
//!
//! NMODL has three "modes" where text is not tokenized; each is handled by a callback on its
//! opening keyword that consumes the raw text and returns it as the token payload:
//! - `TITLE`: the rest of the line,
//! - `COMMENT ... ENDCOMMENT`: anything, across lines (`ENDCOMMENT` may sit anywhere on a line),
//! - `VERBATIM ... ENDVERBATIM`: C code kept verbatim.
//!
//! `REPRESENTS` also takes the next word raw, because ontology ids like `NCIT:C17145` contain
//! `:`, which otherwise starts a comment.
//!
//! Newlines are plain white space: the grammar is unambiguous without them (see `grammar.lalrpop`).
//! `:` and `?` start comments to the end of the line. A DOS end-of-file byte (Ctrl-Z) and CR are
//! white space, and so is a byte-order mark.

use crate::ast::Span;
use crate::diagnostics::Diagnostic;
use logos::Logos;
use std::fmt;

/// What went wrong while lexing one stretch of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LexErrorKind {
    #[default]
    UnexpectedChar,
    BadNumber,
    UnterminatedComment,
    UnterminatedVerbatim,
    UnterminatedString,
    StrayEndComment,
    StrayEndVerbatim,
}

/// One token. Payloads borrow from the source.
#[derive(Logos, Debug, Clone, Copy, PartialEq)]
#[logos(error = LexErrorKind)]
#[logos(skip r"[ \t\r\n\x0b\x0c\x1a\u{FEFF}]+")]
#[logos(skip r"[:?][^\n]*")]
pub enum Token<'s> {
    /// Payload: the rest of the line after `TITLE`.
    #[token("TITLE", title)]
    Title(&'s str),
    /// Payload: the text between `COMMENT` and `ENDCOMMENT`. Never reaches the parser.
    #[token("COMMENT", comment)]
    Comment(&'s str),
    /// Payload: the text between `VERBATIM` and `ENDVERBATIM`.
    #[token("VERBATIM", verbatim)]
    Verbatim(&'s str),
    /// Payload: the ontology id after `REPRESENTS` (may be empty).
    #[token("REPRESENTS", represents)]
    Represents(&'s str),
    #[token("ENDCOMMENT", stray_end_comment)]
    EndComment,
    #[token("ENDVERBATIM", stray_end_verbatim)]
    EndVerbatim,

    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice())]
    Name(&'s str),
    #[regex(r"[0-9]+(\.[0-9]*)?([eE][+-]?[0-9]+)?", |lex| lex.slice())]
    #[regex(r"\.[0-9]+([eE][+-]?[0-9]+)?", |lex| lex.slice())]
    Number(&'s str),
    /// Not a valid number but clearly meant as one (`1.2.3`, `1e-`): reported, then parsed as a
    /// number so that one typo gives one error.
    #[regex(r"[0-9]+\.[0-9]*\.[0-9.]*", bad_number)]
    #[regex(r"\.[0-9]+\.[0-9.]*", bad_number)]
    #[regex(r"([0-9]+(\.[0-9]*)?|\.[0-9]+)[eE][+-]", bad_number)]
    BadNumber,
    /// Payload: the text between the quotes.
    #[regex(r#""([^"\\\n]|\\[^\n])*""#, |lex| { let s = lex.slice(); &s[1..s.len() - 1] })]
    #[regex(r#""([^"\\\n]|\\[^\n])*"#, unterminated_string)]
    Str(&'s str),

    // Keywords: upper case and case-sensitive, except the C-like `if`, `else`, `while`, which
    // nocmodl also accepts in upper case (`IF (at_time(t0)) { }` in ModelDB files).
    #[token("NEURON")]
    Neuron,
    #[token("SUFFIX")]
    Suffix,
    #[token("POINT_PROCESS")]
    PointProcess,
    #[token("ARTIFICIAL_CELL")]
    ArtificialCell,
    #[token("USEION")]
    UseIon,
    #[token("READ")]
    Read,
    #[token("WRITE")]
    Write,
    #[token("VALENCE")]
    Valence,
    #[token("NONSPECIFIC_CURRENT")]
    NonspecificCurrent,
    #[token("ELECTRODE_CURRENT")]
    ElectrodeCurrent,
    #[token("RANGE")]
    Range,
    #[token("GLOBAL")]
    Global,
    #[token("POINTER")]
    Pointer,
    #[token("BBCOREPOINTER")]
    BbcorePointer,
    #[token("EXTERNAL")]
    External,
    #[token("THREADSAFE")]
    ThreadSafe,
    #[token("RANDOM")]
    Random,
    #[token("UNITS")]
    Units,
    #[token("PARAMETER")]
    Parameter,
    #[token("CONSTANT")]
    Constant,
    #[token("ASSIGNED")]
    Assigned,
    #[token("STATE")]
    State,
    #[token("INDEPENDENT")]
    Independent,
    #[token("INITIAL")]
    Initial,
    #[token("BREAKPOINT")]
    Breakpoint,
    #[token("DERIVATIVE")]
    Derivative,
    #[token("KINETIC")]
    Kinetic,
    #[token("LINEAR")]
    Linear,
    #[token("NONLINEAR")]
    NonLinear,
    #[token("PROCEDURE")]
    Procedure,
    #[token("FUNCTION")]
    Function,
    #[token("FUNCTION_TABLE")]
    FunctionTable,
    #[token("NET_RECEIVE")]
    NetReceive,
    #[token("CONSTRUCTOR")]
    Constructor,
    #[token("DESTRUCTOR")]
    Destructor,
    #[token("BEFORE")]
    Before,
    #[token("AFTER")]
    After,
    #[token("STEP")]
    Step,
    #[token("SOLVE")]
    Solve,
    #[token("METHOD")]
    Method,
    #[token("STEADYSTATE")]
    SteadyState,
    #[token("INCLUDE")]
    Include,
    #[token("DEFINE")]
    Define,
    #[token("UNITSON")]
    UnitsOn,
    #[token("UNITSOFF")]
    UnitsOff,
    #[token("LOCAL")]
    Local,
    #[token("TABLE")]
    Table,
    #[token("DEPEND")]
    Depend,
    #[token("FROM")]
    From,
    #[token("TO")]
    To,
    #[token("WITH")]
    With,
    #[token("BY")]
    By,
    #[token("START")]
    Start,
    #[token("if")]
    #[token("IF")]
    If,
    #[token("else")]
    #[token("ELSE")]
    Else,
    #[token("while")]
    #[token("WHILE")]
    While,
    #[token("CONSERVE")]
    Conserve,
    #[token("COMPARTMENT")]
    Compartment,
    #[token("LONGITUDINAL_DIFFUSION")]
    LongitudinalDiffusion,
    #[token("WATCH")]
    Watch,
    #[token("FOR_NETCONS")]
    ForNetcons,
    #[token("PROTECT")]
    Protect,
    #[token("MUTEXLOCK")]
    MutexLock,
    #[token("MUTEXUNLOCK")]
    MutexUnlock,
    #[token("LAG")]
    Lag,

    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token(",")]
    Comma,
    #[token("=")]
    Assign,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("&&")]
    AndAnd,
    #[token("||")]
    OrOr,
    #[token("!")]
    Not,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("%")]
    Percent,
    #[token("^")]
    Caret,
    /// The prime of a derivative, `m'`.
    #[token("'")]
    Prime,
    /// `~` of a KINETIC reaction.
    #[token("~")]
    Tilde,
    /// `~` of a LINEAR/NONLINEAR equation. Never produced by logos: the item splitter turns
    /// `Tilde` into this inside LINEAR and NONLINEAR blocks, which keeps the grammar LALR(1)
    /// (`~ a + b` starts both a reaction and an equation).
    TildeEq,
    #[token("<->")]
    DoubleArrow,
    #[token("->")]
    Arrow,
    #[token("<<")]
    Flux,
}

fn stray_end_comment<'s>(_: &mut logos::Lexer<'s, Token<'s>>) -> Result<(), LexErrorKind> {
    Err(LexErrorKind::StrayEndComment)
}

fn stray_end_verbatim<'s>(_: &mut logos::Lexer<'s, Token<'s>>) -> Result<(), LexErrorKind> {
    Err(LexErrorKind::StrayEndVerbatim)
}

fn bad_number<'s>(_: &mut logos::Lexer<'s, Token<'s>>) -> Result<(), LexErrorKind> {
    Err(LexErrorKind::BadNumber)
}

fn unterminated_string<'s>(_: &mut logos::Lexer<'s, Token<'s>>) -> Result<&'s str, LexErrorKind> {
    Err(LexErrorKind::UnterminatedString)
}

/// `TITLE`: take the rest of the line (without the line break).
fn title<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> &'s str {
    let rest = lex.remainder();
    let len = rest.find('\n').unwrap_or(rest.len());
    lex.bump(len);
    rest[..len].trim_end_matches('\r')
}

/// Consume up to and including `end`; the payload is the text before it.
fn raw_until<'s>(
    lex: &mut logos::Lexer<'s, Token<'s>>,
    end: &str,
    unterminated: LexErrorKind,
) -> Result<&'s str, LexErrorKind> {
    let rest = lex.remainder();
    match rest.find(end) {
        Some(i) => {
            lex.bump(i + end.len());
            Ok(&rest[..i])
        }
        None => {
            lex.bump(rest.len());
            Err(unterminated)
        }
    }
}

fn comment<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<&'s str, LexErrorKind> {
    raw_until(lex, "ENDCOMMENT", LexErrorKind::UnterminatedComment)
}

fn verbatim<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> Result<&'s str, LexErrorKind> {
    raw_until(lex, "ENDVERBATIM", LexErrorKind::UnterminatedVerbatim)
}

/// `REPRESENTS`: the next word on the same line, raw.
fn represents<'s>(lex: &mut logos::Lexer<'s, Token<'s>>) -> &'s str {
    let rest = lex.remainder();
    let start = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    let word_len = rest[start..]
        .find(|c: char| c.is_whitespace() || c == ',')
        .unwrap_or(rest.len() - start);
    if word_len == 0 {
        return "";
    }
    lex.bump(start + word_len);
    &rest[start..start + word_len]
}

/// A token with its byte range, in the shape the lalrpop parser consumes.
pub type Spanned<'s> = (usize, Token<'s>, usize);

/// The result of lexing a whole file.
#[derive(Debug, Clone, Default)]
pub struct Lexed<'s> {
    /// All tokens, including `Comment` tokens (which the parser never sees).
    pub tokens: Vec<Spanned<'s>>,
    /// Lexical errors. Each has already been repaired in `tokens` (bad characters dropped, bad
    /// numbers and unterminated strings/comments/VERBATIM kept as tokens), so parsing can go on.
    pub diagnostics: Vec<Diagnostic>,
}

/// Tokenize `src`. Never fails: problems are returned as diagnostics.
pub fn lex(src: &str) -> Lexed<'_> {
    let mut out = Lexed::default();
    // Consecutive unexpected characters are reported once.
    let mut bad_run: Option<(usize, usize)> = None;
    let mut lexer = Token::lexer(src);
    while let Some(result) = lexer.next() {
        let span = lexer.span();
        let text = &src[span.clone()];
        if let Err(LexErrorKind::UnexpectedChar) = result {
            bad_run = Some(match bad_run {
                Some((s, e)) if e == span.start => (s, span.end),
                Some((s, e)) => {
                    out.diagnostics.push(bad_chars(src, s, e));
                    (span.start, span.end)
                }
                None => (span.start, span.end),
            });
            continue;
        }
        if let Some((s, e)) = bad_run.take() {
            out.diagnostics.push(bad_chars(src, s, e));
        }
        let token = match result {
            Ok(token) => token,
            Err(kind) => {
                let (diag, repaired) = lex_error(src, kind, span.clone(), text);
                out.diagnostics.push(diag);
                match repaired {
                    Some(token) => token,
                    None => continue,
                }
            }
        };
        out.tokens.push((span.start, token, span.end));
    }
    if let Some((s, e)) = bad_run {
        out.diagnostics.push(bad_chars(src, s, e));
    }
    out
}

fn bad_chars(src: &str, start: usize, end: usize) -> Diagnostic {
    let text = &src[start..end];
    let shown: String = text.chars().take(20).collect();
    let message = if text.chars().count() == 1 {
        format!("unexpected character '{shown}'")
    } else {
        format!("unexpected characters '{shown}'")
    };
    let mut d = Diagnostic::error(message, Span::new(start, end));
    if text.starts_with('#') || text.starts_with('/') {
        d = d
            .with_note("`:` starts a comment in NMODL; C code belongs in VERBATIM ... ENDVERBATIM");
    }
    d
}

/// The diagnostic for a lexical error and, where useful, the token to parse in its place.
fn lex_error<'s>(
    src: &'s str,
    kind: LexErrorKind,
    span: std::ops::Range<usize>,
    text: &'s str,
) -> (Diagnostic, Option<Token<'s>>) {
    let keyword = |len: usize| Span::new(span.start, span.start + len);
    match kind {
        LexErrorKind::UnexpectedChar => unreachable!("handled by the caller"),
        LexErrorKind::BadNumber => (
            Diagnostic::error(
                format!("malformed number '{text}'"),
                Span::new(span.start, span.end),
            )
            .with_note("numbers look like 1, .12, 1e-3 or 1.5E+2"),
            Some(Token::Number(text)),
        ),
        LexErrorKind::UnterminatedComment => (
            Diagnostic::error(
                "COMMENT block is never closed: ENDCOMMENT is missing",
                keyword("COMMENT".len()),
            )
            .with_label(
                keyword("COMMENT".len()),
                "the comment starts here and runs to the end of the file",
            ),
            Some(Token::Comment(&src[span.start + "COMMENT".len()..span.end])),
        ),
        LexErrorKind::UnterminatedVerbatim => (
            Diagnostic::error(
                "VERBATIM block is never closed: ENDVERBATIM is missing",
                keyword("VERBATIM".len()),
            )
            .with_label(
                keyword("VERBATIM".len()),
                "the VERBATIM text starts here and runs to the end of the file",
            ),
            Some(Token::Verbatim(
                &src[span.start + "VERBATIM".len()..span.end],
            )),
        ),
        LexErrorKind::UnterminatedString => (
            Diagnostic::error(
                "string is never closed: '\"' is missing before the end of the line",
                Span::new(span.start, span.end),
            ),
            Some(Token::Str(&text[1..])),
        ),
        LexErrorKind::StrayEndComment => (
            Diagnostic::error(
                "ENDCOMMENT without a COMMENT before it",
                Span::new(span.start, span.end),
            ),
            None,
        ),
        LexErrorKind::StrayEndVerbatim => (
            Diagnostic::error(
                "ENDVERBATIM without a VERBATIM before it",
                Span::new(span.start, span.end),
            ),
            None,
        ),
    }
}

impl Token<'_> {
    /// How the token is named in messages: `'}'`, `'PARAMETER'`, `name 'gnabar'`, `number '1.5'`.
    pub fn describe(&self) -> String {
        match self {
            Token::Name(s) => format!("name '{s}'"),
            Token::Number(s) => format!("number '{s}'"),
            Token::Str(s) => format!("string \"{s}\""),
            Token::Title(_) => "'TITLE'".into(),
            Token::Comment(_) => "COMMENT block".into(),
            Token::Verbatim(_) => "VERBATIM block".into(),
            Token::Represents(_) => "'REPRESENTS'".into(),
            Token::BadNumber => "malformed number".into(),
            other => format!("'{other}'"),
        }
    }
}

impl fmt::Display for Token<'_> {
    /// The token's spelling (payload tokens show their payload).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Token::Title(t) => return write!(f, "TITLE{t}"),
            Token::Comment(_) => "COMMENT",
            Token::Verbatim(_) => "VERBATIM",
            Token::Represents(o) => return write!(f, "REPRESENTS {o}"),
            Token::EndComment => "ENDCOMMENT",
            Token::EndVerbatim => "ENDVERBATIM",
            Token::Name(s) | Token::Number(s) => s,
            Token::Str(s) => return write!(f, "\"{s}\""),
            Token::BadNumber => "<malformed number>",
            Token::Neuron => "NEURON",
            Token::Suffix => "SUFFIX",
            Token::PointProcess => "POINT_PROCESS",
            Token::ArtificialCell => "ARTIFICIAL_CELL",
            Token::UseIon => "USEION",
            Token::Read => "READ",
            Token::Write => "WRITE",
            Token::Valence => "VALENCE",
            Token::NonspecificCurrent => "NONSPECIFIC_CURRENT",
            Token::ElectrodeCurrent => "ELECTRODE_CURRENT",
            Token::Range => "RANGE",
            Token::Global => "GLOBAL",
            Token::Pointer => "POINTER",
            Token::BbcorePointer => "BBCOREPOINTER",
            Token::External => "EXTERNAL",
            Token::ThreadSafe => "THREADSAFE",
            Token::Random => "RANDOM",
            Token::Units => "UNITS",
            Token::Parameter => "PARAMETER",
            Token::Constant => "CONSTANT",
            Token::Assigned => "ASSIGNED",
            Token::State => "STATE",
            Token::Independent => "INDEPENDENT",
            Token::Initial => "INITIAL",
            Token::Breakpoint => "BREAKPOINT",
            Token::Derivative => "DERIVATIVE",
            Token::Kinetic => "KINETIC",
            Token::Linear => "LINEAR",
            Token::NonLinear => "NONLINEAR",
            Token::Procedure => "PROCEDURE",
            Token::Function => "FUNCTION",
            Token::FunctionTable => "FUNCTION_TABLE",
            Token::NetReceive => "NET_RECEIVE",
            Token::Constructor => "CONSTRUCTOR",
            Token::Destructor => "DESTRUCTOR",
            Token::Before => "BEFORE",
            Token::After => "AFTER",
            Token::Step => "STEP",
            Token::Solve => "SOLVE",
            Token::Method => "METHOD",
            Token::SteadyState => "STEADYSTATE",
            Token::Include => "INCLUDE",
            Token::Define => "DEFINE",
            Token::UnitsOn => "UNITSON",
            Token::UnitsOff => "UNITSOFF",
            Token::Local => "LOCAL",
            Token::Table => "TABLE",
            Token::Depend => "DEPEND",
            Token::From => "FROM",
            Token::To => "TO",
            Token::With => "WITH",
            Token::By => "BY",
            Token::Start => "START",
            Token::If => "if",
            Token::Else => "else",
            Token::While => "while",
            Token::Conserve => "CONSERVE",
            Token::Compartment => "COMPARTMENT",
            Token::LongitudinalDiffusion => "LONGITUDINAL_DIFFUSION",
            Token::Watch => "WATCH",
            Token::ForNetcons => "FOR_NETCONS",
            Token::Protect => "PROTECT",
            Token::MutexLock => "MUTEXLOCK",
            Token::MutexUnlock => "MUTEXUNLOCK",
            Token::Lag => "LAG",
            Token::LBrace => "{",
            Token::RBrace => "}",
            Token::LParen => "(",
            Token::RParen => ")",
            Token::LBracket => "[",
            Token::RBracket => "]",
            Token::Comma => ",",
            Token::Assign => "=",
            Token::EqEq => "==",
            Token::NotEq => "!=",
            Token::Lt => "<",
            Token::Le => "<=",
            Token::Gt => ">",
            Token::Ge => ">=",
            Token::AndAnd => "&&",
            Token::OrOr => "||",
            Token::Not => "!",
            Token::Plus => "+",
            Token::Minus => "-",
            Token::Star => "*",
            Token::Slash => "/",
            Token::Percent => "%",
            Token::Caret => "^",
            Token::Prime => "'",
            Token::Tilde | Token::TildeEq => "~",
            Token::DoubleArrow => "<->",
            Token::Arrow => "->",
            Token::Flux => "<<",
        };
        f.write_str(s)
    }
}

/// The byte offset of `inner` within `outer`; `inner` must be a subslice of `outer`.
pub(crate) fn offset_in(outer: &str, inner: &str) -> usize {
    (inner.as_ptr() as usize).saturating_sub(outer.as_ptr() as usize)
}
