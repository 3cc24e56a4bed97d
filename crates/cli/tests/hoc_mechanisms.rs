//! hoc driving mechanisms of our own built by `rsnrnivmodl`, as a NEURON user does it:
//! `rsnrnivmodl` in a folder of .mod files, then `rsnrniv` there (which loads
//! ./x86_64/librsnrnmech.so like nrniv), compared with what nrniv 9.0.2 printed for the same
//! hoc file (`*.neuron-9.0.2.out` next to it in tests/data/constructs).

use std::path::{Path, PathBuf};
use std::process::Command;

fn constructs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/constructs")
}

/// Builds `mods` into a fresh folder, runs `hoc` there and compares stdout with nrniv's.
fn run_case(name: &str, mods: &[&str], hoc: &str) {
    let dir = build(name, mods);
    let script = constructs().join(hoc);
    let run = Command::new(env!("CARGO_BIN_EXE_rsnrniv"))
        .current_dir(&dir)
        .arg("-nogui")
        .arg(&script)
        .args(["-c", "quit()"])
        .output()
        .expect("running rsnrniv");
    assert!(
        run.status.success(),
        "rsnrniv {hoc} failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let expected = std::fs::read_to_string(script.with_extension("hoc.neuron-9.0.2.out"))
        .unwrap_or_else(|e| panic!("{hoc}: NEURON's output: {e}"));
    assert_eq!(String::from_utf8_lossy(&run.stdout), expected, "{hoc}");
}

/// A fresh folder named after `name` with `mods` built in it by `rsnrnivmodl`.
fn build(name: &str, mods: &[&str]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hoc_mechanisms_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for m in mods {
        std::fs::copy(constructs().join(m), dir.join(m)).unwrap();
    }
    let build = Command::new(env!("CARGO_BIN_EXE_rsnrnivmodl"))
        .current_dir(&dir)
        .output()
        .expect("running rsnrnivmodl");
    assert!(
        build.status.success(),
        "rsnrnivmodl failed:\n{}",
        String::from_utf8_lossy(&build.stderr)
    );
    dir
}

/// `setpointer syn.pre, pre.v(0.5)` and a POINTER written through.
#[test]
fn setpointer_in_hoc_matches_nrniv() {
    run_case("ptrsyn", &["ptrsyn.mod"], "ptrsyn.hoc");
}

/// NMODL printf (C formats and escapes) in order with hoc's output; a BREAKPOINT without
/// currents runs after the voltage update (t and v of the end of the step), as in NEURON.
#[test]
fn nmodl_printf_prints_what_nrniv_prints() {
    run_case("printer", &["printer.mod"], "printer.hoc");
}

/// scop_random, set_seed, normrand, exprand, poisrand (and use_mcell_ran4 from hoc) give
/// NEURON's numbers.
#[test]
fn nmodl_random_functions_print_what_nrniv_prints() {
    run_case("randoms", &["randoms.mod"], "randoms.hoc");
}

/// A VERBATIM block of printf calls on variables prints what nrniv prints.
#[test]
fn verbatim_printf_prints_what_nrniv_prints() {
    run_case("verbprintf", &["verbprintf.mod"], "verbprintf.hoc");
}

/// FUNCTION_TABLE: hoc fills the tables (two Vectors, `&y, n, xmin, xmax`, `&y, n, &x` with
/// hoc arrays, a constant, a hoc matrix for a table of two arguments on even and given
/// points) and calls them; in a run under an IClamp a conductance takes its time constant
/// from one and a factor from the other. NEURON's interpolation and its values outside the
/// points.
#[test]
fn function_tables_filled_from_hoc_match_nrniv() {
    run_case("ftable", &["ftable.mod"], "ftable.hoc");
}

/// A FUNCTION_TABLE called before hoc gave it values stops the hoc file where nrniv 9.0.2
/// stops it ("table not specified in hoc_func_table"): at a direct call, at a call of a
/// FUNCTION that calls one, and at the finitialize whose BREAKPOINT calls one; the message names the table and the mechanism.
#[test]
fn function_table_without_values_stops_like_nrniv() {
    let dir = build("ftable_unset", &["ftable.mod"]);
    let cases = [
        (
            "direct.hoc",
            "x = tautab_ftable(-65)",
            "FUNCTION_TABLE tautab of ftable: table not specified",
        ),
        (
            "indirect.hoc",
            "x = tauscaled_ftable(-65)",
            "FUNCTION_TABLE tautab of ftable: table not specified",
        ),
        (
            "run.hoc",
            "finitialize(-65)",
            "table not specified: FUNCTION_TABLE scale was called before its values were given \
             (hoc: table_scale_ftable(...))",
        ),
    ];
    for (file, call, message) in cases {
        let script = format!(
            "create soma\naccess soma\ninsert ftable\nprint \"before\"\n{call}\nprint \"after\"\n"
        );
        std::fs::write(dir.join(file), script).unwrap();
        let run = Command::new(env!("CARGO_BIN_EXE_rsnrniv"))
            .current_dir(&dir)
            .args(["-nogui", file, "-c", "quit()"])
            .output()
            .expect("running rsnrniv");
        let (stdout, stderr) = (
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr),
        );
        assert!(!run.status.success(), "{file}: {stdout}");
        assert_eq!(stdout, "before\n", "{file}");
        assert!(stderr.contains(message), "{file}: {stderr}");
    }
}

/// CONSTRUCTOR runs at `new` (after the defaults, before INITIAL) as in nrniv.
#[test]
fn constructor_runs_where_nrniv_runs_it() {
    run_case("ctor", &["ctor.mod"], "ctor.hoc");
}
