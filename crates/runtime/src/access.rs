//! Variables by NEURON name: resolution of `v`, `gnabar_hh`, `ena`, `amp`, `usetable_hh`, ...
//! to storage locations, reads and writes through them, and [`VarRef`]s.

use crate::error::{Result, RuntimeError};
use crate::extracellular::ExtVar;
use crate::mechanisms::{GlobalName, RangeName};
use crate::model::CableModel;
use crate::point::PointProcessId;
use crate::record::{RecordTarget, VarLoc, VarRef};
use crate::section::{segment_center, segment_containing, SectionId};

/// Splits `name[k]` into `name` and `k`.
fn split_index(name: &str) -> Result<(&str, Option<usize>)> {
    if let Some(stripped) = name.strip_suffix(']') {
        if let Some((base, idx)) = stripped.split_once('[') {
            if let Ok(k) = idx.trim().parse::<usize>() {
                return Ok((base, Some(k)));
            }
        }
        return Err(RuntimeError::UnknownVariable {
            name: name.to_string(),
            context: "(bad array index)".into(),
        });
    }
    Ok((name, None))
}

fn element(name: &str, index: Option<usize>, size: usize) -> Result<usize> {
    match index {
        None => Ok(0),
        Some(k) if k < size => Ok(k),
        Some(k) => Err(RuntimeError::IndexOutOfRange {
            name: name.to_string(),
            index: k,
            size,
        }),
    }
}

fn scalar(name: &str, index: Option<usize>) -> Result<()> {
    match index {
        None => Ok(()),
        Some(k) => Err(RuntimeError::IndexOutOfRange {
            name: name.to_string(),
            index: k,
            size: 1,
        }),
    }
}
impl CableModel {
    // ---- name resolution --------------------------------------------------------------------

    fn resolve_range(&mut self, id: SectionId, x: f64, name: &str) -> Result<VarLoc> {
        self.check_x(id, x)?;
        let (base, index) = split_index(name)?;
        let nseg = self.sections[id.index()].nseg();
        let seg = segment_containing(x, nseg) as u32;
        match base {
            "v" => {
                scalar(name, index)?;
                self.ensure_layout();
                let node = self.layout.sections[id.index()].node_exact(x);
                return Ok(VarLoc::NodeV(node));
            }
            "diam" => {
                scalar(name, index)?;
                return Ok(VarLoc::Diam { section: id, seg });
            }
            "cm" => {
                scalar(name, index)?;
                return Ok(VarLoc::Cm { section: id, seg });
            }
            "i_membrane_" => {
                scalar(name, index)?;
                if !self.use_fast_imem {
                    return Err(RuntimeError::UnknownVariable {
                        name: name.to_string(),
                        context: "(it exists only while fast i_membrane_ is on: \
                                  cvode.use_fast_imem(1), CableModel::set_use_fast_imem)"
                            .into(),
                    });
                }
                self.ensure_layout();
                let node = self.layout.sections[id.index()].node_exact(x);
                return Ok(VarLoc::FastImem(node));
            }
            _ => {}
        }
        if let Some(var) = ExtVar::parse(base, index) {
            let var = var.map_err(|size| RuntimeError::IndexOutOfRange {
                name: base.to_string(),
                index: index.unwrap_or(0),
                size,
            })?;
            if var.is_parameter() {
                if !self.sections[id.index()].extracellular {
                    return Err(RuntimeError::NotInserted {
                        name: base.to_string(),
                        mechanism: "extracellular".into(),
                        section: self.sections[id.index()].name.clone(),
                    });
                }
                return Ok(VarLoc::ExtParam {
                    section: id,
                    seg,
                    var,
                });
            }
            self.ensure_layout();
            let sn = &self.layout.sections[id.index()];
            let node = if var.is_node_value() {
                sn.node_exact(x)
            } else {
                sn.segment_node_at(x)
            };
            if !self.layout.ext.has[node as usize] {
                return Err(RuntimeError::NotInserted {
                    name: base.to_string(),
                    mechanism: "extracellular".into(),
                    section: self.sections[id.index()].name.clone(),
                });
            }
            return Ok(VarLoc::Ext { node, var });
        }
        let sec = &self.sections[id.index()];
        match self.reg.range_names.get(base).copied() {
            Some(RangeName::Density { mech, col, size }) => {
                let k = element(base, index, size)?;
                let dm = sec.density(mech).ok_or_else(|| RuntimeError::NotInserted {
                    name: base.to_string(),
                    mechanism: self.reg.mech(mech).name().to_string(),
                    section: sec.name.clone(),
                })?;
                Ok(VarLoc::Range {
                    mech,
                    col: (col + k) as u32,
                    instance: dm.instances[seg as usize],
                })
            }
            Some(RangeName::Ion { ion, var }) => {
                scalar(name, index)?;
                self.ensure_layout();
                let node = self.layout.sections[id.index()].segment_node_at(x);
                let ionr = self.reg.ion(ion);
                let instance = ionr.store.instance_at(node as usize).ok_or_else(|| {
                    RuntimeError::IonAbsent {
                        name: base.to_string(),
                        ion: ionr.name.clone(),
                        location: format!("{}({x})", self.sections[id.index()].name),
                    }
                })?;
                Ok(VarLoc::Ion {
                    ion,
                    var: var as u8,
                    instance: instance as u32,
                })
            }
            None => Err(RuntimeError::UnknownVariable {
                name: name.to_string(),
                context: format!("in section {}", sec.name),
            }),
        }
    }

    fn resolve_point(&self, id: PointProcessId, name: &str) -> Result<VarLoc> {
        let p = self.pp(id)?;
        let (base, index) = split_index(name)?;
        let m = self.reg.mech(p.mech);
        let (col, size) = m.field(base).ok_or_else(|| RuntimeError::UnknownVariable {
            name: name.to_string(),
            context: format!("of point process {} ({})", id.index(), m.name()),
        })?;
        let k = element(base, index, size)?;
        Ok(VarLoc::Range {
            mech: p.mech,
            col: (col + k) as u32,
            instance: p.instance,
        })
    }

    fn resolve_global(&self, name: &str) -> Result<VarLoc> {
        let (base, index) = split_index(name)?;
        let loc = match base {
            "t" => VarLoc::Time,
            "dt" => VarLoc::Dt,
            "celsius" => VarLoc::Celsius,
            "secondorder" => VarLoc::SecondOrder,
            _ => match self.reg.global_names.get(base).copied() {
                Some(GlobalName::Mech {
                    mech,
                    index: at,
                    size,
                }) => {
                    let k = element(base, index, size)?;
                    return Ok(VarLoc::Global {
                        mech,
                        index: (at + k) as u32,
                    });
                }
                Some(GlobalName::IonConc { ion, outside }) => VarLoc::IonConc { ion, outside },
                None => {
                    return Err(RuntimeError::UnknownVariable {
                        name: name.to_string(),
                        context: "among the globals".into(),
                    })
                }
            },
        };
        scalar(name, index)?;
        Ok(loc)
    }

    pub(crate) fn resolve(&mut self, target: &RecordTarget) -> Result<VarLoc> {
        match target {
            RecordTarget::Time => Ok(VarLoc::Time),
            RecordTarget::Range { section, x, name } => self.resolve_range(*section, *x, name),
            RecordTarget::Point { point, name } => self.resolve_point(*point, name),
            RecordTarget::Global { name } => self.resolve_global(name),
        }
    }

    pub(crate) fn read_loc(&self, loc: VarLoc) -> f64 {
        match loc {
            VarLoc::Time => self.t,
            VarLoc::Dt => self.dt,
            VarLoc::Celsius => self.celsius,
            VarLoc::SecondOrder => self.secondorder as f64,
            VarLoc::NodeV(n) => self.layout.v.get(n as usize),
            VarLoc::Range {
                mech,
                col,
                instance,
            } => self.reg.mechs[mech.index()].store.columns[col as usize].get(instance as usize),
            VarLoc::Ion { ion, var, instance } => {
                self.reg.ion(ion).store.cols[var as usize].get(instance as usize)
            }
            VarLoc::Global { mech, index } => {
                self.reg.mechs[mech.index()].globals.get(index as usize)
            }
            VarLoc::IonConc { ion, outside } => {
                let i = self.reg.ion(ion);
                if outside {
                    i.co0
                } else {
                    i.ci0
                }
            }
            VarLoc::Diam { section, seg } => self.sections[section.index()].diam[seg as usize],
            VarLoc::Cm { section, seg } => self.sections[section.index()].cm[seg as usize],
            VarLoc::Ext { node, var } => self.layout.ext.get(node as usize, var),
            VarLoc::ExtParam { section, seg, var } => {
                let mut p = self.sections[section.index()].ext_params[seg as usize];
                p.slot(var).map_or(f64::NAN, |v| *v)
            }
            VarLoc::FastImem(node) => self.layout.imem[node as usize],
        }
    }

    fn global_invalid(name: &str, value: f64, requirement: &'static str) -> RuntimeError {
        RuntimeError::InvalidValue {
            what: name.to_string(),
            value,
            requirement,
        }
    }

    pub(crate) fn write_loc(&mut self, loc: VarLoc, value: f64) -> Result<()> {
        match loc {
            VarLoc::Time => {
                if !value.is_finite() {
                    return Err(Self::global_invalid("t", value, "it must be finite"));
                }
                self.t = value;
            }
            VarLoc::Dt => {
                if !(value.is_finite() && value > 0.0) {
                    return Err(Self::global_invalid(
                        "dt",
                        value,
                        "it must be a positive number",
                    ));
                }
                self.dt = value;
            }
            VarLoc::Celsius => {
                if !value.is_finite() {
                    return Err(Self::global_invalid("celsius", value, "it must be finite"));
                }
                self.celsius = value;
            }
            VarLoc::SecondOrder => {
                if !(value == 0.0 || value == 1.0 || value == 2.0) {
                    return Err(Self::global_invalid(
                        "secondorder",
                        value,
                        "it must be 0, 1 or 2",
                    ));
                }
                self.secondorder = value as u8;
            }
            VarLoc::NodeV(n) => self.layout.v.set(n as usize, value),
            VarLoc::Range {
                mech,
                col,
                instance,
            } => self.reg.mechs[mech.index()].store.columns[col as usize]
                .set(instance as usize, value),
            VarLoc::Ion { ion, var, instance } => {
                self.reg.ion_mut(ion).store.cols[var as usize].set(instance as usize, value)
            }
            VarLoc::Global { mech, index } => self.reg.mechs[mech.index()]
                .globals
                .set(index as usize, value),
            VarLoc::IonConc { ion, outside } => {
                let i = self.reg.ion_mut(ion);
                if outside {
                    i.co0 = value;
                } else {
                    i.ci0 = value;
                }
            }
            VarLoc::Diam { section, seg } => {
                if !(value.is_finite() && value >= 0.0) {
                    return Err(self.invalid("diam", section, value, "it must be a number >= 0"));
                }
                self.sections[section.index()].diam[seg as usize] = value;
                self.diam_assigned(section);
            }
            VarLoc::Cm { section, seg } => {
                if !value.is_finite() {
                    return Err(self.invalid("cm", section, value, "it must be a finite number"));
                }
                self.sections[section.index()].cm[seg as usize] = value;
                self.geometry_dirty = true;
            }
            VarLoc::Ext { node, var } => {
                self.check_ext_value(var, value)?;
                self.layout.ext.set(node as usize, var, value);
            }
            VarLoc::ExtParam { section, seg, var } => {
                self.check_ext_value(var, value)?;
                let params = &mut self.sections[section.index()].ext_params[seg as usize];
                if let Some(slot) = params.slot(var) {
                    *slot = value;
                }
                // The present layout's node too, unless a rebuild will copy it from there.
                if !self.structure_dirty {
                    let node = self.layout.sections[section.index()].segment_node(seg as usize);
                    self.layout.ext.set(node as usize, var, value);
                }
            }
            VarLoc::FastImem(node) => self.layout.imem[node as usize] = value,
        }
        Ok(())
    }

    /// xraxial must be positive (and its change redoes the layers' couplings), the other
    /// extracellular variables finite.
    fn check_ext_value(&mut self, var: ExtVar, value: f64) -> Result<()> {
        if let ExtVar::Xraxial(_) = var {
            if !(value.is_finite() && value > 0.0) {
                return Err(Self::global_invalid(
                    "xraxial",
                    value,
                    "it must be a positive number",
                ));
            }
            self.geometry_dirty = true;
        } else if !value.is_finite() {
            return Err(Self::global_invalid(
                "an extracellular variable",
                value,
                "it must be finite",
            ));
        }
        Ok(())
    }

    // ---- values by name ---------------------------------------------------------------------

    /// Sets range variable `name` at `section(x)`: `v` (x = 0/1 are the end nodes), `diam`,
    /// `cm`, `<field>_<suffix>` (`gnabar_hh`, `ca_cadifus[2]`) or an ion variable (`ena`, `nai`)
    /// of the segment containing x.
    pub fn set_range(&mut self, id: SectionId, x: f64, name: &str, value: f64) -> Result<()> {
        let loc = self.resolve_range(id, x, name)?;
        self.write_loc(loc, value)
    }

    /// Sets range variable `name` in every segment of the section, like hoc's `name = value`
    /// inside a section (for `v` the end nodes keep their value).
    pub fn set_range_all(&mut self, id: SectionId, name: &str, value: f64) -> Result<()> {
        let nseg = self.sec(id)?.nseg();
        for j in 0..nseg {
            self.set_range(id, segment_center(j, nseg), name, value)?;
        }
        Ok(())
    }

    /// Reads a range variable (see [`set_range`](Self::set_range)). `&mut` because node and ion
    /// variables may need the layout rebuilt first.
    /// Whether range variable `name` exists at `section(x)`, the error [`Self::get_range`]
    /// would give otherwise. For `v` (and fast `i_membrane_`) the answer does not need the
    /// node layout, which a structural change (a new section, an inserted mechanism) makes
    /// stale: a network built cell by cell with `NetCon(&v(0.5), ...)` per cell rebuilt the
    /// whole layout for each cell (set-up time quadratic in the number of cells).
    pub fn check_range(&mut self, id: SectionId, x: f64, name: &str) -> Result<()> {
        let (base, index) = split_index(name)?;
        match base {
            "v" => {
                self.check_x(id, x)?;
                scalar(name, index)
            }
            "i_membrane_" if self.use_fast_imem => {
                self.check_x(id, x)?;
                scalar(name, index)
            }
            _ => self.resolve_range(id, x, name).map(|_| ()),
        }
    }

    pub fn get_range(&mut self, id: SectionId, x: f64, name: &str) -> Result<f64> {
        let loc = self.resolve_range(id, x, name)?;
        if let VarLoc::Diam { section, .. } = loc {
            self.settle_section(section);
        }
        Ok(self.read_loc(loc))
    }

    /// Sets field `name` (`amp`, `weights[1]`) of a point process.
    pub fn set_point(&mut self, id: PointProcessId, name: &str, value: f64) -> Result<()> {
        let loc = self.resolve_point(id, name)?;
        self.write_loc(loc, value)
    }

    pub fn get_point(&self, id: PointProcessId, name: &str) -> Result<f64> {
        let loc = self.resolve_point(id, name)?;
        Ok(self.read_loc(loc))
    }

    /// Sets a global: `t`, `dt`, `celsius`, `secondorder` (0, 1, 2), a mechanism global
    /// (`usetable_hh`, `<name>_<suffix>[k]`) or an ion's `nai0_na_ion` / `nao0_na_ion`.
    pub fn set_global(&mut self, name: &str, value: f64) -> Result<()> {
        let loc = self.resolve_global(name)?;
        self.write_loc(loc, value)
    }

    pub fn get_global(&self, name: &str) -> Result<f64> {
        Ok(self.read_loc(self.resolve_global(name)?))
    }

    /// Resolves a target to a direct reference (rebuilding the layout if needed).
    pub fn var_ref(&mut self, target: &RecordTarget) -> Result<VarRef> {
        self.ensure_layout();
        let loc = self.resolve(target)?;
        Ok(VarRef {
            generation: self.layout.generation,
            loc,
        })
    }

    /// A reference to range variable `name` at `section(x)` (as [`set_range`](Self::set_range)
    /// resolves it), or None while structure edits are pending: for front ends that keep
    /// references per use site, so that resolving one never rebuilds the layout early (a
    /// set-up loop alternating `insert` and assignments would rebuild it at every step).
    pub fn range_ref_if_built(&mut self, id: SectionId, x: f64, name: &str) -> Option<VarRef> {
        if self.structure_dirty || self.shape_dirty {
            return None;
        }
        let loc = self.resolve_range(id, x, name).ok()?;
        Some(VarRef {
            generation: self.layout.generation,
            loc,
        })
    }

    fn check_ref(&self, r: &VarRef) -> Result<()> {
        if r.loc.depends_on_layout()
            && (self.structure_dirty || r.generation != self.layout.generation)
        {
            return Err(RuntimeError::StaleReference);
        }
        Ok(())
    }

    pub fn read(&self, r: &VarRef) -> Result<f64> {
        self.check_ref(r)?;
        Ok(self.read_loc(r.loc))
    }

    pub fn write(&mut self, r: &VarRef, value: f64) -> Result<()> {
        self.check_ref(r)?;
        self.write_loc(r.loc, value)
    }
}
