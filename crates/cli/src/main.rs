//! `rsnrnivmodl`: NEURON's nrnivmodl, rebuilt.
//!
//! ```text
//! rsnrnivmodl [DIR | FILES...]                 build ./x86_64/librsnrnmech.so from .mod files
//! rsnrnivmodl check [--format json] PATHS...   check .mod files (folders: every .mod inside)
//! rsnrnivmodl --emit ast|ir FILE               print the syntax tree or the IR as JSON
//! ```

mod build;
mod check;

use std::process::ExitCode;

const USAGE: &str = "usage:
  rsnrnivmodl [DIR | FILES...]                 build ./<arch>/librsnrnmech.so from .mod files (default: .)
  rsnrnivmodl check [--format json] PATHS...   check .mod files through code generation
  rsnrnivmodl --emit ast|ir FILE               print the syntax tree or the IR as JSON";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("check") => check::run(&args[1..]),
        Some("--emit") => check::emit(&args[1..]),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Some(flag) if flag.starts_with('-') => {
            eprintln!("error: unknown option {flag}\n{USAGE}");
            ExitCode::FAILURE
        }
        _ => build::run(&args),
    }
}
