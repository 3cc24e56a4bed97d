//! A network run: 1000 hh ball-and-stick cells with ExpSyn synapses and random NetCons
//! (`network_spec.rs`), 100 ms at dt 0.025, on 1 and 2 threads. `cargo xtask bench` reports it
//! next to NEURON's figure for the same network (written out as hoc from the same spec).

use criterion::{criterion_group, criterion_main, Criterion};
use rsnrn::runtime::NetConSource;
use rsnrn::CableModel;
use std::time::Duration;

#[path = "network_spec.rs"]
mod network_spec;
use network_spec::{draw, DT, NCELL, TSTOP};

fn network() -> CableModel {
    let mut m = rsnrn::builtins::model().expect("built-ins compile");
    let (stims, conns) = draw(NCELL);
    let mut cells = Vec::new();
    for (k, stim) in stims.iter().enumerate() {
        let soma = m.create_section(&format!("soma{k}")).unwrap();
        m.set_length(soma, 20.0).unwrap();
        m.set_diam(soma, 20.0).unwrap();
        m.insert(soma, "hh").unwrap();
        let dend = m.create_section(&format!("dend{k}")).unwrap();
        m.set_length(dend, 200.0).unwrap();
        m.set_diam(dend, 1.0).unwrap();
        m.set_nseg(dend, 5).unwrap();
        m.insert(dend, "pas").unwrap();
        m.set_range_all(dend, "g_pas", 0.001).unwrap();
        m.set_range_all(dend, "e_pas", -65.0).unwrap();
        m.connect(dend, 0.0, soma, 1.0).unwrap();
        let syn = m.add_point_process(dend, 0.5, "ExpSyn").unwrap();
        m.set_point(syn, "tau", 2.0).unwrap();
        m.set_point(syn, "e", 0.0).unwrap();
        let clamp = m.add_point_process(soma, 0.5, "IClamp").unwrap();
        m.set_point(clamp, "dur", 1.0).unwrap();
        m.set_point(clamp, "del", stim.delay).unwrap();
        m.set_point(clamp, "amp", stim.amp).unwrap();
        cells.push((soma, syn));
    }
    for c in &conns {
        let source = NetConSource::Voltage {
            section: cells[c.source].0,
            x: 0.5,
        };
        let nc = m.add_netcon(source, Some(cells[c.target].1)).unwrap();
        m.set_netcon_threshold(nc, 0.0).unwrap();
        m.set_netcon_weight(nc, 0, c.weight).unwrap();
        m.set_netcon_delay(nc, c.delay).unwrap();
    }
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
