//! The default command, like nrnivmodl: every .mod of a folder (default `.`) or the files
//! named, compiled into `./<arch>/librsnrnmech.so`, one line per mechanism.

use rsnrn::library::{arch_dir, build_library};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

fn mod_files(args: &[String]) -> Result<Vec<PathBuf>, String> {
    let targets: Vec<PathBuf> = if args.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    let mut files = Vec::new();
    for t in targets {
        if t.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&t)
                .map_err(|e| format!("cannot read {}: {e}", t.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "mod"))
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(format!("{} has no .mod files", t.display()));
            }
            files.extend(found);
        } else if t.is_file() {
            files.push(t);
        } else {
            return Err(format!(
                "{} is neither a .mod file nor a folder",
                t.display()
            ));
        }
    }
    Ok(files)
}

pub fn run(args: &[String]) -> ExitCode {
    let started = Instant::now();
    let files = match mod_files(args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let output = PathBuf::from(arch_dir()).join("librsnrnmech.so");
    match build_library(&files, &output) {
        Ok(built) => {
            for m in &built {
                println!("{}: {}", m.file.display(), m.name);
            }
            println!(
                "built {} with {} mechanism(s) in {:.0} ms",
                output.display(),
                built.len(),
                started.elapsed().as_secs_f64() * 1e3
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
