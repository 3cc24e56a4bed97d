//! Broken inputs: the exact message, its line:column, and (for some) the whole rendering.

use nmodl_syntax::{parse, render, SourceFile};

/// (message, line, column) of every diagnostic.
fn errors(src: &str) -> Vec<(String, usize, usize)> {
    let file = SourceFile::new("bad.mod", src);
    parse(src)
        .diagnostics
        .iter()
        .map(|d| {
            let (line, col) = file.line_col(d.span.start);
            (d.message.clone(), line, col)
        })
        .collect()
}

fn one_error(src: &str) -> (String, usize, usize) {
    let mut e = errors(src);
    assert_eq!(e.len(), 1, "{e:#?}");
    e.remove(0)
}

fn rendered(src: &str) -> String {
    let file = SourceFile::new("bad.mod", src);
    render(&file, &parse(src).diagnostics, false)
}

#[test]
fn missing_closing_brace_names_the_block_and_its_line() {
    let src = "NEURON {\n    SUFFIX foo\n}\n\nPARAMETER {\n    gnabar = .12 (S/cm2) <0, 1e9>\n    gl = .0003 (S/cm2)\n\nSTATE {\n    m h\n}\n";
    assert_eq!(
        rendered(src),
        "\
error: expected '}' to close the PARAMETER block opened at line 5
  --> bad.mod:9:1
  |
5 | PARAMETER {
  |           - the PARAMETER block opened here is never closed
  .
9 | STATE {
  | ^^^^^
  |
  = the PARAMETER block ends where the next top-level block, 'STATE', begins

"
    );
    // The STATE block after it still parses.
    let r = parse(src);
    assert_eq!(r.file.items.len(), 2);
}

#[test]
fn missing_brace_at_end_of_file() {
    assert_eq!(
        one_error("BREAKPOINT {\n  if (v > 0) {\n    x = 1\n  }\n"),
        (
            "expected '}' to close the BREAKPOINT block opened at line 1".into(),
            4,
            4
        )
    );
    assert_eq!(
        one_error("BREAKPOINT {\n  if (v > 0) {\n    x = 1\n"),
        (
            "expected '}' to close the 'if' block opened at line 2".into(),
            3,
            10
        )
    );
}

#[test]
fn bad_character() {
    assert_eq!(
        rendered("BREAKPOINT {\n    x = 1 @ 2\n}\n"),
        "\
error: unexpected character '@'
  --> bad.mod:2:11
  |
2 |     x = 1 @ 2
  |           ^

"
    );
}

#[test]
fn unterminated_comment() {
    assert_eq!(
        one_error("NEURON { SUFFIX a }\nCOMMENT\nthis never ends\nPARAMETER { a = 1 }\n"),
        (
            "COMMENT block is never closed: ENDCOMMENT is missing".into(),
            2,
            1
        )
    );
}

#[test]
fn unterminated_verbatim_and_string() {
    assert_eq!(
        one_error("VERBATIM\nstatic int x;\n"),
        (
            "VERBATIM block is never closed: ENDVERBATIM is missing".into(),
            1,
            1
        )
    );
    assert_eq!(
        one_error("INITIAL {\n    printf(\"hello\n}\n"),
        (
            "string is never closed: '\"' is missing before the end of the line".into(),
            2,
            12
        )
    );
}

#[test]
fn malformed_numbers() {
    assert_eq!(
        one_error("PARAMETER {\n    a = 1.2.3 (mV)\n}\n"),
        ("malformed number '1.2.3'".into(), 2, 9)
    );
    assert_eq!(
        one_error("INITIAL { x = 1e- 3 }"),
        ("malformed number '1e-'".into(), 1, 15)
    );
}

#[test]
fn missing_closing_parenthesis() {
    assert_eq!(
        rendered("BREAKPOINT {\n    if (v > 0 {\n        x = 1\n    }\n}\n"),
        "\
error: expected ')' to close the '(' at line 2, column 8, found '{'
  --> bad.mod:2:15
  |
2 |     if (v > 0 {
  |        -      ^
  |        |       
  |        this '(' is not closed

"
    );
    assert_eq!(
        one_error("BREAKPOINT {\n    x = exp(-(v + 40) / 10\n    y = 2\n}\n"),
        (
            "expected ')' to close the '(' at line 2, column 12, found name 'y'".into(),
            3,
            5
        )
    );
}

#[test]
fn unexpected_token_after_a_declaration() {
    assert_eq!(
        one_error("PARAMETER {\n    gnabar = .12 (S/cm2) 5\n}\n"),
        ("unexpected number '5' after the unit of 'gnabar'; expected limits like <0, 1e9>, the next declaration, or '}'".into(), 2, 26)
    );
    assert_eq!(
        one_error("PARAMETER {\n    gnabar = .12 +\n}\n"),
        ("unexpected '+' after the value of 'gnabar'; expected a unit like (mV), limits like <0, 1e9>, the next declaration, or '}'".into(), 2, 18)
    );
}

#[test]
fn independent_errors_are_all_reported() {
    let src = "PROCEDURE rates(v (mV)) {\n    x = 1 +\n}\nNEURON { SUFFIX ok }\nFUNCTION f() {\n    f = * 2\n}\n";
    assert_eq!(
        errors(src),
        [
            (
                "unexpected '}' after '+' in PROCEDURE rates; expected an expression".to_string(),
                3,
                1
            ),
            (
                "unexpected '*' after '=' in FUNCTION f; expected an expression".to_string(),
                6,
                9
            ),
        ]
    );
    // The good item between them is kept.
    assert_eq!(parse(src).file.items.len(), 1);
}

#[test]
fn stray_brace_and_top_level_junk() {
    assert_eq!(
        errors("PARAMETER { a = 1 }\n}\nfoo bar\nBREAKPOINT { }\n"),
        [
            ("unmatched '}': no block is open here".to_string(), 2, 1),
            ("unexpected name 'foo' at top level; expected a block keyword such as NEURON, PARAMETER, BREAKPOINT or PROCEDURE".to_string(), 3, 1),
        ]
    );
}

#[test]
fn misspelled_keyword_gets_a_hint() {
    let out = rendered("NEURON {\n    SUFIX hh\n}\n");
    assert!(out.starts_with("error: unexpected name 'SUFIX' in the NEURON block; expected a NEURON statement (SUFFIX, USEION, RANGE, ...) or '}'\n  --> bad.mod:2:5\n"), "{out}");
    assert!(
        out.contains("= did you mean SUFFIX? NMODL keywords are case-sensitive"),
        "{out}"
    );
}

#[test]
fn statement_level_messages() {
    assert_eq!(
        one_error("BREAKPOINT {\n    SOLVE states METHOD\n}\n"),
        ("unexpected '}' after 'METHOD' in the BREAKPOINT block; expected a method name such as cnexp, derivimplicit or sparse".into(), 3, 1)
    );
    assert_eq!(
        one_error("NEURON {\n    SUFFIX hh\n    RANGE a, \n}\n"),
        (
            "unexpected '}' after ',' in the NEURON block; expected a name".into(),
            4,
            1
        )
    );
    assert_eq!(
        one_error("PROCEDURE rates(v) {\n    TABLE minf DEPEND celsius FROM -100 TO 100\n    minf = 1\n}\n"),
        ("unexpected name 'minf' in PROCEDURE rates; expected 'WITH'".into(), 3, 5)
    );
    assert_eq!(
        one_error("KINETIC kin {\n  ~ a <-> b (k1)\n}\n"),
        ("unexpected ')' in KINETIC kin; expected ','".into(), 2, 16)
    );
    assert_eq!(
        one_error("UNITS {\n  (mA) = (milliamp)\n  (mV) (millivolt)\n}\n"),
        (
            "expected '=' after '(mV)' in the UNITS block, found unit '(millivolt)'".into(),
            3,
            8
        )
    );
    assert_eq!(
        one_error("DEFINE N\nPARAMETER { }\n"),
        (
            "expected a number after name 'N' before 'PARAMETER'".into(),
            1,
            9
        )
    );
}

#[test]
fn stray_end_keywords() {
    assert_eq!(
        one_error("ENDCOMMENT\n"),
        ("ENDCOMMENT without a COMMENT before it".into(), 1, 1)
    );
    assert_eq!(
        one_error("ENDVERBATIM\n"),
        ("ENDVERBATIM without a VERBATIM before it".into(), 1, 1)
    );
}

#[test]
fn empty_and_comment_only_files_are_fine() {
    assert!(errors("").is_empty());
    assert!(errors(": just a comment").is_empty());
    assert!(errors("\x1a").is_empty());
}
