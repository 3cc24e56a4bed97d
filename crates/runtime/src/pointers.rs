//! POINTER variables: `setpointer` makes an instance's POINTER refer to a double the model
//! owns elsewhere (a membrane potential, another mechanism's variable, an ion concentration).
//!
//! Targets are kept by name ([`RecordTarget`]) and turned into addresses whenever the storage
//! may have moved (every layout build) or a pointer changed, right before a simulation call;
//! an unset pointer stops that call with an error instead of letting a kernel read nothing.

use crate::error::{Result, RuntimeError};
use crate::mechanisms::{MechanismId, SlotBinding};
use crate::model::CableModel;
use crate::point::PointProcessId;
use crate::record::{RecordTarget, VarLoc};
use crate::section::SectionId;

impl CableModel {
    /// `setpointer pp.name, target`: POINTER `name` of point process `point` refers to
    /// `target` (e.g. `RecordTarget::range(pre, 0.5, "v")`).
    pub fn set_point_pointer(
        &mut self,
        point: PointProcessId,
        name: &str,
        target: RecordTarget,
    ) -> Result<()> {
        self.ensure_layout();
        let p = self.pp(point)?;
        let (mech, instance) = (p.mech, p.instance as usize);
        self.set_pointer(mech, instance, name, target)
    }

    /// `setpointer sec.name_suffix(x), target` for a density mechanism's POINTER
    /// (`name` with its suffix, as hoc spells it: `pv_dipole`).
    pub fn set_range_pointer(
        &mut self,
        section: SectionId,
        x: f64,
        name: &str,
        target: RecordTarget,
    ) -> Result<()> {
        self.check_x(section, x)?;
        self.ensure_layout();
        let unknown = || RuntimeError::UnknownVariable {
            name: name.to_string(),
            context: "(no density mechanism has this POINTER)".into(),
        };
        let (base, suffix) = name.rsplit_once('_').ok_or_else(unknown)?;
        let mech = self.reg.lookup(suffix).map_err(|_| unknown())?;
        let sec = &self.sections[section.index()];
        let dm = sec.density(mech).ok_or_else(|| RuntimeError::NotInserted {
            name: name.to_string(),
            mechanism: suffix.to_string(),
            section: sec.name.clone(),
        })?;
        let seg = crate::section::segment_containing(x, sec.nseg());
        let instance = dm.instances[seg] as usize;
        self.set_pointer(mech, instance, base, target)
    }

    fn set_pointer(
        &mut self,
        mech: MechanismId,
        instance: usize,
        name: &str,
        target: RecordTarget,
    ) -> Result<()> {
        let m = self.reg.mech(mech);
        let k = m
            .pointer_names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| RuntimeError::UnknownVariable {
                name: name.to_string(),
                context: format!("(mechanism {} has no POINTER of that name)", m.name()),
            })?;
        // Refuse a target that does not exist now rather than at the next run.
        let loc = self.resolve(&target)?;
        self.loc_address(loc)?;
        // The layout was settled by the caller before `instance` was read, so `resolve`
        // did not renumber it.
        self.reg.mechs[mech.index()].store.pointers[k][instance] = Some(target);
        self.pointers_dirty = true;
        Ok(())
    }

    /// Binds every POINTER slot to its target's current address. Called before simulation
    /// calls when the layout was rebuilt or a pointer changed.
    pub(crate) fn bind_pointers(&mut self) -> Result<()> {
        if !self.pointers_dirty {
            return Ok(());
        }
        for mi in 0..self.reg.mechs.len() {
            let m = &self.reg.mechs[mi];
            let slots: Vec<(usize, usize)> = m
                .slots
                .iter()
                .enumerate()
                .filter_map(|(slot, b)| match *b {
                    SlotBinding::Pointer(k) => Some((slot, k)),
                    SlotBinding::Ion(..) => None,
                })
                .collect();
            for (slot, k) in slots {
                for instance in 0..self.reg.mechs[mi].store.count() {
                    let m = &self.reg.mechs[mi];
                    let Some(target) = m.store.pointers[k][instance].clone() else {
                        return Err(RuntimeError::PointerNotSet {
                            mechanism: m.name().to_string(),
                            pointer: m.pointer_names[k].clone(),
                            instance,
                        });
                    };
                    let loc = self.resolve(&target)?;
                    let address = self.loc_address(loc)?;
                    self.reg.mechs[mi].store.set_slot(slot, instance, address);
                }
            }
            self.reg.mechs[mi].store.refresh_affine();
        }
        self.pointers_dirty = false;
        Ok(())
    }

    /// The address of a variable that lives in storage kernels may point into.
    fn loc_address(&mut self, loc: VarLoc) -> Result<*mut f64> {
        let bad = |what: &str| {
            Err(RuntimeError::UnknownVariable {
                name: what.to_string(),
                context: "(a POINTER can refer to a membrane potential, a mechanism's \
                          variable or global, or an ion variable)"
                    .into(),
            })
        };
        // SAFETY (all arms): the index was produced by `resolve` for the current layout, so
        // it is inside the buffer.
        Ok(match loc {
            VarLoc::NodeV(n) => unsafe { self.layout.v.as_mut_ptr().add(n as usize) },
            VarLoc::Range {
                mech,
                col,
                instance,
            } => unsafe {
                self.reg.mechs[mech.index()].store.columns[col as usize]
                    .as_mut_ptr()
                    .add(instance as usize)
            },
            VarLoc::Ion { ion, var, instance } => unsafe {
                self.reg.ion_mut(ion).store.cols[var as usize]
                    .as_mut_ptr()
                    .add(instance as usize)
            },
            VarLoc::Global { mech, index } => unsafe {
                self.reg.mechs[mech.index()]
                    .globals
                    .as_mut_ptr()
                    .add(index as usize)
            },
            VarLoc::Time => return bad("t"),
            VarLoc::Dt => return bad("dt"),
            VarLoc::Celsius => return bad("celsius"),
            VarLoc::SecondOrder => return bad("secondorder"),
            VarLoc::IonConc { .. } => return bad("an ion's initial concentration"),
            VarLoc::Diam { .. } => return bad("diam"),
            VarLoc::Cm { .. } => return bad("cm"),
            VarLoc::Ext { .. } | VarLoc::ExtParam { .. } => {
                return bad("an extracellular variable")
            }
            VarLoc::FastImem(_) => return bad("i_membrane_"),
        })
    }
}
