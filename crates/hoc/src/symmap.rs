//! Hash maps and sets keyed by interned names ([`Sym`]) and other small integers (gids).
//!
//! Every name a hoc statement uses is looked up at run time (the instance's scope, the
//! template's procedures and `public` list, the top level, the built-ins), so these lookups
//! sit on the interpreter's hottest path: a loop body like `stn.s[k].sec.e_extracellular(0.5)
//! = amp*ve_per_mA.x[k]` makes a dozen of them per iteration. A `Sym` is a small dense integer
//! made by the interner, not attacker-controlled text, so a one-multiply hash serves instead of
//! std's DoS-resistant SipHash, which cost a tenth of such a loop.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::ast::Sym;

pub use rsnrn_runtime::int_hash::{IntBuild, IntHasher, IntMap};

/// FNV-1a over bytes, for maps keyed by class names: a handful of short names the program
/// itself spells, looked up for every new object (several times per NetCon of a network).
#[derive(Clone, Copy)]
pub struct ClassNameHasher(u64);

impl Default for ClassNameHasher {
    fn default() -> Self {
        ClassNameHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for ClassNameHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A map from class names.
pub type ClassNameMap<V> = HashMap<String, V, BuildHasherDefault<ClassNameHasher>>;
/// A map from interned names.
pub type SymMap<V> = HashMap<Sym, V, IntBuild>;
/// A set of interned names.
pub type SymSet = HashSet<Sym, IntBuild>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_find_what_was_inserted() {
        let mut m: SymMap<u32> = SymMap::default();
        for k in 0..10_000u32 {
            m.insert(k * 7, k);
        }
        assert!((0..10_000u32).all(|k| m.get(&(k * 7)) == Some(&k)));
        assert!(!m.contains_key(&1));
    }
}
