//! `cargo xtask corpus`: the front end over the ModelDB corpus, per model: files, how many
//! the front end (parse + analysis) accepts and rejects, how many of those verdicts agree with
//! NEURON 9.0.2's nocmodl (`corpus/nocmodl_status.csv`), and how many also pass code
//! generation today. Runs `rsnrnivmodl check --format json` (release build) on each model's
//! folder, so it measures exactly what users get.
//!
//! The corpus is `$RSNRN_SHARED/corpus` (default `../shared/corpus` beside the workspace).
//! Exit status: 0 when every verdict agrees with nocmodl, 1 otherwise.

use crate::workspace_root;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

fn shared_dir() -> PathBuf {
    match std::env::var_os("RSNRN_SHARED") {
        Some(p) => PathBuf::from(p),
        None => workspace_root().join("../shared"),
    }
}

/// `model/file` -> nocmodl accepted it.
fn nocmodl_verdicts(corpus: &Path) -> Result<BTreeMap<String, bool>, String> {
    let path = corpus.join("nocmodl_status.csv");
    let csv = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(csv
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split(',');
            let (model, file, ok) = (f.next()?, f.next()?, f.next()?);
            Some((format!("{model}/{file}"), ok.trim() == "1"))
        })
        .collect())
}

fn build_cli() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(workspace_root())
        .args(["build", "--quiet", "--release", "-p", "rsnrn-cli"])
        .status()
        .map_err(|e| format!("running cargo build: {e}"))?;
    if !status.success() {
        return Err("building rsnrnivmodl failed".into());
    }
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"));
    Ok(target.join("release/rsnrnivmodl"))
}

/// One file's outcome, from a line of `check --format json`.
struct Outcome {
    file: String,
    /// The front end (parse + analysis) accepted it.
    front_end_ok: bool,
    codegen_ok: bool,
}

fn check_model(cli: &Path, dir: &Path) -> Result<Vec<Outcome>, String> {
    let out = Command::new(cli)
        .args(["check", "--format", "json"])
        .arg(dir)
        .output()
        .map_err(|e| format!("running {}: {e}", cli.display()))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut outcomes = Vec::new();
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("bad JSON from check: {e}: {line}"))?;
        let stage = v["stage"].as_str();
        let file = v["file"].as_str().unwrap_or_default();
        let name = Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        outcomes.push(Outcome {
            file: name,
            front_end_ok: !matches!(stage, Some("parse" | "analyze")),
            codegen_ok: stage.is_none(),
        });
    }
    Ok(outcomes)
}

pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(a) = args.first() {
        return Err(format!("corpus takes no arguments, not {a:?}"));
    }
    let corpus = shared_dir().join("corpus");
    let verdicts = nocmodl_verdicts(&corpus)?;
    let cli = build_cli()?;
    let modeldb = corpus.join("modeldb");
    let mut models: Vec<PathBuf> = std::fs::read_dir(&modeldb)
        .map_err(|e| format!("cannot read {}: {e}", modeldb.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    models.sort_by_key(|p| {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        (name.parse::<u64>().unwrap_or(u64::MAX), name.into_owned())
    });
    println!(
        "{:>8} {:>6} {:>9} {:>9} {:>10} {:>8}",
        "model", "files", "accepted", "rejected", "agreement", "codegen"
    );
    let mut totals = [0usize; 5];
    let mut disagreements = Vec::new();
    let started = Instant::now();
    for dir in &models {
        let model = dir.file_name().unwrap_or_default().to_string_lossy();
        let outcomes = check_model(&cli, dir)?;
        let mut row = [0usize; 5];
        for o in &outcomes {
            let key = format!("{model}/{}", o.file);
            row[0] += 1;
            row[1] += usize::from(o.front_end_ok);
            row[2] += usize::from(!o.front_end_ok);
            match verdicts.get(&key) {
                Some(&nocmodl) if nocmodl == o.front_end_ok => row[3] += 1,
                Some(&nocmodl) => disagreements.push(format!(
                    "{key}: nocmodl {}, rsnrn {}",
                    if nocmodl { "accepts" } else { "rejects" },
                    if o.front_end_ok { "accepts" } else { "rejects" }
                )),
                None => disagreements.push(format!("{key}: not in nocmodl_status.csv")),
            }
            row[4] += usize::from(o.codegen_ok);
        }
        println!(
            "{model:>8} {:>6} {:>9} {:>9} {:>6}/{:<3} {:>8}",
            row[0], row[1], row[2], row[3], row[0], row[4]
        );
        for (t, r) in totals.iter_mut().zip(row) {
            *t += r;
        }
    }
    println!(
        "{:>8} {:>6} {:>9} {:>9} {:>6}/{:<3} {:>8}",
        "total", totals[0], totals[1], totals[2], totals[3], totals[0], totals[4]
    );
    println!(
        "({} models in {:.2} s through parse, analysis and code generation)",
        models.len(),
        started.elapsed().as_secs_f64()
    );
    if totals[0] != verdicts.len() {
        disagreements.push(format!(
            "{} files checked but nocmodl_status.csv lists {}",
            totals[0],
            verdicts.len()
        ));
    }
    if disagreements.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} disagreement(s) with nocmodl:\n{}",
            disagreements.len(),
            disagreements.join("\n")
        ))
    }
}
