//! Ions (NUMERICS §6): per-node reversal potential, concentrations and total current, plus
//! NEURON's ion_style rules deciding what is initialised and recomputed.
//!
//! An ion behaves like a built-in mechanism that runs before every compiled one: its current
//! routine zeroes the totals the channels then add to, its init sets concentrations and e.

use crate::buf::Buf;
use rsnrn_abi::IonUse;

/// Faraday constant (C/mol), CODATA 2018 as in NEURON 9.
pub const FARADAY: f64 = 96485.33212331001;
/// Gas constant (J/(mol K)), CODATA 2018 as in NEURON 9.
pub const GAS_CONSTANT: f64 = 8.31446261815324;

/// RT/F in mV at `celsius`.
pub fn ktf(celsius: f64) -> f64 {
    1000.0 * GAS_CONSTANT * (celsius + 273.15) / FARADAY
}

/// Nernst potential (mV) for inside/outside concentrations and valence `z` (eion.cpp rules:
/// z = 0 gives 0, ci <= 0 gives +1e6, co <= 0 gives −1e6).
pub fn nernst(ci: f64, co: f64, z: f64, celsius: f64) -> f64 {
    if z == 0.0 {
        0.0
    } else if ci <= 0.0 {
        1e6
    } else if co <= 0.0 {
        -1e6
    } else {
        ktf(celsius) / z * (co / ci).ln()
    }
}

/// Handle of an ion species in one model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct IonId(pub u32);

/// Column order of an ion's per-node variables, as in [`rsnrn_abi::ion_variable_names`].
pub(crate) const ION_E: usize = 0;
pub(crate) const ION_CI: usize = 1;
pub(crate) const ION_CO: usize = 2;
pub(crate) const ION_I: usize = 3;
pub(crate) const ION_DIDV: usize = 4;

/// Marks "no ion instance at this node".
pub(crate) const NO_INSTANCE: u32 = u32::MAX;

/// How mechanisms use an ion: concentration level (1 read, 3 write) and reversal level
/// (1 read, 3 write), combined over a node's mechanisms by taking the maximum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct IonStyle {
    pub conc: u8,
    pub rev: u8,
}

pub(crate) const FLAG_CINIT: u8 = 1;
pub(crate) const FLAG_EINIT: u8 = 2;
pub(crate) const FLAG_EADVANCE: u8 = 4;

impl IonStyle {
    /// The style one USEION statement asks for (nocmodl's ion_promote).
    pub fn of_use(ion: &str, u: &IonUse) -> IonStyle {
        let ci = format!("{ion}i");
        let co = format!("{ion}o");
        let e = format!("e{ion}");
        let is_conc = |n: &String| *n == ci || *n == co;
        let mut s = IonStyle::default();
        if u.read.iter().any(is_conc) {
            s.conc = 1;
        }
        if u.write.iter().any(is_conc) {
            s.conc = 3;
        }
        if u.read.contains(&e) {
            s.rev = s.rev.max(1);
        }
        if u.write.contains(&e) {
            s.rev = 3;
        }
        s
    }

    pub fn merge(self, other: IonStyle) -> IonStyle {
        IonStyle {
            conc: self.conc.max(other.conc),
            rev: self.rev.max(other.rev),
        }
    }

    /// nrn_promote: a concentration in use makes e computed (rev ≥ 2) unless a mechanism owns
    /// it; written concentrations are initialised, and then e follows them every step.
    pub fn flags(self) -> u8 {
        let conc = self.conc;
        let mut rev = self.rev;
        if conc > 0 && rev < 2 {
            rev = 2;
        }
        let mut f = 0;
        if conc == 3 {
            f |= FLAG_CINIT;
            if rev == 2 {
                f |= FLAG_EADVANCE;
            }
        }
        if rev == 2 {
            f |= FLAG_EINIT;
        }
        f
    }
}

/// Per-node values of one ion, structure-of-arrays, instances in node order.
#[derive(Debug, Default)]
pub(crate) struct IonStore {
    /// e, ci, co, i, di/dv, one entry per instance.
    pub cols: [Buf; 5],
    pub node_index: Vec<u32>,
    /// FLAG_* bits per instance.
    pub flags: Vec<u8>,
    /// Instance at each node of the layout, or [`NO_INSTANCE`].
    pub at_node: Vec<u32>,
    /// Some instance has FLAG_EADVANCE (e follows the concentrations every step).
    pub any_eadvance: bool,
}

impl IonStore {
    pub fn instance_at(&self, node: usize) -> Option<usize> {
        match self.at_node.get(node) {
            Some(&i) if i != NO_INSTANCE => Some(i as usize),
            _ => None,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Ion {
    pub name: String,
    /// Charge number; None until a mechanism declares it (na, k, ca have built-in values).
    pub valence: Option<f64>,
    /// Global `<ion>i0_<ion>_ion`, the inside concentration cinit (finitialize, when a
    /// mechanism writes the concentration) uses.
    pub ci0: f64,
    /// Global `<ion>o0_<ion>_ion`.
    pub co0: f64,
    /// Concentrations a new instance starts with: the ion's built-in defaults, whatever the
    /// globals above are set to (NEURON 9.0.2: `nao0_na_ion = 126` then `insert hh` still
    /// gives nao = 140 until a concentration writer's cinit).
    pub ci_new: f64,
    pub co_new: f64,
    /// Reversal potential of a new instance.
    pub e0: f64,
    pub store: IonStore,
}

impl Ion {
    pub fn new(name: &str) -> Ion {
        let (ci0, co0, e0, valence) = match name {
            "na" => (10.0, 140.0, 50.0, Some(1.0)),
            "k" => (54.4, 2.5, -77.0, Some(1.0)),
            // NEURON's default eca is 12.5·ln(cao/cai), kept until something recomputes it.
            "ca" => (5e-5, 2.0, 12.5 * (2.0f64 / 5e-5).ln(), Some(2.0)),
            _ => (1.0, 1.0, 0.0, None),
        };
        Ion {
            name: name.to_string(),
            valence,
            ci0,
            co0,
            ci_new: ci0,
            co_new: co0,
            e0,
            store: IonStore::default(),
        }
    }

    pub fn charge(&self) -> f64 {
        self.valence.unwrap_or(1.0)
    }

    /// Names of the per-node variables (`ena`, `nai`, `nao`, `ina`, `dina_dv_`).
    pub fn variable_names(&self) -> [String; 5] {
        rsnrn_abi::ion_variable_names(&self.name)
    }

    pub fn global_names(&self) -> [String; 2] {
        let n = &self.name;
        [format!("{n}i0_{n}_ion"), format!("{n}o0_{n}_ion")]
    }

    /// The ion's part of matrix setup: totals to zero (the channels add to them next) and, with
    /// eadvance, e from the concentrations the previous state update left.
    pub fn current(&mut self, celsius: f64) {
        let z = self.charge();
        let s = &mut self.store;
        let [e, ci, co, i, didv] = &mut s.cols;
        i.slice_mut().fill(0.0);
        didv.slice_mut().fill(0.0);
        if s.any_eadvance {
            let (e, ci, co) = (e.slice_mut(), ci.slice(), co.slice());
            for (((e, &ci), &co), &f) in e.iter_mut().zip(ci).zip(co).zip(&s.flags) {
                if f & FLAG_EADVANCE != 0 {
                    *e = nernst(ci, co, z, celsius);
                }
            }
        }
    }

    /// The ion's INITIAL: concentrations from the globals if written (cinit), then e by Nernst
    /// if it is computed (einit).
    pub fn initialize(&mut self, celsius: f64) {
        let z = self.charge();
        let (ci0, co0) = (self.ci0, self.co0);
        let s = &mut self.store;
        let [e, ci, co, _, _] = &mut s.cols;
        let (e, ci, co) = (e.slice_mut(), ci.slice_mut(), co.slice_mut());
        for (k, &f) in s.flags.iter().enumerate() {
            if f & FLAG_CINIT != 0 {
                ci[k] = ci0;
                co[k] = co0;
            }
            if f & FLAG_EINIT != 0 {
                e[k] = nernst(ci[k], co[k], z, celsius);
            }
        }
    }

    /// nrn_wrote_conc: after a concentration writer's INITIAL, e follows the new values.
    pub fn wrote_conc(&mut self, instance: usize, celsius: f64) {
        let s = &mut self.store;
        if s.flags[instance] & FLAG_EINIT != 0 {
            let z = self.valence.unwrap_or(1.0);
            let v = nernst(
                s.cols[ION_CI].get(instance),
                s.cols[ION_CO].get(instance),
                z,
                celsius,
            );
            s.cols[ION_E].set(instance, v);
        }
    }

    /// secondorder = 2: totals move to the middle of the step, i += di/dv·Δv.
    pub fn second_order_current(&mut self, rhs: &[f64]) {
        let s = &mut self.store;
        let [_, _, _, i, didv] = &mut s.cols;
        let (i, didv) = (i.slice_mut(), didv.slice());
        // Instances are in ascending node order, so checking the last node covers all.
        assert!(s
            .node_index
            .last()
            .is_none_or(|&n| (n as usize) < rhs.len()));
        for ((i, &didv), &node) in i.iter_mut().zip(didv).zip(&s.node_index) {
            // SAFETY: node <= the last node, which is < rhs.len() (checked above).
            *i += didv * unsafe { *rhs.get_unchecked(node as usize) };
        }
    }
}
