//! LONGITUDINAL_DIFFUSION: after the state kernels of a fixed step, every diffusing STATE
//! ([`rsnrn_abi::DiffusionInfo`]) takes one backward-Euler step of diffusion along the section
//! tree, as NEURON's `long_difus_solve` (the "stagger" step):
//!
//! * instances in node order; each one's parent is the instance at its parent node, or,
//!   when that node has none (a zero-area end or root node), at that node's parent, or else
//!   the first segment of the parent section;
//! * between instance i and its parent p, with `D = (dc_i + dc_p)/2` (dc: the LONGITUDINAL_
//!   DIFFUSION rate, diffusion constant × cross section) and `dx` each section's L/nseg:
//!   `a_i = −2·D/(dx_p·(dx_i + dx_p))/vol_p`, `b_i = −2·D/(dx_i·(dx_i + dx_p))/vol_i`;
//! * `d_i = 1/dt − b_i`, `d_p −= a_i`, `rhs_i = s_i/dt`, then the tree is solved as the Hines
//!   matrix is and the solution is the new state.

use crate::mechanisms::RegisteredMechanism;
use crate::model::CableModel;

/// The diffusion tree of one mechanism's instances: per instance, its parent instance and
/// the two geometric factors of the coupling.
struct Tree {
    parent: Vec<Option<usize>>,
    /// 2/(dx_p·(dx_i + dx_p)) and 2/(dx_i·(dx_i + dx_p)).
    factors: Vec<(f64, f64)>,
}

impl CableModel {
    /// The diffusion step of every mechanism with LONGITUDINAL_DIFFUSION.
    pub(crate) fn longitudinal_diffusion(&mut self) {
        for k in 0..self.reg.mechs.len() {
            let m = &self.reg.mechs[k];
            if m.info.longitudinal_diffusion.is_empty() || m.store.count() == 0 {
                continue;
            }
            let tree = self.diffusion_tree(m);
            let dt = self.dt;
            diffuse(&mut self.reg.mechs[k], &tree, dt);
        }
    }

    fn section_dx(&self, node: usize) -> Option<(usize, f64)> {
        match self.layout.kinds[node] {
            crate::layout::NodeKind::Segment(sec, _) => {
                let s = &self.sections[sec.index()];
                Some((
                    sec.index(),
                    s.length / self.layout.sections[sec.index()].nseg as f64,
                ))
            }
            _ => None,
        }
    }

    fn diffusion_tree(&self, m: &RegisteredMechanism) -> Tree {
        let nodes = self.layout.kinds.len();
        let ncell = self.layout.matrix.ncell;
        let mut instance_at = vec![usize::MAX; nodes];
        for (i, &node) in m.store.node_index.iter().enumerate() {
            instance_at[node as usize] = i;
        }
        let parent_node = |node: usize| -> Option<usize> {
            (node >= ncell).then(|| self.layout.matrix.parent[node] as usize)
        };
        let mut parent = Vec::new();
        let mut factors = Vec::new();
        for &node in &m.store.node_index {
            let node = node as usize;
            let first_of_parent_section = || {
                let (sec, _) = self.section_dx(node)?;
                let connection = self.sections[sec].parent.as_ref()?;
                let first = self.layout.sections[connection.parent.index()].first as usize;
                Some(instance_at[first]).filter(|&i| i != usize::MAX)
            };
            let p = parent_node(node).and_then(|pn| match instance_at[pn] {
                usize::MAX => match parent_node(pn) {
                    Some(ppn) if instance_at[ppn] != usize::MAX => Some(instance_at[ppn]),
                    _ => first_of_parent_section(),
                },
                i => Some(i),
            });
            let p = p.or_else(|| {
                // A root section's first segment hangs from the root node, which has no parent.
                parent_node(node)
                    .is_none()
                    .then(first_of_parent_section)
                    .flatten()
            });
            let f = match p {
                Some(p) => {
                    let pn = m.store.node_index[p] as usize;
                    let dxc = self.section_dx(node).map_or(1.0, |s| s.1);
                    let dxp = self.section_dx(pn).map_or(1.0, |s| s.1);
                    (2.0 / dxp / (dxc + dxp), 2.0 / dxc / (dxc + dxp))
                }
                None => (0.0, 0.0),
            };
            parent.push(p);
            factors.push(f);
        }
        Tree { parent, factors }
    }
}

/// Where a diffusing STATE lives: a range column, or an ion concentration behind a slot.
#[derive(Clone, Copy)]
enum StateAt {
    Column(usize),
    Slot(usize),
}

impl StateAt {
    fn get(self, m: &RegisteredMechanism, element: usize, i: usize) -> f64 {
        match self {
            StateAt::Column(c) => m.store.columns[c + element].get(i),
            // SAFETY: after a layout build every ion slot of every instance points at its
            // node's ion variable, alive as long as the layout.
            StateAt::Slot(s) => unsafe { *m.store.slot_target(s, i) },
        }
    }

    fn set(self, m: &mut RegisteredMechanism, element: usize, i: usize, value: f64) {
        match self {
            StateAt::Column(c) => m.store.columns[c + element].set(i, value),
            // SAFETY: as in `get`.
            StateAt::Slot(s) => unsafe { *m.store.slot_target(s, i) = value },
        }
    }
}

fn diffuse(m: &mut RegisteredMechanism, tree: &Tree, dt: f64) {
    let n = m.store.count();
    let (mut a, mut b, mut d, mut rhs) = (vec![0.0; n], vec![0.0; n], vec![0.0; n], vec![0.0; n]);
    let (mut dc, mut vol) = (vec![0.0; n], vec![0.0; n]);
    for entry in m.info.longitudinal_diffusion.clone() {
        let column = |name: &str| m.info.range_column(name).map(|(c, _)| c);
        let (Some(coefficient), Some(volume)) = (column(&entry.coefficient), column(&entry.volume))
        else {
            continue;
        };
        let state = match column(&entry.state) {
            Some(c) => StateAt::Column(c),
            None => match m.info.slots.iter().position(
                |s| matches!(s, rsnrn_abi::SlotInfo::Ion { var, .. } if *var == entry.state),
            ) {
                Some(slot) => StateAt::Slot(slot),
                None => continue,
            },
        };
        for element in 0..entry.elements as usize {
            let cols = &m.store.columns;
            for i in 0..n {
                dc[i] = cols[coefficient + element].get(i);
                vol[i] = cols[volume + element].get(i);
                d[i] = 0.0;
                if let Some(p) = tree.parent[i] {
                    let mean = (dc[i] + dc[p]) / 2.0;
                    a[i] = -tree.factors[i].0 * mean / vol[p];
                    b[i] = -tree.factors[i].1 * mean / vol[i];
                }
            }
            for i in 0..n {
                d[i] += 1.0 / dt;
                rhs[i] = state.get(m, element, i) / dt;
                if let Some(p) = tree.parent[i] {
                    d[i] -= b[i];
                    d[p] -= a[i];
                }
            }
            for i in (1..n).rev() {
                if let Some(p) = tree.parent[i] {
                    let f = a[i] / d[i];
                    d[p] -= f * b[i];
                    rhs[p] -= f * rhs[i];
                }
            }
            for i in 0..n {
                if let Some(p) = tree.parent[i] {
                    rhs[i] -= b[i] * rhs[p];
                }
                rhs[i] /= d[i];
            }
            for (i, &x) in rhs.iter().enumerate() {
                state.set(m, element, i, x);
            }
        }
    }
}
