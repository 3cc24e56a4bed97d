//! Shared helpers of the end-to-end tests: where NEURON's reference data is, and
//! ../shared/reference/compare.py as the judge.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `$RSNRN_SHARED` (the `shared/` folder beside the project). When unset, says so on the
/// terminal (past the test harness's capture, so it is seen) and returns None.
pub fn shared_dir(test: &str) -> Option<PathBuf> {
    match std::env::var_os("RSNRN_SHARED") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(
                dir.join("reference").is_dir(),
                "RSNRN_SHARED={} has no reference/ folder",
                dir.display()
            );
            Some(dir)
        }
        None => {
            let _ = writeln!(
                std::io::stderr(),
                "NOT RUN {test}: RSNRN_SHARED is unset, so NEURON's reference traces are not \
                 available (set RSNRN_SHARED=../shared, as .ci/run does)"
            );
            None
        }
    }
}

/// A fresh output folder for one test.
pub fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("creating the test's output folder");
    dir
}

/// Runs compare.py REF OURS with `options`; panics with its report when out of tolerance.
pub fn compare(shared: &Path, reference: &Path, ours: &Path, options: &[&str]) {
    let script = shared.join("reference/compare.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(reference)
        .arg(ours)
        .args(options)
        .output()
        .expect("running python3 compare.py (python3 is needed for the reference comparisons)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "{} differs from NEURON's {} beyond {:?}:\n{report}",
        ours.display(),
        reference.display(),
        options
    );
}

/// compare.py's options for the "exact" level of ../shared/reference/README.md.
pub const EXACT: &[&str] = &[
    "--vtol",
    "1e-3",
    "--rtol",
    "1e-5",
    "--atol",
    "1e-9",
    "--spike-tol",
    "1e-3",
];
