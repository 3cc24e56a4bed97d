//! The front end's verdict (parse + analysis, INCLUDEs read beside each file) on every .mod of
//! the ModelDB corpus under `$RSNRN_SHARED/corpus/modeldb` equals NEURON 9.0.2's nocmodl
//! verdict in `corpus/nocmodl_status.csv` (399 accepted, cdp5.mod rejected). The files are
//! never copied into this repository.

use nmodl_sema::{analyze_with, folder_resolver, Options};
use nmodl_syntax::{parse, render, SourceFile};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

fn shared() -> Option<PathBuf> {
    match std::env::var_os("RSNRN_SHARED") {
        Some(p) => Some(PathBuf::from(p)),
        None => {
            // Written to the real stderr, past the harness's capture: a skip must be seen.
            let _ = writeln!(
                std::io::stderr(),
                "NOT RUN corpus_verdicts_equal_nocmodl: RSNRN_SHARED is unset, so the ModelDB \
                 corpus was not checked (set RSNRN_SHARED=../shared, as .ci/run does)"
            );
            None
        }
    }
}

/// `model/file` -> nocmodl accepted it.
fn nocmodl_verdicts(root: &Path) -> BTreeMap<String, bool> {
    let csv = std::fs::read_to_string(root.join("corpus/nocmodl_status.csv"))
        .expect("corpus/nocmodl_status.csv is readable");
    csv.lines()
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split(',');
            let (model, file, ok) = (f.next()?, f.next()?, f.next()?);
            Some((format!("{model}/{file}"), ok.trim() == "1"))
        })
        .collect()
}

/// Parse + analyze one file: accepted, and the rendered diagnostics.
fn front_end(path: &Path) -> (bool, String) {
    let bytes = std::fs::read(path).expect("reading a corpus file");
    let source = SourceFile::from_bytes(path.display().to_string(), &bytes);
    let parsed = parse(&source.text);
    if parsed.has_errors() {
        return (false, render(&source, &parsed.diagnostics, false));
    }
    let mut resolver = folder_resolver(path.parent().unwrap().to_path_buf());
    let analysis = analyze_with(
        &parsed.file,
        Options {
            include: Some(&mut resolver),
            default_name: None,
        },
    );
    if let Some(mech) = &analysis.mechanism {
        let back = nmodl_ir::Mechanism::from_json(&mech.to_json()).expect("IR JSON parses");
        assert_eq!(
            &back,
            mech,
            "{}: the IR does not round-trip",
            path.display()
        );
    }
    (
        analysis.mechanism.is_some(),
        render(&source, &analysis.diagnostics, false),
    )
}

#[test]
fn corpus_verdicts_equal_nocmodl() {
    let Some(root) = shared() else { return };
    let verdicts = nocmodl_verdicts(&root);
    assert_eq!(verdicts.len(), 400, "nocmodl_status.csv lists 400 files");
    let mut disagreements = Vec::new();
    let mut accepted = 0;
    for (key, &nocmodl_ok) in &verdicts {
        let path = root.join("corpus/modeldb").join(key);
        let (ok, rendered) = front_end(&path);
        accepted += usize::from(ok);
        if ok != nocmodl_ok {
            disagreements.push(format!(
                "{key}: nocmodl {}, rsnrn {}\n{rendered}",
                if nocmodl_ok { "accepts" } else { "rejects" },
                if ok { "accepts" } else { "rejects" }
            ));
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "corpus: {} of {} verdicts equal nocmodl's ({accepted} accepted)",
        verdicts.len() - disagreements.len(),
        verdicts.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} files disagree with nocmodl:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
