//! Names NEURON provides, and names that come from C code.

use nmodl_ir::{Builtin, IonRole};
use std::collections::HashSet;

/// Variables the simulator provides to every mechanism.
pub(crate) fn builtin_of(name: &str) -> Option<Builtin> {
    Some(match name {
        "v" => Builtin::V,
        "t" => Builtin::T,
        "dt" => Builtin::Dt,
        "celsius" => Builtin::Celsius,
        "area" => Builtin::Area,
        "diam" => Builtin::Diam,
        _ => return None,
    })
}

/// Role of `name` among the variables of ion `ion` (`ena`, `nai`, `nao`, `ina`).
pub(crate) fn ion_role(ion: &str, name: &str) -> Option<IonRole> {
    if name.strip_prefix('e') == Some(ion) {
        Some(IonRole::Reversal)
    } else if name.strip_suffix('i') == Some(ion) {
        Some(IonRole::Inside)
    } else if name.strip_suffix('o') == Some(ion) {
        Some(IonRole::Outside)
    } else if name.strip_prefix('i') == Some(ion) {
        Some(IonRole::Current)
    } else {
        None
    }
}

/// C functions of NEURON's run-time library that NMODL code may call without declaring them
/// (nocmodl passes the call through to C). Calls of these are kept as calls of an undeclared
/// function would be: the analysis accepts them and the back end decides.
pub(crate) const C_LIBRARY_FUNCTIONS: &[&str] = &[
    "fprintf",
    "hoc_execerror",
    "ifarg",
    "getarg",
    "chkarg",
    "hoc_epsilon",
    "nrn_random_arg",
    "mcell_ran4",
    "mcell_ran4_init",
    "erf",
    "erfc",
];

/// Every C identifier in `text` (VERBATIM code): names NMODL code may use because the C code
/// declares them (nocmodl: "Warning: x undefined. (declared within VERBATIM?)").
pub(crate) fn c_identifiers(text: &str, out: &mut HashSet<String>) {
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
        if word.chars().next().is_some_and(|c| !c.is_ascii_digit()) {
            out.insert(word.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ion_roles() {
        assert_eq!(ion_role("na", "ena"), Some(IonRole::Reversal));
        assert_eq!(ion_role("ca", "cai"), Some(IonRole::Inside));
        assert_eq!(ion_role("ca", "cao"), Some(IonRole::Outside));
        assert_eq!(ion_role("k", "ik"), Some(IonRole::Current));
        assert_eq!(ion_role("k", "kx"), None);
    }

    #[test]
    fn identifiers_of_c_code() {
        let mut set = HashSet::new();
        c_identifiers("#define AM2 3\n x1=2.5e3*foo_bar(9x);", &mut set);
        for name in ["define", "AM2", "x1", "foo_bar"] {
            assert!(set.contains(name), "{name} in {set:?}");
        }
        assert!(!set.contains("9x") && !set.contains("3") && !set.contains("e3"));
    }
}
