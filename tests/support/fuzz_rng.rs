//! The quick fuzz tests' random source (crates/*/tests/never_panic*.rs include this file with
//! `#[path]`): a tiny deterministic PRNG (xorshift64*), so a failure reproduces, and the
//! mutant count, which `RSNRN_FUZZ_ITERATIONS` raises for a longer local run.

pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// `RSNRN_FUZZ_ITERATIONS`, else `default`.
#[allow(dead_code)] // not every test that includes this file counts its mutants this way
pub fn iterations(default: usize) -> usize {
    std::env::var("RSNRN_FUZZ_ITERATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}
