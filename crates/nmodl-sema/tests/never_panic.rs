//! A quick fuzz run as an ordinary test: random mutations of our own .mod files (the valid and
//! the broken ones) and the committed fuzz regression inputs (../../fuzz/regressions) go
//! through parse and analysis. Nothing may panic, every diagnostic's span lies in the source,
//! and every accepted file gives an IR that validates and round-trips through serde.
//! `RSNRN_FUZZ_ITERATIONS` raises the number of mutants for a longer local run.

use nmodl_sema::{analyze_with, IncludedFile, Options};
use nmodl_syntax::{parse, render, SourceFile};
use std::path::{Path, PathBuf};

#[path = "../../../tests/support/fuzz_rng.rs"]
mod fuzz_rng;
use fuzz_rng::{iterations, Rng};

fn check(text: &str) {
    let source = SourceFile::new("mutant.mod", text);
    let parsed = parse(&source.text);
    let own = text.to_string();
    let mut resolver = move |name: &str| -> Result<IncludedFile, String> {
        match name {
            "a.inc" => Ok(IncludedFile {
                name: name.into(),
                text: own.clone(),
            }),
            _ => Err(format!("no file {name}")),
        }
    };
    let analysis = analyze_with(
        &parsed.file,
        Options {
            include: Some(&mut resolver),
            default_name: Some("mutant".into()),
        },
    );
    for d in parsed.diagnostics.iter().chain(&analysis.diagnostics) {
        assert!(
            d.span.start <= d.span.end && d.span.end as usize <= text.len(),
            "span {:?} outside {text:?}",
            d.span
        );
    }
    render(&source, &analysis.diagnostics, false);
    if let Some(mech) = &analysis.mechanism {
        assert!(nmodl_ir::validate(mech).is_ok(), "invalid IR for {text:?}");
        let back = nmodl_ir::Mechanism::from_json(&mech.to_json()).unwrap();
        assert_eq!(&back, mech, "IR round-trip of {text:?}");
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    out.retain(|p| p.is_file());
    out.sort();
    out
}

const FRAGMENTS: &[&str] = &[
    "~",
    "<->",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "'",
    "=",
    ",",
    "\n",
    "NET_RECEIVE",
    "KINETIC",
    "CONSERVE",
    "SOLVE",
    "STEADYSTATE",
    "INCLUDE \"a.inc\"",
    "FROM i = 0 TO 3",
    "flag",
    "f_flux",
    "net_send(1, 2)",
    "WATCH (v > 1) 2",
    "1e999",
    "LOCAL",
    "TABLE",
    "DEFINE N 3",
    "POINTER",
    "RANDOM r",
    "random_negexp(r)",
    "v",
    "t",
    "0",
];

#[test]
fn mutants_of_our_files_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seeds: Vec<String> = Vec::new();
    for dir in ["tests/valid", "tests/broken"] {
        for p in files(&root.join(dir)) {
            seeds.push(String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned());
        }
    }
    for dir in [
        "../../fuzz/regressions/parse",
        "../../fuzz/regressions/analyze",
    ] {
        for p in files(&root.join(dir)) {
            let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            check(&text);
        }
    }
    let iterations = iterations(2000);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..iterations {
        let mut text = seeds[rng.below(seeds.len())].clone();
        for _ in 0..1 + rng.below(4) {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(3) {
                0 => text.insert_str(at, FRAGMENTS[rng.below(FRAGMENTS.len())]),
                1 => {
                    let mut end = (at + 1 + rng.below(20)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(at..end, "");
                }
                _ => {
                    let line: String = text.lines().nth(rng.below(40)).unwrap_or("").into();
                    text.insert_str(at, &line);
                }
            }
        }
        check(&text);
    }
}
