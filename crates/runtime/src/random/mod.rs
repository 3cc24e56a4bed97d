//! Random numbers exactly as NEURON 9.0.2 makes them: the generators behind `Random`
//! (Random123's Philox4x32-10, MCellRan4), the distributions of the Random class, the
//! functions of NMODL `RANDOM` variables (`ranvar.rs`) and the NMODL functions
//! scop_random/set_seed/normrand/exprand/poisrand ([`ScopRandom`]), as plain Rust with no
//! ABI involved. Reference sequences from NEURON are in tests/data/random (made by the
//! make_*reference.py scripts there, two with small mod files of our own) and compared bit
//! for bit.

mod distributions;
mod mcellran4;
mod nmodl;
mod philox;
mod ranvar;

pub use distributions::{Distribution, Sampler, UniformSource};
pub use mcellran4::{mcell_ran4_fill, mcell_ran4_word, MCellRan4};
pub use nmodl::{with_scop_random, ScopRandom};
pub use philox::{philox4x32_10, word_to_open_unit, Random123Stream, RANDOM123_SEQ_END};

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

/// A 32-bit index NEURON keeps globally and its streams read when they compute numbers:
/// `Random123_globalindex`, and the MCellRan4 lowindex of `mcell_ran4_init`. A handle;
/// clones share the value.
#[derive(Debug, Clone, Default)]
pub struct GlobalIndex(Arc<AtomicU32>);

impl GlobalIndex {
    pub fn get(&self) -> u32 {
        self.0.load(Ordering::Relaxed)
    }

    pub fn set(&self, index: u32) {
        self.0.store(index, Ordering::Relaxed)
    }
}

thread_local! {
    /// `Random123_globalindex`: global in NEURON; streams read it when they compute words.
    static RANDOM123_GLOBAL_INDEX: GlobalIndex = GlobalIndex::default();
}

/// This thread's Random123 global index, shared by hoc's Random objects and the streams
/// of NMODL RANDOM variables.
pub fn random123_global_index() -> GlobalIndex {
    RANDOM123_GLOBAL_INDEX.with(GlobalIndex::clone)
}

/// The generator of a Random object.
#[derive(Debug, Clone)]
pub enum Generator {
    Random123(Random123Stream),
    MCellRan4(MCellRan4),
}

impl Generator {
    /// The stream position NEURON's `seq()` reports: words drawn (Random123) or the
    /// highindex (MCellRan4).
    pub fn seq(&self) -> f64 {
        match self {
            Generator::Random123(s) => s.seq() as f64,
            Generator::MCellRan4(m) => f64::from(m.highindex),
        }
    }

    /// Moves the stream to position `seq` (already checked to be in range, see
    /// [`Generator::seq_limit`]).
    pub fn set_seq(&mut self, seq: u64) {
        match self {
            Generator::Random123(s) => s.set_seq(seq),
            Generator::MCellRan4(m) => m.highindex = seq as u32,
        }
    }

    /// One past the largest position `set_seq` accepts.
    pub fn seq_limit(&self) -> u64 {
        match self {
            Generator::Random123(_) => RANDOM123_SEQ_END,
            Generator::MCellRan4(_) => 1 << 32,
        }
    }
}

impl UniformSource for Generator {
    fn next_f64(&mut self) -> f64 {
        match self {
            Generator::Random123(s) => s.next_f64(),
            Generator::MCellRan4(m) => m.next_f64(),
        }
    }
}

/// A NEURON Random object: a generator and the distribution picked from it. Choosing a
/// distribution returns its first value, as NEURON's methods do; `repick` the next.
#[derive(Debug, Clone)]
pub struct Random {
    pub generator: Generator,
    sampler: Sampler,
}

impl Random {
    /// A Random over `generator` with NEURON's initial distribution, normal(0, 1).
    pub fn new(generator: Generator) -> Self {
        Random {
            generator,
            sampler: Sampler::new(Distribution::Normal {
                mean: 0.0,
                variance: 1.0,
            }),
        }
    }

    /// Replaces the generator; the distribution stays, with any spare normal value (NEURON
    /// returns that spare first after `Random123(...)` is called again).
    pub fn set_generator(&mut self, generator: Generator) {
        self.generator = generator;
    }

    /// Makes `distribution` current and returns its first value.
    pub fn set_distribution(&mut self, distribution: Distribution) -> f64 {
        self.sampler = Sampler::new(distribution);
        self.repick()
    }

    pub fn distribution(&self) -> Distribution {
        self.sampler.distribution()
    }

    /// The next value of the current distribution.
    pub fn repick(&mut self) -> f64 {
        self.sampler.sample(&mut self.generator)
    }
}

#[cfg(test)]
mod tests;
