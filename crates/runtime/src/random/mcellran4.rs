//! NEURON's MCellRan4 (`mcell_ran4`, `Random.MCellRan4(highindex, lowindex)`): the
//! pseudo-DES hash of Numerical Recipes' ran4 as MCell uses it, with two rounds instead of
//! four. The 64-bit index (lowindex, highindex) is hashed; the word that ends in the
//! high half, scaled by 2^-32, is the number; highindex then goes up by one.

use super::GlobalIndex;

/// The round constants of the pseudo-DES hash (Numerical Recipes' psdes).
const C1: [u32; 2] = [0xbaa9_6887, 0x1e17_d32c];
const C2: [u32; 2] = [0x4b0f_3b58, 0xe874_f0c3];

/// The pseudo-DES hash of (lowindex, highindex) with MCell's two rounds; returns the word
/// that NEURON turns into the random number.
pub fn mcell_ran4_word(highindex: u32, lowindex: u32) -> u32 {
    let mut left = lowindex;
    let mut right = highindex;
    for round in 0..C1.len() {
        let a = right ^ C1[round];
        let lo = a & 0xffff;
        let hi = a >> 16;
        let b = (lo * lo).wrapping_add(!(hi * hi));
        let mixed = b.rotate_left(16) ^ C2[round];
        let next_right = left ^ mixed.wrapping_add(lo * hi);
        left = right;
        right = next_right;
    }
    right
}

/// A MCellRan4 stream. Its own lowindex if not 0; with 0 (NEURON's default) the global
/// lowindex of `mcell_ran4_init`, read at every pick (checked with nrniv).
#[derive(Debug, Clone)]
pub struct MCellRan4 {
    pub highindex: u32,
    pub lowindex: u32,
    global_lowindex: GlobalIndex,
}

impl MCellRan4 {
    pub fn new(highindex: u32, lowindex: u32, global_lowindex: GlobalIndex) -> Self {
        MCellRan4 {
            highindex,
            lowindex,
            global_lowindex,
        }
    }

    /// The lowindex the next pick uses.
    pub fn effective_lowindex(&self) -> u32 {
        if self.lowindex == 0 {
            self.global_lowindex.get()
        } else {
            self.lowindex
        }
    }

    pub fn next_u32(&mut self) -> u32 {
        let word = mcell_ran4_word(self.highindex, self.effective_lowindex());
        self.highindex = self.highindex.wrapping_add(1);
        word
    }

    /// The next double in [0, 1): word · 2^-32.
    pub fn next_f64(&mut self) -> f64 {
        f64::from(self.next_u32()) * (1.0 / 4_294_967_296.0)
    }
}

/// The C function `mcell_ran4(&highindex, x, n, range)` that VERBATIM blocks call: fills
/// `out` with range·u for highindex, highindex + 1, ... under `lowindex` (NEURON passes the
/// global one), advances highindex by the count and returns the first value (0 if none).
pub fn mcell_ran4_fill(highindex: &mut u32, lowindex: u32, out: &mut [f64], range: f64) -> f64 {
    for x in out.iter_mut() {
        let word = mcell_ran4_word(*highindex, lowindex);
        *highindex = highindex.wrapping_add(1);
        // Scaling by 2^-32 is exact, so the order of the products does not matter.
        *x = range * (f64::from(word) * (1.0 / 4_294_967_296.0));
    }
    out.first().copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers from NEURON's mcell_ran4(&idx, x, n, range) called in a VERBATIM block.
    #[test]
    fn the_c_fill_function_matches_neuron() {
        let mut high = 12345;
        let mut x = [0.0; 3];
        let first = mcell_ran4_fill(&mut high, 0, &mut x, 7.3);
        assert_eq!(
            x,
            [5.9261915951734405, 0.07214081156998872, 0.8931311423890292]
        );
        assert_eq!((first, high), (x[0], 12348));
        let mut high = 12345;
        let mut x = [0.0; 2];
        mcell_ran4_fill(&mut high, 7, &mut x, 1.0);
        assert_eq!(x, [0.4720814141910523, 0.30671265278942883]);
    }
}
