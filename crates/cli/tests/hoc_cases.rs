//! hoc cases of our own (tests/hoc/*.hoc) with the output nrniv 9.0.2 printed for each
//! (`*.neuron-9.0.2.out`, made with `nrniv -nogui CASE.hoc -c 'quit()'` minus its banner).

use std::path::Path;
use std::process::Command;

#[test]
fn own_hoc_cases_print_what_nrniv_prints() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hoc");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/hoc exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "hoc"))
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let expected_path = case.with_extension("neuron-9.0.2.out");
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
        let out = Command::new(env!("CARGO_BIN_EXE_rsnrniv"))
            .args(["-nogui"])
            .arg(&case)
            .args(["-c", "quit()"])
            .output()
            .expect("rsnrniv runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}: {}",
            case.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(stdout, expected, "{}", case.display());
    }
}
