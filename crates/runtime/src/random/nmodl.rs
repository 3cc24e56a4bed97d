//! The random functions NEURON's NMODL runtime gives mod files: `scop_random()`,
//! `set_seed(seed)`, `normrand(mean, sd)`, `exprand(mean)`, `poisrand(mean)` (NEURON 9 has
//! no `unirand`). One 32-bit state serves them all; each algorithm was found by comparing
//! numbers with NEURON 9.0.2 (tests/data/random/scop_reference.txt).
//!
//! Without `use_mcell_ran4` the state steps as a linear congruential generator modulo
//! 2^32 (multiplier 2147437301, increment 453816981) and the number is state / (2^32 − 1);
//! with it, the state is the MCellRan4 highindex (the lowindex that of `mcell_ran4_init`).

use super::mcellran4::mcell_ran4_word;
use super::GlobalIndex;

use std::cell::RefCell;

const LCG_MULTIPLIER: u32 = 2_147_437_301;

thread_local! {
    /// The one state of the NMODL random functions, as NEURON has one per process: kernels
    /// (through the scop_random service) and hoc (`use_mcell_ran4`, `mcell_ran4_init`) on
    /// this thread share it.
    static SCOP_RANDOM: RefCell<ScopRandom> = RefCell::new(ScopRandom::default());
}

/// Runs `f` on this thread's [`ScopRandom`].
pub fn with_scop_random<R>(f: impl FnOnce(&mut ScopRandom) -> R) -> R {
    SCOP_RANDOM.with(|s| f(&mut s.borrow_mut()))
}
const LCG_INCREMENT: u32 = 453_816_981;

/// The state behind NEURON's NMODL random functions (one per simulation in NEURON).
#[derive(Debug, Clone)]
pub struct ScopRandom {
    value: u32,
    /// hoc's `use_mcell_ran4()`: off by default.
    pub use_mcell_ran4: bool,
    /// hoc's `mcell_ran4_init(lowindex)`: 0 by default; shared with MCellRan4 streams.
    pub mcell_lowindex: GlobalIndex,
}

impl Default for ScopRandom {
    fn default() -> Self {
        ScopRandom {
            value: 1,
            use_mcell_ran4: false,
            mcell_lowindex: GlobalIndex::default(),
        }
    }
}

impl ScopRandom {
    /// `set_seed(seed)`: the state becomes the seed truncated to an integer, modulo 2^32.
    pub fn set_seed(&mut self, seed: f64) {
        self.value = seed as i64 as u32;
    }

    /// `scop_random()`: uniform on [0, 1].
    pub fn scop_random(&mut self) -> f64 {
        if self.use_mcell_ran4 {
            let word = mcell_ran4_word(self.value, self.mcell_lowindex.get());
            self.value = self.value.wrapping_add(1);
            f64::from(word) * (1.0 / 4_294_967_296.0)
        } else {
            self.value = self
                .value
                .wrapping_mul(LCG_MULTIPLIER)
                .wrapping_add(LCG_INCREMENT);
            f64::from(self.value) / 4_294_967_295.0
        }
    }

    /// `normrand(mean, sd)`: the polar method, keeping only the first value of each pair.
    pub fn normrand(&mut self, mean: f64, sd: f64) -> f64 {
        loop {
            let v1 = 2.0 * self.scop_random() - 1.0;
            let v2 = 2.0 * self.scop_random() - 1.0;
            let s = v1 * v1 + v2 * v2;
            if s < 1.0 {
                return v1 * (-2.0 * s.ln() / s).sqrt() * sd + mean;
            }
        }
    }

    /// `exprand(mean)`: −mean·ln(u).
    pub fn exprand(&mut self, mean: f64) -> f64 {
        -mean * self.scop_random().ln()
    }

    /// `poisrand(mean)`: uniforms multiplied until the product is at most e^−mean (for
    /// every mean, large ones too); the number of factors minus one.
    pub fn poisrand(&mut self, mean: f64) -> f64 {
        let bound = (-mean).exp();
        let mut count = -1.0;
        let mut product = 1.0;
        loop {
            count += 1.0;
            product *= self.scop_random();
            if product <= bound {
                return count;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REFERENCE: &str = include_str!("../../../../tests/data/random/scop_reference.txt");

    /// Replays scop_reference.txt in order (its first line is the start-up state).
    #[test]
    fn nmodl_random_functions_match_neuron_bit_for_bit() {
        let mut state = ScopRandom::default();
        let mut compared = 0;
        for line in REFERENCE.lines() {
            let (head, values) = line.split_once('|').expect("a '|' in every line");
            let words: Vec<&str> = head.split_whitespace().collect();
            state.use_mcell_ran4 = words[0] == "1";
            if words[1] != "-" {
                state.set_seed(words[1].parse().expect("a seed"));
            }
            let mut call = words[2].split(':');
            let name = call.next().unwrap_or_default();
            let args: Vec<f64> = call.map(|a| a.parse().expect("a number")).collect();
            for (i, expected) in values.split_whitespace().enumerate() {
                let expected: f64 = expected.parse().expect("a number");
                let got = match name {
                    "uniform" => state.scop_random(),
                    "normal" => state.normrand(args[0], args[1]),
                    "negexp" => state.exprand(args[0]),
                    "poisson" => state.poisrand(args[0]),
                    other => panic!("unknown function {other}"),
                };
                assert_eq!(
                    got.to_bits(),
                    expected.to_bits(),
                    "{head} value {i}: rsnrn {got:e}, NEURON {expected:e}"
                );
                compared += 1;
            }
        }
        assert!(compared > 9_000, "reference too short: {compared} values");
        eprintln!("{compared} NMODL random values equal NEURON's");
    }

    /// NEURON (checked with nrniv): seeds are truncated and taken modulo 2^32; the lowindex
    /// of mcell_ran4_init applies.
    #[test]
    fn seeds_wrap_and_the_mcell_lowindex_applies() {
        let mut state = ScopRandom::default();
        for (seed, first) in [
            (-1.0, 0.6056732909301467),
            (-5.5, 0.6057164549375224),
            (4294967299.0, 0.6056301269227709),
            (1e12, 0.26423660415789035),
        ] {
            state.set_seed(seed);
            assert_eq!(state.scop_random(), first, "seed {seed}");
        }
        state.use_mcell_ran4 = true;
        state.mcell_lowindex.set(5);
        state.set_seed(3.0);
        assert_eq!(state.scop_random(), 0.17588390735909343);
    }
}
