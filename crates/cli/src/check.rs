//! `check` and `--emit`: the front end and code generation over files, diagnostics rendered
//! like rustc's or as JSON.

use nmodl_syntax::diagnostics::{Diagnostic, Severity, SourceFile};
use rsnrn::compile::{check_file, codegen, codegen_diagnostic, Checked, Stage};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Every .mod file named by `paths`, folders expanded (sorted), or an error naming the path.
fn expand(paths: &[String]) -> Vec<Result<PathBuf, (PathBuf, String)>> {
    let mut out = Vec::new();
    for p in paths {
        let path = PathBuf::from(p);
        if path.is_dir() {
            match std::fs::read_dir(&path) {
                Ok(entries) => {
                    let mut files: Vec<PathBuf> = entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|f| f.extension().is_some_and(|x| x == "mod"))
                        .collect();
                    files.sort();
                    if files.is_empty() {
                        out.push(Err((path, "this folder has no .mod files".into())));
                    }
                    out.extend(files.into_iter().map(Ok));
                }
                Err(e) => out.push(Err((path, format!("cannot read this folder: {e}")))),
            }
        } else {
            out.push(Ok(path));
        }
    }
    out
}

/// Front end, then code generation when the front end accepted the file.
fn check_through_codegen(path: &Path) -> Result<Checked, String> {
    let mut checked =
        check_file(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if let (Some(mech), None) = (&checked.mechanism, checked.failed_at) {
        if let Err(e) = codegen(mech) {
            checked.diagnostics.push(codegen_diagnostic(&e));
            checked.failed_at = Some(Stage::Codegen);
        }
    }
    Ok(checked)
}

fn diagnostic_json(source: &SourceFile, d: &Diagnostic) -> serde_json::Value {
    let (line, col) = source.line_col(d.span.start);
    json!({
        "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning", _ => "note" },
        "line": line,
        "col": col,
        "message": d.message,
    })
}

pub fn run(args: &[String]) -> ExitCode {
    let mut json_output = false;
    let mut paths = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--format" => match it.next().map(String::as_str) {
                Some("json") => json_output = true,
                Some("human") => json_output = false,
                other => {
                    eprintln!(
                        "error: --format takes `json` or `human`, not {:?}",
                        other.unwrap_or("")
                    );
                    return ExitCode::FAILURE;
                }
            },
            _ => paths.push(a.clone()),
        }
    }
    if paths.is_empty() {
        eprintln!("error: check needs at least one .mod file or folder");
        return ExitCode::FAILURE;
    }
    let mut failed = 0usize;
    let mut total = 0usize;
    for entry in expand(&paths) {
        total += 1;
        let outcome = entry.and_then(|p| check_through_codegen(&p).map_err(|e| (p, e)));
        match outcome {
            Ok(checked) => {
                let ok = checked.failed_at.is_none();
                failed += usize::from(!ok);
                if json_output {
                    let diagnostics: Vec<_> = checked
                        .diagnostics
                        .iter()
                        .map(|d| diagnostic_json(&checked.source, d))
                        .collect();
                    println!(
                        "{}",
                        json!({
                            "file": checked.source.name,
                            "ok": ok,
                            "stage": checked.failed_at.map(Stage::name),
                            "diagnostics": diagnostics,
                        })
                    );
                } else {
                    if !checked.diagnostics.is_empty() {
                        eprint!("{}", checked.render(false));
                    }
                    if let (true, Some(m)) = (ok, &checked.mechanism) {
                        println!("{}: ok ({})", checked.source.name, m.name);
                    }
                }
            }
            Err((path, message)) => {
                failed += 1;
                if json_output {
                    println!(
                        "{}",
                        json!({
                            "file": path.display().to_string(),
                            "ok": false,
                            // Reading is the first step of parsing.
                            "stage": "parse",
                            "diagnostics": [{"severity": "error", "line": 0, "col": 0, "message": message}],
                        })
                    );
                } else {
                    eprintln!("error: {}: {message}", path.display());
                }
            }
        }
    }
    if !json_output {
        eprintln!("{} file(s) checked, {} with errors", total, failed);
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

pub fn emit(args: &[String]) -> ExitCode {
    let [what, file] = args else {
        eprintln!("usage: rsnrnivmodl --emit ast|ir FILE");
        return ExitCode::FAILURE;
    };
    let checked = match check_file(Path::new(file)) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: cannot read {file}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let printed = match what.as_str() {
        "ast" => serde_json::to_string_pretty(&checked.ast).map_err(|e| e.to_string()),
        "ir" => match &checked.mechanism {
            Some(m) => Ok(m.to_json()),
            None => Err(checked.render(false)),
        },
        other => Err(format!("--emit takes `ast` or `ir`, not `{other}`")),
    };
    match printed {
        Ok(text) => {
            println!("{text}");
            if checked.failed_at == Some(Stage::Parse) {
                eprint!("{}", checked.render(false));
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("{}", message.trim_end());
            ExitCode::FAILURE
        }
    }
}
