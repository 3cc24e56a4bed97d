//! Registered mechanisms (compiled [`MechanismTable`]s and their descriptions), their
//! structure-of-arrays instance storage, and the name tables that map NEURON's names
//! (`gnabar_hh`, `ena`, `usetable_hh`, `nai0_na_ion`) to storage.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use crate::random::{random123_global_index, Random123Stream};

use rsnrn_abi::{MechanismData, MechanismInfo, MechanismKind, MechanismTable, SlotInfo};

use crate::buf::Buf;
use crate::error::{Result, RuntimeError};
use crate::ions::{Ion, IonId, IonStyle, NO_INSTANCE};
use crate::point::PointProcessId;
use crate::record::RecordTarget;
use crate::section::SectionId;

/// Handle of a registered mechanism in one [`crate::CableModel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MechanismId(pub(crate) u32);

impl MechanismId {
    /// Position in registration order.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Who an instance belongs to; it decides the instance's node when the layout is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// Density mechanism instance of segment `seg` (x order) of a section.
    Segment {
        section: SectionId,
        seg: u32,
    },
    Point(PointProcessId),
    /// Removed (uninsert, nseg change, deleted point process); dropped at the next layout.
    Dead,
}

/// The instances of one mechanism, structure-of-arrays, plus the pointer tables handed to the
/// kernels. Instances are appended as the model is edited and compacted and sorted by node at
/// every layout build; the pointer tables are only valid after that.
#[derive(Debug)]
pub(crate) struct InstanceStore {
    /// One column per range column (arrays take consecutive columns).
    pub columns: Vec<Buf>,
    pub owner: Vec<Owner>,
    /// Node of each instance (valid after a layout build).
    pub node_index: Vec<u32>,
    /// Per POINTER of the mechanism, per instance: what `setpointer` named (None: unset).
    pub pointers: Vec<Vec<Option<RecordTarget>>>,
    /// What an unset POINTER points at until `bind_pointers` runs: NaN, never null.
    pub unset_pointer: Box<f64>,
    /// Per RANDOM variable, per instance: its Random123 stream.
    pub randoms: Vec<Vec<Random123Stream>>,
    /// The mechanism's FUNCTION_TABLEs; `data.function_tables` points into the box.
    pub function_tables: Box<crate::function_tables::FunctionTables>,
    /// Numbers the streams of new instances (ids 1, 0, n with n counting, over the model,
    /// the instances made with RANDOM variables, from 1).
    random_ids: Arc<AtomicU32>,
    random_ptrs: Vec<*mut std::ffi::c_void>,
    col_ptrs: Vec<*mut f64>,
    slot_arrays: Vec<Vec<*mut f64>>,
    slot_ptrs: Vec<*const *mut f64>,
    /// What the kernels receive; points into the vectors above.
    pub data: MechanismData,
}

impl InstanceStore {
    fn new(
        ncols: usize,
        npointers: usize,
        nrandoms: usize,
        ntables: usize,
        random_ids: Arc<AtomicU32>,
    ) -> Self {
        let function_tables = Box::new(crate::function_tables::FunctionTables {
            tables: vec![Default::default(); ntables],
            ..Default::default()
        });
        let tables_ptr =
            (&*function_tables as *const crate::function_tables::FunctionTables).cast();
        InstanceStore {
            function_tables,
            columns: (0..ncols).map(|_| Buf::default()).collect(),
            pointers: vec![Vec::new(); npointers],
            randoms: vec![Vec::new(); nrandoms],
            unset_pointer: Box::new(f64::NAN),
            random_ids,
            random_ptrs: Vec::new(),
            owner: Vec::new(),
            node_index: Vec::new(),
            col_ptrs: Vec::new(),
            slot_arrays: Vec::new(),
            slot_ptrs: Vec::new(),
            data: MechanismData {
                count: 0,
                node_index: std::ptr::null(),
                range: std::ptr::null(),
                globals: std::ptr::null_mut(),
                slots: std::ptr::null(),
                mechanism: 0,
                randoms: std::ptr::null(),
                function_tables: tables_ptr,
                affine: 0,
            },
        }
    }

    /// Number of instances including dead ones (until the next layout build).
    pub fn len(&self) -> usize {
        self.owner.len()
    }

    /// Number of instances the kernels see.
    pub fn count(&self) -> usize {
        self.data.count as usize
    }

    pub fn append(&mut self, defaults: &[f64], owner: Owner) -> u32 {
        for (c, &d) in self.columns.iter_mut().zip(defaults) {
            c.push(d);
        }
        for p in self.pointers.iter_mut() {
            p.push(None);
        }
        self.push_streams();
        self.owner.push(owner);
        (self.owner.len() - 1) as u32
    }

    /// The RANDOM streams of a new instance, as NEURON numbers them at construction.
    fn push_streams(&mut self) {
        if self.randoms.is_empty() {
            return;
        }
        let id3 = self.random_ids.fetch_add(1, Ordering::Relaxed) + 1;
        for r in self.randoms.iter_mut() {
            r.push(Random123Stream::new(1, 0, id3, random123_global_index()));
        }
    }

    pub fn append_copy(&mut self, from: u32, owner: Owner) -> u32 {
        for c in self.columns.iter_mut() {
            let v = c.get(from as usize);
            c.push(v);
        }
        // A new segment's instance points nowhere until setpointer names its target.
        for p in self.pointers.iter_mut() {
            p.push(None);
        }
        self.push_streams();
        self.owner.push(owner);
        (self.owner.len() - 1) as u32
    }

    pub fn kill(&mut self, instance: u32) {
        self.owner[instance as usize] = Owner::Dead;
    }

    /// Drops dead instances and sorts the rest by node (stable, so point processes at one node
    /// keep their creation order). `node_of[i]` is the node of instance i (ignored when dead).
    /// Returns the new index of every old instance ([`NO_INSTANCE`] for dead ones).
    pub fn compact(&mut self, node_of: &[u32]) -> Vec<u32> {
        let mut order: Vec<u32> = (0..self.len() as u32)
            .filter(|&i| self.owner[i as usize] != Owner::Dead)
            .collect();
        order.sort_by_key(|&i| node_of[i as usize]);
        let mut new_of_old = vec![NO_INSTANCE; self.len()];
        for (new, &old) in order.iter().enumerate() {
            new_of_old[old as usize] = new as u32;
        }
        for c in self.columns.iter_mut() {
            *c = Buf::from_vec(order.iter().map(|&o| c.get(o as usize)).collect());
        }
        for p in self.pointers.iter_mut() {
            *p = order.iter().map(|&o| p[o as usize].clone()).collect();
        }
        for r in self.randoms.iter_mut() {
            *r = order.iter().map(|&o| r[o as usize].clone()).collect();
        }
        self.owner = order.iter().map(|&o| self.owner[o as usize]).collect();
        self.node_index = order.iter().map(|&o| node_of[o as usize]).collect();
        new_of_old
    }

    /// Where slot `slot` of `instance` points (after [`bind`](Self::bind)).
    pub fn slot_target(&self, slot: usize, instance: usize) -> *mut f64 {
        self.slot_arrays[slot][instance]
    }

    /// Points slot `slot` of `instance` at `target` (after [`bind`](Self::bind)); call
    /// [`refresh_affine`](Self::refresh_affine) after the last one.
    pub fn set_slot(&mut self, slot: usize, instance: usize, target: *mut f64) {
        self.slot_arrays[slot][instance] = target;
        self.data.affine = 0;
    }

    /// Sets [`MechanismData::affine`]: whether the instances' nodes are consecutive and so is
    /// every slot's array of pointers.
    pub fn refresh_affine(&mut self) {
        let nodes = self
            .node_index
            .windows(2)
            .all(|w| w[0].checked_add(1) == Some(w[1]));
        let slots = self
            .slot_arrays
            .iter()
            .all(|a| a.windows(2).all(|w| w[0].wrapping_add(1) == w[1]));
        self.data.affine = u64::from(nodes && slots);
    }

    /// Sets up the kernel view after [`compact`](Self::compact): column pointers, slot pointer
    /// arrays (one per slot, `count` entries each) and the globals.
    pub fn bind(&mut self, globals: *mut f64, slot_arrays: Vec<Vec<*mut f64>>) {
        self.col_ptrs = self.columns.iter_mut().map(|c| c.as_mut_ptr()).collect();
        self.slot_arrays = slot_arrays;
        self.slot_ptrs = self.slot_arrays.iter().map(|a| a.as_ptr()).collect();
        self.random_ptrs = self
            .randoms
            .iter_mut()
            .map(|r| r.as_mut_ptr().cast())
            .collect();
        self.data = MechanismData {
            count: self.owner.len() as u64,
            node_index: self.node_index.as_ptr(),
            range: self.col_ptrs.as_ptr(),
            globals,
            slots: self.slot_ptrs.as_ptr(),
            mechanism: self.data.mechanism,
            randoms: self.random_ptrs.as_ptr(),
            function_tables: (&*self.function_tables
                as *const crate::function_tables::FunctionTables)
                .cast(),
            affine: 0,
        };
        self.refresh_affine();
    }
}

/// A mechanism as the runtime keeps it.
pub(crate) struct RegisteredMechanism {
    pub info: MechanismInfo,
    pub table: MechanismTable,
    /// Keeps the code behind `table` alive.
    _owner: Arc<dyn Any + Send + Sync>,
    /// Default of every range column.
    pub defaults: Vec<f64>,
    /// Visible globals then hidden ones; allocated once, kept across runs.
    pub globals: Buf,
    pub store: InstanceStore,
    /// Ions the mechanism uses and the style it asks for.
    pub ion_uses: Vec<(IonId, IonStyle)>,
    /// Ions whose concentrations it writes (e must follow after its INITIAL).
    pub conc_writes: Vec<IonId>,
    /// Per slot: what it points at.
    pub slots: Vec<SlotBinding>,
    /// Names of the POINTER variables, in slot order.
    pub pointer_names: Vec<String>,
}

/// What a kernel slot of every instance points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SlotBinding {
    /// Variable `var` (ION_E ..) of the ion at the instance's node.
    Ion(IonId, usize),
    /// POINTER number k: where the instance's `setpointer` points.
    Pointer(usize),
}

impl std::fmt::Debug for RegisteredMechanism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RegisteredMechanism")
            .field("name", &self.info.name)
            .field("instances", &self.store.len())
            .finish()
    }
}

impl RegisteredMechanism {
    pub fn name(&self) -> &str {
        &self.info.name
    }

    pub fn is_density(&self) -> bool {
        self.info.kind == MechanismKind::Density
    }

    /// Range field `name` of a point process (or a density field without suffix): first
    /// column and array size. Ion currents kept per instance are user visible only when the
    /// .mod file names them in RANGE (then `visible`).
    pub fn field(&self, name: &str) -> Option<(usize, usize)> {
        let (col, f) = self.info.range_column(name)?;
        f.visible.then_some((col, f.size as usize))
    }
}

/// What a range-variable name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RangeName {
    Density {
        mech: MechanismId,
        col: usize,
        size: usize,
    },
    Ion {
        ion: IonId,
        var: usize,
    },
}

/// What a global name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GlobalName {
    Mech {
        mech: MechanismId,
        index: usize,
        size: usize,
    },
    /// `<ion>i0_<ion>_ion` (false) or `<ion>o0_<ion>_ion` (true).
    IonConc { ion: IonId, outside: bool },
}

/// Names the model itself owns; mechanisms may not reuse them.
const RESERVED: &[&str] = &["v", "diam", "cm", "t", "dt", "celsius", "secondorder"];

/// All mechanisms and ions of a model and their names.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    pub mechs: Vec<RegisteredMechanism>,
    /// Indices into `mechs` in the order their kernels run, NEURON's memb_order_: a mechanism
    /// that writes an ion concentration goes before all others (so the latest such one runs
    /// first, nrn_writes_conc), every other one after those registered before it.
    pub kernel_order: Vec<usize>,
    /// `kernel_order` without the mechanisms that have no instances, for the layout build
    /// and registration count in `active_key` ([`Registry::active_order`]).
    active_order: Vec<usize>,
    active_key: Option<(u64, usize)>,
    /// `active_order` is lent out (a nested call gets a list of its own).
    active_lent: bool,
    pub ions: Vec<Ion>,
    pub by_name: HashMap<String, MechanismId>,
    pub range_names: HashMap<String, RangeName>,
    pub global_names: HashMap<String, GlobalName>,
    /// Counts instances made with RANDOM variables (see `InstanceStore::random_ids`).
    pub random_ids: Arc<AtomicU32>,
}

impl Registry {
    /// The mechanisms with instances in kernel order, for layout build number
    /// `layout_builds` (instance counts change only when the layout is built), lent to the
    /// caller until [`put_active_order`](Self::put_active_order). Every step calls the
    /// kernels of a few phases; walking all registered mechanisms for each (the built-ins
    /// too, a few hundred bytes apart) cost about half a microsecond per step.
    pub fn take_active_order(&mut self, layout_builds: u64) -> Vec<usize> {
        let key = (layout_builds, self.kernel_order.len());
        if self.active_lent {
            let mechs = &self.mechs;
            let active = |&k: &usize| mechs[k].store.count() > 0;
            return self.kernel_order.iter().copied().filter(active).collect();
        }
        if self.active_key != Some(key) {
            let mechs = &self.mechs;
            self.active_order.clear();
            self.active_order.extend(
                self.kernel_order
                    .iter()
                    .copied()
                    .filter(|&k| mechs[k].store.count() > 0),
            );
            self.active_key = Some(key);
        }
        self.active_lent = true;
        std::mem::take(&mut self.active_order)
    }

    /// Gives back what [`take_active_order`](Self::take_active_order) lent.
    pub fn put_active_order(&mut self, order: Vec<usize>) {
        if self.active_lent {
            self.active_order = order;
            self.active_lent = false;
        }
    }

    pub fn mech(&self, id: MechanismId) -> &RegisteredMechanism {
        &self.mechs[id.index()]
    }

    pub fn ion(&self, id: IonId) -> &Ion {
        &self.ions[id.0 as usize]
    }

    pub fn ion_mut(&mut self, id: IonId) -> &mut Ion {
        &mut self.ions[id.0 as usize]
    }

    pub fn ion_by_name(&self, name: &str) -> Option<IonId> {
        self.ions
            .iter()
            .position(|i| i.name == name)
            .map(|i| IonId(i as u32))
    }

    /// Sorted names of all registered mechanisms, for error messages.
    pub fn known_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self.mechs.iter().map(|m| m.info.name.clone()).collect();
        v.sort();
        v
    }

    pub fn lookup(&self, name: &str) -> Result<MechanismId> {
        self.by_name
            .get(name)
            .copied()
            .ok_or_else(|| RuntimeError::UnknownMechanism {
                name: name.to_string(),
                known: self.known_names(),
            })
    }

    /// Registers a mechanism after checking its description; nothing changes on error.
    ///
    /// # Safety
    /// See [`crate::CableModel::register_mechanism`].
    pub unsafe fn register(
        &mut self,
        table: MechanismTable,
        owner: Arc<dyn Any + Send + Sync>,
    ) -> Result<MechanismId> {
        // SAFETY: the caller guarantees the table's JSON pointer.
        let info = unsafe { table.info() }.map_err(|message| RuntimeError::Registration {
            mechanism: "(unnamed)".into(),
            message,
        })?;
        let err = |message: String| RuntimeError::Registration {
            mechanism: info.name.clone(),
            message,
        };
        if info.name.is_empty() {
            return Err(err("its name is empty".into()));
        }
        if crate::extracellular::EXT_NAMES.contains(&info.name.as_str()) {
            return Err(err(format!(
                "{} is a name of NEURON's built-in extracellular mechanism",
                info.name
            )));
        }
        if self.by_name.contains_key(&info.name) {
            return Err(err(
                "a mechanism with this name is already registered".into()
            ));
        }
        let id = MechanismId(self.mechs.len() as u32);

        // Ions: existing ones are checked, new ones are created only after all checks.
        let mut new_ions: Vec<Ion> = Vec::new();
        let mut ion_uses: Vec<(String, IonStyle)> = Vec::new();
        let mut conc_writes: Vec<String> = Vec::new();
        for u in &info.ions {
            if u.ion.is_empty() {
                return Err(err("a USEION statement names no ion".into()));
            }
            let existing = self.ion_by_name(&u.ion).map(|i| self.ion(i).valence);
            let known = match existing {
                Some(v) => v,
                None => match new_ions.iter().find(|i| i.name == u.ion) {
                    Some(i) => i.valence,
                    None => {
                        new_ions.push(Ion::new(&u.ion));
                        new_ions.last().unwrap().valence
                    }
                },
            };
            match (known, u.valence) {
                (Some(a), Some(b)) if a != b => {
                    return Err(err(format!(
                        "it declares valence {b} for the {} ion, which has valence {a}",
                        u.ion
                    )))
                }
                (None, Some(b)) => {
                    // Only a new ion can lack a valence: existing ones always have one.
                    if let Some(i) = new_ions.iter_mut().find(|i| i.name == u.ion) {
                        i.valence = Some(b);
                    }
                }
                (None, None) => {
                    return Err(err(format!(
                        "the {} ion has no valence; declare it with USEION {} ... VALENCE z",
                        u.ion, u.ion
                    )))
                }
                _ => {}
            }
            let names = rsnrn_abi::ion_variable_names(&u.ion);
            for n in u.read.iter().chain(&u.write) {
                if !names.contains(n) {
                    return Err(err(format!("{n} is not a variable of the {} ion", u.ion)));
                }
            }
            let style = IonStyle::of_use(&u.ion, u);
            if style.conc == 3 {
                conc_writes.push(u.ion.clone());
            }
            ion_uses.push((u.ion.clone(), style));
        }
        let mut slots: Vec<(String, usize)> = Vec::new();
        let mut pointer_names = Vec::new();
        for s in &info.slots {
            let (ion, var) = match s {
                SlotInfo::Ion { ion, var } => (ion, var),
                SlotInfo::Pointer { name } => {
                    // usize::MAX marks a pointer; its number is its place among the pointers.
                    slots.push((String::new(), usize::MAX));
                    pointer_names.push(name.clone());
                    continue;
                }
            };
            let names = rsnrn_abi::ion_variable_names(ion);
            let Some(k) = names.iter().position(|n| n == var) else {
                return Err(err(format!(
                    "slot {var} is not a variable of the {ion} ion"
                )));
            };
            if !ion_uses.iter().any(|(n, _)| n == ion) {
                return Err(err(format!("it has a slot for {var} but no USEION {ion}")));
            }
            slots.push((ion.clone(), k));
        }

        // Names.
        let mut new_range: Vec<(String, RangeName)> = Vec::new();
        let mut new_globals: Vec<(String, GlobalName)> = Vec::new();
        if info.kind == MechanismKind::Density {
            let mut col = 0;
            for f in &info.range {
                if f.visible {
                    new_range.push((
                        format!("{}_{}", f.name, info.name),
                        RangeName::Density {
                            mech: id,
                            col,
                            size: f.size as usize,
                        },
                    ));
                }
                col += f.size as usize;
            }
        }
        let mut index = 0;
        for f in &info.globals {
            new_globals.push((
                format!("{}_{}", f.name, info.name),
                GlobalName::Mech {
                    mech: id,
                    index,
                    size: f.size as usize,
                },
            ));
            index += f.size as usize;
        }
        for (k, ion) in new_ions.iter().enumerate() {
            let ion_id = IonId((self.ions.len() + k) as u32);
            for (var, n) in ion.variable_names().into_iter().enumerate() {
                new_range.push((n, RangeName::Ion { ion: ion_id, var }));
            }
            let [gi, go] = ion.global_names();
            new_globals.push((
                gi,
                GlobalName::IonConc {
                    ion: ion_id,
                    outside: false,
                },
            ));
            new_globals.push((
                go,
                GlobalName::IonConc {
                    ion: ion_id,
                    outside: true,
                },
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for n in new_range
            .iter()
            .map(|x| &x.0)
            .chain(new_globals.iter().map(|x| &x.0))
        {
            if RESERVED.contains(&n.as_str())
                || crate::extracellular::EXT_NAMES.contains(&n.as_str())
                || self.range_names.contains_key(n)
                || self.global_names.contains_key(n)
                || !seen.insert(n.clone())
            {
                return Err(err(format!("the name {n} is already in use")));
            }
        }

        // All checks passed: apply.
        self.ions.extend(new_ions);
        let ion_id = |reg: &Registry, n: &str| reg.ion_by_name(n).expect("ion created above");
        let ion_uses = ion_uses
            .iter()
            .map(|(n, s)| (ion_id(self, n), *s))
            .collect();
        let conc_writes: Vec<IonId> = conc_writes.iter().map(|n| ion_id(self, n)).collect();
        let mut pointer = 0;
        let slots = slots
            .iter()
            .map(|(n, k)| {
                if *k == usize::MAX {
                    pointer += 1;
                    SlotBinding::Pointer(pointer - 1)
                } else {
                    SlotBinding::Ion(ion_id(self, n), *k)
                }
            })
            .collect();
        self.range_names.extend(new_range);
        self.global_names.extend(new_globals);

        let mut defaults = Vec::with_capacity(info.range_columns());
        for f in &info.range {
            defaults.extend(std::iter::repeat_n(f.default, f.size as usize));
        }
        let mut globals = Vec::with_capacity(info.globals_len());
        for f in &info.globals {
            globals.extend(std::iter::repeat_n(f.default, f.size as usize));
        }
        globals.resize(info.globals_len(), 0.0);
        self.by_name.insert(info.name.clone(), id);
        let mut store = InstanceStore::new(
            defaults.len(),
            pointer_names.len(),
            info.randoms.len(),
            info.function_tables.len(),
            self.random_ids.clone(),
        );
        store.data.mechanism = id.0 as u64;
        if conc_writes.is_empty() {
            self.kernel_order.push(self.mechs.len());
        } else {
            self.kernel_order.insert(0, self.mechs.len());
        }
        self.mechs.push(RegisteredMechanism {
            store,
            pointer_names,
            defaults,
            globals: Buf::from_vec(globals),
            ion_uses,
            conc_writes,
            slots,
            table,
            _owner: owner,
            info,
        });
        Ok(id)
    }
}
