//! ../shared/conformance/hoc: ~300 small hoc programs with NEURON 9.0.2's output, run with
//! the built rsnrniv through the suite's own run.sh. The number of passing cases may not fall
//! below FLOOR (raise FLOOR when more pass: a ratchet).

// The helpers of the facade's end-to-end tests (RSNRN_SHARED, compare.py); this test uses
// only shared_dir.
#[allow(dead_code)]
#[path = "../../../tests/common/mod.rs"]
mod common;

use std::io::Write;
use std::process::Command;

/// Cases that passed when this floor was set.
const FLOOR: usize = 282;

#[test]
fn hoc_conformance_suite_does_not_regress() {
    let Some(shared) = common::shared_dir("hoc_conformance_suite_does_not_regress") else {
        return;
    };
    let suite = shared.join("conformance/hoc");
    let out = Command::new("bash")
        .arg(suite.join("run.sh"))
        .arg(env!("CARGO_BIN_EXE_rsnrniv"))
        .output()
        .expect("running bash run.sh (bash and coreutils' timeout are needed)");
    let report = String::from_utf8_lossy(&out.stdout);
    let summary = report
        .lines()
        .rev()
        .find(|l| l.contains(" passed, ") && l.contains(" failed"))
        .unwrap_or_else(|| panic!("run.sh printed no summary:\n{report}"));
    let mut words = summary.split_whitespace();
    let passed: usize = words.next().and_then(|w| w.parse().ok()).expect("N passed");
    let failed: usize = words.nth(1).and_then(|w| w.parse().ok()).expect("M failed");
    let failures: Vec<&str> = report.lines().filter(|l| l.starts_with("FAIL ")).collect();
    // Past the harness's capture, so the count is always seen.
    let _ = writeln!(
        std::io::stderr(),
        "hoc conformance: {passed} of {} cases pass (floor {FLOOR})\n{}",
        passed + failed,
        failures.join("\n")
    );
    assert!(
        passed >= FLOOR,
        "hoc conformance fell to {passed} passing cases, below the floor of {FLOOR}:\n{}",
        failures.join("\n")
    );
}
