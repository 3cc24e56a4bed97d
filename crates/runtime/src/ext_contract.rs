//! Nodes whose 3×3 block is diagonal, taken out of the extracellular block system before the
//! block elimination.
//!
//! A zero-area node (a section's 1 end) has no membrane: its rows vi, vext[0] and vext[1] are
//! coupled only axially, to the same rows of its neighbours, so its block is diagonal (as is
//! every block of a section without layers). Eliminating such a node when it has at most one
//! child costs a few scalar operations per row and keeps the tree a tree: the parent and the
//! child each lose a diagonal term, and they become neighbours through a diagonal coupling.
//! In a cell of one-segment sections (the STN axon) that takes out half of the nodes, and
//! with them half of the 3×3 inversions. The order of elimination differs from NEURON's by
//! round-off only.
//!
//! A non-electrode point process at a zero-area node (a synapse at x = 1) couples the node's
//! vi and vext[0] rows; the solve then takes the plain order ([`Contraction::applies`]).

use crate::ext_schedule::{EliminationOrder, NONE};
use crate::fused::MulAdd;

/// Unknowns per node (vi and the two layers).
const B: usize = 3;

/// A node taken out: its layout parent and its only child ([`NONE`] for a leaf).
#[derive(Debug, Clone)]
struct Taken {
    node: u32,
    parent: u32,
    child: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct Contraction {
    taken: Vec<Taken>,
    /// The taken nodes with layers: their blocks are diagonal only while no membrane current
    /// flows there.
    with_layers: Vec<u32>,
    /// The block elimination of the other nodes.
    pub order: EliminationOrder,
    /// Per node: its parent once the taken nodes are out.
    pub parent: Vec<u32>,
    /// Per node: whether its coupling with `parent` was made by taking a node out (then it is
    /// in `edge_row`/`edge_parent`, else it is the layout's).
    pub made: Vec<bool>,
    /// Coupling of a node's rows with its new parent, and of the parent's rows with the node.
    pub edge_row: Vec<[f64; B]>,
    pub edge_parent: Vec<[f64; B]>,
    /// 1/diagonal of each taken node's block, kept for its back substitution.
    inv_diagonal: Vec<[f64; B]>,
}

/// The layout's coupling of the block system: per node, the coefficients of its rows in the
/// parent's columns (b, bx) and of the parent's rows in its columns (a, ax).
#[derive(Clone, Copy)]
pub(crate) struct LayoutCoupling<'a> {
    pub a: &'a [f64],
    pub b: &'a [f64],
    pub ax: &'a [[f64; 2]],
    pub bx: &'a [[f64; 2]],
}

/// The tree the block elimination walks: each node's parent, and (coefficients in the
/// node's rows for the parent's unknowns, coefficients in the parent's rows for the node's).
pub(crate) trait TreeCoupling {
    fn parent(&self, i: usize) -> usize;
    fn of(&self, i: usize) -> ([f64; B], [f64; B]);
}

impl LayoutCoupling<'_> {
    /// (coefficients in node i's rows, coefficients in its parent's rows).
    #[inline(always)]
    pub fn of(&self, i: usize) -> ([f64; B], [f64; B]) {
        (
            [self.b[i], self.bx[i][0], self.bx[i][1]],
            [self.a[i], self.ax[i][0], self.ax[i][1]],
        )
    }
}

/// The layout's tree.
pub(crate) struct LayoutTree<'a> {
    pub parent: &'a [u32],
    pub coupling: LayoutCoupling<'a>,
}

impl TreeCoupling for LayoutTree<'_> {
    #[inline(always)]
    fn parent(&self, i: usize) -> usize {
        self.parent[i] as usize
    }

    #[inline(always)]
    fn of(&self, i: usize) -> ([f64; B], [f64; B]) {
        self.coupling.of(i)
    }
}

/// The tree once the taken nodes are out.
pub(crate) struct ContractedTree<'a> {
    contraction: &'a Contraction,
    coupling: LayoutCoupling<'a>,
}

impl TreeCoupling for ContractedTree<'_> {
    #[inline(always)]
    fn parent(&self, i: usize) -> usize {
        self.contraction.parent[i] as usize
    }

    #[inline(always)]
    fn of(&self, i: usize) -> ([f64; B], [f64; B]) {
        let c = self.contraction;
        if c.made[i] {
            (c.edge_row[i], c.edge_parent[i])
        } else {
            self.coupling.of(i)
        }
    }
}

impl Contraction {
    /// The nodes to take out of the tree `parent` (roots below `ncell`): nodes without
    /// membrane (`membrane` false) with at most one child whose parent is not taken. None
    /// when there are none.
    pub fn build(parent: &[u32], ncell: usize, membrane: &[bool], has: &[bool]) -> Option<Self> {
        let n = parent.len();
        let mut children = vec![0u32; n];
        let mut last_child = vec![NONE; n];
        for (i, &p) in parent.iter().enumerate().skip(ncell) {
            children[p as usize] += 1;
            last_child[p as usize] = i as u32;
        }
        let mut is_taken = vec![false; n];
        let mut taken = Vec::new();
        for (i, &p) in parent.iter().enumerate().skip(ncell) {
            if membrane[i] || children[i] > 1 || is_taken[p as usize] {
                continue;
            }
            is_taken[i] = true;
            let child = if children[i] == 1 {
                last_child[i]
            } else {
                NONE
            };
            taken.push(Taken {
                node: i as u32,
                parent: p,
                child,
            });
        }
        if taken.is_empty() {
            return None;
        }
        let mut new_parent = parent.to_vec();
        let mut made = vec![false; n];
        for t in &taken {
            if t.child != NONE {
                new_parent[t.child as usize] = t.parent;
                made[t.child as usize] = true;
            }
        }
        let with_layers = taken
            .iter()
            .map(|t| t.node)
            .filter(|&i| has[i as usize])
            .collect();
        Some(Contraction {
            order: EliminationOrder::without(&new_parent, ncell, &is_taken),
            inv_diagonal: vec![[0.0; B]; taken.len()],
            taken,
            with_layers,
            parent: new_parent,
            made,
            edge_row: vec![[0.0; B]; n],
            edge_parent: vec![[0.0; B]; n],
        })
    }

    /// Whether the taken nodes' blocks are diagonal this step (no membrane conductance at the
    /// zero-area ones).
    pub fn applies(&self, dm: &[f64]) -> bool {
        self.with_layers.iter().all(|&i| dm[i as usize] == 0.0)
    }

    /// Takes the nodes out: their parents and children lose diag(c)·D⁻¹·diag(c') on the
    /// diagonal and the matching part of their rhs, and the new couplings are recorded.
    /// Parents first, then children: a node can be a child of one taken node and the parent
    /// of the next, and two passes keep each pass's updates independent of each other.
    #[inline(always)]
    pub fn take_out<M: MulAdd>(
        &mut self,
        coupling: LayoutCoupling,
        block: &mut [[f64; B * B]],
        brhs: &mut [[f64; B]],
    ) {
        for (t, inv) in self.taken.iter().zip(self.inv_diagonal.iter_mut()) {
            let (e, p) = (t.node as usize, t.parent as usize);
            let (to_parent, from_parent) = coupling.of(e);
            let (diagonal, r) = (block[e], brhs[e]);
            for k in 0..B {
                inv[k] = 1.0 / diagonal[k * (B + 1)];
                let ar = from_parent[k] * inv[k];
                block[p][k * (B + 1)] = M::mul_add(-ar, to_parent[k], block[p][k * (B + 1)]);
                brhs[p][k] = M::mul_add(-ar, r[k], brhs[p][k]);
            }
        }
        for (t, inv) in self.taken.iter().zip(&self.inv_diagonal) {
            if t.child == NONE {
                continue;
            }
            let (e, c) = (t.node as usize, t.child as usize);
            let (to_parent, from_parent) = coupling.of(e);
            // The child's own coupling with e: its rows in e's columns, e's rows in its own.
            let (child_to_e, e_to_child) = coupling.of(c);
            let r = brhs[e];
            for k in 0..B {
                let kr = child_to_e[k] * inv[k];
                block[c][k * (B + 1)] = M::mul_add(-kr, e_to_child[k], block[c][k * (B + 1)]);
                brhs[c][k] = M::mul_add(-kr, r[k], brhs[c][k]);
                self.edge_row[c][k] = -kr * to_parent[k];
                self.edge_parent[c][k] = -(from_parent[k] * inv[k]) * e_to_child[k];
            }
        }
    }

    /// The tree of the other nodes, after [`take_out`](Self::take_out).
    pub fn tree<'a>(&'a self, coupling: LayoutCoupling<'a>) -> ContractedTree<'a> {
        ContractedTree {
            contraction: self,
            coupling,
        }
    }

    /// The taken nodes' solution from their neighbours' (already in `brhs`):
    /// x_e = D⁻¹·(r_e − diag(c)·x_parent − diag(c')·x_child).
    #[inline(always)]
    pub fn put_back<M: MulAdd>(&self, coupling: LayoutCoupling, brhs: &mut [[f64; B]]) {
        for (t, inv) in self.taken.iter().zip(&self.inv_diagonal) {
            let (e, p) = (t.node as usize, t.parent as usize);
            let (to_parent, _) = coupling.of(e);
            let mut x = brhs[e];
            for k in 0..B {
                x[k] = M::mul_add(-to_parent[k], brhs[p][k], x[k]);
            }
            if t.child != NONE {
                let c = t.child as usize;
                let (_, e_to_child) = coupling.of(c);
                for k in 0..B {
                    x[k] = M::mul_add(-e_to_child[k], brhs[c][k], x[k]);
                }
            }
            for k in 0..B {
                x[k] *= inv[k];
            }
            brhs[e] = x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_chain_links_and_leaves_without_membrane() {
        // Root 0; 1 (membrane) - 2 (none) - 3 (membrane) - 4 (none, leaf); 5 (none) hangs on 3
        // too, so 3 has two children; 6 (none) has two children 7 and 8 (membrane).
        let parent = [0, 0, 1, 2, 3, 3, 0, 6, 6];
        let membrane = [false, true, false, true, false, false, false, true, true];
        let has = [true; 9];
        let c = Contraction::build(&parent, 1, &membrane, &has).expect("some are taken");
        let taken: Vec<u32> = c.taken.iter().map(|t| t.node).collect();
        assert_eq!(taken, vec![2, 4, 5]);
        assert_eq!(c.parent[3], 1, "3 hangs on 1 once 2 is out");
        assert!(c.made[3] && !c.made[1]);
        assert!(c.applies(&[0.0; 9]));
        let mut dm = [0.0; 9];
        dm[4] = 1e-3;
        assert!(!c.applies(&dm), "a synapse at a taken zero-area node");
    }
}
