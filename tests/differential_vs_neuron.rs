//! Differential tests against NEURON 9.0.2: real mechanisms (the STN model of
//! ../shared/models/stn151460 and ModelDB corpus files of every kind) in one compartment under a
//! voltage clamp and a current clamp, compared with NEURON's traces at 1e-6 relative.
//!
//! tests/data/differential holds the list of scenarios (mechanisms.json), the script that made
//! NEURON's tables from it (make_reference.py, run by `cargo xtask neuron-diff`) and the tables.
//! This file builds the same compartment through the Rust API, records the columns NEURON's
//! table has, writes them the same way and asks compare.py. An entry with `expect_fail` must
//! still fail, with an error containing its `match` text: when it starts to pass, the test says
//! so and the entry is to be flipped.

#[allow(dead_code)] // the helpers other tests use
mod common;

use nmodl_codegen::JitMechanism;
use rsnrn::runtime::{NetConSource, PointProcessId, SectionId};
use rsnrn::RecordTarget;
use serde_json::Value;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

// The scenario of make_reference.py; change both together.
const DT: f64 = 0.025;
const TSTOP: f64 = 50.0;
const VCLAMP_LEVELS: [(f64, f64); 7] = [
    (5.0, -70.0),
    (15.0, -40.0),
    (20.0, -70.0),
    (30.0, -10.0),
    (35.0, -70.0),
    (45.0, 20.0),
    (50.0, -70.0),
];
const ICLAMP_DELAY: f64 = 5.0;
const ICLAMP_DUR: f64 = 30.0;
const ROW_EVERY: usize = 4;
const PROTOCOLS: [&str; 2] = ["vclamp", "iclamp"];

/// "States and currents within 1e-6 relative": every column within 1e-6 of its largest
/// magnitude; v (mV) within 1e-4 mV, i.e. 1e-6 of 100 mV; spike times within 1e-5 ms.
const TOLERANCE: &[&str] = &[
    "--vtol",
    "1e-4",
    "--rtol",
    "1e-6",
    "--atol",
    "1e-12",
    "--spike-tol",
    "1e-5",
];

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/differential")
}

fn entries() -> Vec<Value> {
    let path = data_dir().join("mechanisms.json");
    let text = std::fs::read_to_string(&path).expect("reading mechanisms.json");
    match serde_json::from_str(&text) {
        Ok(Value::Array(entries)) => entries,
        Ok(_) => panic!("{}: expected a list of entries", path.display()),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

fn entry(name: &str) -> Value {
    entries()
        .into_iter()
        .find(|e| e["name"] == name)
        .unwrap_or_else(|| panic!("{name} is not in mechanisms.json"))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().expect("a string").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn numbers(v: &Value) -> Vec<(String, f64)> {
    v.as_object()
        .map(|o| {
            o.iter()
                .map(|(k, x)| (k.clone(), x.as_f64().expect("a number")))
                .collect()
        })
        .unwrap_or_default()
}

/// What a run of one entry came to.
enum Outcome {
    /// Every table within tolerance; the largest relative difference and where.
    Agrees(String),
    /// Why it did not: a compile or runtime error, or compare.py's report.
    Fails(String),
}

/// Runs both protocols of `name` and compares them with NEURON's tables.
fn run_entry(shared: &Path, name: &str) -> Outcome {
    let entry = entry(name);
    let mechanisms = match compile(shared, &entry) {
        Ok(m) => m,
        Err(e) => return Outcome::Fails(e),
    };
    let out = common::out_dir(&format!("differential/{name}"));
    let mut summary = String::new();
    for protocol in PROTOCOLS {
        let reference = data_dir().join(format!("{name}.{protocol}.txt"));
        let header = match header_of(&reference) {
            Ok(h) => h,
            Err(e) => return Outcome::Fails(e),
        };
        let columns = match simulate(&mechanisms, &entry, protocol, &header) {
            Ok(c) => c,
            Err(e) => return Outcome::Fails(e),
        };
        let ours = out.join(format!("{name}.{protocol}.txt"));
        write_table(&ours, &header, &columns);
        let (ok, report) = compare(shared, &reference, &ours);
        if !ok {
            return Outcome::Fails(format!("{protocol}: differs from NEURON:\n{report}"));
        }
        let (rel, column) = largest_relative_difference(&reference, &header, &columns);
        let _ = write!(summary, "{protocol}: max rel diff {rel:.2e} ({column}); ");
    }
    Outcome::Agrees(summary)
}

/// The column names of a NEURON table (its first line that is not a comment).
fn header_of(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: {e} (run `cargo xtask neuron-diff`)", path.display()))?;
    let line = text
        .lines()
        .find(|l| !l.starts_with('#'))
        .ok_or_else(|| format!("{}: no header", path.display()))?;
    Ok(line.split_whitespace().map(str::to_string).collect())
}

/// The entry's .mod files compiled, in NEURON's order: nrnivmodl registers the files sorted by
/// name (make_reference.py runs it with LC_ALL=C, so by bytes), and that order is the order of
/// the mechanisms in a node: it decides, e.g., whether a channel's state update sees a
/// concentration before or after the concentration's own update in the same step.
fn compile(shared: &Path, entry: &Value) -> Result<Vec<Arc<JitMechanism>>, String> {
    let mut files = strings(&entry["files"]);
    files.sort_by(|a, b| file_name(a).cmp(file_name(b)));
    files
        .iter()
        .map(|file| {
            rsnrn::compile::compile_file(&shared.join(file))
                .map(Arc::new)
                .map_err(|e| format!("{file} does not compile:\n{e}"))
        })
        .collect()
}

/// The compartment of make_reference.py with `entry`'s mechanisms, run under `protocol`;
/// returns one recorded column per name of `header`, every step.
fn simulate(
    mechanisms: &[Arc<JitMechanism>],
    entry: &Value,
    protocol: &str,
    header: &[String],
) -> Result<Vec<Vec<f64>>, String> {
    let err = |e: rsnrn::runtime::RuntimeError| e.to_string();
    let mut model = rsnrn::builtins::model().map_err(|e| e.to_string())?;
    for mech in mechanisms {
        rsnrn::register_shared(&mut model, mech.clone()).map_err(err)?;
    }
    let soma = model.create_section("soma").map_err(err)?;
    model.set_length(soma, 20.0).map_err(err)?;
    model.set_diam(soma, 20.0).map_err(err)?;
    model.set_ra(soma, 100.0).map_err(err)?;
    for (name, value) in numbers(&entry["globals"]) {
        model.set_global(&name, value).map_err(err)?;
    }
    let celsius = entry["celsius"].as_f64().unwrap_or(6.3);
    model.set_celsius(celsius).map_err(err)?;
    model.insert(soma, "pas").map_err(err)?;
    for mech in strings(&entry["insert"]) {
        model.insert(soma, &mech).map_err(err)?;
    }
    for (name, value) in numbers(&entry["set"]) {
        model.set_range(soma, 0.5, &name, value).map_err(err)?;
    }
    let mut points = vec![];
    if let Some(point) = entry["point"].as_object() {
        let name = point["name"].as_str().expect("point.name");
        // An ARTIFICIAL_CELL lives in no section.
        let pp = if point.get("artificial").and_then(Value::as_bool) == Some(true) {
            model.add_artificial_cell(name).map_err(err)?
        } else {
            model.add_point_process(soma, 0.5, name).map_err(err)?
        };
        for (field, value) in numbers(point.get("set").unwrap_or(&Value::Null)) {
            model.set_point(pp, &field, value).map_err(err)?;
        }
        if let Some(pointers) = point.get("pointers").and_then(Value::as_object) {
            for (pointer, target) in pointers {
                let target = target
                    .as_str()
                    .expect("a pointer target names a range variable");
                model
                    .set_point_pointer(pp, pointer, RecordTarget::range(soma, 0.5, target))
                    .map_err(err)?;
            }
        }
        if let Some(stim) = point.get("netstim").and_then(Value::as_object) {
            let netstim = model.add_artificial_cell("NetStim").map_err(err)?;
            let (mut weight, mut delay) = (0.0, 1.0);
            for (field, value) in stim {
                let value = value.as_f64().expect("netstim values are numbers");
                match field.as_str() {
                    "weight" => weight = value,
                    "delay" => delay = value,
                    _ => model.set_point(netstim, field, value).map_err(err)?,
                }
            }
            let netcon = model
                .add_netcon(NetConSource::Point(netstim), Some(pp))
                .map_err(err)?;
            model.set_netcon_weight(netcon, 0, weight).map_err(err)?;
            model.set_netcon_delay(netcon, delay).map_err(err)?;
        }
        points.push((name.to_string(), pp));
    }
    let clamp = match protocol {
        "vclamp" => {
            let pp = model.add_point_process(soma, 0.5, "SEClamp").map_err(err)?;
            model.set_point(pp, "dur1", 1e9).map_err(err)?;
            model
                .set_point(pp, "amp1", VCLAMP_LEVELS[0].1)
                .map_err(err)?;
            points.push(("SEClamp".into(), pp));
            pp
        }
        _ => {
            let pp = model.add_point_process(soma, 0.5, "IClamp").map_err(err)?;
            let amp = entry["iclamp_amp"].as_f64().unwrap_or(0.1);
            for (field, value) in [("del", ICLAMP_DELAY), ("dur", ICLAMP_DUR), ("amp", amp)] {
                model.set_point(pp, field, value).map_err(err)?;
            }
            points.push(("IClamp".into(), pp));
            pp
        }
    };
    let mut records = Vec::new();
    for column in header {
        let target = target_of(column, soma, &points)?;
        let record = model
            .record(target)
            .map_err(|e| format!("recording {column}: {e}"))?;
        records.push(record);
    }
    model.set_dt(DT).map_err(err)?;
    let v_init = entry["v_init"].as_f64().unwrap_or(-70.0);
    model.finitialize(v_init).map_err(err)?;
    if protocol == "vclamp" {
        for (until, level) in VCLAMP_LEVELS {
            model.set_point(clamp, "amp1", level).map_err(err)?;
            model.continuerun(until).map_err(err)?;
        }
    } else {
        model.continuerun(TSTOP).map_err(err)?;
    }
    records
        .iter()
        .map(|&r| model.recording(r).map(<[f64]>::to_vec).map_err(err))
        .collect()
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// What a column of NEURON's table names: `t`, a point process field `SEClamp.i`, else a range
/// variable of the compartment (`v`, `m_Na`, `ina`).
fn target_of(
    column: &str,
    soma: SectionId,
    points: &[(String, PointProcessId)],
) -> Result<RecordTarget, String> {
    if column == "t" {
        return Ok(RecordTarget::time());
    }
    if let Some((pp, field)) = column.split_once('.') {
        let (_, id) = points
            .iter()
            .find(|(name, _)| name == pp)
            .ok_or_else(|| format!("column {column}: no point process {pp} in the scenario"))?;
        return Ok(RecordTarget::point(*id, field));
    }
    Ok(RecordTarget::range(soma, 0.5, column))
}

/// Every ROW_EVERY-th row, as make_reference.py writes them; shortest round-trip numbers.
fn write_table(path: &Path, header: &[String], columns: &[Vec<f64>]) {
    let mut text = header.join(" ");
    text.push('\n');
    let rows = columns.first().map_or(0, Vec::len);
    for row in (0..rows).step_by(ROW_EVERY) {
        let values: Vec<String> = columns.iter().map(|c| format!("{:e}", c[row])).collect();
        text.push_str(&values.join(" "));
        text.push('\n');
    }
    std::fs::write(path, text).expect("writing our table");
}

/// compare.py REF OURS at [`TOLERANCE`]: whether it passed, and its report.
fn compare(shared: &Path, reference: &Path, ours: &Path) -> (bool, String) {
    let out = Command::new("python3")
        .arg(shared.join("reference/compare.py"))
        .arg(reference)
        .arg(ours)
        .args(TOLERANCE)
        .output()
        .expect("running python3 compare.py (python3 is needed for the reference comparisons)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), report)
}

/// max |ours − NEURON| / max |NEURON| over the columns (t excluded) of the written rows.
fn largest_relative_difference(
    reference: &Path,
    header: &[String],
    columns: &[Vec<f64>],
) -> (f64, String) {
    let table = rsnrn::runtime::trace_io::read_table(reference).expect("reading NEURON's table");
    let mut worst = (0.0, String::from("-"));
    for (name, ours) in header.iter().zip(columns).skip(1) {
        let theirs = table.column(name).expect("the header's column");
        let scale = theirs.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let diff = theirs
            .iter()
            .zip(ours.iter().step_by(ROW_EVERY))
            .fold(0.0f64, |m, (a, b)| m.max((a - b).abs()));
        let rel = if scale > 0.0 { diff / scale } else { diff };
        if rel > worst.0 {
            worst = (rel, name.clone());
        }
    }
    worst
}

/// The test of one entry: agreement, or for `expect_fail` entries the expected failure.
fn check(name: &str) {
    let Some(shared) = common::shared_dir(&format!("differential_vs_neuron::{name}")) else {
        return;
    };
    let entry = entry(name);
    let outcome = run_entry(&shared, name);
    match (&entry["expect_fail"], outcome) {
        (Value::Null, Outcome::Agrees(summary)) => println!("{name}: agrees; {summary}"),
        (Value::Null, Outcome::Fails(why)) => panic!("{name}: {why}"),
        (expected, Outcome::Agrees(summary)) => panic!(
            "{name} is listed as expected to fail ({}) but now agrees with NEURON ({summary}): \
             remove its expect_fail in tests/data/differential/mechanisms.json",
            expected["reason"]
        ),
        (expected, Outcome::Fails(why)) => {
            let needle = expected["match"].as_str().expect("expect_fail.match");
            assert!(
                why.contains(needle),
                "{name} is expected to fail with \"{needle}\" ({}), but fails otherwise:\n{why}",
                expected["reason"]
            );
            println!("{name}: fails as expected ({})", expected["reason"]);
        }
    }
}

macro_rules! differential_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            #[allow(non_snake_case)] // entries are named after their mechanisms (stn_Na)
            fn $name() {
                check(stringify!($name));
            }
        )*

        /// Every entry of mechanisms.json has its test above, and every test its entry and
        /// NEURON's tables.
        #[test]
        fn every_entry_has_a_test() {
            let tests: HashSet<&str> = [$(stringify!($name)),*].into_iter().collect();
            let listed: HashSet<String> = entries()
                .iter()
                .map(|e| e["name"].as_str().expect("entry name").to_string())
                .collect();
            let listed: HashSet<&str> = listed.iter().map(String::as_str).collect();
            assert_eq!(tests, listed, "tests vs mechanisms.json entries");
            for name in listed {
                for protocol in PROTOCOLS {
                    let table = data_dir().join(format!("{name}.{protocol}.txt"));
                    assert!(table.is_file(), "{} is missing: run `cargo xtask neuron-diff {name}`", table.display());
                }
            }
        }
    };
}

differential_tests!(
    builtin_hh,
    stn_Na,
    stn_NaL,
    stn_KDR,
    stn_Kv31,
    stn_Ih,
    stn_STh,
    stn_CaT,
    stn_HVA,
    stn_Cacum,
    stn_sKCa,
    stn_myions,
    stn_AXNODE75,
    stn_PARAK75,
    stn_train,
    stn_soma,
    stn_ampa,
    stn_gabaa,
    m2488_na,
    m2488_kv,
    m2488_ca_cad,
    m2488_kca,
    m3263_cat,
    m3263_cadiv,
    m20212_h,
    m20212_kca_cad,
    m112685_KA,
    m112685_HVA_CALC,
    m112685_LVA_ca2,
    m112685_SK2,
    m139653_CaDynamics,
    m139653_NaTs2_t,
    m139653_SK_E2,
    m139653_SKv3_1,
    m146565_cad_old,
    m3810_axnode,
    m229585_Cav2_1,
    m229585_Kv1_5,
    m229585_Nav1_6,
    m266842_cal,
    m82894_ar,
    m123815_Ih,
    m3343_IT_cadecay,
    m3343_hh2,
    m2796_kap,
    m101629_cagk_cacum,
    m82894_pulsesyn,
    m151681_ThreshDetect,
    m83319_IF3,
);
