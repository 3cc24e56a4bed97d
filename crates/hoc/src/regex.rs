//! Regular expressions: hoc's own flavour for `forsec`, `ifsec` and `issection` (where `[` is
//! a literal character and `<...>` is a character class, so `"dend[<12>]"` matches `dend[1]`),
//! and the usual flavour for StringFunctions.

use crate::error::{err, Res};

/// Translates a hoc section-name pattern to the regex crate's syntax. `anchored` makes it
/// match the whole name (issection).
pub fn hoc_regex(pat: &str, anchored: bool) -> Res<regex::Regex> {
    let mut out = String::new();
    if anchored {
        out.push_str("^(?:");
    }
    let mut chars = pat.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '<' if !in_class => {
                in_class = true;
                out.push('[');
            }
            '>' if in_class => {
                in_class = false;
                out.push(']');
            }
            '\\' => match chars.next() {
                Some(n) => out.push_str(&regex::escape(&n.to_string())),
                None => out.push_str("\\\\"),
            },
            '.' | '*' | '^' | '$' if !in_class => out.push(c),
            '-' | '^' if in_class => out.push(c),
            _ => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    if anchored {
        out.push_str(")$");
    }
    regex::Regex::new(&out).or_else(|e| err(format!("bad section name pattern \"{pat}\": {e}")))
}

/// A StringFunctions pattern (ordinary regular expression syntax).
pub fn plain_regex(pat: &str) -> Res<regex::Regex> {
    regex::Regex::new(pat).or_else(|e| err(format!("bad regular expression \"{pat}\": {e}")))
}
