//! A units database for NMODL: the values of unit expressions such as `(faraday)`,
//! `(kilocoulombs)`, `(k-mole)`, `(joule/degC)`, `(mA/cm2)` and the conversion factors of
//! UNITS-block constants (`FARADAY = (faraday) (coulomb)` is the value of one faraday in
//! coulombs).
//!
//! The model is the one of NEURON's units library: every unit is a number times a product of
//! powers of five base dimensions (length m, mass kg, time s, charge C, temperature K). A mole
//! is a pure number (Avogadro's), so `faraday` = e·mole is a charge and `molar` = mole/liter.
//! Constants are NEURON 9's CODATA 2018 values (NUMERICS §2): e = 1.602176634e-19 C,
//! N_A = 6.02214076e23, k = 1.380649e-23 J/K, which give F = 96485.33212331001 C and
//! R = k·N_A = 8.31446261815324 J/K.
//!
//! Syntax of a unit expression: factors separated by spaces, `-` or `*` multiply; after a `/`
//! every further factor divides; a factor is a number (`10000`, `1e-3`) or a name with an
//! optional SI prefix and an optional integer power suffix (`cm2`, `sec-1` is not NMODL);
//! a trailing `s` makes a plural (`coulombs`).

use std::collections::HashMap;

/// Powers of (m, kg, s, C, K).
pub type Dimensions = [i8; 5];

/// A unit: `factor` base units of dimension `dims`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Quantity {
    pub factor: f64,
    pub dims: Dimensions,
}

impl Quantity {
    const fn new(factor: f64, dims: Dimensions) -> Quantity {
        Quantity { factor, dims }
    }

    pub fn one() -> Quantity {
        Quantity::new(1.0, [0; 5])
    }

    pub fn times(self, other: Quantity) -> Quantity {
        let mut dims = self.dims;
        for (d, o) in dims.iter_mut().zip(other.dims) {
            *d = d.saturating_add(o);
        }
        Quantity::new(self.factor * other.factor, dims)
    }

    pub fn powi(self, n: i32) -> Quantity {
        let mut dims = self.dims;
        for d in dims.iter_mut() {
            *d = (*d as i32 * n).clamp(i8::MIN as i32, i8::MAX as i32) as i8;
        }
        Quantity::new(self.factor.powi(n), dims)
    }

    pub fn is_dimensionless(&self) -> bool {
        self.dims == [0; 5]
    }
}

const ELEMENTARY_CHARGE: f64 = 1.602176634e-19;
const AVOGADRO: f64 = 6.02214076e23;
const BOLTZMANN: f64 = 1.380649e-23;

const M: Dimensions = [1, 0, 0, 0, 0];
const KG: Dimensions = [0, 1, 0, 0, 0];
const S: Dimensions = [0, 0, 1, 0, 0];
const C: Dimensions = [0, 0, 0, 1, 0];
const K: Dimensions = [0, 0, 0, 0, 1];
const NONE: Dimensions = [0; 5];
const AMP: Dimensions = [0, 0, -1, 1, 0];
const JOULE: Dimensions = [2, 1, -2, 0, 0];
const VOLT: Dimensions = [2, 1, -2, -1, 0];
const OHM: Dimensions = [2, 1, -1, -2, 0];
const SIEMENS: Dimensions = [-2, -1, 1, 2, 0];
const FARAD: Dimensions = [-2, -1, 2, 2, 0];
const WATT: Dimensions = [2, 1, -3, 0, 0];
const NEWTON: Dimensions = [1, 1, -2, 0, 0];
const VOLUME: Dimensions = [3, 0, 0, 0, 0];
const PER_VOLUME: Dimensions = [-3, 0, 0, 0, 0];
const PER_S: Dimensions = [0, 0, -1, 0, 0];
const JOULE_PER_K: Dimensions = [2, 1, -2, 0, -1];

/// Named units (without prefix), as value in base units.
fn named(name: &str) -> Option<Quantity> {
    let q = Quantity::new;
    Some(match name {
        "1" => q(1.0, NONE),
        "m" | "meter" | "metre" => q(1.0, M),
        "micron" => q(1e-6, M),
        "angstrom" => q(1e-10, M),
        "g" | "gm" | "gram" | "gramme" => q(1e-3, KG),
        "s" | "sec" | "second" => q(1.0, S),
        "min" | "minute" => q(60.0, S),
        "h" | "hr" | "hour" => q(3600.0, S),
        "day" => q(86400.0, S),
        "Hz" | "hz" | "hertz" => q(1.0, PER_S),
        "coul" | "coulomb" | "C" => q(1.0, C),
        "A" | "amp" | "ampere" => q(1.0, AMP),
        "V" | "volt" => q(1.0, VOLT),
        "ohm" => q(1.0, OHM),
        "mho" | "S" | "siemens" => q(1.0, SIEMENS),
        "F" | "farad" => q(1.0, FARAD),
        "J" | "joule" => q(1.0, JOULE),
        "erg" => q(1e-7, JOULE),
        "cal" | "calorie" => q(4.184, JOULE),
        "W" | "watt" => q(1.0, WATT),
        "N" | "nt" | "newton" => q(1.0, NEWTON),
        "dyne" => q(1e-5, NEWTON),
        "K" | "degK" | "kelvin" | "degC" | "celsius" | "degree" => q(1.0, K),
        "l" | "L" | "liter" | "litre" => q(1e-3, VOLUME),
        "cc" => q(1e-6, VOLUME),
        "mole" | "mol" | "avogadro" => q(AVOGADRO, NONE),
        "molar" | "M" => q(AVOGADRO / 1e-3, PER_VOLUME),
        "e" | "electron" => q(ELEMENTARY_CHARGE, C),
        "faraday" => q(ELEMENTARY_CHARGE * AVOGADRO, C),
        "k" | "boltzmann" => q(BOLTZMANN, JOULE_PER_K),
        "gasconstant" | "R" => q(BOLTZMANN * AVOGADRO, JOULE_PER_K),
        "pi" | "PI" => q(std::f64::consts::PI, NONE),
        "radian" | "rad" => q(1.0, NONE),
        "deg" => q(std::f64::consts::PI / 180.0, NONE),
        "percent" => q(0.01, NONE),
        _ => return None,
    })
}

const PREFIXES: &[(&str, f64)] = &[
    ("yotta", 1e24),
    ("zetta", 1e21),
    ("exa", 1e18),
    ("peta", 1e15),
    ("tera", 1e12),
    ("giga", 1e9),
    ("mega", 1e6),
    ("myria", 1e4),
    ("kilo", 1e3),
    ("hecto", 1e2),
    ("deka", 1e1),
    ("deci", 1e-1),
    ("centi", 1e-2),
    ("milli", 1e-3),
    ("micro", 1e-6),
    ("nano", 1e-9),
    ("pico", 1e-12),
    ("femto", 1e-15),
    ("atto", 1e-18),
    ("zepto", 1e-21),
    ("yocto", 1e-24),
    ("da", 1e1),
    ("Y", 1e24),
    ("Z", 1e21),
    ("E", 1e18),
    ("P", 1e15),
    ("T", 1e12),
    ("G", 1e9),
    ("M", 1e6),
    ("k", 1e3),
    ("h", 1e2),
    ("d", 1e-1),
    ("c", 1e-2),
    ("m", 1e-3),
    ("u", 1e-6),
    ("n", 1e-9),
    ("p", 1e-12),
    ("f", 1e-15),
    ("a", 1e-18),
];

/// The units a file knows: the built-in ones plus the file's own `(name) = (definition)`.
#[derive(Debug, Clone, Default)]
pub struct Units {
    aliases: HashMap<String, Quantity>,
}

impl Units {
    pub fn new() -> Units {
        Units::default()
    }

    /// `(name) = (definition)` in a UNITS block.
    pub fn define(&mut self, name: &str, definition: &str) -> Result<(), String> {
        let q = self.parse(definition)?;
        self.aliases.insert(name.trim().to_string(), q);
        Ok(())
    }

    /// The value of a unit expression.
    pub fn parse(&self, text: &str) -> Result<Quantity, String> {
        let mut total = Quantity::one();
        let mut dividing = false;
        let spaced = text.replace('/', " / ").replace('*', " ");
        for word in spaced.split_whitespace() {
            if word == "/" {
                dividing = true;
                continue;
            }
            // `k-mole`: a hyphen multiplies (but not in a number's exponent `1e-3`).
            for factor in split_hyphens(word) {
                let q = self.factor_of(factor).ok_or_else(|| {
                    format!("rsnrn's units database does not know the unit {factor}")
                })?;
                total = total.times(if dividing { q.powi(-1) } else { q });
            }
        }
        Ok(total)
    }

    fn factor_of(&self, word: &str) -> Option<Quantity> {
        if let Some(x) = number(word) {
            return Some(Quantity::new(x, NONE));
        }
        if let Some(q) = self.name_with_power(word) {
            return Some(q);
        }
        None
    }

    /// `cm2`: a name followed by a power.
    fn name_with_power(&self, word: &str) -> Option<Quantity> {
        let digits = word.len() - word.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && digits < word.len() {
            let (base, power) = word.split_at(word.len() - digits);
            let power: i32 = power.parse().ok()?;
            if power <= 9 {
                return self.simple(base).map(|q| q.powi(power));
            }
        }
        self.simple(word)
    }

    /// A name: an alias of the file, a built-in unit, or a prefix and one of those, possibly
    /// as a plural.
    fn simple(&self, word: &str) -> Option<Quantity> {
        let lookup = |w: &str| self.aliases.get(w).copied().or_else(|| named(w));
        if let Some(q) = lookup(word) {
            return Some(q);
        }
        // A prefix alone is a number: `(milli/liter)`, `(femto amp meter)`.
        if let Some(&(_, scale)) = PREFIXES.iter().find(|(p, _)| p.len() > 2 && *p == word) {
            return Some(Quantity::new(scale, NONE));
        }
        let singular = word.strip_suffix('s').filter(|w| !w.is_empty());
        for candidate in [Some(word), singular].into_iter().flatten() {
            if let Some(q) = lookup(candidate) {
                return Some(q);
            }
            for &(prefix, scale) in PREFIXES {
                if let Some(rest) = candidate.strip_prefix(prefix) {
                    if rest.is_empty() {
                        continue;
                    }
                    if let Some(q) = lookup(rest) {
                        return Some(Quantity::new(scale * q.factor, q.dims));
                    }
                }
            }
        }
        None
    }

    /// Value of unit `from` expressed in unit `to` (`to` absent: in base units).
    pub fn factor(&self, from: &str, to: Option<&str>) -> Result<f64, String> {
        let f = self.parse(from)?;
        let Some(to) = to else {
            return Ok(f.factor);
        };
        let t = self.parse(to)?;
        if f.dims != t.dims {
            return Err(format!(
                "({from}) cannot be expressed in ({to}): they measure different things"
            ));
        }
        Ok(f.factor / t.factor)
    }

    /// Whether two unit expressions measure the same kind of quantity, and the factor from
    /// the first to the second; `None` when either is unknown.
    pub fn compare(&self, a: &str, b: &str) -> Option<(bool, f64)> {
        let qa = self.parse(a).ok()?;
        let qb = self.parse(b).ok()?;
        Some((qa.dims == qb.dims, qa.factor / qb.factor))
    }
}

fn split_hyphens(word: &str) -> Vec<&str> {
    if number(word).is_some() {
        return vec![word];
    }
    word.split('-').filter(|p| !p.is_empty()).collect()
}

/// `10000`, `1e-3`, `.5`, `1|2` (a fraction).
fn number(word: &str) -> Option<f64> {
    if let Some((a, b)) = word.split_once('|') {
        return Some(a.parse::<f64>().ok()? / b.parse::<f64>().ok()?);
    }
    if !word.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    word.parse().ok()
}

/// Value of unit `from` in unit `to` with only the built-in units.
pub fn factor(from: &str, to: Option<&str>) -> Result<f64, String> {
    Units::new().factor(from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faraday_and_gas_constant_are_neuron_9_values() {
        assert_eq!(
            factor("faraday", Some("coulomb")).unwrap(),
            96485.33212331001
        );
        assert_eq!(
            factor("faraday", Some("coulombs")).unwrap(),
            96485.33212331001
        );
        assert_eq!(
            factor("k-mole", Some("joule/degC")).unwrap(),
            8.31446261815324
        );
        assert!(factor("furlong", Some("parsec")).is_err());
    }

    #[test]
    fn the_corpus_forms() {
        let close = |a: f64, b: f64| ((a - b) / b).abs() < 1e-15;
        assert!(close(
            factor("faraday", Some("kilocoulombs")).unwrap(),
            96.48533212331001
        ));
        assert!(close(
            factor("faraday", Some("10000 coulomb")).unwrap(),
            9.648533212331001
        ));
        assert_eq!(factor("pi", Some("1")).unwrap(), std::f64::consts::PI);
        assert!(close(factor("mA/cm2", Some("A/m2")).unwrap(), 10.0));
        assert!(close(factor("mV", Some("volt")).unwrap(), 1e-3));
        assert!(close(factor("pS/um2", Some("mho/cm2")).unwrap(), 1e-4));
        assert!(close(factor("mM", Some("molar")).unwrap(), 1e-3));
    }

    #[test]
    fn aliases_and_mismatches() {
        let mut u = Units::new();
        u.define("mM", "milli/liter").unwrap();
        u.define("msM", "ms mM").unwrap();
        let (same, f) = u.compare("msM", "s/liter").unwrap();
        assert!(same);
        assert!((f - 1e-6).abs() < 1e-20);
        assert!(u.factor("mV", Some("ms")).is_err());
        assert!(u.define("x", "nonsense_unit").is_err());
    }
}
