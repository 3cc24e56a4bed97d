//! The module against NEURON 9.0.2's own numbers (tests/data/random/reference.txt, made by
//! make_reference.py next to it): every value must be equal bit for bit.

use super::*;

const REFERENCE: &str = include_str!("../../../../tests/data/random/reference.txt");

fn numbers(spec: &str) -> Vec<f64> {
    spec.split(':')
        .skip(1)
        .map(|a| a.parse().unwrap_or_else(|_| panic!("bad number in {spec}")))
        .collect()
}

fn generator(spec: &str) -> Generator {
    let a = numbers(spec);
    match spec.split(':').next() {
        Some("r123") => {
            // As make_reference.py does: the index set while the stream is made, then 0.
            let global = GlobalIndex::default();
            global.set(a[3] as u32);
            let stream =
                Random123Stream::new(a[0] as u32, a[1] as u32, a[2] as u32, global.clone());
            global.set(0);
            Generator::Random123(stream)
        }
        Some("mcell") => Generator::MCellRan4(MCellRan4::new(
            a[0] as u32,
            a[1] as u32,
            GlobalIndex::default(),
        )),
        _ => panic!("unknown generator {spec}"),
    }
}

fn distribution(spec: &str) -> Distribution {
    let a = numbers(spec);
    match spec.split(':').next().unwrap_or("") {
        "uniform" => Distribution::Uniform {
            low: a[0],
            high: a[1],
        },
        "normal" => Distribution::Normal {
            mean: a[0],
            variance: a[1],
        },
        "negexp" => Distribution::NegativeExponential { mean: a[0] },
        "poisson" => Distribution::Poisson { mean: a[0] },
        "discunif" => Distribution::DiscreteUniform {
            low: a[0] as i64,
            high: a[1] as i64,
        },
        "lognormal" => Distribution::LogNormal {
            mean: a[0],
            variance: a[1],
        },
        "binomial" => Distribution::Binomial {
            trials: a[0] as i64,
            probability: a[1],
        },
        "geometric" => Distribution::Geometric { mean: a[0] },
        "hypergeo" => Distribution::HyperGeometric {
            mean: a[0],
            variance: a[1],
        },
        "erlang" => Distribution::Erlang {
            mean: a[0],
            variance: a[1],
        },
        "weibull" => Distribution::Weibull {
            alpha: a[0],
            beta: a[1],
        },
        other => panic!("unknown distribution {other}"),
    }
}

#[test]
fn every_reference_sequence_matches_neuron_bit_for_bit() {
    let mut compared = 0;
    let mut sequences = 0;
    for line in REFERENCE.lines() {
        let (head, values) = line.split_once('|').expect("a '|' in every line");
        let mut words = head.split_whitespace();
        let (gen, dist) = (words.next().unwrap(), words.next().unwrap());
        let mut random = Random::new(generator(gen));
        for (i, expected) in values.split_whitespace().enumerate() {
            let expected: f64 = expected.parse().expect("a number");
            let got = if i == 0 {
                random.set_distribution(distribution(dist))
            } else {
                random.repick()
            };
            assert_eq!(
                got.to_bits(),
                expected.to_bits(),
                "{gen} {dist} value {i}: rsnrn {got:e}, NEURON {expected:e}"
            );
            compared += 1;
        }
        sequences += 1;
    }
    assert!(
        sequences >= 40,
        "reference file too short: {sequences} sequences"
    );
    eprintln!("{compared} values of {sequences} sequences equal NEURON's");
}

#[test]
fn seq_counts_words_and_rewinds() {
    let mut random = Random::new(Generator::Random123(Random123Stream::new(
        1,
        2,
        3,
        GlobalIndex::default(),
    )));
    let first = random.set_distribution(Distribution::Uniform {
        low: 0.0,
        high: 1.0,
    });
    let second = random.repick();
    assert_eq!(random.generator.seq(), 2.0);
    random.generator.set_seq(1);
    assert_eq!(random.repick(), second);
    random.generator.set_seq(0);
    assert_eq!(random.repick(), first);
}

/// NEURON (checked with nrniv): a new Random draws normal(0, 1); calling Random123 again
/// keeps the distribution and its spare normal value, which comes first.
#[test]
fn default_is_normal_and_a_new_generator_keeps_the_spare_value() {
    let stream = || Generator::Random123(Random123Stream::new(1, 2, 3, GlobalIndex::default()));
    let mut random = Random::new(stream());
    assert_eq!(random.repick(), 1.1697705780078251);
    assert_eq!(random.generator.seq(), 6.0);
    random.set_generator(stream());
    assert_eq!(random.repick(), 0.6540212446585365);
    assert_eq!(random.generator.seq(), 0.0);
    assert_eq!(random.repick(), 1.1697705780078251);
}

/// NEURON (checked with nrniv): a MCellRan4 stream made without a lowindex follows the
/// global one (mcell_ran4_init) at every pick; one with its own lowindex keeps it.
#[test]
fn mcellran4_lowindex_zero_follows_the_global_lowindex() {
    let global = GlobalIndex::default();
    let mut own = MCellRan4::new(12345, 9, global.clone());
    let mut follower = MCellRan4::new(12346, 0, global.clone());
    global.set(7);
    assert_eq!(own.next_f64(), 0.11857431777752936);
    assert_eq!(follower.next_f64(), 0.30671265278942883);
    global.set(0);
    assert_eq!(own.next_f64(), 0.03886629221960902);
    assert_eq!(follower.next_f64(), 0.1223467318341136);
}
