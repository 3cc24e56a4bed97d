//! A network run: 1000 hh ball-and-stick cells with ExpSyn synapses and random NetCons
//! (`support/network_spec.rs`), 100 ms at dt 0.025, on 1 and 2 threads. `cargo xtask bench` reports it
//! next to NEURON's figure for the same network (written out as hoc from the same spec).

use criterion::{criterion_group, criterion_main, Criterion};
use rsnrn::CableModel;
use std::time::Duration;

#[path = "support/network_model.rs"]
mod network_model;
#[path = "support/network_spec.rs"]
mod network_spec;
use network_spec::{DT, NCELL, TSTOP};

fn network() -> CableModel {
    let mut m = rsnrn::builtins::model().expect("built-ins compile");
    network_model::build(&mut m, NCELL);
    m.set_dt(DT).unwrap();
    m
}

fn hh_network(c: &mut Criterion) {
    let mut group = c.benchmark_group("hh_network");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(15));
    for threads in [1, 2] {
        let mut model = network();
        model.set_threads(threads).unwrap();
        group.bench_function(format!("threads_{threads}"), |b| {
            b.iter(|| {
                model.finitialize(-65.0).unwrap();
                model.continuerun(TSTOP).unwrap();
            })
        });
    }
    group.finish();
}

criterion_group!(benches, hh_network);
criterion_main!(benches);
