//! NetStim with noise: NMODL RANDOM variables (per-instance Random123 streams, ids 1, 0, n
//! in creation order) against NEURON 9.0.2's spike times (tests/data/netstim, made by the
//! script there): three NetStims, noise 1, 0.5 and 0, run twice.

use rsnrn::runtime::NetConSource;
use std::path::Path;

#[test]
fn noisy_netstims_fire_when_neurons_do() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/netstim/spikes.txt"),
    )
    .unwrap();
    let mut model = rsnrn::builtins::model().unwrap();
    let mut netcons = Vec::new();
    for (noise, interval, number) in [(1.0, 10.0, 30.0), (0.5, 5.0, 40.0), (0.0, 7.0, 10.0)] {
        let ns = model.add_artificial_cell("NetStim").unwrap();
        for (name, value) in [
            ("noise", noise),
            ("interval", interval),
            ("number", number),
            ("start", 2.0),
        ] {
            model.set_point(ns, name, value).unwrap();
        }
        let nc = model.add_netcon(NetConSource::Point(ns), None).unwrap();
        model.netcon_record(nc).unwrap();
        netcons.push(nc);
    }
    let mut lines = text.lines();
    for run in 1..=2 {
        model.finitialize(-65.0).unwrap();
        model.continuerun(200.0).unwrap();
        for (k, &nc) in netcons.iter().enumerate() {
            let line = lines.next().expect("a line per run and NetStim");
            let mut words = line.split_whitespace();
            assert_eq!(words.next(), Some(format!("run{run}").as_str()));
            assert_eq!(words.next(), Some(format!("stim{k}").as_str()));
            let theirs: Vec<f64> = words.map(|w| w.parse().unwrap()).collect();
            let ours = model.netcon_spikes(nc).unwrap();
            assert_eq!(
                ours.len(),
                theirs.len(),
                "run {run}, NetStim {k}: spike count"
            );
            for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                assert!(
                    (a - b).abs() <= 1e-12 * b.abs().max(1.0),
                    "run {run}, NetStim {k}, spike {i}: rsnrn {a}, NEURON {b}"
                );
            }
        }
    }
}
