//! Turning lalrpop's parse errors into one plain sentence each.
//!
//! lalrpop reports the unexpected token and the set of terminals the parser state could accept.
//! Raw, that set is a list like `"name", "number", "(", "-", "!", ...`; here it is folded into
//! the phrases a person would use ("an expression", "a statement", "a unit like (mV)"), and the
//! unclosed bracket or brace, when there is one, is named with the line it was opened on.

use crate::actions::ActionError;
use crate::ast::Span;
use crate::diagnostics::{line_col, Diagnostic};
use crate::lexer::Token;
use crate::split::Chunk;
use lalrpop_util::ParseError;

pub type RawError<'s> = ParseError<usize, Token<'s>, ActionError>;

pub fn to_diagnostic(src: &str, chunk: &Chunk, err: RawError) -> Diagnostic {
    match err {
        ParseError::User { error } => Diagnostic::error(error.message, error.span),
        ParseError::UnrecognizedEof { location, expected } => end_of_item(src, chunk, location, &expected),
        ParseError::UnrecognizedToken { token: (l, tok, r), expected } => {
            unexpected(src, chunk, l, tok, r, &expected)
        }
        ParseError::ExtraToken { token: (l, tok, r) } => Diagnostic::error(
            format!(
                "unexpected {} after the end of the {}; expected a new top-level block such as NEURON, PARAMETER or PROCEDURE",
                tok.describe(),
                chunk_name(chunk)
            ),
            Span::new(l, r),
        ),
        ParseError::InvalidToken { location } => {
            Diagnostic::error("invalid token", Span::new(location, location))
        }
    }
}

/// "PARAMETER block", "PROCEDURE rates", "DEFINE statement"...
fn chunk_name(chunk: &Chunk) -> String {
    match chunk.keyword() {
        Some(kw @ (Token::Define | Token::Include | Token::Local)) => format!("{kw} statement"),
        _ => chunk.describe(),
    }
}

/// "in the PARAMETER block" / "in PROCEDURE rates".
fn in_chunk(chunk: &Chunk) -> String {
    let name = chunk_name(chunk);
    if name.ends_with("block") || name.ends_with("statement") {
        format!("in the {name}")
    } else {
        format!("in {name}")
    }
}

/// The chunk ran out (end of file, or the next item's keyword) while the parser wanted more.
fn end_of_item(src: &str, chunk: &Chunk, location: usize, expected: &[String]) -> Diagnostic {
    let expects = |t: &str| expected.iter().any(|e| unquote(e) == t);
    let before_what = match &chunk.cut_by {
        Some((_, tok)) => format!("before {}", tok.describe()),
        None => "before the end of the file".to_string(),
    };
    // With a block open, the next item's keyword is where the `}` was due; otherwise the
    // missing piece belongs right after the item's last token.
    let here = match &chunk.cut_by {
        Some((span, _)) if !chunk.open_braces.is_empty() => *span,
        _ => Span::new(location, location),
    };
    // An unclosed `(` or `[` inside the item is the likelier culprit than the braces around it.
    if let Some(d) = unclosed_bracket(src, chunk, location, expected, here, &before_what) {
        return d;
    }
    if let Some(open) = chunk.open_braces.last() {
        if expects("}") {
            let (line, _) = line_col(src, open.span.start as usize);
            let mut d = Diagnostic::error(
                format!(
                    "expected '}}' to close the {} opened at line {line}",
                    open.what
                ),
                here,
            )
            .with_label(
                open.span,
                format!("the {} opened here is never closed", open.what),
            );
            if let Some((_, tok)) = &chunk.cut_by {
                d = d.with_note(format!(
                    "the {} ends where the next top-level block, {}, begins",
                    open.what,
                    tok.describe()
                ));
            }
            return d;
        }
    }
    let context = match chunk.tokens.last() {
        Some((_, prev, _)) => format!(" after {}", prev.describe()),
        None => String::new(),
    };
    Diagnostic::error(
        format!(
            "expected {}{context} {before_what}",
            describe_expected(chunk, expected, None)
        ),
        here,
    )
}

fn unexpected(
    src: &str,
    chunk: &Chunk,
    l: usize,
    tok: Token,
    r: usize,
    expected: &[String],
) -> Diagnostic {
    let span = Span::new(l, r);
    let found = format!("found {}", tok.describe());
    if let Some(d) = unclosed_bracket(src, chunk, l, expected, span, &found) {
        return d;
    }
    let before: Vec<Token> = chunk
        .tokens
        .iter()
        .take_while(|t| t.0 < l)
        .map(|t| t.1)
        .collect();
    let prev = before.last().copied();
    let decl = if is_decl_chunk(chunk) {
        decl_context(&before)
    } else {
        None
    };
    let (context, expectation) = match &decl {
        Some(d) if d.attr.is_some() => (
            format!(" after the {} of '{}'", d.attr.unwrap_or_default(), d.name),
            describe_decl_expected(d, expected),
        ),
        _ => {
            let after = match prev {
                Some(p) if is_connective(&p) => format!(" after {}", p.describe()),
                _ => String::new(),
            };
            let only = |set: &[&str]| {
                expected.len() == set.len() && expected.iter().all(|e| set.contains(&unquote(e)))
            };
            let expectation = match prev {
                Some(Token::Method | Token::SteadyState) if expected.len() == 1 => {
                    "a method name such as cnexp, derivimplicit or sparse".to_string()
                }
                Some(Token::Tilde | Token::DoubleArrow | Token::Arrow | Token::Plus)
                    if only(&["name", "number"]) || only(&["name", "number", "("]) =>
                {
                    let mut s = "a reactant like ca or 2 ca".to_string();
                    if expected.len() == 3 {
                        s.push_str(", or the rate in parentheses");
                    }
                    s
                }
                _ => describe_expected(chunk, expected, prev),
            };
            (format!("{after} {}", in_chunk(chunk)), expectation)
        }
    };
    let mut d = Diagnostic::error(
        format!(
            "unexpected {}{context}; expected {expectation}",
            tok.describe()
        ),
        span,
    );
    if let Token::Name(name) = tok {
        if let Some(keyword) = similar_keyword(name) {
            d = d.with_note(format!(
                "did you mean {keyword}? NMODL keywords are case-sensitive"
            ));
        }
    }
    if expected.len() == 1 && unquote(&expected[0]) == "WITH" {
        d = d.with_note("a TABLE statement ends with FROM lo TO hi WITH n");
    }
    if expected.len() == 1 && unquote(&expected[0]) == "," && before.contains(&Token::DoubleArrow) {
        d = d.with_note("a reversible reaction '<->' takes two rates: (forward, backward)");
    }
    d
}

/// Tokens after which "after X" says more than "in the block" does.
fn is_connective(t: &Token) -> bool {
    !matches!(
        t,
        Token::Name(_)
            | Token::Number(_)
            | Token::Str(_)
            | Token::RParen
            | Token::RBracket
            | Token::RBrace
            | Token::LBrace
            | Token::Verbatim(_)
            | Token::Title(_)
    )
}

/// Where a parse error inside a declaration block sits: the declared name and what was last
/// written for it.
struct DeclContext {
    name: String,
    /// "value", "unit", "limits", "name", or None when between declarations.
    attr: Option<&'static str>,
    has_value: bool,
    has_unit: bool,
    has_limits: bool,
}

/// Walk a declaration block's tokens (everything before the error) the way the grammar does.
fn decl_context(before: &[Token]) -> Option<DeclContext> {
    let start = before.iter().position(|t| *t == Token::LBrace)? + 1;
    let mut ctx: Option<DeclContext> = None;
    let mut i = start;
    while i < before.len() {
        let t = before[i];
        match t {
            Token::Name(n) => {
                ctx = Some(DeclContext {
                    name: n.to_string(),
                    attr: Some("name"),
                    has_value: false,
                    has_unit: false,
                    has_limits: false,
                });
            }
            Token::Assign => {
                // `= -1.5`: the value is complete once its number is there.
                let mut j = i + 1;
                while matches!(before.get(j), Some(Token::Minus | Token::Plus)) {
                    j += 1;
                }
                if matches!(before.get(j), Some(Token::Number(_))) {
                    if let Some(c) = ctx.as_mut() {
                        c.attr = Some("value");
                        c.has_value = true;
                    }
                    i = j;
                } else {
                    return None;
                }
            }
            Token::LParen => {
                let close = before[i..].iter().position(|t| *t == Token::RParen)?;
                if let Some(c) = ctx.as_mut() {
                    c.attr = Some("unit");
                    c.has_unit = true;
                }
                i += close;
            }
            Token::Lt => {
                let close = before[i..].iter().position(|t| *t == Token::Gt)?;
                if let Some(c) = ctx.as_mut() {
                    c.attr = Some("limits");
                    c.has_limits = true;
                }
                i += close;
            }
            Token::LBracket => {
                i += before[i..].iter().position(|t| *t == Token::RBracket)?;
            }
            _ => return None,
        }
        i += 1;
    }
    ctx
}

fn describe_decl_expected(d: &DeclContext, expected: &[String]) -> String {
    let has = |t: &str| expected.iter().any(|e| unquote(e) == t);
    let mut phrases = Vec::new();
    if !d.has_value && has("=") && d.attr == Some("name") {
        phrases.push("'=' and a value".to_string());
    }
    if !d.has_unit && has("(") {
        phrases.push("a unit like (mV)".into());
    }
    if !d.has_limits && has("<") {
        phrases.push("limits like <0, 1e9>".into());
    }
    if has("name") {
        phrases.push("the next declaration".into());
    }
    if has("}") {
        phrases.push("'}'".into());
    }
    join_or(&phrases)
}

/// A keyword the misspelled `name` was probably meant to be (`SUFIX` -> `SUFFIX`, `Range` ->
/// `RANGE`).
fn similar_keyword(name: &str) -> Option<&'static str> {
    const KEYWORDS: &[&str] = &[
        "NEURON",
        "SUFFIX",
        "POINT_PROCESS",
        "ARTIFICIAL_CELL",
        "USEION",
        "READ",
        "WRITE",
        "VALENCE",
        "NONSPECIFIC_CURRENT",
        "ELECTRODE_CURRENT",
        "RANGE",
        "GLOBAL",
        "POINTER",
        "BBCOREPOINTER",
        "EXTERNAL",
        "THREADSAFE",
        "UNITS",
        "PARAMETER",
        "CONSTANT",
        "ASSIGNED",
        "STATE",
        "INDEPENDENT",
        "INITIAL",
        "BREAKPOINT",
        "DERIVATIVE",
        "KINETIC",
        "PROCEDURE",
        "FUNCTION",
        "FUNCTION_TABLE",
        "NET_RECEIVE",
        "SOLVE",
        "METHOD",
        "STEADYSTATE",
        "TABLE",
        "DEPEND",
        "LOCAL",
        "CONSERVE",
        "COMPARTMENT",
        "WATCH",
        "FOR_NETCONS",
        "VERBATIM",
        "COMMENT",
        "ENDCOMMENT",
        "ENDVERBATIM",
        "UNITSON",
        "UNITSOFF",
        "if",
        "else",
        "while",
    ];
    if name.len() < 2 {
        return None;
    }
    KEYWORDS.iter().copied().find(|k| {
        k.eq_ignore_ascii_case(name)
            || (name.len() >= 4
                && name.chars().any(|c| c.is_ascii_uppercase())
                && edit_distance(k, name) <= 1)
    })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// When the parser wants `)` or `]` and one is open, say which one.
fn unclosed_bracket(
    src: &str,
    chunk: &Chunk,
    before: usize,
    expected: &[String],
    here: Span,
    found: &str,
) -> Option<Diagnostic> {
    let mut stack: Vec<(Token, Span)> = Vec::new();
    for (l, t, r) in chunk.tokens.iter().take_while(|t| t.0 < before) {
        match t {
            Token::LParen | Token::LBracket => stack.push((*t, Span::new(*l, *r))),
            Token::RParen | Token::RBracket => {
                stack.pop();
            }
            _ => {}
        }
    }
    let (open, span) = stack.last()?;
    let (open_s, close_s) = match open {
        Token::LParen => ("(", ")"),
        _ => ("[", "]"),
    };
    if !expected.iter().any(|e| unquote(e) == close_s) {
        return None;
    }
    let (line, col) = line_col(src, span.start as usize);
    Some(
        Diagnostic::error(
            format!("expected '{close_s}' to close the '{open_s}' at line {line}, column {col}, {found}"),
            here,
        )
        .with_label(*span, format!("this '{open_s}' is not closed")),
    )
}

fn is_decl_chunk(chunk: &Chunk) -> bool {
    matches!(
        chunk.keyword(),
        Some(
            Token::Parameter
                | Token::Constant
                | Token::Assigned
                | Token::State
                | Token::Independent
        )
    )
}

/// lalrpop quotes terminal names: `"\"}\""` -> `}`.
fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
}

const STATEMENT_MARKERS: &[&str] = &["SOLVE", "if", "LOCAL", "while"];
const STATEMENT_STARTS: &[&str] = &[
    "LOCAL",
    "name",
    "if",
    "while",
    "FROM",
    "TABLE",
    "SOLVE",
    "~",
    "~eq",
    "CONSERVE",
    "COMPARTMENT",
    "LONGITUDINAL_DIFFUSION",
    "WATCH",
    "FOR_NETCONS",
    "PROTECT",
    "MUTEXLOCK",
    "MUTEXUNLOCK",
    "UNITSON",
    "UNITSOFF",
    "LAG",
    "VERBATIM",
    "{",
    "INITIAL",
];
const EXPRESSION_STARTS: &[&str] = &["number", "name", "string", "(", "-", "+", "!"];
const OPERATORS: &[&str] = &[
    "+", "-", "*", "/", "%", "^", "<", "<=", ">", ">=", "==", "!=", "&&", "||",
];
const NEURON_STARTS: &[&str] = &[
    "SUFFIX",
    "POINT_PROCESS",
    "ARTIFICIAL_CELL",
    "USEION",
    "NONSPECIFIC_CURRENT",
    "ELECTRODE_CURRENT",
    "RANGE",
    "GLOBAL",
    "POINTER",
    "BBCOREPOINTER",
    "EXTERNAL",
    "RANDOM",
    "THREADSAFE",
    "REPRESENTS",
];
const DECL_ATTRS: &[&str] = &["=", "(", "<", "FROM", "WITH", "START"];
const ION_CLAUSES: &[&str] = &["READ", "WRITE", "VALENCE", "REPRESENTS"];

/// Fold the expected-terminal set into a short phrase list joined with "or".
fn describe_expected(chunk: &Chunk, expected: &[String], prev: Option<Token>) -> String {
    let mut rest: Vec<&str> = expected.iter().map(|e| unquote(e)).collect();
    let has = |rest: &[&str], t: &str| rest.contains(&t);
    let mut phrases: Vec<String> = Vec::new();
    let take = |rest: &mut Vec<&str>, group: &[&str]| rest.retain(|t| !group.contains(t));

    if STATEMENT_MARKERS.iter().all(|m| has(&rest, m)) {
        phrases.push("a statement".into());
        take(&mut rest, STATEMENT_STARTS);
    }
    if NEURON_STARTS.iter().filter(|m| has(&rest, m)).count() >= 5 {
        phrases.push("a NEURON statement (SUFFIX, USEION, RANGE, ...)".into());
        take(&mut rest, NEURON_STARTS);
    }
    if ION_CLAUSES.iter().filter(|m| has(&rest, m)).count() >= 3 {
        phrases.push("READ, WRITE or VALENCE".into());
        take(&mut rest, ION_CLAUSES);
    }
    if is_decl_chunk(chunk) && DECL_ATTRS.iter().filter(|m| has(&rest, m)).count() >= 4 {
        if !matches!(prev, Some(Token::Number(_))) && has(&rest, "=") {
            phrases.push("'=' and a value".into());
        }
        phrases.push("a unit like (mV)".into());
        phrases.push("limits like <0, 1e9>".into());
        if has(&rest, "name") {
            phrases.push("the next declaration".into());
        }
        take(&mut rest, DECL_ATTRS);
        take(&mut rest, &["name", "["]);
    }
    if ["number", "(", "-"].iter().all(|m| has(&rest, m)) && has(&rest, "name") {
        phrases.push("an expression".into());
        take(&mut rest, EXPRESSION_STARTS);
    }
    if ["*", "/", "&&"].iter().all(|m| has(&rest, m)) {
        phrases.push("an operator".into());
        take(&mut rest, OPERATORS);
        // After an operand, `(` (a unit) and `[` (an index) are possible but rarely meant.
        take(&mut rest, &["(", "["]);
    }
    if has(&rest, "-") && has(&rest, "number") {
        phrases.push("a number".into());
        take(&mut rest, &["number", "-", "+"]);
    }
    // Items that close something read best last.
    rest.sort_by_key(|t| matches!(*t, "}" | ")" | "]"));
    for t in rest {
        phrases.push(match t {
            "name" => "a name".into(),
            "number" => "a number".into(),
            "string" => "a string in double quotes".into(),
            "~eq" => "'~'".into(),
            "VERBATIM" => "VERBATIM".into(),
            "TITLE" => "TITLE".into(),
            "REPRESENTS" => "REPRESENTS".into(),
            other => format!("'{other}'"),
        });
    }
    join_or(&phrases)
}

fn join_or(phrases: &[String]) -> String {
    match phrases {
        [] => "something else".into(),
        [one] => one.clone(),
        [first, last] => format!("{first} or {last}"),
        [init @ .., last] if phrases.len() <= 7 => format!("{}, or {last}", init.join(", ")),
        _ => format!("one of {}", phrases.join(", ")),
    }
}
