//! The functions of an NMODL `RANDOM` variable (NEURON 9's `random_uniform`,
//! `random_negexp`, `random_normal`, `random_ipick`, `random_dpick`) over its Random123
//! stream; compared with NEURON in tests/data/random/ranvar_reference.txt.

use super::Random123Stream;

impl Random123Stream {
    /// `random_uniform(r, low, high)`: low + (high − low)·u (`random_uniform(r)` and
    /// `random_dpick(r)` are [`Random123Stream::next_f64`]).
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        low + (high - low) * self.next_f64()
    }

    /// `random_negexp(r, mean)` (mean 1 without the argument): mean·(−ln u).
    pub fn negexp(&mut self, mean: f64) -> f64 {
        mean * -self.next_f64().ln()
    }

    /// `random_normal(r, mean, sd)` (0, 1 without arguments): the polar method, keeping
    /// the first value of each pair and dropping the second (unlike the Random class).
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        loop {
            let v1 = 2.0 * self.next_f64() - 1.0;
            let v2 = 2.0 * self.next_f64() - 1.0;
            let w = v1 * v1 + v2 * v2;
            if w <= 1.0 {
                return mean + sd * (v1 * (-2.0 * w.ln() / w).sqrt());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::GlobalIndex;
    use super::*;

    const REFERENCE: &str = include_str!("../../../../tests/data/random/ranvar_reference.txt");

    #[test]
    fn random_variable_functions_match_neuron_bit_for_bit() {
        let mut compared = 0;
        for line in REFERENCE.lines() {
            let (head, values) = line.split_once('|').expect("a '|' in every line");
            let words: Vec<&str> = head.split_whitespace().collect();
            let ids: Vec<u32> = words[0]
                .split(':')
                .map(|i| i.parse().expect("an id"))
                .collect();
            let mut call = words[1].split(':');
            let name = call.next().unwrap_or_default();
            let args: Vec<f64> = call.map(|a| a.parse().expect("a number")).collect();
            let mut stream = Random123Stream::new(ids[0], ids[1], ids[2], GlobalIndex::default());
            for (i, expected) in values.split_whitespace().enumerate() {
                let expected: f64 = expected.parse().expect("a number");
                let got = match name {
                    "dpick" | "uni" => stream.next_f64(),
                    "ipick" => f64::from(stream.next_u32()),
                    "uniab" => stream.uniform(args[0], args[1]),
                    "nexp" => stream.negexp(1.0),
                    "nexpm" => stream.negexp(args[0]),
                    "norm" => stream.normal(0.0, 1.0),
                    "normms" => stream.normal(args[0], args[1]),
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
        assert!(compared >= 9_000, "reference too short: {compared} values");
        eprintln!("{compared} RANDOM variable values equal NEURON's");
    }

    /// NEURON (checked with nrniv): after set_ids the rest of the current block comes
    /// from the old ids.
    #[test]
    fn set_ids_applies_from_the_next_block() {
        let mut stream = Random123Stream::new(1, 0, 1, GlobalIndex::default());
        stream.set_ids(1, 2, 3);
        let drawn: Vec<f64> = (0..5).map(|_| stream.next_f64()).collect();
        assert_eq!(
            drawn,
            [
                0.47589958122095566,
                0.3583531143706401,
                0.3984944342173416,
                0.8763654583887277,
                0.7785446087879724
            ]
        );
        stream.set_seq(0);
        assert_eq!(stream.next_f64(), 0.980861897351951);
    }
}
