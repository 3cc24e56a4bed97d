//! Snapshot tests of the rendered diagnostics: every `tests/broken/*.mod` (one per class of
//! error, written for rsnrn) is parsed and analyzed, its diagnostics rendered like the CLI
//! does, and the text compared with `tests/broken/NAME.expected`. The first line of each .mod
//! says whether it must be rejected (`: error: ...`) or accepted (`: accepted ...`), so that a
//! snapshot can never bless a wrong verdict. `RSNRN_BLESS=1 cargo test -p nmodl-sema --test
//! diagnostics` rewrites the .expected files after a deliberate change.

use nmodl_sema::{analyze_with, folder_resolver, Options};
use nmodl_syntax::{parse, render, SourceFile};
use std::path::{Path, PathBuf};

fn broken_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken")
}

/// Diagnostics as the CLI renders them, then the verdict.
fn snapshot(path: &Path) -> (String, bool) {
    let text = std::fs::read_to_string(path).expect("reading a test file");
    let name = format!("broken/{}", path.file_name().unwrap().to_string_lossy());
    let source = SourceFile::new(name, text);
    let parsed = parse(&source.text);
    let mut diagnostics = parsed.diagnostics.clone();
    let verdict = if parsed.has_errors() {
        "rejected at parse"
    } else {
        let mut resolver = folder_resolver(broken_dir());
        let analysis = analyze_with(
            &parsed.file,
            Options {
                include: Some(&mut resolver),
                default_name: None,
            },
        );
        diagnostics.extend(analysis.diagnostics);
        if analysis.mechanism.is_some() {
            "accepted"
        } else {
            "rejected at analyze"
        }
    };
    let out = format!(
        "{}verdict: {verdict}\n",
        render(&source, &diagnostics, false)
    );
    (out, verdict == "accepted")
}

#[test]
fn diagnostics_of_broken_files_match_their_snapshots() {
    let bless = std::env::var_os("RSNRN_BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(broken_dir())
        .expect("tests/broken exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mod"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "only {} snapshot files", files.len());
    let mut problems = Vec::new();
    for path in &files {
        let (actual, accepted) = snapshot(path);
        let first_line = std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .next()
            .unwrap_or_default()
            .to_string();
        let must_accept = first_line.starts_with(": accepted");
        if !must_accept && !first_line.starts_with(": error") {
            problems.push(format!(
                "{}: the first line must start with `: error` or `: accepted`",
                path.display()
            ));
        }
        if accepted != must_accept {
            problems.push(format!(
                "{}: expected {}, got:\n{actual}",
                path.display(),
                if must_accept {
                    "acceptance"
                } else {
                    "an error"
                }
            ));
            continue;
        }
        let expected_path = path.with_extension("expected");
        if bless {
            std::fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&expected_path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => problems.push(format!(
                "{} differs from {}:\n--- expected\n{expected}\n--- actual\n{actual}",
                path.display(),
                expected_path.display()
            )),
            Err(_) => problems.push(format!(
                "{} has no snapshot; run with RSNRN_BLESS=1 to write it:\n{actual}",
                path.display()
            )),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
