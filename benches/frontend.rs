//! The NMODL front end (parse + analysis, one thread) over every .mod file of the ModelDB corpus
//! in $RSNRN_SHARED/corpus (or over our built-in mechanisms when RSNRN_SHARED is unset).
//! `cargo xtask bench` prints the time per pass over the whole set, and the in-process JIT
//! compile of the STN model's mechanisms.

use criterion::{criterion_group, criterion_main, Criterion};
use nmodl_syntax::diagnostics::SourceFile;
use std::path::{Path, PathBuf};

fn mod_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            mod_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "mod") {
            out.push(p);
        }
    }
}

fn sources() -> Vec<SourceFile> {
    match std::env::var_os("RSNRN_SHARED") {
        Some(shared) => {
            let mut files = Vec::new();
            mod_files(&Path::new(&shared).join("corpus"), &mut files);
            files.sort();
            files
                .iter()
                .map(|f| {
                    let bytes = std::fs::read(f).expect("corpus file reads");
                    SourceFile::from_bytes(f.display().to_string(), &bytes)
                })
                .collect()
        }
        None => {
            eprintln!("RSNRN_SHARED is unset: benchmarking the front end on nmodl/*.mod only");
            rsnrn::builtins::SOURCES
                .iter()
                .map(|(name, text)| SourceFile::new(*name, *text))
                .collect()
        }
    }
}

fn frontend(c: &mut Criterion) {
    let sources = sources();
    println!("front end bench: {} files", sources.len());
    let mut group = c.benchmark_group("frontend");
    group.sample_size(10);
    group.bench_function("corpus", |b| {
        b.iter(|| {
            for s in &sources {
                std::hint::black_box(rsnrn::compile::check(s.clone()));
            }
        })
    });
    group.finish();
}

/// The whole compile of the 16 STN mechanisms in process: parse, analysis and Cranelift JIT
/// to executable kernels (what `load_mechanisms` of a folder does).
fn stn_jit(c: &mut Criterion) {
    let Some(shared) = std::env::var_os("RSNRN_SHARED") else {
        eprintln!("RSNRN_SHARED is unset: the STN JIT compile is not benchmarked");
        return;
    };
    let mut files = Vec::new();
    mod_files(&Path::new(&shared).join("models/stn151460"), &mut files);
    files.sort();
    let mut group = c.benchmark_group("stn_jit");
    group.sample_size(10);
    group.bench_function("all", |b| {
        b.iter(|| {
            for f in &files {
                let jit = rsnrn::compile::compile_file(f).expect("every STN mechanism compiles");
                std::hint::black_box(jit);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, frontend, stn_jit);
criterion_main!(benches);
