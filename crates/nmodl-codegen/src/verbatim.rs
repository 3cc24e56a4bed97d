//! VERBATIM blocks: the few that mean nothing once nocmodl's C is gone are accepted, any other
//! is refused with a sentence saying what its C code tries to do.
//!
//! Accepted: blocks holding only comments, a `return;` / `return 0;` at the end of a body (the
//! generated function ends there anyway), and at the top level unused string constants such as
//! `static const char rcsid[] = "$Id$";`.

use crate::CodegenError;
use nmodl_ir::{Block, Mechanism, Statement};

/// What a VERBATIM block amounts to for rsnrn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerbatimMeaning {
    /// Only whitespace and comments.
    Nothing,
    /// `return;`, `return 0;` or `return(0);`: a no-op as the last statement of a body.
    Return,
    /// Top-level declarations of string constants nothing reads (version stamps).
    UnusedStrings,
    /// Only `printf("format", names...);` calls whose arguments are variables (`_lname` is
    /// the LOCAL or argument `name`, as nocmodl names them): printed like NMODL's printf.
    Printf(Vec<VerbatimPrintf>),
    /// Real C code; the sentence says what it does ("includes C headers (`misc.h`)").
    C(String),
}

/// One `printf` of a VERBATIM block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerbatimPrintf {
    /// The format as written (C escapes not yet interpreted).
    pub format: String,
    /// Variable names: `_l` prefixes removed.
    pub arguments: Vec<String>,
}

/// Classifies the text between VERBATIM and ENDVERBATIM.
pub fn classify(text: &str) -> VerbatimMeaning {
    let code = strip_comments(text);
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return VerbatimMeaning::Nothing;
    }
    if matches!(
        compact.as_str(),
        "return;" | "return0;" | "return(0);" | "return0.;" | "return(0.);"
    ) {
        return VerbatimMeaning::Return;
    }
    if is_string_constants(&code) {
        return VerbatimMeaning::UnusedStrings;
    }
    if let Some(calls) = printf_calls(&code) {
        return VerbatimMeaning::Printf(calls);
    }
    VerbatimMeaning::C(describe(&code))
}

/// Whether a VERBATIM block inside a body is accepted; `last` says whether it is the last
/// statement of the body (a `return` anywhere else would skip the statements after it).
pub fn accept_in_body(text: &str, last: bool) -> Result<(), String> {
    match classify(text) {
        VerbatimMeaning::Nothing => Ok(()),
        VerbatimMeaning::Return if last => Ok(()),
        VerbatimMeaning::Return => Err(
            "VERBATIM `return` before the end of a block cannot be compiled by rsnrn: it skips \
             the statements after it; move it to the end or use an if/else"
                .into(),
        ),
        VerbatimMeaning::Printf(_) => Ok(()),
        VerbatimMeaning::UnusedStrings => Err(
            "VERBATIM C code cannot be compiled by rsnrn: it declares C variables inside a block"
                .into(),
        ),
        VerbatimMeaning::C(what) => Err(refusal(&what)),
    }
}

/// Whether a top-level VERBATIM block is accepted.
pub fn accept_top_level(text: &str) -> Result<(), String> {
    match classify(text) {
        VerbatimMeaning::Nothing | VerbatimMeaning::UnusedStrings => Ok(()),
        VerbatimMeaning::Return => {
            Err("VERBATIM `return` outside any block cannot be compiled by rsnrn".into())
        }
        VerbatimMeaning::Printf(_) => {
            Err("VERBATIM printf outside any block cannot be compiled by rsnrn".into())
        }
        VerbatimMeaning::C(what) => Err(refusal(&what)),
    }
}

/// Checks every VERBATIM block of the mechanism, top-level and inside bodies; the first one
/// that is refused becomes the error, at its span.
pub fn check(mech: &Mechanism) -> Result<(), CodegenError> {
    for v in &mech.verbatim {
        accept_top_level(&v.text).map_err(|m| CodegenError::unsupported(v.span, m))?;
    }
    let mut bodies: Vec<&Block> = mech.functions.iter().map(|(_, f)| &f.body).collect();
    bodies.extend(
        [
            &mech.initial,
            &mech.breakpoint,
            &mech.constructor,
            &mech.destructor,
        ]
        .into_iter()
        .flatten(),
    );
    if let Some(nr) = &mech.net_receive {
        bodies.extend(nr.initial.as_ref());
        bodies.push(&nr.body);
    }
    bodies.extend(mech.hooks.iter().map(|h| &h.body));
    for body in bodies {
        check_block(body, true)?;
    }
    Ok(())
}

/// `at_end`: the block's last statement is the last statement of its body.
fn check_block(block: &Block, at_end: bool) -> Result<(), CodegenError> {
    let n = block.statements.len();
    for (i, s) in block.statements.iter().enumerate() {
        let last = at_end && i + 1 == n;
        match s {
            Statement::Verbatim { text, span } => {
                accept_in_body(text, last).map_err(|m| CodegenError::unsupported(*span, m))?
            }
            Statement::If { accept, reject, .. } => {
                check_block(accept, last)?;
                check_block(reject, last)?;
            }
            Statement::While { body, .. }
            | Statement::For { body, .. }
            | Statement::ForNetcons { body, .. }
            | Statement::Protect { body, .. } => check_block(body, false)?,
            _ => {}
        }
    }
    Ok(())
}

fn refusal(what: &str) -> String {
    format!(
        "VERBATIM C code cannot be compiled by rsnrn: it {what}; rewrite it in NMODL \
         (only empty blocks, comments and a final `return 0;` are accepted)"
    )
}

/// Removes `/* */` and `//` comments (string literals are not special-cased: a `//` inside a
/// string only makes the description shorter, never accepts C code).
fn strip_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("/*") {
            rest = after.find("*/").map_or("", |end| &after[end + 2..]);
            out.push(' ');
        } else if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |end| &after[end..]);
        } else {
            let c = rest.chars().next().expect("non-empty");
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// `printf("...", a, _lb);` statements and nothing else, with variable arguments only.
fn printf_calls(code: &str) -> Option<Vec<VerbatimPrintf>> {
    let mut calls = Vec::new();
    let mut rest = code.trim();
    while !rest.is_empty() {
        let after = rest
            .strip_prefix("printf")?
            .trim_start()
            .strip_prefix('(')?;
        let after = after.trim_start().strip_prefix('"')?;
        // The format: up to the first quote that no backslash escapes.
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match c {
                '\\' if !escaped => escaped = true,
                '"' if !escaped => {
                    end = Some(i);
                    break;
                }
                _ => escaped = false,
            }
        }
        let end = end?;
        let format = after[..end].to_string();
        let close = after[end + 1..].find(')')? + end + 1;
        let arguments = after[end + 1..close]
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| is_identifier(a).then(|| a.strip_prefix("_l").unwrap_or(a).to_string()))
            .collect::<Option<Vec<_>>>()?;
        rest = after[close + 1..]
            .trim_start()
            .strip_prefix(';')?
            .trim_start();
        calls.push(VerbatimPrintf { format, arguments });
    }
    (!calls.is_empty()).then_some(calls)
}

/// `static const char name[] = "...";` declarations and nothing else.
fn is_string_constants(code: &str) -> bool {
    let mut any = false;
    for decl in code.split(';') {
        let decl = decl.trim();
        if decl.is_empty() {
            continue;
        }
        let Some((lhs, rhs)) = decl.split_once('=') else {
            return false;
        };
        let words: Vec<&str> = lhs.split_whitespace().collect();
        let Some((name, qualifiers)) = words.split_last() else {
            return false;
        };
        let typed = qualifiers.last() == Some(&"char")
            && qualifiers
                .iter()
                .all(|w| matches!(*w, "static" | "const" | "char"));
        let name = name.trim_end_matches("[]");
        let rhs = rhs.trim();
        let string = rhs.len() >= 2
            && rhs.starts_with('"')
            && rhs.ends_with('"')
            && !rhs[1..rhs.len() - 1].contains('"');
        if !typed || !is_identifier(name) || !string {
            return false;
        }
        any = true;
    }
    any
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// What the C code tries to do, most specific first.
fn describe(code: &str) -> String {
    if let Some(header) = code.lines().find_map(|l| l.trim().strip_prefix("#include")) {
        return format!("includes C headers ({})", header.trim());
    }
    if let Some(name) = first_word_with_prefix(code, "_ion_") {
        return format!(
            "reads ion variables straight from NEURON's internal storage (`{name}`); declare \
             them with USEION ... READ instead"
        );
    }
    let api = |names: &[&'static str]| names.iter().find(|n| contains_word(code, n)).copied();
    if let Some(f) = api(&[
        "nrn_random_pick",
        "nrn_random_arg",
        "RANDCAST",
        "nrnran123_dblpick",
    ]) {
        return format!("draws random numbers through NEURON's C Random API (`{f}`)");
    }
    if let Some(f) = api(&["getarg", "ifarg", "hoc_getarg", "hoc_obj_getarg", "gargstr"]) {
        return format!("reads hoc call arguments through NEURON's C API (`{f}`)");
    }
    if let Some(f) = api(&[
        "vector_arg",
        "vector_vec",
        "vector_capacity",
        "vector_resize",
    ]) {
        return format!("reads or writes hoc Vectors through NEURON's C API (`{f}`)");
    }
    if let Some(f) = api(&[
        "_p",
        "_ppvar",
        "_nt",
        "NrnThread",
        "secname",
        "_nrn_mechanism_access_dparam",
    ]) {
        return format!("reaches into NEURON's internal data structures (`{f}`)");
    }
    if let Some(f) = api(&["printf", "fprintf", "sprintf", "fopen", "fwrite", "fread"]) {
        return format!("does C input/output (`{f}`)");
    }
    if code.trim_start().starts_with('#') {
        return "uses the C preprocessor".into();
    }
    let first = code
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default();
    let first: String = first.chars().take(60).collect();
    format!("runs C code (`{first}`)")
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn contains_word(code: &str, word: &str) -> bool {
    code.match_indices(word).any(|(at, _)| {
        let before = code[..at].chars().next_back();
        let after = code[at + word.len()..].chars().next();
        !before.is_some_and(is_word_char) && !after.is_some_and(is_word_char)
    })
}

fn first_word_with_prefix<'a>(code: &'a str, prefix: &str) -> Option<&'a str> {
    code.match_indices(prefix).find_map(|(at, _)| {
        if code[..at].chars().next_back().is_some_and(is_word_char) {
            return None;
        }
        let end = code[at..]
            .find(|c: char| !is_word_char(c))
            .map_or(code.len(), |e| at + e);
        Some(&code[at..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_returns_are_no_ops() {
        assert_eq!(classify("  // return 0;\n"), VerbatimMeaning::Nothing);
        assert_eq!(classify("/* nothing */"), VerbatimMeaning::Nothing);
        assert_eq!(classify("\n\treturn;\n"), VerbatimMeaning::Return);
        assert_eq!(classify("return 0; /* done */"), VerbatimMeaning::Return);
        assert!(accept_in_body("return 0;", true).is_ok());
        assert!(accept_in_body("return 0;", false)
            .unwrap_err()
            .contains("skips"));
    }

    #[test]
    fn version_stamps_are_accepted_at_top_level_only() {
        let rcsid = "static const char rcsid[]=\"$Id: hh3.mod,v 1.1 1996/05/19 $\";\n";
        assert_eq!(classify(rcsid), VerbatimMeaning::UnusedStrings);
        assert!(accept_top_level(rcsid).is_ok());
        assert!(accept_in_body(rcsid, true).is_err());
        assert!(matches!(
            classify("static char *p = \"x\";"),
            VerbatimMeaning::C(_)
        ));
        assert!(matches!(
            classify("char s[] = \"a\"; foo();"),
            VerbatimMeaning::C(_)
        ));
    }

    #[test]
    fn printf_of_variables_is_understood() {
        let text = "\n\t  printf(\"Setting seed = %g\\n\", _lseed);\n";
        assert_eq!(
            classify(text),
            VerbatimMeaning::Printf(vec![VerbatimPrintf {
                format: "Setting seed = %g\\n".into(),
                arguments: vec!["seed".into()],
            }])
        );
        assert!(accept_in_body(text, false).is_ok());
        assert!(matches!(
            classify("printf(\"%g\", x + 1);"),
            VerbatimMeaning::C(_)
        ));
        assert!(matches!(
            classify("printf(\"%g\", x); y = 2;"),
            VerbatimMeaning::C(_)
        ));
    }

    #[test]
    fn real_c_is_described() {
        let msg = accept_in_body("\tcai=_ion_cai;\n", true).unwrap_err();
        assert!(msg.contains("`_ion_cai`"), "{msg}");
        let msg = accept_top_level("#include \"misc.h\"\nint x;").unwrap_err();
        assert!(msg.contains("includes C headers (\"misc.h\")"), "{msg}");
        let msg = accept_in_body("id = *getarg(1);", true).unwrap_err();
        assert!(msg.contains("`getarg`"), "{msg}");
        let msg = accept_in_body("x = nrn_random_pick(r);", true).unwrap_err();
        assert!(msg.contains("Random"), "{msg}");
        let msg = accept_in_body("for (i=0;i<n;i++) y[i]=0;", true).unwrap_err();
        assert!(
            msg.contains("runs C code (`for (i=0;i<n;i++) y[i]=0;`)"),
            "{msg}"
        );
    }
}
