//! Threads (`CableModel::set_threads`, NEURON's ParallelContext.nthread): a network of hh
//! ball-and-stick cells with ExpSyn synapses and random NetCons (the scenario of
//! tests/data/threads/make_reference.py, built from the same seeded LCG). With 1, 2 and 3
//! threads every spike time and every recorded value is bit-identical; the 10-cell network
//! equals NEURON 9.0.2's spike times exactly and its soma potentials to 1e-9 mV. A network of
//! relays (point processes that answer events with events) checks the exchange intervals of
//! `continuerun` on threads: equal-time events from different threads, delays that are whole
//! numbers of steps, a NetCon shorter than dt.

use std::path::{Path, PathBuf};

use rsnrn::runtime::trace_io::read_table;
use rsnrn::runtime::{CableModel, NetConId, NetConSource, RecordId};
use rsnrn::RecordTarget;

#[path = "../benches/support/network_model.rs"]
mod network_model;
#[allow(dead_code)] // the bench's constants
#[path = "../benches/support/network_spec.rs"]
mod network_spec;

const TSTOP: f64 = 50.0;
/// Membrane potentials against NEURON (mV).
const V_TOL: f64 = 1e-9;

struct Network {
    m: CableModel,
    /// One spike recorder per cell.
    spikes: Vec<NetConId>,
    /// t, then soma v and dend(0.5) v of every cell.
    records: Vec<RecordId>,
}

fn network(ncell: usize) -> Network {
    let mut m = rsnrn::builtins::model().unwrap();
    let cells = network_model::build(&mut m, ncell);
    let at_soma = |s| NetConSource::Voltage { section: s, x: 0.5 };
    let spikes = cells
        .iter()
        .map(|c| {
            let nc = m.add_netcon(at_soma(c.soma), None).unwrap();
            m.set_netcon_threshold(nc, 0.0).unwrap();
            m.netcon_record(nc).unwrap();
            nc
        })
        .collect();
    let mut records = vec![m.record(RecordTarget::Time).unwrap()];
    for c in &cells {
        records.push(m.record(RecordTarget::range(c.soma, 0.5, "v")).unwrap());
        records.push(m.record(RecordTarget::range(c.dend, 0.5, "v")).unwrap());
        records.push(m.record(RecordTarget::point(c.syn, "g")).unwrap());
    }
    Network { m, spikes, records }
}

/// Spike times per cell and every recorded sample, after a run on `threads` threads.
fn run(ncell: usize, threads: usize) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let mut net = network(ncell);
    net.m.set_threads(threads).unwrap();
    net.m.set_dt(0.025).unwrap();
    net.m.finitialize(-65.0).unwrap();
    if threads > 1 {
        assert_eq!(
            net.m.threads_serial_reason(),
            None,
            "the network must run on the threads"
        );
        assert_eq!(
            net.m.threads_interval_reason(),
            None,
            "the threads must exchange spikes once per minimum delay"
        );
    }
    net.m.continuerun(TSTOP).unwrap();
    let spikes = net
        .spikes
        .iter()
        .map(|&nc| net.m.netcon_spikes(nc).unwrap().to_vec())
        .collect();
    let records = net
        .records
        .iter()
        .map(|&r| net.m.recording(r).unwrap().to_vec())
        .collect();
    (spikes, records)
}

fn bits(x: &[Vec<f64>]) -> Vec<Vec<u64>> {
    x.iter()
        .map(|c| c.iter().map(|v| v.to_bits()).collect())
        .collect()
}

#[test]
fn results_do_not_depend_on_the_number_of_threads() {
    let ncell = 24;
    let (spikes1, records1) = run(ncell, 1);
    let total: usize = spikes1.iter().map(Vec::len).sum();
    // Spikes caused by synaptic input alone, not only by the clamps: the network matters.
    assert!(total > 2 * ncell, "only {total} spikes in {ncell} cells");
    for threads in [2, 3] {
        let (spikes, records) = run(ncell, threads);
        assert_eq!(
            bits(&spikes),
            bits(&spikes1),
            "spike times, {threads} threads"
        );
        for (k, (a, b)) in records.iter().zip(&records1).enumerate() {
            assert_eq!(a.len(), b.len(), "record {k}, {threads} threads");
            let first = a
                .iter()
                .zip(b)
                .position(|(x, y)| x.to_bits() != y.to_bits());
            assert_eq!(first, None, "record {k} differs, {threads} threads");
        }
    }
}

#[test]
fn thread_count_is_checked_and_reported() {
    let mut net = network(2);
    assert!(net.m.set_threads(0).is_err());
    assert_eq!(net.m.threads(), 1);
    net.m.set_threads(2).unwrap();
    assert_eq!(net.m.threads(), 2);
    assert_eq!(net.m.threads_serial_reason(), None);
    net.m.set_step_profiling(true);
    assert!(net.m.threads_serial_reason().is_some());
    net.m.set_step_profiling(false);
    net.m.set_use_fast_imem(true);
    assert!(net.m.threads_serial_reason().is_some());
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/threads")
        .join(name)
}

#[test]
fn ten_cells_match_neuron() {
    let ncell = 10;
    let reference = read_table(data("traces.txt")).unwrap();
    let text = std::fs::read_to_string(data("spikes.txt")).unwrap();
    let mut want: Vec<Vec<f64>> = vec![Vec::new(); ncell];
    for line in text.lines().skip(1) {
        let mut it = line.split_whitespace();
        let cell: usize = it.next().unwrap().parse().unwrap();
        want[cell].push(it.next().unwrap().parse().unwrap());
    }
    for threads in [1, 2] {
        let (spikes, records) = run(ncell, threads);
        assert_eq!(spikes, want, "spike times, {threads} threads");
        let t = reference.column("t").unwrap();
        let every = 10;
        assert_eq!(records[0].len(), (t.len() - 1) * every + 1);
        for k in 0..ncell {
            let theirs = reference.column(&format!("v{k}")).unwrap();
            let ours = &records[1 + 3 * k];
            for (i, &v) in theirs.iter().enumerate() {
                let d = (ours[i * every] - v).abs();
                assert!(
                    d <= V_TOL,
                    "soma{k} v at t = {}: {} vs NEURON {v} ({threads} threads)",
                    t[i],
                    ours[i * every]
                );
            }
        }
    }
}

/// NMODL's one global generator, drawn in a kernel: instance order would decide the numbers.
const NOISY: &str = r#"
NEURON { SUFFIX noisy  RANGE x }
ASSIGNED { x }
BREAKPOINT { x = normrand(0, 1) }
"#;

#[test]
fn scop_random_in_a_kernel_stops_a_threaded_run() {
    let mut net = network(4);
    let noisy = rsnrn::compile::compile_source("noisy.mod", NOISY).unwrap();
    rsnrn::register(&mut net.m, noisy).unwrap();
    let somas: Vec<_> = net
        .m
        .sections()
        .filter(|&s| net.m.section_name(s).unwrap().starts_with("soma"))
        .collect();
    for s in somas {
        net.m.insert(s, "noisy").unwrap();
    }
    net.m.finitialize(-65.0).unwrap();
    net.m.continuerun(1.0).unwrap();
    net.m.set_threads(2).unwrap();
    net.m.finitialize(-65.0).unwrap();
    let e = net.m.continuerun(1.0).unwrap_err().to_string();
    assert!(e.contains("noisy") && e.contains("one thread"), "{e}");
}

/// A relay: every event it receives (flag 0) mixes its weight into `acc` in an order-sensitive
/// way and sends itself an event `hold` ms later, which fires the relay (net_event).
const RELAY: &str = r#"
NEURON { POINT_PROCESS Relay  RANGE n, acc, hold }
PARAMETER { hold = 0.3 (ms) }
ASSIGNED { n acc }
INITIAL { n = 0  acc = 0 }
NET_RECEIVE(w) {
    if (flag == 0) {
        n = n + 1
        acc = acc * 0.5 + w
        if (n < 30) { net_send(hold, 1) }
    } else {
        net_event(t)
    }
}
"#;

struct Relays {
    m: CableModel,
    /// Per cell: the spike record of its relay and its records of `n` and `acc`.
    spikes: Vec<NetConId>,
    records: Vec<RecordId>,
    /// A NetCon from relay 0 to the relay of cell `ncell / 2`, delay 1 ms unless changed.
    across: NetConId,
}

/// `ncell` passive one-compartment cells with a relay each; relay k drives relay k+1 (delay
/// 0.1 ms = 4 dt), relay k+5 (0.25 ms = 10 dt), relay k+3 (0.075 ms = 3 dt) and itself (0.01
/// ms, under dt). Every relay is kicked at t = 0.5 ms, so spikes of many relays arrive at the
/// same times from other threads; weights differ per source, so `acc` depends on the order.
fn relays(ncell: usize) -> Relays {
    let mut m = rsnrn::builtins::model().unwrap();
    let relay = rsnrn::compile::compile_source("relay.mod", RELAY).unwrap();
    rsnrn::register(&mut m, relay).unwrap();
    let mut points = Vec::new();
    for k in 0..ncell {
        let soma = m.create_section(&format!("cell{k}")).unwrap();
        m.set_length(soma, 10.0).unwrap();
        m.set_diam(soma, 10.0).unwrap();
        m.insert(soma, "pas").unwrap();
        points.push(m.add_point_process(soma, 0.5, "Relay").unwrap());
    }
    let mut spikes = Vec::new();
    for (k, &p) in points.iter().enumerate() {
        let w = 0.1 * (k + 1) as f64;
        let links = [(1, 0.1), (5, 0.25), (3, 0.075), (0, 0.01)];
        for (j, &(step, delay)) in links.iter().enumerate() {
            let target = points[(k + step) % ncell];
            let nc = m.add_netcon(NetConSource::Point(p), Some(target)).unwrap();
            m.set_netcon_weight(nc, 0, w + 0.01 * j as f64).unwrap();
            m.set_netcon_delay(nc, delay).unwrap();
            if j == 0 {
                m.netcon_record(nc).unwrap();
                spikes.push(nc);
            }
        }
    }
    let across = m
        .add_netcon(NetConSource::Point(points[0]), Some(points[ncell / 2]))
        .unwrap();
    m.set_netcon_weight(across, 0, 0.05).unwrap();
    let mut records = Vec::new();
    for &p in &points {
        records.push(m.record(RecordTarget::point(p, "n")).unwrap());
        records.push(m.record(RecordTarget::point(p, "acc")).unwrap());
    }
    records.push(m.record(RecordTarget::Time).unwrap());
    Relays {
        m,
        spikes,
        records,
        across,
    }
}

/// Spikes and records of the relay network after 20 ms on `threads` threads; the kick events
/// are queued after finitialize (`NetCon.event`). `across_delay` is the delay of the NetCon
/// from relay 0 to the middle relay.
fn run_relays(threads: usize, across_delay: f64) -> (Vec<Vec<u64>>, Vec<Vec<u64>>) {
    // 40 cells: 32 groups on 2 threads, 40 on 3.
    let ncell = 40;
    let mut net = relays(ncell);
    net.m.set_netcon_delay(net.across, across_delay).unwrap();
    let sources: Vec<_> = (0..ncell)
        .map(|k| {
            let target = net.m.netcon_target(net.spikes[k]).unwrap();
            let kick = net.m.add_netcon(NetConSource::None, target).unwrap();
            net.m.set_netcon_weight(kick, 0, 1.0).unwrap();
            kick
        })
        .collect();
    net.m.set_threads(threads).unwrap();
    net.m.set_dt(0.025).unwrap();
    net.m.finitialize(-65.0).unwrap();
    for &kick in &sources {
        net.m.netcon_event(kick, 0.5).unwrap();
    }
    // Half the run, then the rest: the queue goes back to the model and out again.
    net.m.continuerun(7.0).unwrap();
    net.m.continuerun(20.0).unwrap();
    let spikes: Vec<Vec<f64>> = net
        .spikes
        .iter()
        .map(|&nc| net.m.netcon_spikes(nc).unwrap().to_vec())
        .collect();
    let mut records: Vec<Vec<f64>> = net
        .records
        .iter()
        .map(|&r| net.m.recording(r).unwrap().to_vec())
        .collect();
    // The queue's statistics count the same inserts, moves and deliveries.
    let (_, stats) = net.m.event_statistics();
    records.push(vec![
        stats.inserts as f64,
        stats.moves as f64,
        stats.removes as f64,
    ]);
    (bits(&spikes), bits(&records))
}

#[test]
fn relayed_events_do_not_depend_on_the_number_of_threads() {
    let (spikes1, records1) = run_relays(1, 1.0);
    let fired: usize = spikes1.iter().map(Vec::len).sum();
    assert!(fired > 100, "only {fired} relay spikes");
    // The relays saw many events, and a relay's `acc` mixes them in order.
    let events = f64::from_bits(*records1[0].last().unwrap());
    assert!(events >= 10.0, "relay 0 received {events} events");
    for threads in [2, 3] {
        let mut net = relays(12);
        net.m.set_threads(threads).unwrap();
        assert_eq!(net.m.threads_interval_reason(), None, "{threads} threads");
        let (spikes, records) = run_relays(threads, 1.0);
        assert_eq!(spikes, spikes1, "relay spikes, {threads} threads");
        assert_eq!(records, records1, "relay records, {threads} threads");
    }
}

#[test]
fn a_netcon_between_threads_shorter_than_dt_keeps_the_per_step_exchange() {
    let mut net = relays(12);
    net.m.set_threads(2).unwrap();
    net.m.set_netcon_delay(net.across, 0.01).unwrap();
    let reason = net.m.threads_interval_reason().expect("no interval");
    assert!(reason.contains("delay"), "{reason}");
    assert_eq!(net.m.threads_serial_reason(), None);
    let one = run_relays(1, 0.01);
    assert_eq!(run_relays(2, 0.01), one);
}

#[test]
fn artificial_cells_keep_the_per_step_exchange() {
    let mut net = relays(12);
    net.m.set_threads(2).unwrap();
    assert_eq!(net.m.threads_interval_reason(), None);
    net.m.add_artificial_cell("NetStim").unwrap();
    let reason = net.m.threads_interval_reason().expect("an artificial cell");
    assert!(reason.contains("artificial"), "{reason}");
    assert_eq!(net.m.threads_serial_reason(), None);
}
