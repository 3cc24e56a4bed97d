//! The distributions of NEURON's Random class. NEURON takes them from libg++ (Normal by
//! the polar method keeping the second value for the next pick, Poisson by multiplying
//! uniforms, Binomial by counting trials, ...); each algorithm here was confirmed number
//! for number against NEURON 9.0.2 (tests/data/random).

/// Something that gives uniform doubles in [0, 1) or (0, 1): the generators.
pub trait UniformSource {
    fn next_f64(&mut self) -> f64;
}

/// A distribution with its parameters as NEURON's Random methods take them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Distribution {
    /// `uniform(low, high)`: low + (high − low)·u.
    Uniform { low: f64, high: f64 },
    /// `discunif(low, high)`: integers low..=high (arguments truncated to integers).
    DiscreteUniform { low: i64, high: i64 },
    /// `normal(mean, variance)`.
    Normal { mean: f64, variance: f64 },
    /// `lognormal(mean, variance)`: mean and variance of the lognormal variable itself.
    LogNormal { mean: f64, variance: f64 },
    /// `poisson(mean)`.
    Poisson { mean: f64 },
    /// `binomial(n, p)`: successes in n trials of probability p.
    Binomial { trials: i64, probability: f64 },
    /// `geometric(mean)`: 1 + the number of uniforms below `mean` in a row (0 < mean < 1).
    Geometric { mean: f64 },
    /// `hypergeo(mean, variance)`: libg++'s hyperexponential ("HyperGeometric").
    HyperGeometric { mean: f64, variance: f64 },
    /// `negexp(mean)`.
    NegativeExponential { mean: f64 },
    /// `erlang(mean, variance)`.
    Erlang { mean: f64, variance: f64 },
    /// `weibull(alpha, beta)`.
    Weibull { alpha: f64, beta: f64 },
}

/// Erlang stages above this are refused: the pick would multiply that many uniforms.
const MAX_ERLANG_STAGES: f64 = 1e9;

impl Distribution {
    /// Refuses parameters with which a pick would never end (NEURON would hang): geometric
    /// with mean ≥ 1 (every uniform is below it), Erlang with a variance ≤ 0 or so small
    /// that mean²/variance stages are beyond counting.
    pub fn check(&self) -> Result<(), String> {
        match *self {
            Distribution::Geometric { mean } if mean >= 1.0 || mean.is_nan() => Err(format!(
                "geometric({mean}): the mean must be below 1 or the pick never ends"
            )),
            Distribution::Erlang { mean, variance }
                if !(variance > 0.0 && mean * mean / variance < MAX_ERLANG_STAGES) =>
            {
                Err(format!(
                    "erlang({mean}, {variance}): mean²/variance stages must be below \
                     {MAX_ERLANG_STAGES:e} (the variance must be positive)"
                ))
            }
            _ => Ok(()),
        }
    }
}

/// A distribution together with what it keeps between picks (the polar method's spare
/// normal value).
#[derive(Debug, Clone, PartialEq)]
pub struct Sampler {
    distribution: Distribution,
    spare_normal: Option<f64>,
}

impl Sampler {
    pub fn new(distribution: Distribution) -> Self {
        Sampler {
            distribution,
            spare_normal: None,
        }
    }

    pub fn distribution(&self) -> Distribution {
        self.distribution
    }

    /// One value of the distribution.
    pub fn sample(&mut self, source: &mut dyn UniformSource) -> f64 {
        match self.distribution {
            Distribution::Uniform { low, high } => low + (high - low) * source.next_f64(),
            Distribution::DiscreteUniform { low, high } => {
                let count = (high - low + 1) as f64;
                (low as f64 + count * source.next_f64()).floor()
            }
            Distribution::Normal { mean, variance } => {
                mean + variance.sqrt() * self.standard_normal(source)
            }
            Distribution::LogNormal { mean, variance } => {
                // Mean and standard deviation of the underlying normal.
                let mean2 = mean * mean;
                let log_mean = (mean2 / (variance + mean2).sqrt()).ln();
                let log_sd = ((variance + mean2) / mean2).ln().sqrt();
                // e^x as NEURON computes it, pow(e, x), which differs from exp(x) in the
                // last bit for some x.
                std::f64::consts::E.powf(log_mean + log_sd * self.standard_normal(source))
            }
            Distribution::Poisson { mean } => {
                let bound = (-mean).exp();
                let mut count = 0u64;
                let mut product = 1.0;
                while product >= bound {
                    count += 1;
                    product *= source.next_f64();
                }
                (count - 1) as f64
            }
            Distribution::Binomial {
                trials,
                probability,
            } => (0..trials.max(0))
                .filter(|_| source.next_f64() < probability)
                .count() as f64,
            Distribution::Geometric { mean } => {
                let mut samples = 1u64;
                while source.next_f64() < mean {
                    samples += 1;
                }
                samples as f64
            }
            Distribution::HyperGeometric { mean, variance } => {
                let z = variance / (mean * mean);
                let p = 0.5 * (1.0 - ((z - 1.0) / (z + 1.0)).sqrt());
                let d = if source.next_f64() > p { 1.0 - p } else { p };
                -mean * source.next_f64().ln() / (2.0 * d)
            }
            Distribution::NegativeExponential { mean } => -mean * source.next_f64().ln(),
            Distribution::Erlang { mean, variance } => {
                let stages = (((mean * mean) / variance + 0.5) as i64).max(1);
                let rate = stages as f64 / mean;
                let mut product = 1.0;
                for _ in 0..stages {
                    product *= source.next_f64();
                }
                -product.ln() / rate
            }
            Distribution::Weibull { alpha, beta } => {
                (beta * -(1.0 - source.next_f64()).ln()).powf(1.0 / alpha)
            }
        }
    }

    /// A standard normal value by the polar (Marsaglia) method: two uniforms mapped to
    /// (−1, 1)², rejected outside the unit disk; of the pair made, the first is returned
    /// and the second kept for the next call.
    fn standard_normal(&mut self, source: &mut dyn UniformSource) -> f64 {
        if let Some(spare) = self.spare_normal.take() {
            return spare;
        }
        loop {
            let v1 = 2.0 * source.next_f64() - 1.0;
            let v2 = 2.0 * source.next_f64() - 1.0;
            let w = v1 * v1 + v2 * v2;
            if w <= 1.0 {
                let scale = (-2.0 * w.ln() / w).sqrt();
                self.spare_normal = Some(v2 * scale);
                return v1 * scale;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_that_never_end_are_refused() {
        assert!(Distribution::Geometric { mean: 1.0 }.check().is_err());
        assert!(Distribution::Geometric { mean: f64::NAN }.check().is_err());
        assert!(Distribution::Geometric { mean: 0.7 }.check().is_ok());
        let erlang = |mean, variance| Distribution::Erlang { mean, variance }.check();
        assert!(erlang(2.0, 0.0).is_err());
        assert!(erlang(1e6, 1e-6).is_err());
        assert!(erlang(2.0, 0.5).is_ok());
    }
}
