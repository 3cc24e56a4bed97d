//! A whole run: a 5100 um hh cable of 510 segments driven at its 0 end, 500 ms at dt 0.025
//! (20000 steps). `cargo xtask bench` reports it per segment-step next to NEURON's figure
//! for the same model (xtask/src/bench.rs holds the hoc twin of this model: keep them in step).

use criterion::{criterion_group, criterion_main, Criterion};
use rsnrn::CableModel;
use std::time::Duration;

fn cable() -> CableModel {
    let mut model = rsnrn::builtins::model().expect("built-ins compile");
    let cable = model.create_section("cable").unwrap();
    model.set_nseg(cable, 510).unwrap();
    model.set_length(cable, 5100.0).unwrap();
    model.set_diam(cable, 1.0).unwrap();
    model.set_ra(cable, 100.0).unwrap();
    model.insert(cable, "hh").unwrap();
    let stim = model.add_point_process(cable, 0.0, "IClamp").unwrap();
    model.set_point(stim, "del", 1.0).unwrap();
    model.set_point(stim, "dur", 1e9).unwrap();
    model.set_point(stim, "amp", 0.1).unwrap();
    model.set_dt(0.025).unwrap();
    model
}

fn hh_cable(c: &mut Criterion) {
    let mut model = cable();
    let mut group = c.benchmark_group("hh_cable");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(10));
    group.bench_function("run_500ms", |b| {
        b.iter(|| {
            model.finitialize(-65.0).unwrap();
            model.continuerun(500.0).unwrap();
        })
    });
    group.finish();
}

criterion_group!(benches, hh_cable);
criterion_main!(benches);
