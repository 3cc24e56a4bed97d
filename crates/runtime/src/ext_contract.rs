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

use crate::ext_block::{Vec4, B, ROW};
use crate::ext_schedule::{EliminationOrder, NONE};
use crate::fused::MulAdd;

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
    /// Per node: whether it is taken out. A taken node's block is never needed whole (its
    /// layer diagonals are static and its vi diagonal is the cable matrix's), so the solve
    /// does not write it.
    pub is_taken: Vec<bool>,
    /// Per node: its parent once the taken nodes are out.
    pub parent: Vec<u32>,
    /// Per node: whether its coupling with `parent` was made by taking a node out (then it is
    /// in `edge_row`/`edge_parent`, else it is the layout's).
    pub made: Vec<bool>,
    /// Coupling of a node's rows with its new parent, and of the parent's rows with the node
    /// (the layout's where it is not `made`).
    pub edge_row: Vec<Vec4>,
    pub edge_parent: Vec<Vec4>,
    /// 1/diagonal of each taken node's block, kept for its back substitution.
    inv_diagonal: Vec<Vec4>,
    /// Per taken node and row: the factor of its rhs in its parent's (coupling·D⁻¹) and in
    /// its child's; the layer rows' change with the layers' statics, the vi row's with the
    /// taken node's vi diagonal.
    factor_parent: Vec<Vec4>,
    factor_child: Vec<Vec4>,
    /// The taken nodes' vi diagonals the vi entries above were made from (NaN before the
    /// first step).
    vi_diagonal: Vec<f64>,
    /// Per node: what taking the nodes out adds to its vi diagonal.
    vi_diagonal_extra: Vec<f64>,
    /// Per taken node: the coupling of its rows with its parent's unknowns and with its
    /// child's (0 for a leaf), for the back substitution.
    put_couplings: Vec<[Vec4; 2]>,
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
    fn of(&self, i: usize) -> (Vec4, Vec4);
}

impl LayoutCoupling<'_> {
    /// (coefficients in node i's rows, coefficients in its parent's rows).
    #[inline(always)]
    pub fn of(&self, i: usize) -> (Vec4, Vec4) {
        (
            [self.b[i], self.bx[i][0], self.bx[i][1], 0.0],
            [self.a[i], self.ax[i][0], self.ax[i][1], 0.0],
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
    fn of(&self, i: usize) -> (Vec4, Vec4) {
        self.coupling.of(i)
    }
}

/// The tree once the taken nodes are out.
pub(crate) struct ContractedTree<'a> {
    contraction: &'a Contraction,
}

impl TreeCoupling for ContractedTree<'_> {
    #[inline(always)]
    fn parent(&self, i: usize) -> usize {
        self.contraction.parent[i] as usize
    }

    #[inline(always)]
    fn of(&self, i: usize) -> (Vec4, Vec4) {
        let c = self.contraction;
        (c.edge_row[i], c.edge_parent[i])
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
            is_taken,
            inv_diagonal: vec![[f64::NAN, 0.0, 0.0, 0.0]; taken.len()],
            factor_parent: vec![[f64::NAN, 0.0, 0.0, 0.0]; taken.len()],
            vi_diagonal: vec![f64::NAN; taken.len()],
            vi_diagonal_extra: vec![0.0; n],
            put_couplings: vec![[[0.0; ROW]; 2]; taken.len()],
            factor_child: vec![[0.0; ROW]; taken.len()],
            taken,
            with_layers,
            parent: new_parent,
            made,
            edge_row: vec![[0.0; ROW]; n],
            edge_parent: vec![[0.0; ROW]; n],
        })
    }

    /// Whether the taken nodes' blocks are diagonal this step (no membrane conductance at the
    /// zero-area ones).
    pub fn applies(&self, dm: &[f64]) -> bool {
        self.with_layers.iter().all(|&i| dm[i as usize] == 0.0)
    }

    /// The layer rows' part of taking the nodes out, which changes only with the layers'
    /// statics: a taken node's layer diagonals are `diagonal(e)` (where `has`; its block is
    /// the identity there elsewhere) as long as the contraction applies. Their inverses and
    /// the factors of the neighbours' updates are kept; the neighbours' diagonal terms are
    /// handed to `adjust(node, layer, term)`, and the new couplings' layer entries are set.
    pub fn set_layer_statics(
        &mut self,
        coupling: LayoutCoupling,
        has: &[bool],
        diagonal: impl Fn(usize) -> [f64; 2],
        mut adjust: impl FnMut(usize, usize, f64),
    ) {
        // The couplings of the nodes the contraction leaves alone, whole (the made ones get
        // theirs below and in update_vi_diagonals).
        for i in 0..self.parent.len() {
            if !self.made[i] {
                (self.edge_row[i], self.edge_parent[i]) = coupling.of(i);
            }
        }
        // The vi entries may rest on couplings that have changed: made again at the next
        // update_vi_diagonals.
        self.vi_diagonal.fill(f64::NAN);
        for (i, t) in self.taken.iter().enumerate() {
            let (e, p) = (t.node as usize, t.parent as usize);
            let (to_parent, from_parent) = coupling.of(e);
            let from_child = match t.child {
                NONE => [0.0; ROW],
                c => coupling.of(c as usize).1,
            };
            self.put_couplings[i] = [to_parent, from_child];
            let layers = if has[e] { diagonal(e) } else { [1.0, 1.0] };
            for k in 1..B {
                let inv = 1.0 / layers[k - 1];
                self.inv_diagonal[i][k] = inv;
                let fp = from_parent[k] * inv;
                self.factor_parent[i][k] = fp;
                adjust(p, k - 1, -fp * to_parent[k]);
                if t.child != NONE {
                    let c = t.child as usize;
                    let (child_to_e, e_to_child) = coupling.of(c);
                    let fc = child_to_e[k] * inv;
                    self.factor_child[i][k] = fc;
                    adjust(c, k - 1, -fc * e_to_child[k]);
                    self.edge_row[c][k] = -fc * to_parent[k];
                    self.edge_parent[c][k] = -fp * e_to_child[k];
                }
            }
        }
    }

    /// The vi row's part of taking the nodes out, which depends on the taken nodes' vi
    /// diagonals `d` (the cable matrix's: axial terms, and an electrode's conductance if one
    /// sits there) and so is redone only when one of them has changed: the inverses, the
    /// factors of the neighbours' rhs updates, the new couplings' vi entries, and what the
    /// neighbours' vi diagonals lose ([`vi_diagonal_extra`](Self::vi_diagonal_extra)).
    pub fn update_vi_diagonals(&mut self, coupling: LayoutCoupling, d: &[f64]) {
        let unchanged = self
            .taken
            .iter()
            .zip(&self.vi_diagonal)
            .all(|(t, old)| d[t.node as usize].to_bits() == old.to_bits());
        if unchanged {
            return;
        }
        self.vi_diagonal_extra.fill(0.0);
        for (i, t) in self.taken.iter().enumerate() {
            let (e, p) = (t.node as usize, t.parent as usize);
            let (to_parent, from_parent) = coupling.of(e);
            let inv0 = 1.0 / d[e];
            let fp0 = from_parent[0] * inv0;
            (self.vi_diagonal[i], self.inv_diagonal[i][0]) = (d[e], inv0);
            self.factor_parent[i][0] = fp0;
            self.vi_diagonal_extra[p] -= fp0 * to_parent[0];
            if t.child != NONE {
                let c = t.child as usize;
                let (child_to_e, e_to_child) = coupling.of(c);
                let fc0 = child_to_e[0] * inv0;
                self.factor_child[i][0] = fc0;
                self.vi_diagonal_extra[c] -= fc0 * e_to_child[0];
                self.edge_row[c][0] = -fc0 * to_parent[0];
                self.edge_parent[c][0] = -fp0 * e_to_child[0];
            }
        }
    }

    /// Per node: what taking the nodes out adds to its vi diagonal (after
    /// [`update_vi_diagonals`](Self::update_vi_diagonals)).
    pub fn vi_diagonal_extra(&self) -> &[f64] {
        &self.vi_diagonal_extra
    }

    /// Takes the nodes out of the rhs: their parents and children lose
    /// diag(c)·D⁻¹·r of the taken node. The diagonal terms and the new couplings are in
    /// place already ([`set_layer_statics`](Self::set_layer_statics),
    /// [`update_vi_diagonals`](Self::update_vi_diagonals)). One pass: a taken node's rhs is
    /// its own (taken nodes are never neighbours).
    #[inline(always)]
    pub fn take_out<M: MulAdd>(&self, brhs: &mut [Vec4]) {
        // Along a chain of one-segment sections the child of one taken node is the parent of
        // the next: its rhs stays in registers from one to the other instead of going
        // through memory (a store, then a load that waits for it, per taken node). Taken
        // nodes are never neighbours, so no node's own rhs is the one held.
        let mut held: Option<(usize, Vec4)> = None;
        let factors = self.factor_parent.iter().zip(&self.factor_child);
        for (t, (fp, fc)) in self.taken.iter().zip(factors) {
            let (e, p) = (t.node as usize, t.parent as usize);
            // Whole padded rows (the padding's factors are 0): one vector operation each
            // where the processor has them.
            let r = brhs[e];
            let mut rp = match held.take() {
                Some((h, x)) if h == p => x,
                Some((h, x)) => {
                    brhs[h] = x;
                    brhs[p]
                }
                None => brhs[p],
            };
            for k in 0..ROW {
                rp[k] = M::mul_add(-fp[k], r[k], rp[k]);
            }
            brhs[p] = rp;
            if t.child != NONE {
                let c = t.child as usize;
                let mut rc = brhs[c];
                for k in 0..ROW {
                    rc[k] = M::mul_add(-fc[k], r[k], rc[k]);
                }
                held = Some((c, rc));
            }
        }
        if let Some((h, x)) = held {
            brhs[h] = x;
        }
    }

    /// The tree of the other nodes, after [`take_out`](Self::take_out).
    pub fn tree(&self) -> ContractedTree<'_> {
        ContractedTree { contraction: self }
    }

    /// The taken nodes' solution from their neighbours' (already in `brhs`):
    /// x_e = D⁻¹·(r_e − diag(c)·x_parent − diag(c')·x_child).
    #[inline(always)]
    pub fn put_back<M: MulAdd>(&self, brhs: &mut [Vec4]) {
        let factors = self.inv_diagonal.iter().zip(&self.put_couplings);
        for (t, (inv, [to_parent, from_child])) in self.taken.iter().zip(factors) {
            let (e, p) = (t.node as usize, t.parent as usize);
            // A leaf's missing child: itself, with a zero coupling (no branch; whether a
            // taken node is a leaf follows no pattern in a dendritic tree).
            let c = if t.child == NONE { e } else { t.child as usize };
            let (xp, xc) = (brhs[p], brhs[c]);
            let mut x = brhs[e];
            for k in 0..ROW {
                x[k] = M::mul_add(-to_parent[k], xp[k], x[k]);
                x[k] = M::mul_add(-from_child[k], xc[k], x[k]);
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
