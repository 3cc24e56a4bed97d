//! Philox4x32-10, the counter-based generator of Random123 (Salmon, Moraes, Dror, Shaw,
//! "Parallel random numbers: as easy as 1, 2, 3", SC'11), written from the paper's
//! description: ten rounds of two 32×32→64-bit multiplications in a Feistel-like network,
//! the key bumped by the Weyl constants between rounds.

use super::GlobalIndex;

/// The round multipliers of Philox4x32.
const MULTIPLIER: [u32; 2] = [0xD251_1F53, 0xCD9E_8D57];
/// The key increments between rounds (golden ratio and sqrt(3) - 1 in 32-bit fixed point).
const WEYL: [u32; 2] = [0x9E37_79B9, 0xBB67_AE85];
const ROUNDS: usize = 10;

fn mul_hi_lo(a: u32, b: u32) -> (u32, u32) {
    let product = u64::from(a) * u64::from(b);
    ((product >> 32) as u32, product as u32)
}

/// Philox4x32-10 of one 128-bit counter under a 64-bit key.
pub fn philox4x32_10(counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut x = counter;
    let mut k = key;
    for round in 0..ROUNDS {
        if round > 0 {
            k[0] = k[0].wrapping_add(WEYL[0]);
            k[1] = k[1].wrapping_add(WEYL[1]);
        }
        let (hi0, lo0) = mul_hi_lo(MULTIPLIER[0], x[0]);
        let (hi1, lo1) = mul_hi_lo(MULTIPLIER[1], x[2]);
        x = [hi1 ^ x[1] ^ k[0], lo1, hi0 ^ x[3] ^ k[1], lo0];
    }
    x
}

/// NEURON's Random123 stream (`Random.Random123(id1, id2, id3)`, NMODL RANDOM variables):
/// counter {n, id3, id1, id2} under the key {global index, 0}; each counter value n gives a
/// block of four 32-bit words used in order, so the position `seq` counts words (n = seq / 4).
/// As in NEURON, a block is computed when the stream is made or moved (`set_seq`) and as
/// soon as the previous block is used up, with the global index of that moment.
#[derive(Debug, Clone)]
pub struct Random123Stream {
    ids: [u32; 3],
    global_index: GlobalIndex,
    /// Counter value of `block`.
    block_index: u32,
    block: [u32; 4],
    /// Next word of `block` (0..4).
    next_word: usize,
}

/// Words in one stream: 2^32 counter values of four words each.
pub const RANDOM123_SEQ_END: u64 = 1 << 34;

impl Random123Stream {
    pub fn new(id1: u32, id2: u32, id3: u32, global_index: GlobalIndex) -> Self {
        let mut stream = Random123Stream {
            ids: [id1, id2, id3],
            global_index,
            block_index: 0,
            block: [0; 4],
            next_word: 0,
        };
        stream.compute_block();
        stream
    }

    pub fn ids(&self) -> [u32; 3] {
        self.ids
    }

    /// New ids (NMODL RANDOM's `set_ids`). As in NEURON the words already computed for the
    /// current block are still used; the new ids apply from the next block (or `set_seq`).
    pub fn set_ids(&mut self, id1: u32, id2: u32, id3: u32) {
        self.ids = [id1, id2, id3];
    }

    fn compute_block(&mut self) {
        let [id1, id2, id3] = self.ids;
        self.block = philox4x32_10(
            [self.block_index, id3, id1, id2],
            [self.global_index.get(), 0],
        );
    }

    /// The next 32-bit word.
    pub fn next_u32(&mut self) -> u32 {
        let word = self.block[self.next_word];
        self.next_word += 1;
        if self.next_word == 4 {
            self.next_word = 0;
            self.block_index = self.block_index.wrapping_add(1);
            self.compute_block();
        }
        word
    }

    /// The next double in the open interval (0, 1): (u + 1)·(1 / (2^32 + 1)).
    pub fn next_f64(&mut self) -> f64 {
        word_to_open_unit(self.next_u32())
    }

    /// Words drawn so far (NEURON's `seq()`).
    pub fn seq(&self) -> u64 {
        u64::from(self.block_index) * 4 + self.next_word as u64
    }

    /// Moves to word `seq` (below [`RANDOM123_SEQ_END`], which the caller checks).
    pub fn set_seq(&mut self, seq: u64) {
        let seq = seq % RANDOM123_SEQ_END;
        self.block_index = (seq / 4) as u32;
        self.next_word = (seq % 4) as usize;
        self.compute_block();
    }
}

/// NEURON's mapping of a Random123 word to (0, 1), never 0 nor 1. NEURON multiplies by the
/// rounded reciprocal (dividing differs in the last bit for some words).
pub fn word_to_open_unit(word: u32) -> f64 {
    const RECIPROCAL: f64 = 1.0 / 4_294_967_297.0;
    (f64::from(word) + 1.0) * RECIPROCAL
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known-answer vectors of Philox4x32-10 published with Random123 (kat_vectors).
    #[test]
    fn philox_matches_the_published_known_answers() {
        assert_eq!(
            philox4x32_10([0; 4], [0; 2]),
            [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
        );
        assert_eq!(
            philox4x32_10([u32::MAX; 4], [u32::MAX; 2]),
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]
        );
        assert_eq!(
            philox4x32_10(
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0]
            ),
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
        );
    }

    #[test]
    fn stream_words_walk_the_counter_four_at_a_time() {
        let mut s = Random123Stream::new(1, 2, 3, GlobalIndex::default());
        let first = philox4x32_10([0, 3, 1, 2], [0, 0]);
        let second = philox4x32_10([1, 3, 1, 2], [0, 0]);
        let drawn: Vec<u32> = (0..8).map(|_| s.next_u32()).collect();
        assert_eq!(drawn[..4], first);
        assert_eq!(drawn[4..], second);
        assert_eq!(s.seq(), 8);
        s.set_seq(5);
        assert_eq!(s.next_u32(), second[1]);
    }
}

#[cfg(test)]
mod global_index_tests {
    use super::*;

    /// NEURON (checked with nrniv): the global index in force when a block is computed is
    /// the one used; the next block is computed as soon as the last word of a block is drawn.
    #[test]
    fn the_global_index_applies_from_the_next_block_computed() {
        let global = GlobalIndex::default();
        let mut s = Random123Stream::new(1, 2, 3, global.clone());
        for _ in 0..4 {
            s.next_u32();
        }
        global.set(5);
        assert_eq!(s.next_f64(), 0.7785446087879724); // block 1 under index 0
        s.set_seq(1);
        assert_eq!(s.next_f64(), 0.24796247103997449); // block 0 under index 5
        s.set_seq(4);
        assert_eq!(s.next_f64(), 0.8848844147555334); // block 1 under index 5
    }
}
