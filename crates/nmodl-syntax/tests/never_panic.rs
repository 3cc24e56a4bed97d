//! The parser never panics: every truncation of hh.mod, and many random mutations of it, give a
//! result (usually with diagnostics) whose spans all lie inside the source, and rendering those
//! diagnostics works too.

use nmodl_syntax::ast::Span;
use nmodl_syntax::{parse, render, SourceFile};

fn hh() -> String {
    std::fs::read_to_string(format!("{}/../../nmodl/hh.mod", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

#[path = "../../../tests/support/fuzz_rng.rs"]
mod fuzz_rng;
use fuzz_rng::{iterations, Rng};

fn check(src: &str) {
    let result = parse(src);
    let in_bounds = |s: Span| {
        s.start <= s.end
            && (s.end as usize) <= src.len()
            && src.is_char_boundary(s.start as usize)
            && src.is_char_boundary(s.end as usize)
    };
    for d in &result.diagnostics {
        assert!(
            in_bounds(d.span),
            "diagnostic span {:?} out of bounds for {src:?}",
            d.span
        );
        for (s, _) in &d.labels {
            assert!(in_bounds(*s), "label span {s:?} out of bounds");
        }
    }
    let file = SourceFile::new("fuzz.mod", src);
    let out = render(&file, &result.diagnostics, false);
    assert_eq!(out.is_empty(), result.diagnostics.is_empty());
    serde_json::to_string(&result.file).unwrap();
}

#[test]
fn every_truncation_of_hh_parses_without_panic() {
    let src = hh();
    for end in 0..=src.len() {
        if src.is_char_boundary(end) {
            check(&src[..end]);
        }
    }
}

#[test]
fn random_mutations_of_hh_parse_without_panic() {
    let src = hh();
    const SNIPPETS: &[&str] = &[
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "'",
        "~",
        "<->",
        "<<",
        "->",
        "<",
        ">",
        ",",
        "=",
        "^",
        "-",
        "COMMENT",
        "ENDCOMMENT",
        "VERBATIM",
        "ENDVERBATIM",
        "TITLE",
        "\"",
        ":",
        "?",
        "\n",
        "\r\n",
        "\x1a",
        "1e-",
        "1.2.3",
        ".5",
        "µ",
        "é",
        "\0",
        "PROCEDURE",
        "INITIAL",
        "NET_RECEIVE",
        "UNITS",
        "REPRESENTS",
        "LINEAR",
        "KINETIC",
        "FROM",
        "TABLE",
        "if",
        "else",
        "x",
        "@",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..iterations(1500) {
        let mut s = src.clone();
        for _ in 0..1 + rng.below(4) {
            let mut at = rng.below(s.len() + 1);
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(4) {
                0 => s.insert_str(at, SNIPPETS[rng.below(SNIPPETS.len())]),
                1 => {
                    let mut end = (at + 1 + rng.below(40)).min(s.len());
                    while !s.is_char_boundary(end) {
                        end += 1;
                    }
                    s.replace_range(at..end, "");
                }
                2 => {
                    let byte = (rng.next() & 0x7f) as u8;
                    s.insert(at, byte as char);
                }
                _ => {
                    // Duplicate a stretch elsewhere.
                    let mut from = rng.below(s.len());
                    while !s.is_char_boundary(from) {
                        from -= 1;
                    }
                    let mut to = (from + rng.below(80)).min(s.len());
                    while !s.is_char_boundary(to) {
                        to += 1;
                    }
                    let piece = s[from..to].to_string();
                    s.insert_str(at, &piece);
                }
            }
        }
        check(&s);
    }
}

#[test]
fn random_bytes_parse_without_panic() {
    let mut rng = Rng(12345);
    for _ in 0..iterations(1000) {
        let len = rng.below(200);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() >> 7) as u8).collect();
        check(&String::from_utf8_lossy(&bytes));
        // Printable soup is likelier to reach the parser.
        let text: String = (0..len)
            .map(|_| b"{}()[]<>=+-*/^'~,:;\" \n\tabcXYZ019.eE_"[rng.below(36)] as char)
            .collect();
        check(&text);
    }
}

/// Limits keep the tree shallow enough to serialize on a 2 MiB test thread; past them the
/// item is refused with a diagnostic instead of overflowing the stack.
#[test]
fn deep_input_is_refused_or_handled() {
    let parens = |n: usize| format!("BREAKPOINT {{ x = {}1{} }}", "(a+".repeat(n), ")".repeat(n));
    let blocks = |n: usize| {
        format!(
            "BREAKPOINT {{ {}{}",
            "if (a) { ".repeat(n),
            "} ".repeat(n + 1)
        )
    };
    let chain = |n: usize| format!("BREAKPOINT {{ x = 1{} }}", "+1".repeat(n));
    let unary = |n: usize| format!("BREAKPOINT {{ x = {}1 }}", "-".repeat(n));
    let elses = |n: usize| {
        format!(
            "BREAKPOINT {{ if (a) {{ }}{} }}",
            " else if (a) { }".repeat(n)
        )
    };
    let protect = |n: usize| format!("BREAKPOINT {{ {}x = 1 }}", "PROTECT ".repeat(n));
    // Just inside the limits: parses, and the tree can be serialized and dropped.
    for src in [
        parens(99),
        blocks(190),
        chain(400),
        unary(400),
        elses(200),
        protect(8),
    ] {
        let r = parse(&src);
        assert!(!r.has_errors(), "{}", &src[..60]);
        check(&src);
    }
    // Far past them: refused with a diagnostic.
    for src in [
        parens(100_000),
        blocks(50_000),
        chain(100_000),
        unary(100_000),
        elses(50_000),
        protect(1000),
    ] {
        assert!(parse(&src).has_errors());
        check(&src);
    }
}
