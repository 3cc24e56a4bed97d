//! Hash maps keyed by small integers (ids of point processes, NetCons, event sequence
//! numbers, gids): dense numbers the program makes, never untrusted text, so a one-multiply
//! hash serves instead of std's DoS-resistant SipHash (which, on the event path of a
//! 4000-cell network, hashed every delivered event and every net_move).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Multiplicative (Fibonacci) hashing of one integer key (ids, names, gids: never untrusted
/// text).
#[derive(Default, Clone, Copy)]
pub struct IntHasher(u64);

impl Hasher for IntHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only integer keys are hashed here; fold any other input byte by byte all the same.
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        // hashbrown takes the bucket from the low bits (a bijection of the key's low bits, the
        // constant being odd) and its tag from the top 7 (Fibonacci hashing spreads dense keys).
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_i64(&mut self, n: i64) {
        self.write_u64(n as u64);
    }
}

pub type IntBuild = BuildHasherDefault<IntHasher>;

/// A hash map keyed by small integers.
pub type IntMap<K, V> = HashMap<K, V, IntBuild>;
/// A hash set of small integers.
pub type IntSet<K> = HashSet<K, IntBuild>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_keys_spread_over_the_top_bits() {
        // hashbrown's tag is the top 7 bits: consecutive names must not all share one.
        let tags: HashSet<u64> = (0..128u32)
            .map(|k| {
                let mut h = IntHasher::default();
                h.write_u32(k);
                h.finish() >> 57
            })
            .collect();
        assert!(tags.len() > 64, "only {} distinct tags", tags.len());
    }
}
