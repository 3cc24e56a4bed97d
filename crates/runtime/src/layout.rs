//! The node layout: numbering of the cable's nodes (parent before child, roots first), the
//! per-node arrays the matrix and the kernels work on, and geometry derived from sections.
//!
//! A layout is rebuilt whenever the structure changes (sections, connections, nseg, inserted
//! mechanisms, point processes). Node values (v) are carried over from the previous layout.

use crate::buf::Buf;
use crate::extracellular::ExtNodes;
use crate::geometry::{
    coupling_a, coupling_b, fill_cylinder_section, fill_pt3d_section, ZERO_AREA_NODE_AREA,
};
use crate::hines::HinesMatrix;
use crate::ions::NO_INSTANCE;
use crate::section::{old_segment_for, segment_center, segment_containing, Section, SectionId};

/// NEURON's resting potential for nodes that never had a value.
pub(crate) const DEFAULT_V: f64 = -65.0;

/// Where one section's nodes are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SectionNodes {
    /// Node the section hangs from: its own root node, or a node of the parent section.
    pub parent_node: u32,
    /// First segment node in arc order (arc starts at the connected end).
    pub first: u32,
    pub nseg: u32,
    /// The zero-area node at the free end (x = 1, or x = 0 when reversed).
    pub end: u32,
    pub reversed: bool,
    /// The root node if the section is a root.
    pub root: Option<u32>,
}

impl SectionNodes {
    /// Node of segment `j` (x order).
    pub fn segment_node(&self, j: usize) -> u32 {
        let j = j as u32;
        self.first + if self.reversed { self.nseg - 1 - j } else { j }
    }

    /// NEURON's node_index: the segment containing x; x = 0 and 1 give the first and last
    /// segment. Used for mechanism and ion variables.
    pub fn segment_node_at(&self, x: f64) -> u32 {
        self.segment_node(segment_containing(x, self.nseg as usize))
    }

    /// NEURON's node_exact: x = 0 and x = 1 are the end nodes (x = 0 of a child is the parent's
    /// node it connects to), otherwise the segment containing x. Used for v, point processes and
    /// connections.
    pub fn node_exact(&self, x: f64) -> u32 {
        let (at0, at1) = if self.reversed {
            (self.end, self.parent_node)
        } else {
            (self.parent_node, self.end)
        };
        if x <= 0.0 {
            at0
        } else if x >= 1.0 {
            at1
        } else {
            self.segment_node_at(x)
        }
    }
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum NodeKind {
    /// The x = 0 node of a root section.
    Root(SectionId),
    /// Segment (x order) of a section.
    Segment(SectionId, u32),
    /// The free end of a section.
    End(SectionId),
}

#[derive(Debug, Default)]
pub(crate) struct Layout {
    /// Incremented at every rebuild; [`crate::VarRef`]s remember it.
    pub generation: u64,
    /// Indexed by section.
    pub sections: Vec<SectionNodes>,
    pub kinds: Vec<NodeKind>,
    /// Cell c (root node c) owns the non-root nodes `cell_nodes[c] .. cell_nodes[c + 1]`.
    pub cell_nodes: Vec<u32>,
    pub matrix: HinesMatrix,
    pub v: Buf,
    pub rhs: Buf,
    pub d: Buf,
    /// um2; 100 at zero-area nodes.
    pub area: Buf,
    pub diam: Buf,
    /// uF/cm2; 0 at zero-area nodes (no membrane).
    pub cm: Vec<f64>,
    /// 1/ri (uS); 0 at root nodes.
    pub rinv: Vec<f64>,
    /// The extracellular layers (inactive when no section has them).
    pub ext: ExtNodes,
    /// With extracellular or fast i_membrane_, electrode currents are kept apart from the
    /// membrane's: electrode kernels add to these instead of rhs and d...
    pub rhs_e: Buf,
    pub d_e: Buf,
    /// Whether rhs_e and d_e are 0 everywhere: after each matrix setup the electrode nodes'
    /// entries are put back to 0 (split_rows.rs), so the next one need not clear every node.
    pub electrode_rows_zero: bool,
    /// ...and see the internal potential vi = v + vext[0] (v where there are no layers).
    pub vi: Buf,
    /// Membrane current I_m (mA/cm2; nA at zero-area nodes) and its conductance D = cm·cfac + g
    /// (S/cm2) of the step, electrodes excluded.
    pub im: Vec<f64>,
    pub dm: Vec<f64>,
    /// i_membrane_ (nA) per node when fast i_membrane_ is on.
    pub imem: Vec<f64>,
}

impl Layout {
    pub fn node_count(&self) -> usize {
        self.kinds.len()
    }

    /// Section and x of a node, for messages.
    pub fn node_location(&self, node: usize) -> (SectionId, f64) {
        match self.kinds[node] {
            NodeKind::Root(s) => (s, 0.0),
            NodeKind::Segment(s, j) => {
                let n = self.sections[s.index()].nseg as usize;
                (s, segment_center(j as usize, n))
            }
            NodeKind::End(s) => (
                s,
                if self.sections[s.index()].reversed {
                    0.0
                } else {
                    1.0
                },
            ),
        }
    }

    /// Numbers the nodes of `sections` and fills geometry; v comes from `old` where the node
    /// existed before. Returns the layout and, per new node, the old node ([`NO_INSTANCE`] if
    /// none) so other per-node data can be carried over too.
    pub fn build(sections: &[Section], old: &Layout) -> (Layout, Vec<u32>) {
        // Section order: cell by cell (a cell is a root section and its subtree; roots in
        // creation order), each cell breadth first, so a parent section is numbered before its
        // children and every cell's non-root nodes are one contiguous block (threads step
        // cells apart, `threads.rs`). Within a cell the order is what a breadth-first walk
        // over all roots together gives, so the arithmetic per cell is the same either way.
        let roots: Vec<SectionId> = (0..sections.len())
            .filter(|&s| sections[s].parent.is_none())
            .map(|s| SectionId(s as u32))
            .collect();
        let ncell = roots.len();
        let mut order: Vec<SectionId> = Vec::with_capacity(sections.len());
        let mut cell_of_section = vec![0u32; sections.len()];
        let mut cell_first_section = Vec::with_capacity(ncell + 1);
        for (c, &r) in roots.iter().enumerate() {
            cell_first_section.push(order.len());
            let mut i = order.len();
            order.push(r);
            while i < order.len() {
                let s = order[i];
                cell_of_section[s.index()] = c as u32;
                order.extend(sections[s.index()].children.iter().copied());
                i += 1;
            }
        }
        cell_first_section.push(order.len());
        debug_assert_eq!(
            order.len(),
            sections.len(),
            "every section is reachable from a root"
        );
        let n: usize = ncell + sections.iter().map(|s| s.nseg() + 1).sum::<usize>();
        let mut kinds = Vec::with_capacity(n);
        let mut parent = vec![0u32; n];
        let mut secnodes = vec![
            SectionNodes {
                parent_node: 0,
                first: 0,
                nseg: 0,
                end: 0,
                reversed: false,
                root: None,
            };
            sections.len()
        ];
        for &s in &roots {
            kinds.push(NodeKind::Root(s));
        }
        let mut next = ncell as u32;
        let mut cell_nodes = Vec::with_capacity(ncell + 1);
        for (k, &s) in order.iter().enumerate() {
            if cell_first_section.get(cell_nodes.len()) == Some(&k) {
                cell_nodes.push(next);
            }
            let sec = &sections[s.index()];
            let (parent_node, root) = match sec.parent {
                None => {
                    let c = cell_of_section[s.index()];
                    (c, Some(c))
                }
                Some(c) => (secnodes[c.parent.index()].node_exact(c.parent_x), None),
            };
            let nseg = sec.nseg() as u32;
            let reversed = sec.reversed();
            let sn = SectionNodes {
                parent_node,
                first: next,
                nseg,
                end: next + nseg,
                reversed,
                root,
            };
            for a in 0..nseg {
                let node = next + a;
                parent[node as usize] = if a == 0 { parent_node } else { node - 1 };
                let j = if reversed { nseg - 1 - a } else { a };
                kinds.push(NodeKind::Segment(s, j));
            }
            parent[sn.end as usize] = sn.end - 1;
            kinds.push(NodeKind::End(s));
            next += nseg + 1;
            secnodes[s.index()] = sn;
        }
        cell_nodes.push(next);
        debug_assert_eq!(kinds.len(), n);
        debug_assert_eq!(cell_nodes.len(), ncell + 1);

        let mut layout = Layout {
            generation: old.generation + 1,
            sections: secnodes,
            kinds,
            cell_nodes,
            matrix: HinesMatrix::new(parent, ncell),
            v: Buf::new(n, DEFAULT_V),
            rhs: Buf::new(n, 0.0),
            d: Buf::new(n, 0.0),
            area: Buf::new(n, ZERO_AREA_NODE_AREA),
            diam: Buf::new(n, 0.0),
            cm: vec![0.0; n],
            rinv: vec![0.0; n],
            ext: ExtNodes::default(),
            rhs_e: Buf::new(n, 0.0),
            d_e: Buf::new(n, 0.0),
            electrode_rows_zero: true,
            vi: Buf::new(n, 0.0),
            im: vec![0.0; n],
            dm: vec![0.0; n],
            imem: vec![0.0; n],
        };
        let old_of_new = layout.old_nodes(sections, old);
        layout.ext = ExtNodes::build(sections, &layout, &old.ext, &old_of_new);
        layout.update_geometry(sections);

        for (node, &o) in old_of_new.iter().enumerate() {
            if o != NO_INSTANCE {
                layout.v.set(node, old.v.get(o as usize));
            }
        }
        (layout, old_of_new)
    }

    /// For every node, the node of `old` at the same place (segments: the old segment containing
    /// the new centre), or [`NO_INSTANCE`].
    fn old_nodes(&self, sections: &[Section], old: &Layout) -> Vec<u32> {
        self.kinds
            .iter()
            .map(|&k| match k {
                NodeKind::Root(s) => old
                    .sections
                    .get(s.index())
                    .and_then(|o| o.root)
                    .unwrap_or(NO_INSTANCE),
                NodeKind::End(s) => old.sections.get(s.index()).map_or(NO_INSTANCE, |o| o.end),
                NodeKind::Segment(s, j) => match old.sections.get(s.index()) {
                    Some(o) => {
                        let new_nseg = sections[s.index()].nseg();
                        o.segment_node(old_segment_for(j as usize, new_nseg, o.nseg as usize))
                    }
                    None => NO_INSTANCE,
                },
            })
            .collect()
    }

    /// Areas, axial resistances, coupling coefficients, diam and cm from the sections (after
    /// L, diam, Ra or cm changed; the numbering stays).
    pub fn update_geometry(&mut self, sections: &[Section]) {
        let mut diam_arc = Vec::new();
        let mut scratch = Vec::new();
        let mut area = Vec::new();
        let mut rinv = Vec::new();
        for (s, sec) in sections.iter().enumerate() {
            let sn = self.sections[s];
            let nseg = sn.nseg as usize;
            diam_arc.clear();
            diam_arc
                .extend((0..nseg).map(|a| sec.diam[if sn.reversed { nseg - 1 - a } else { a }]));
            area.clear();
            area.resize(nseg + 1, 0.0);
            rinv.clear();
            rinv.resize(nseg + 1, 0.0);
            if sec.has_shape() {
                scratch.clear();
                scratch.resize(nseg, 0.0);
                fill_pt3d_section(&sec.pt3d, sec.ra, &mut area, &mut rinv, &mut scratch);
            } else {
                fill_cylinder_section(sec.length, sec.ra, &diam_arc, &mut area, &mut rinv);
            }
            for a in 0..=nseg {
                let node = sn.first as usize + a;
                self.area.set(node, area[a]);
                self.rinv[node] = rinv[a];
                let (d, cm) = if a < nseg {
                    let j = if sn.reversed { nseg - 1 - a } else { a };
                    (sec.diam[j], sec.cm[j])
                } else {
                    (diam_arc[nseg - 1], 0.0)
                };
                self.diam.set(node, d);
                self.cm[node] = cm;
            }
            if let Some(r) = sn.root {
                self.area.set(r as usize, ZERO_AREA_NODE_AREA);
                self.rinv[r as usize] = 0.0;
                self.diam.set(r as usize, diam_arc[0]);
                self.cm[r as usize] = 0.0;
            }
        }
        let m = &mut self.matrix;
        for i in m.ncell..self.kinds.len() {
            let p = m.parent[i] as usize;
            // rallbranch (a section property, default 1) only ever scales a section's first node.
            m.a[i] = coupling_a(self.rinv[i], self.area.get(p), 1.0);
            m.b[i] = coupling_b(self.rinv[i], self.area.get(i));
        }
        m.update_axial_diagonal();
        let mut ext = std::mem::take(&mut self.ext);
        ext.update_coupling(sections, self);
        self.ext = ext;
    }
}
