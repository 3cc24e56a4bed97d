//! `cargo xtask <task>`: project chores that need more than one cargo command.
//!
//! - `bench [--quick]`: criterion benches of the hh kernels and of a whole hh-cable run, printed
//!   as ns per instance-step / segment-step, next to NEURON's figure for the same cable model
//!   measured in the same run when `nrniv` (pip install neuron==9.0.2) can be found (the cable
//!   alone: `bench --cable`); then the
//!   1000-cell network on 1 and 2 threads (`bench --network` alone) and the STN and ModelDB reference
//!   scenarios timed under rsnrniv and nrniv (bench_scenarios.rs; `bench --scenarios` alone),
//!   and the tutorial's Python DBS script under rsneuron and NEURON (bench_python.rs;
//!   `bench --python` alone).
//! - `corpus`: the front end over the ModelDB corpus of `$RSNRN_SHARED/corpus`, per model:
//!   files, accepted, rejected, agreement with NEURON's nocmodl, and code generation.
//! - `neuron-diff [ENTRY ...]`: NEURON 9.0.2's tables for the differential tests
//!   (tests/data/differential), for every entry of mechanisms.json or the ones named.

mod bench;
mod bench_python;
mod bench_scenarios;
mod corpus;
mod neuron;
mod neuron_diff;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("bench") => bench::run(&args[1..]),
        Some("corpus") => corpus::run(&args[1..]),
        Some("neuron-diff") => neuron_diff::run(&args[1..]),
        _ => {
            eprintln!("usage: cargo xtask bench [--quick | --cable | --network | --scenarios | --python] | cargo xtask corpus | cargo xtask neuron-diff [ENTRY ...]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}
