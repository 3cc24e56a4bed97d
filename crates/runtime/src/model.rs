//! [`CableModel`]: the model description API (mechanisms, sections, connections, point
//! processes, simulation globals, geometry queries, recordings). Name-based access is in
//! `access.rs`, the rebuild of the flat arrays in `rebuild.rs`, the simulation in
//! `fixed_step.rs`.

use std::any::Any;
use std::collections::HashMap;
use std::sync::Arc;

use rsnrn_abi::{KernelContext, MechanismInfo, MechanismKind, MechanismTable};

use crate::error::{Result, RuntimeError};
use crate::layout::Layout;
use crate::mechanisms::{MechanismId, Owner, Registry};
use crate::point::{PointProcess, PointProcessId};
use crate::record::{Record, RecordId, RecordTarget, VarLoc};
use crate::section::{
    old_segment_for, segment_containing, Connection, DensityInstances, Section, SectionId,
};

/// Name of NEURON's built-in extracellular mechanism.
const EXTRACELLULAR: &str = "extracellular";

/// NEURON's defaults for the simulation globals.
const DEFAULT_DT: f64 = 0.025;
const DEFAULT_CELSIUS: f64 = 6.3;

/// A cable model and its simulation state: NEURON's sections, mechanisms and fixed-step
/// integrator behind one owner.
///
/// Structure edits (new sections, connections, nseg, insert, point processes) only mark the
/// model; the node layout and the mechanisms' structure-of-arrays are rebuilt lazily before the
/// next simulation call or node-level access, keeping every value already set.
pub struct CableModel {
    pub(crate) sections: Vec<Section>,
    section_names: HashMap<String, SectionId>,
    pub(crate) points: Vec<Option<PointProcess>>,
    pub(crate) reg: Registry,
    pub(crate) layout: Layout,
    pub(crate) structure_dirty: bool,
    /// How many times the node layout was built (see [`CableModel::layout_builds`]).
    pub(crate) layout_builds: u64,
    /// POINTER slots must be bound again (layout rebuilt or a pointer changed).
    pub(crate) pointers_dirty: bool,
    pub(crate) geometry_dirty: bool,
    /// Some section has a pending 3-D geometry update (see `Section::settle_shape`).
    pub(crate) shape_dirty: bool,
    /// Origin of `distance`: a section and x.
    pub(crate) distance_origin: Option<(SectionId, f64)>,
    pub(crate) records: Vec<Option<Record>>,
    pub(crate) t: f64,
    pub(crate) dt: f64,
    pub(crate) celsius: f64,
    pub(crate) secondorder: u8,
    pub(crate) ctx: KernelContext,
    /// What electrode kernels see when their currents are kept apart from the membrane's
    /// (extracellular or fast i_membrane_): rhs/d of their own and v = vi.
    pub(crate) ctx_e: KernelContext,
    /// `cvode.use_fast_imem(1)`: i_membrane_ is computed every step.
    pub(crate) use_fast_imem: bool,
    /// Step timing, when switched on.
    pub(crate) profile: Option<crate::fixed_step::StepProfile>,
    pub(crate) lap_start: Option<std::time::Instant>,
    /// NetCons, the event queue and the requests of event services.
    pub(crate) events: crate::events::Events,
    /// Vector.play.
    pub(crate) plays: crate::play::Plays,
    /// `set_threads(n)` with n > 1: the pool and the split into groups of cells.
    pub(crate) threads: Option<crate::threads::Threads>,
}

// SAFETY: the raw pointers inside (kernel context, mechanism data, tables) point into memory
// the model owns or that the registered `owner`s (Send + Sync) keep alive; nothing is shared
// with another model, so moving the whole model to another thread is sound.
unsafe impl Send for CableModel {}

/// A kernel context before the first layout (pointers are set by `sync_ctx`).
fn unbound_context() -> KernelContext {
    KernelContext {
        t: 0.0,
        dt: DEFAULT_DT,
        celsius: DEFAULT_CELSIUS,
        secondorder: 0.0,
        v: std::ptr::null_mut(),
        rhs: std::ptr::null_mut(),
        d: std::ptr::null_mut(),
        area: std::ptr::null(),
        diam: std::ptr::null(),
        node_count: 0,
        services: &crate::services::SERVICES,
        events: std::ptr::null_mut(),
    }
}

impl Default for CableModel {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for CableModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CableModel")
            .field("sections", &self.sections.len())
            .field("mechanisms", &self.reg.mechs)
            .field("t", &self.t)
            .finish()
    }
}

impl CableModel {
    /// An empty model with NEURON's defaults: dt 0.025 ms, celsius 6.3 degC, secondorder 0, t 0.
    pub fn new() -> Self {
        CableModel {
            sections: Vec::new(),
            section_names: HashMap::new(),
            points: Vec::new(),
            reg: Registry::default(),
            layout: Layout::default(),
            structure_dirty: true,
            layout_builds: 0,
            pointers_dirty: true,
            geometry_dirty: false,
            shape_dirty: false,
            distance_origin: None,
            records: Vec::new(),
            t: 0.0,
            dt: DEFAULT_DT,
            celsius: DEFAULT_CELSIUS,
            secondorder: 0,
            ctx: unbound_context(),
            ctx_e: unbound_context(),
            use_fast_imem: false,
            profile: None,
            lap_start: None,
            events: crate::events::Events::default(),
            plays: crate::play::Plays::default(),
            threads: None,
        }
    }

    // ---- mechanisms -------------------------------------------------------------------------

    /// Registers a compiled mechanism. Its name must be new, as must every name it defines
    /// (`<field>_<suffix>`, globals, ion variables of ions it introduces). Ions it uses are
    /// created with NEURON's defaults.
    ///
    /// # Safety
    /// `table.info_json` must point to `info_len` bytes of valid JSON, and every kernel in the
    /// table must be sound to call with this runtime's [`KernelContext`] and
    /// [`rsnrn_abi::MechanismData`] as long as `owner` is alive (the model keeps `owner` for its
    /// whole life); kernels may only access the instances, nodes and slots they are given.
    pub unsafe fn register_mechanism(
        &mut self,
        table: MechanismTable,
        owner: Arc<dyn Any + Send + Sync>,
    ) -> Result<MechanismId> {
        // SAFETY: forwarded from the caller.
        let id = unsafe { self.reg.register(table, owner) }?;
        self.structure_dirty = true;
        Ok(id)
    }

    /// The id of the mechanism called `name` (suffix or point-process name).
    pub fn mechanism_id(&self, name: &str) -> Result<MechanismId> {
        self.reg.lookup(name)
    }

    /// The description a registered mechanism came with.
    pub fn mechanism_info(&self, id: MechanismId) -> Option<&MechanismInfo> {
        self.reg.mechs.get(id.index()).map(|m| &m.info)
    }

    /// Whether the kernels of mechanism `id` see affine instance data
    /// ([`rsnrn_abi::MechanismData::affine`]: consecutive nodes and ion values, which the
    /// vector kernels read and write as one vector per pair), as of the present layout
    /// (built first when the model changed). For tests and diagnostics.
    pub fn kernel_data_is_affine(&mut self, id: MechanismId) -> Result<bool> {
        self.prepare()?;
        let Some(m) = self.reg.mechs.get(id.index()) else {
            return Err(crate::RuntimeError::UnknownMechanism {
                name: format!("#{}", id.index()),
                known: self.reg.known_names(),
            });
        };
        Ok(m.store.data.affine != 0)
    }

    /// Names of all registered mechanisms, sorted.
    pub fn mechanism_names(&self) -> Vec<String> {
        self.reg.known_names()
    }

    // ---- sections ---------------------------------------------------------------------------

    /// Creates an unconnected section with NEURON's defaults (L 100 um, diam 500 um, nseg 1,
    /// Ra 35.4 ohm cm, cm 1 uF/cm2).
    pub fn create_section(&mut self, name: &str) -> Result<SectionId> {
        if self.section_names.contains_key(name) {
            return Err(RuntimeError::DuplicateSection {
                name: name.to_string(),
            });
        }
        let id = SectionId(self.sections.len() as u32);
        self.sections.push(Section::new(name));
        self.section_names.insert(name.to_string(), id);
        self.structure_dirty = true;
        Ok(id)
    }

    /// The section called `name`.
    pub fn section_id(&self, name: &str) -> Option<SectionId> {
        self.section_names.get(name).copied()
    }

    /// All sections in creation order.
    pub fn sections(&self) -> impl Iterator<Item = SectionId> + '_ {
        (0..self.sections.len() as u32).map(SectionId)
    }

    pub(crate) fn sec(&self, id: SectionId) -> Result<&Section> {
        self.sections
            .get(id.index())
            .ok_or(RuntimeError::UnknownSection { id: id.index() })
    }

    pub(crate) fn sec_mut(&mut self, id: SectionId) -> Result<&mut Section> {
        self.sections
            .get_mut(id.index())
            .ok_or(RuntimeError::UnknownSection { id: id.index() })
    }

    pub fn section_name(&self, id: SectionId) -> Result<&str> {
        Ok(&self.sec(id)?.name)
    }

    pub(crate) fn check_x(&self, id: SectionId, x: f64) -> Result<()> {
        let sec = self.sec(id)?;
        if (0.0..=1.0).contains(&x) {
            Ok(())
        } else {
            Err(RuntimeError::BadLocation {
                section: sec.name.clone(),
                x,
            })
        }
    }

    pub(crate) fn invalid(
        &self,
        what: &str,
        id: SectionId,
        value: f64,
        requirement: &'static str,
    ) -> RuntimeError {
        let name = self
            .sections
            .get(id.index())
            .map_or("?", |s| s.name.as_str());
        RuntimeError::InvalidValue {
            what: format!("{what} of section {name}"),
            value,
            requirement,
        }
    }

    /// L (um), > 0. For a section with 3-D points this scales the points' coordinates about the
    /// first point so that their arc length becomes L (NEURON's behaviour).
    pub fn set_length(&mut self, id: SectionId, length: f64) -> Result<()> {
        self.sec(id)?;
        if !(length.is_finite() && length > 0.0) {
            return Err(self.invalid("L", id, length, "it must be a positive number"));
        }
        if self.sections[id.index()].has_shape() {
            self.settle_section(id);
            self.sections[id.index()].scale_shape(length);
            self.mark_shape(id);
        } else {
            self.sec_mut(id)?.length = length;
        }
        self.geometry_dirty = true;
        Ok(())
    }

    pub fn length(&self, id: SectionId) -> Result<f64> {
        Ok(self.sec(id)?.length)
    }

    /// Sets diam (um) of every segment, like hoc's `diam = d` inside a section. 0 is allowed
    /// (NEURON then computes with 1e-6 um).
    pub fn set_diam(&mut self, id: SectionId, diam: f64) -> Result<()> {
        self.sec(id)?;
        if !(diam.is_finite() && diam >= 0.0) {
            return Err(self.invalid("diam", id, diam, "it must be a number >= 0"));
        }
        self.sec_mut(id)?.diam.fill(diam);
        self.diam_assigned(id);
        Ok(())
    }

    /// diam of the segment containing x = 0.5 (hoc's `diam` without an argument). For a section
    /// with 3-D points this is the value the pending geometry update gives.
    pub fn diam(&self, id: SectionId) -> Result<f64> {
        let s = self.sec(id)?;
        let j = segment_containing(0.5, s.nseg());
        if s.shape_pending || s.diam_pending {
            let mut settled = s.clone();
            settled.settle_shape();
            return Ok(settled.diam[j]);
        }
        Ok(s.diam[j])
    }

    /// Ra (ohm cm), > 0.
    pub fn set_ra(&mut self, id: SectionId, ra: f64) -> Result<()> {
        self.sec(id)?;
        if !(ra.is_finite() && ra > 0.0) {
            return Err(self.invalid("Ra", id, ra, "it must be a positive number"));
        }
        self.sec_mut(id)?.ra = ra;
        self.geometry_dirty = true;
        Ok(())
    }

    pub fn ra(&self, id: SectionId) -> Result<f64> {
        Ok(self.sec(id)?.ra)
    }

    /// Sets cm (uF/cm2) of every segment.
    pub fn set_cm(&mut self, id: SectionId, cm: f64) -> Result<()> {
        self.sec(id)?;
        if !cm.is_finite() {
            return Err(self.invalid("cm", id, cm, "it must be a finite number"));
        }
        self.sec_mut(id)?.cm.fill(cm);
        self.geometry_dirty = true;
        Ok(())
    }

    /// cm of the segment containing x = 0.5.
    pub fn cm(&self, id: SectionId) -> Result<f64> {
        let s = self.sec(id)?;
        Ok(s.cm[segment_containing(0.5, s.nseg())])
    }

    /// Number of segments, >= 1. Values of the new segments (diam, cm, mechanism variables,
    /// later v and ion variables) are those of the old segment containing the new centre;
    /// point processes stay at their x.
    pub fn set_nseg(&mut self, id: SectionId, nseg: i64) -> Result<()> {
        self.sec(id)?;
        if nseg < 1 {
            return Err(self.invalid("nseg", id, nseg as f64, "it must be at least 1"));
        }
        if nseg > i32::MAX as i64 {
            return Err(self.invalid("nseg", id, nseg as f64, "it must fit in 32 bits"));
        }
        let new = nseg as usize;
        if new == self.sections[id.index()].nseg() {
            return Ok(());
        }
        self.settle_section(id);
        let sec = &mut self.sections[id.index()];
        let old = sec.nseg();
        if sec.has_shape() {
            sec.shape_pending = true;
            self.shape_dirty = true;
        }
        let map: Vec<usize> = (0..new).map(|j| old_segment_for(j, new, old)).collect();
        sec.diam = map.iter().map(|&o| sec.diam[o]).collect();
        sec.cm = map.iter().map(|&o| sec.cm[o]).collect();
        if sec.extracellular {
            sec.ext_params = map.iter().map(|&o| sec.ext_params[o]).collect();
        }
        for dm in sec.mechs.iter_mut() {
            let store = &mut self.reg.mechs[dm.mech.index()].store;
            let fresh: Vec<u32> = map
                .iter()
                .enumerate()
                .map(|(j, &o)| {
                    store.append_copy(
                        dm.instances[o],
                        Owner::Segment {
                            section: id,
                            seg: j as u32,
                        },
                    )
                })
                .collect();
            for &i in &dm.instances {
                store.kill(i);
            }
            dm.instances = fresh;
        }
        self.structure_dirty = true;
        Ok(())
    }

    pub fn nseg(&self, id: SectionId) -> Result<usize> {
        Ok(self.sec(id)?.nseg())
    }

    /// `connect child(child_end), parent(parent_x)`: the child's `child_end` (0 or 1) end is
    /// attached to the parent at `parent_x`. A section has at most one parent (use
    /// [`disconnect`](Self::disconnect) first) and connections may not form a loop.
    pub fn connect(
        &mut self,
        child: SectionId,
        child_end: f64,
        parent: SectionId,
        parent_x: f64,
    ) -> Result<()> {
        let cname = self.sec(child)?.name.clone();
        let pname = self.sec(parent)?.name.clone();
        if child_end != 0.0 && child_end != 1.0 {
            return Err(RuntimeError::Topology {
                message: format!(
                    "section {cname} can only be connected by its end 0 or 1, not {child_end}"
                ),
            });
        }
        self.check_x(parent, parent_x)?;
        if let Some(c) = self.sections[child.index()].parent {
            let old = &self.sections[c.parent.index()].name;
            return Err(RuntimeError::Topology {
                message: format!(
                    "section {cname} is already connected to {old}; disconnect it before connecting it to {pname}"
                ),
            });
        }
        // Walk up from the parent: meeting the child means a loop.
        let mut s = Some(parent);
        while let Some(cur) = s {
            if cur == child {
                return Err(RuntimeError::Topology {
                    message: format!(
                        "connecting {cname} to {pname} would make a loop, since {pname} is {cname} itself or lies in its subtree"
                    ),
                });
            }
            s = self.sections[cur.index()].parent.map(|c| c.parent);
        }
        self.sections[child.index()].parent = Some(Connection {
            parent,
            parent_x,
            child_end,
        });
        self.sections[parent.index()].children.push(child);
        self.structure_dirty = true;
        Ok(())
    }

    /// Makes `child` a root section again (no-op if it has no parent).
    pub fn disconnect(&mut self, child: SectionId) -> Result<()> {
        if let Some(c) = self.sec(child)?.parent {
            self.sections[c.parent.index()]
                .children
                .retain(|&s| s != child);
            self.sections[child.index()].parent = None;
            self.structure_dirty = true;
        }
        Ok(())
    }

    /// The parent section and x the section is connected to, if any.
    pub fn parent(&self, id: SectionId) -> Result<Option<(SectionId, f64)>> {
        Ok(self.sec(id)?.parent.map(|c| (c.parent, c.parent_x)))
    }

    /// Inserts density mechanism `name` into every segment of the section (no-op if present).
    /// `extracellular` is NEURON's built-in two-layer extracellular mechanism.
    pub fn insert(&mut self, id: SectionId, name: &str) -> Result<()> {
        self.sec(id)?;
        if name == EXTRACELLULAR {
            return self.set_extracellular(id, true);
        }
        let mech = self.reg.lookup(name)?;
        let m = &mut self.reg.mechs[mech.index()];
        if !m.is_density() {
            return Err(RuntimeError::WrongMechanismKind {
                name: name.to_string(),
                expected:
                    "a density mechanism (SUFFIX); create point processes with add_point_process",
            });
        }
        let sec = &mut self.sections[id.index()];
        if sec.density(mech).is_some() {
            return Ok(());
        }
        let instances = (0..sec.nseg())
            .map(|j| {
                m.store.append(
                    &m.defaults,
                    Owner::Segment {
                        section: id,
                        seg: j as u32,
                    },
                )
            })
            .collect();
        sec.mechs.push(DensityInstances { mech, instances });
        self.structure_dirty = true;
        let uses: Vec<_> = self.reg.mech(mech).ion_uses.iter().map(|u| u.0).collect();
        self.forget_ion_styles(id, &uses);
        if self.reg.mech(mech).table.constructor.is_some() {
            self.ensure_layout();
            let sec = &self.sections[id.index()];
            let instances = sec.density(mech).expect("just inserted").instances.clone();
            self.run_lifecycle(mech, &instances, false)?;
        }
        Ok(())
    }

    /// Removes density mechanism `name` from the section (no-op if absent).
    pub fn uninsert(&mut self, id: SectionId, name: &str) -> Result<()> {
        self.sec(id)?;
        if name == EXTRACELLULAR {
            return self.set_extracellular(id, false);
        }
        let mech = self.reg.lookup(name)?;
        let sec = &mut self.sections[id.index()];
        if let Some(pos) = sec.mechs.iter().position(|d| d.mech == mech) {
            let dm = sec.mechs.remove(pos);
            for i in dm.instances {
                self.reg.mechs[mech.index()].store.kill(i);
            }
            for &(ion, style) in &self.reg.mechs[mech.index()].ion_uses {
                match sec.kept_ions.iter_mut().find(|k| k.0 == ion) {
                    Some(kept) => kept.1 = kept.1.merge(style),
                    None => sec.kept_ions.push((ion, style)),
                }
            }
            self.structure_dirty = true;
        }
        Ok(())
    }

    /// Removes the ions that uninserted mechanisms left in the section (see
    /// `Section::kept_ions`); for a section that is being deleted.
    pub fn remove_kept_ions(&mut self, id: SectionId) -> Result<()> {
        let sec = self.sec_mut(id)?;
        if !sec.kept_ions.is_empty() {
            sec.kept_ions.clear();
            self.structure_dirty = true;
        }
        Ok(())
    }

    /// Whether ion `ion` (`"na"`) is in the section (hoc `ismembrane("na_ion")`): a density
    /// mechanism there uses it, or one that did was uninserted (NEURON keeps the ion).
    pub fn has_ion(&self, id: SectionId, ion: &str) -> Result<bool> {
        let sec = self.sec(id)?;
        let Some(ion) = self.reg.ion_by_name(ion) else {
            return Ok(false);
        };
        Ok(sec.kept_ions.iter().any(|k| k.0 == ion)
            || sec
                .mechs
                .iter()
                .any(|d| self.reg.mech(d.mech).ion_uses.iter().any(|u| u.0 == ion)))
    }

    /// Whether density mechanism `name` is inserted in the section (hoc `ismembrane`).
    pub fn has_mechanism(&self, id: SectionId, name: &str) -> Result<bool> {
        if name == EXTRACELLULAR {
            return Ok(self.sec(id)?.extracellular);
        }
        let mech = self.reg.lookup(name)?;
        Ok(self.sec(id)?.density(mech).is_some())
    }

    /// Inserts (true) or removes NEURON's `extracellular` mechanism in a section: two layers
    /// under the membrane with range variables `vext[k]`, `xraxial[k]`, `xg[k]`, `xc[k]`,
    /// `e_extracellular` and `i_membrane`.
    pub fn set_extracellular(&mut self, id: SectionId, inserted: bool) -> Result<()> {
        let sec = self.sec_mut(id)?;
        if sec.extracellular != inserted {
            sec.extracellular = inserted;
            sec.ext_params = if inserted {
                vec![Default::default(); sec.nseg()]
            } else {
                Vec::new()
            };
            self.structure_dirty = true;
        }
        Ok(())
    }

    /// `cvode.use_fast_imem(on)`: when on, every node's total membrane current `i_membrane_`
    /// (nA, capacitive included, electrodes excluded) is computed at finitialize and every step.
    pub fn set_use_fast_imem(&mut self, on: bool) {
        self.use_fast_imem = on;
    }

    pub fn use_fast_imem(&self) -> bool {
        self.use_fast_imem
    }

    // ---- point processes --------------------------------------------------------------------

    /// Creates point process `name` at `section(x)`: x = 0 and 1 put it on the end nodes,
    /// otherwise it sits in the segment containing x.
    pub fn add_point_process(
        &mut self,
        id: SectionId,
        x: f64,
        name: &str,
    ) -> Result<PointProcessId> {
        self.check_x(id, x)?;
        let mech = self.reg.lookup(name)?;
        let m = &mut self.reg.mechs[mech.index()];
        if m.info.kind == MechanismKind::Density {
            return Err(RuntimeError::WrongMechanismKind {
                name: name.to_string(),
                expected: "a point process; insert density mechanisms with insert",
            });
        }
        if m.info.kind == MechanismKind::ArtificialCell {
            return Err(RuntimeError::WrongMechanismKind {
                name: name.to_string(),
                expected: "a point process at a location; create artificial cells with add_artificial_cell",
            });
        }
        let pid = PointProcessId(self.points.len() as u32);
        let instance = m.store.append(&m.defaults, Owner::Point(pid));
        self.points.push(Some(PointProcess {
            mech,
            section: Some(id),
            x,
            instance,
        }));
        self.structure_dirty = true;
        self.construct_point(pid)?;
        Ok(pid)
    }

    /// Runs the point process's CONSTRUCTOR, if its mechanism has one (NEURON runs it when
    /// the object is created, before any INITIAL).
    pub(crate) fn construct_point(&mut self, pid: PointProcessId) -> Result<()> {
        let mech = self.pp(pid)?.mech;
        if self.reg.mech(mech).table.constructor.is_none() {
            return Ok(());
        }
        self.ensure_layout();
        let instance = self.pp(pid)?.instance;
        self.run_lifecycle(mech, &[instance], false)
    }

    pub(crate) fn pp(&self, id: PointProcessId) -> Result<&PointProcess> {
        self.points
            .get(id.index())
            .and_then(|p| p.as_ref())
            .ok_or(RuntimeError::UnknownPointProcess { id: id.index() })
    }

    /// Deletes a point process.
    pub fn remove_point_process(&mut self, id: PointProcessId) -> Result<()> {
        let mech = self.pp(id)?.mech;
        if self.reg.mech(mech).table.destructor.is_some() {
            self.ensure_layout();
            let instance = self.pp(id)?.instance;
            self.run_lifecycle(mech, &[instance], true)?;
        }
        let p = *self.pp(id)?;
        self.reg.mechs[p.mech.index()].store.kill(p.instance);
        self.points[id.index()] = None;
        self.structure_dirty = true;
        // Recordings of its variables stop (a front end's Vector keeps what it copied);
        // NetCons that target it deliver nothing from now on.
        for slot in self.records.iter_mut() {
            let records_it = slot.as_ref().is_some_and(
                |r| matches!(&r.target, RecordTarget::Point { point, .. } if *point == id),
            );
            if records_it {
                *slot = None;
            }
        }
        Ok(())
    }

    /// Moves a point process to `section(x)` (hoc `loc`).
    pub fn move_point_process(
        &mut self,
        id: PointProcessId,
        section: SectionId,
        x: f64,
    ) -> Result<()> {
        self.pp(id)?;
        self.check_x(section, x)?;
        let p = self.points[id.index()].as_mut().expect("checked above");
        if p.section.is_none() {
            return Err(RuntimeError::WrongMechanismKind {
                name: format!("point process {}", id.index()),
                expected: "a point process at a location (it is an artificial cell)",
            });
        }
        p.section = Some(section);
        p.x = x;
        self.structure_dirty = true;
        Ok(())
    }

    /// Section and x a point process was placed at; an error for an artificial cell, which
    /// has no location.
    pub fn point_location(&self, id: PointProcessId) -> Result<(SectionId, f64)> {
        let p = self.pp(id)?;
        match p.section {
            Some(s) => Ok((s, p.x)),
            None => Err(RuntimeError::WrongMechanismKind {
                name: self.reg.mech(p.mech).name().to_string(),
                expected: "a point process with a location (it is an artificial cell)",
            }),
        }
    }

    /// Name of the point process's mechanism (`IClamp`).
    pub fn point_mechanism(&self, id: PointProcessId) -> Result<&str> {
        Ok(self.reg.mech(self.pp(id)?.mech).name())
    }

    // ---- simulation globals -----------------------------------------------------------------

    /// Simulation time (ms).
    pub fn t(&self) -> f64 {
        self.t
    }

    pub fn dt(&self) -> f64 {
        self.dt
    }

    pub fn set_dt(&mut self, dt: f64) -> Result<()> {
        self.write_loc(VarLoc::Dt, dt)
    }

    pub fn celsius(&self) -> f64 {
        self.celsius
    }

    pub fn set_celsius(&mut self, celsius: f64) -> Result<()> {
        self.write_loc(VarLoc::Celsius, celsius)
    }

    pub fn secondorder(&self) -> u8 {
        self.secondorder
    }

    pub fn set_secondorder(&mut self, secondorder: u8) -> Result<()> {
        self.write_loc(VarLoc::SecondOrder, secondorder as f64)
    }

    // ---- geometry queries -------------------------------------------------------------------

    /// Membrane area (um2) of the segment containing x; 0 at x = 0 and x = 1 (hoc `area(x)`).
    pub fn area(&mut self, id: SectionId, x: f64) -> Result<f64> {
        self.check_x(id, x)?;
        if x <= 0.0 || x >= 1.0 {
            return Ok(0.0);
        }
        self.ensure_layout();
        let node = self.layout.sections[id.index()].segment_node_at(x);
        Ok(self.layout.area.get(node as usize))
    }

    /// Axial resistance (MOhm) between the node at x (NEURON's node_exact) and its parent node;
    /// 1e30 for a root node (hoc `ri(x)`).
    pub fn ri(&mut self, id: SectionId, x: f64) -> Result<f64> {
        self.check_x(id, x)?;
        self.ensure_layout();
        let node = self.layout.sections[id.index()].node_exact(x) as usize;
        let rinv = self.layout.rinv[node];
        Ok(if rinv != 0.0 { 1.0 / rinv } else { 1e30 })
    }

    /// Number of nodes (unknowns of the cable matrix) after the layout is built.
    pub fn node_count(&mut self) -> usize {
        self.ensure_layout();
        self.layout.node_count()
    }

    // ---- recording --------------------------------------------------------------------------

    /// Records `target` after every finitialize (which first clears the samples) and fadvance.
    pub fn record(&mut self, target: RecordTarget) -> Result<RecordId> {
        let loc = self.resolve(&target)?;
        self.records.push(Some(Record {
            target,
            loc: Some(loc),
            samples: Vec::new(),
        }));
        Ok(RecordId(self.records.len() as u32 - 1))
    }

    fn rec(&self, id: RecordId) -> Result<&Record> {
        self.records
            .get(id.index())
            .and_then(|r| r.as_ref())
            .ok_or(RuntimeError::UnknownRecord { id: id.index() })
    }

    /// The samples of a recording so far.
    pub fn recording(&self, id: RecordId) -> Result<&[f64]> {
        Ok(&self.rec(id)?.samples)
    }

    /// What a recording records.
    pub fn record_target(&self, id: RecordId) -> Result<&RecordTarget> {
        Ok(&self.rec(id)?.target)
    }

    /// Stops and forgets a recording.
    pub fn remove_record(&mut self, id: RecordId) -> Result<()> {
        self.rec(id)?;
        self.records[id.index()] = None;
        Ok(())
    }
}
