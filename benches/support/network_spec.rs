//! The network of `benches/network.rs` (in benches/support/, so cargo does not take it for a
//! bench of its own), shared with `cargo xtask bench` (which writes it out
//! as hoc for NEURON): NCELL hh ball-and-stick cells, each with an ExpSyn on the dendrite, an
//! IClamp pulse at the soma and FANIN NetCons from random other cells. Plain std Rust, so both
//! crates include this file.

/// Cells, NetCons per cell, simulated time (ms), seed of the generator.
pub const NCELL: usize = 1000;
pub const FANIN: usize = 3;
pub const TSTOP: f64 = 100.0;
pub const DT: f64 = 0.025;
pub const SEED: u64 = 20261130;

/// A 64-bit LCG (tests/data/threads/make_reference.py has the same one).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (hi - lo) * ((self.0 >> 11) as f64 * 2f64.powi(-53))
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.uniform(0.0, 1.0) * n as f64) as usize
    }
}

/// The IClamp of a cell: delay (ms) and amplitude (nA); duration 1 ms.
pub struct Stim {
    pub delay: f64,
    pub amp: f64,
}

/// A NetCon from the soma of `source` to the ExpSyn of `target` (threshold 0 mV).
pub struct Connection {
    pub source: usize,
    pub target: usize,
    pub weight: f64,
    pub delay: f64,
}

/// The random parts of the network, drawn in the order make_reference.py draws them.
pub fn draw(ncell: usize) -> (Vec<Stim>, Vec<Connection>) {
    let mut rng = Lcg(SEED);
    let stims = (0..ncell)
        .map(|_| {
            let delay = rng.uniform(1.0, 20.0);
            let amp = rng.uniform(0.0, 0.4);
            Stim { delay, amp }
        })
        .collect();
    let mut conns = Vec::new();
    for target in 0..ncell {
        for _ in 0..FANIN {
            let source = (target + 1 + rng.below(ncell - 1)) % ncell;
            let weight = rng.uniform(0.0, 0.02);
            let delay = rng.uniform(1.0, 5.0);
            conns.push(Connection {
                source,
                target,
                weight,
                delay,
            });
        }
    }
    (stims, conns)
}
