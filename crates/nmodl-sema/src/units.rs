//! Conversion factors for named constants in UNITS blocks: `FARADAY = (faraday) (coulomb)`.
//!
//! NEURON 9 uses CODATA 2018 values (NUMERICS §2): F = e·N_A = 96485.33212331001 C/mol and
//! R = k·N_A = 8.31446261815324 J/(mol·K). This table covers the forms ModelDB files use; an
//! unknown pair is an error naming it rather than a silent wrong factor.

const FARADAY: f64 = 96485.33212331001;
const GAS_CONSTANT: f64 = 8.31446261815324;
const AVOGADRO: f64 = 6.02214076e23;
const BOLTZMANN: f64 = 1.380649e-23;
const ELEMENTARY_CHARGE: f64 = 1.602176634e-19;

fn normalize(u: &str) -> String {
    u.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Value of unit `from` expressed in unit `to` (or in base units when `to` is absent).
pub fn factor(from: &str, to: Option<&str>) -> Result<f64, String> {
    let from_n = normalize(from);
    let to_n = to.map(normalize);
    let value = match (from_n.as_str(), to_n.as_deref()) {
        ("faraday", None | Some("coulomb") | Some("coul") | Some("C")) => FARADAY,
        ("faraday", Some("kilocoulombs") | Some("kilocoulomb") | Some("kC")) => FARADAY / 1000.0,
        ("faraday", Some("coulomb/mole") | Some("coul/mole") | Some("C/mol")) => FARADAY,
        ("k-mole", Some("joule/degC") | Some("joule/degK") | Some("J/degC") | Some("J/K")) => {
            GAS_CONSTANT
        }
        ("k-mole", Some("millijoule/degC") | Some("mJ/degC")) => GAS_CONSTANT * 1000.0,
        ("mole", None | Some("1")) => AVOGADRO,
        ("k", Some("joule/degC") | Some("joule/degK") | Some("J/K")) => BOLTZMANN,
        ("e", None | Some("coulomb") | Some("coul") | Some("C")) => ELEMENTARY_CHARGE,
        _ => {
            return Err(match to {
                Some(to) => format!("rsnrn does not know the factor from ({from}) to ({to}) yet"),
                None => format!("rsnrn does not know the value of ({from}) yet"),
            })
        }
    };
    Ok(value)
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
            factor("k-mole", Some("joule/degC")).unwrap(),
            8.31446261815324
        );
        assert!(factor("furlong", Some("parsec")).is_err());
    }
}
