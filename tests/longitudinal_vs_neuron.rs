//! LONGITUDINAL_DIFFUSION along a branched tree (soma, a dendrite at soma(1), a twig at the
//! dendrite's middle, a side branch at soma(0)) compared with NEURON 9.0.2: cadiff.mod of our
//! own (a scalar and an array STATE) and cad_long.mod of ModelDB 146565 (read from
//! $RSNRN_SHARED). Traces and the script that made them: tests/data/longitudinal.

#[allow(dead_code)]
mod common;

use rsnrn::runtime::trace_io::read_table;
use rsnrn::RecordTarget;
use std::path::{Path, PathBuf};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/longitudinal")
        .join(name)
}

/// make_reference.py's scenario with `mod_file` inserted everywhere and the (section,
/// mechanism) pairs of `sources` (caleak.mod, a calcium source of ours; hh); `setup` sets range
/// variables per section. Returns our trace of every column of NEURON's.
fn run(
    mod_file: &Path,
    mech: &str,
    setup: &[(&str, &str, f64)],
    sources: &[(&str, &str)],
    columns: &[String],
) -> Vec<Vec<f64>> {
    let mut model = rsnrn::builtins::model().unwrap();
    for file in [mod_file.to_path_buf(), data("caleak.mod")] {
        let compiled = rsnrn::compile::compile_file(&file).unwrap_or_else(|e| panic!("{e}"));
        rsnrn::register(&mut model, compiled).unwrap();
    }
    let mut secs = std::collections::HashMap::new();
    for (name, l, diam, nseg) in [
        ("soma", 10.0, 10.0, 1),
        ("dend", 50.0, 2.0, 5),
        ("twig", 20.0, 1.0, 3),
        ("side", 15.0, 1.5, 2),
    ] {
        let s = model.create_section(name).unwrap();
        model.set_length(s, l).unwrap();
        model.set_diam(s, diam).unwrap();
        model.set_nseg(s, nseg).unwrap();
        secs.insert(name, s);
    }
    model.connect(secs["dend"], 0.0, secs["soma"], 1.0).unwrap();
    model.connect(secs["twig"], 0.0, secs["dend"], 0.5).unwrap();
    model.connect(secs["side"], 0.0, secs["soma"], 0.0).unwrap();
    for name in ["soma", "dend", "twig", "side"] {
        model.insert(secs[name], "pas").unwrap();
        model.insert(secs[name], mech).unwrap();
    }
    for &(sec, mech) in sources {
        model.insert(secs[sec], mech).unwrap();
    }
    for &(sec, var, value) in setup {
        model.set_range_all(secs[sec], var, value).unwrap();
    }
    let stim = model
        .add_point_process(secs["soma"], 0.5, "IClamp")
        .unwrap();
    for (name, value) in [("del", 1.0), ("dur", 3.0), ("amp", 0.5)] {
        model.set_point(stim, name, value).unwrap();
    }
    let records: Vec<_> = columns
        .iter()
        .map(|c| {
            if c == "t" {
                return model.record(RecordTarget::time()).unwrap();
            }
            // "dend(0.5).ca[1]" -> section, x, ca_<mech>[1]
            let (site, var) = c.split_once(").").unwrap();
            let (sec, x) = site.split_once('(').unwrap();
            let name = match var.split_once('[') {
                Some((base, index)) => format!("{base}_{mech}[{index}"),
                None if var == "cai" || var == "nai" => var.to_string(),
                None => format!("{var}_{mech}"),
            };
            let x: f64 = x.parse().unwrap();
            model
                .record(RecordTarget::range(secs[sec], x, name))
                .unwrap()
        })
        .collect();
    model.set_dt(0.025).unwrap();
    model.finitialize(-65.0).unwrap();
    model.continuerun(10.0).unwrap();
    records
        .iter()
        .map(|&r| model.recording(r).unwrap().to_vec())
        .collect()
}

/// Worst relative difference (to each column's largest value) over all columns.
fn compare(scenario: &str, ours: &[Vec<f64>], tolerance: f64) {
    let reference = read_table(data(&format!("{scenario}.txt"))).unwrap();
    let mut overall = 0.0f64;
    for (k, name) in reference.names.iter().enumerate() {
        let theirs = reference.column(name).unwrap();
        assert_eq!(theirs.len(), ours[k].len(), "{scenario}: {name}: rows");
        let scale = theirs.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let worst = theirs
            .iter()
            .zip(&ours[k])
            .map(|(a, b)| (a - b).abs() / scale.max(1e-300))
            .fold(0.0f64, f64::max);
        overall = overall.max(worst);
        assert!(
            worst <= tolerance,
            "{scenario}: {name} differs from NEURON by {worst:e} relative to its largest value"
        );
    }
    eprintln!("{scenario}: largest difference from NEURON {overall:e} (relative to each column's largest value)");
}

#[test]
fn own_mechanism_diffuses_as_neuron() {
    let reference = read_table(data("cadiff.txt")).unwrap();
    let ours = run(
        &data("cadiff.mod"),
        "cadiff",
        &[
            ("soma", "influx_cadiff", 0.002),
            ("twig", "influx_cadiff", -0.0001),
        ],
        &[],
        &reference.names,
    );
    compare("cadiff", &ours, 1e-9);
}

#[test]
fn cad_long_of_modeldb_146565_diffuses_as_neuron() {
    let Some(shared) = common::shared_dir("cad_long_of_modeldb_146565_diffuses_as_neuron") else {
        return;
    };
    let reference = read_table(data("cad_long.txt")).unwrap();
    let file = shared.join("corpus/modeldb/146565/cad_long.mod");
    let sources = [("soma", "caleak"), ("twig", "caleak")];
    let ours = run(&file, "cad", &[], &sources, &reference.names);
    compare("cad_long", &ours, 1e-9);
}

/// An ion concentration declared STATE (nai, fed by hh's sodium current in the soma) diffuses
/// through the mechanism's ion slot.
#[test]
fn ion_concentration_state_diffuses_as_neuron() {
    let reference = read_table(data("nadiff.txt")).unwrap();
    let ours = run(
        &data("nadiff.mod"),
        "nadiff",
        &[],
        &[("soma", "hh")],
        &reference.names,
    );
    compare("nadiff", &ours, 1e-9);
}
