//! A quick fuzz run of the hoc front end as an ordinary test: random mutations of our own hoc
//! files (crates/cli/tests/hoc, demo/) are read statement by statement as `run_source` reads
//! them. Nothing may panic, every statement read moves the position forward (no endless
//! loop), and every syntax error points inside the text. `RSNRN_FUZZ_ITERATIONS` raises the
//! number of mutants for a longer local run.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use rsnrn_hoc::parser::{Interner, Parser};
use rsnrn_hoc::Source;

#[path = "../../../tests/support/fuzz_rng.rs"]
mod fuzz_rng;
use fuzz_rng::{iterations, Rng};

/// Reads every statement of `text` as the interpreter does; panics on a broken invariant.
fn check(text: &str) {
    let src = Rc::new(Source::new("mutant.hoc", None, text));
    let mut names = Interner::default();
    let mut pos = 0;
    loop {
        let mut p = Parser::new(&src, pos, &mut names);
        match p.parse_top() {
            Ok(Some(_)) => {
                let next = p.resume_pos();
                assert!(next > pos, "no progress at {pos} in {text:?}");
                assert!(
                    next <= text.len(),
                    "position {next} past the end of {text:?}"
                );
                pos = next;
            }
            Ok(None) => return,
            Err(e) => {
                assert!(e.pos <= text.len(), "error at {} outside {text:?}", e.pos);
                assert!(!e.msg.is_empty());
                return;
            }
        }
    }
}

fn hoc_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|x| x == "hoc"));
    out.sort();
    out
}

const FRAGMENTS: &[&str] = &[
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "//",
    "/*",
    "*/",
    "\n",
    ";",
    ",",
    "=",
    "==",
    "&&",
    "||",
    "!",
    "-",
    "^",
    "$1",
    "$s2",
    "$o3",
    "$&1",
    "&",
    ".",
    ":",
    "proc",
    "func",
    "obfunc",
    "iterator",
    "iterator_statement",
    "begintemplate T",
    "endtemplate T",
    "public",
    "external",
    "local",
    "localobj",
    "objref",
    "strdef",
    "double",
    "create",
    "access",
    "forall",
    "forsec",
    "ifsec",
    "for",
    "while",
    "if",
    "else",
    "return",
    "break",
    "continue",
    "stop",
    "new",
    "connect",
    "insert",
    "uninsert",
    "(0.5)",
    "for (x)",
    "for (x, 0)",
    "1e",
    "0x",
    ".5e-3",
    "\\\n",
    "\u{1a}",
    "é",
    "\0",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut bytes: Vec<u8> = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(4) {
            0 => {
                let end = (at + 1 + rng.below(12)).min(bytes.len());
                bytes.drain(at..end);
            }
            1 => {
                let f = FRAGMENTS[rng.below(FRAGMENTS.len())].as_bytes();
                bytes.splice(at..at, f.iter().copied());
            }
            2 if !bytes.is_empty() => {
                let from = rng.below(bytes.len());
                let end = (from + 1 + rng.below(40)).min(bytes.len());
                let piece: Vec<u8> = bytes[from..end].to_vec();
                bytes.splice(at..at, piece);
            }
            _ => bytes.truncate(at),
        }
    }
    // The interpreter reads files as UTF-8 text (lossily), so do the same.
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn hoc_parser_survives_mutated_input() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut texts: Vec<String> = hoc_files(&root.join("crates/cli/tests/hoc"))
        .into_iter()
        .chain(hoc_files(&root.join("demo")))
        .map(|p| std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    assert!(texts.len() > 10, "our hoc files were not found");
    texts.push(String::new());
    for t in &texts {
        check(t);
    }
    let iterations = iterations(3000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..iterations {
        let base = &texts[rng.below(texts.len())];
        check(&mutate(&mut rng, base));
    }
}
