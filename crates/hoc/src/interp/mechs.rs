//! hoc names that come from the registered mechanisms: range variables (`gnabar_hh`, `ena`),
//! mechanism globals (`usetable_hh`), point-process classes (`IClamp`), units.

use std::collections::HashMap;
use std::rc::Rc;

use rsnrn_abi::MechanismKind;

use super::{Builtin, Interp};

#[derive(Default)]
pub struct MechTables {
    /// Density mechanism names (`hh`) and the ions each uses.
    pub density: HashMap<String, Vec<String>>,
    /// Units of variables by hoc name.
    pub units: HashMap<String, String>,
    /// Density mechanisms in registration order (for psection).
    pub density_order: Vec<String>,
}

impl Interp {
    /// Re-reads the model's mechanisms into the name tables (after loading a library).
    pub fn refresh_mechanisms(&mut self) {
        let mut t = MechTables::default();
        for (name, units) in [
            ("v", "mV"),
            ("L", "um"),
            ("diam", "um"),
            ("Ra", "ohm-cm"),
            ("cm", "uF/cm2"),
            ("t", "ms"),
            ("dt", "ms"),
            ("celsius", "degC"),
        ] {
            t.units.insert(name.into(), units.into());
        }
        // The extracellular mechanism's range variables (the runtime's own, no MechanismInfo).
        for n in &rsnrn_runtime::EXT_NAMES[1..] {
            self.define_builtin(n, Builtin::Range(Rc::from(*n)));
        }
        let mut ions: Vec<String> = Vec::new();
        let mut ids: Vec<_> = self
            .model
            .mechanism_names()
            .into_iter()
            .filter_map(|n| self.model.mechanism_id(&n).ok())
            .collect();
        ids.sort();
        for id in ids {
            let Some(info) = self.model.mechanism_info(id).cloned() else {
                continue;
            };
            let mech = info.name.clone();
            for u in &info.ions {
                if !ions.contains(&u.ion) {
                    ions.push(u.ion.clone());
                }
            }
            for g in &info.globals {
                let n = format!("{}_{}", g.name, mech);
                self.define_builtin(&n, Builtin::MechGlobal(Rc::from(n.as_str())));
                if let Some(u) = &g.units {
                    t.units.insert(n, u.clone());
                }
            }
            match info.kind {
                MechanismKind::Density => {
                    for f in &info.range {
                        if f.visible {
                            let n = format!("{}_{}", f.name, mech);
                            self.define_builtin(&n, Builtin::Range(Rc::from(n.as_str())));
                            if let Some(u) = &f.units {
                                t.units.insert(n, u.clone());
                            }
                        }
                    }
                    t.density.insert(
                        mech.clone(),
                        info.ions.iter().map(|u| u.ion.clone()).collect(),
                    );
                    t.density_order.push(mech.clone());
                    self.define_builtin(&mech, Builtin::Mech);
                }
                MechanismKind::PointProcess | MechanismKind::ArtificialCell => {
                    self.define_builtin(&mech, Builtin::Point(Rc::from(mech.as_str())));
                    for f in &info.range {
                        if let Some(u) = &f.units {
                            t.units.insert(format!("{}.{}", mech, f.name), u.clone());
                        }
                    }
                }
            }
        }
        for ion in ions {
            for (k, n) in rsnrn_abi::ion_variable_names(&ion).into_iter().enumerate() {
                if k < 4 {
                    self.define_builtin(&n, Builtin::Range(Rc::from(n.as_str())));
                }
            }
            for n in [format!("{ion}i0_{ion}_ion"), format!("{ion}o0_{ion}_ion")] {
                self.define_builtin(&n, Builtin::MechGlobal(Rc::from(n.as_str())));
            }
        }
        self.mechs = t;
    }

    pub fn define_builtin(&mut self, name: &str, b: Builtin) {
        let s = self.names.intern(name);
        self.builtins.insert(s, b);
    }
}
