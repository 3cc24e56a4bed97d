//! Turning the edited model into flat arrays: node layout, compacted and node-sorted mechanism
//! storage, ion instances, kernel pointer tables, re-resolved records.

use rsnrn_abi::KernelContext;

use crate::error::Result;
use crate::ions::{IonStyle, ION_CI, ION_CO, ION_DIDV, ION_E, ION_I, NO_INSTANCE};
use crate::layout::Layout;
use crate::mechanisms::{MechanismId, Owner, Registry, SlotBinding};
use crate::model::CableModel;

impl CableModel {
    // ---- layout -----------------------------------------------------------------------------

    /// Rebuilds what structure or geometry edits invalidated. Afterwards the kernel view of
    /// every mechanism is consistent with the node arrays. Records are re-resolved; one that no
    /// longer resolves is reported by the next simulation call, not here, so unrelated accesses
    /// keep working.
    /// How many times the node layout has been built (after structural changes, when
    /// something needed it): building a model should not take one per section.
    pub fn layout_builds(&self) -> u64 {
        self.layout_builds
    }

    pub(crate) fn ensure_layout(&mut self) {
        if self.shape_dirty {
            self.settle_all();
        }
        if self.structure_dirty {
            self.rebuild();
            self.structure_dirty = false;
            self.pointers_dirty = true;
            self.geometry_dirty = false;
            // Failures leave the record unresolved; `prepare` reports them.
            let _ = self.resolve_records();
        } else if self.geometry_dirty {
            self.layout.update_geometry(&self.sections);
            self.geometry_dirty = false;
        }
    }

    fn rebuild(&mut self) {
        self.layout_builds += 1;
        let (layout, old_of_new) = Layout::build(&self.sections, &self.layout);
        let n = layout.node_count();

        // Mechanism instances: compact, sort by node, tell the owners their new index.
        let Registry { mechs, ions, .. } = &mut self.reg;
        for (mi, m) in mechs.iter_mut().enumerate() {
            let node_of: Vec<u32> = m
                .store
                .owner
                .iter()
                .map(|o| match *o {
                    Owner::Segment { section, seg } => {
                        layout.sections[section.index()].segment_node(seg as usize)
                    }
                    Owner::Point(p) => {
                        let p = self.points[p.index()].as_ref().expect("live point process");
                        // Artificial cells have no node; their kernels never read it.
                        p.section
                            .map_or(0, |s| layout.sections[s.index()].node_exact(p.x))
                    }
                    Owner::Dead => 0,
                })
                .collect();
            let new_of_old = m.store.compact(&node_of);
            let mech = MechanismId(mi as u32);
            for sec in self.sections.iter_mut() {
                if let Some(dm) = sec.density_mut(mech) {
                    for i in dm.instances.iter_mut() {
                        *i = new_of_old[*i as usize];
                    }
                }
            }
            for p in self.points.iter_mut().flatten() {
                if p.mech == mech {
                    p.instance = new_of_old[p.instance as usize];
                }
            }
        }

        // Ions: present where a mechanism using them has an instance; style = max over them.
        for (ii, ion) in ions.iter_mut().enumerate() {
            let mut style: Vec<Option<IonStyle>> = vec![None; n];
            for m in mechs.iter() {
                for &(_, s) in m.ion_uses.iter().filter(|(i, _)| i.0 as usize == ii) {
                    for &node in &m.store.node_index {
                        let st = &mut style[node as usize];
                        *st = Some(st.map_or(s, |o| o.merge(s)));
                    }
                }
            }
            for (si, sec) in self.sections.iter().enumerate() {
                for &(_, s) in sec.kept_ions.iter().filter(|(i, _)| i.0 as usize == ii) {
                    let nodes = &layout.sections[si];
                    for j in 0..nodes.nseg as usize {
                        let st = &mut style[nodes.segment_node(j) as usize];
                        *st = Some(st.map_or(s, |o| o.merge(s)));
                    }
                }
            }
            let old = std::mem::take(&mut ion.store);
            let s = &mut ion.store;
            s.at_node = vec![NO_INSTANCE; n];
            for (node, st) in style.iter().enumerate() {
                let Some(st) = st else { continue };
                let k = s.node_index.len();
                s.at_node[node] = k as u32;
                s.node_index.push(node as u32);
                s.flags.push(st.flags());
                s.any_eadvance |= st.flags() & crate::ions::FLAG_EADVANCE != 0;
                let prev = match old_of_new[node] {
                    NO_INSTANCE => None,
                    o => old.instance_at(o as usize),
                };
                for (var, col) in s.cols.iter_mut().enumerate() {
                    col.push(match prev {
                        Some(p) => old.cols[var].get(p),
                        None => match var {
                            ION_E => ion.e0,
                            ION_CI => ion.ci_new,
                            ION_CO => ion.co_new,
                            ION_I | ION_DIDV => 0.0,
                            _ => unreachable!("an ion has five variables"),
                        },
                    });
                }
            }
        }

        // Kernel views: slot pointers into the ions' columns at each instance's node.
        for m in mechs.iter_mut() {
            let unset: *mut f64 = &mut *m.store.unset_pointer;
            let slot_arrays = m
                .slots
                .iter()
                .map(|&binding| match binding {
                    SlotBinding::Ion(ion, var) => {
                        let s = &mut ions[ion.0 as usize].store;
                        let base = s.cols[var].as_mut_ptr();
                        m.store
                            .node_index
                            .iter()
                            .map(|&node| {
                                let k = s.at_node[node as usize];
                                debug_assert!(k != NO_INSTANCE, "ion exists wherever a user is");
                                // SAFETY: k indexes the column (the ion exists at every node
                                // of a mechanism that uses it).
                                unsafe { base.add(k as usize) }
                            })
                            .collect()
                    }
                    // Bound by `bind_pointers` once every storage has its final place; until
                    // then (a CONSTRUCTOR, a hoc call) they read the store's NaN.
                    SlotBinding::Pointer(_) => vec![unset; m.store.node_index.len()],
                })
                .collect();
            let globals = m.globals.as_mut_ptr();
            m.store.bind(globals, slot_arrays);
        }
        self.layout = layout;
        self.apply_ion_styles();
    }

    fn resolve_records(&mut self) -> Result<()> {
        let mut first_err = None;
        for k in 0..self.records.len() {
            let Some(target) = self.records[k].as_ref().map(|r| r.target.clone()) else {
                continue;
            };
            let loc = match self.resolve(&target) {
                Ok(l) => Some(l),
                Err(e) => {
                    first_err.get_or_insert(e);
                    None
                }
            };
            self.records[k].as_mut().expect("checked").loc = loc;
        }
        first_err.map_or(Ok(()), Err)
    }

    /// Everything a simulation call needs: layout built, every record resolvable.
    pub(crate) fn prepare(&mut self) -> Result<()> {
        self.ensure_layout();
        if self.records.iter().flatten().any(|r| r.loc.is_none()) {
            self.resolve_records()?;
        }
        self.bind_pointers()
    }

    pub(crate) fn sync_ctx(&mut self, t: f64) {
        let l = &mut self.layout;
        self.ctx = KernelContext {
            t,
            dt: self.dt,
            celsius: self.celsius,
            secondorder: self.secondorder as f64,
            v: l.v.as_mut_ptr(),
            rhs: l.rhs.as_mut_ptr(),
            d: l.d.as_mut_ptr(),
            area: l.area.as_ptr(),
            diam: l.diam.as_ptr(),
            node_count: l.node_count() as u64,
            services: &crate::services::SERVICES,
            events: self.events.requests_ptr(),
        };
        self.ctx_e = KernelContext {
            v: if l.ext.active {
                l.vi.as_mut_ptr()
            } else {
                l.v.as_mut_ptr()
            },
            rhs: l.rhs_e.as_mut_ptr(),
            d: l.d_e.as_mut_ptr(),
            ..self.ctx
        };
    }
}
