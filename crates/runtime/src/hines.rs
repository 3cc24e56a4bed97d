//! The tree-structured cable matrix and its direct solver (NUMERICS §1 items 5–6).
//!
//! Nodes are numbered so that every parent precedes its children, roots first
//! (0 .. ncell). Row i has diagonal d[i] and the entry b[i] in the parent's column; the
//! parent's row has a[i] in column i. With that ordering Gaussian elimination from the last
//! node down never creates fill-in.

use std::ops::Range;

#[derive(Debug, Clone, Default)]
pub(crate) struct HinesMatrix {
    /// Coefficient of node i in its parent's row (S/cm2, negative).
    pub a: Vec<f64>,
    /// Coefficient of the parent in node i's row (S/cm2, negative).
    pub b: Vec<f64>,
    /// Parent node; meaningless for the roots 0 .. ncell.
    pub parent: Vec<u32>,
    /// Number of root nodes.
    pub ncell: usize,
}

impl HinesMatrix {
    /// A matrix over `parent.len()` nodes with zero couplings.
    ///
    /// # Panics
    /// If the numbering breaks the invariant the solvers rely on: every non-root node's parent
    /// precedes it (`parent[i] < i` for i ≥ ncell). Layouts are built that way; this check is
    /// what makes the unchecked indexing below sound.
    pub fn new(parent: Vec<u32>, ncell: usize) -> Self {
        let n = parent.len();
        assert!(ncell <= n, "more roots than nodes");
        for (i, &p) in parent.iter().enumerate().skip(ncell) {
            assert!(
                (p as usize) < i,
                "node {i} has parent {p}, not an earlier node"
            );
        }
        HinesMatrix {
            a: vec![0.0; n],
            b: vec![0.0; n],
            parent,
            ncell,
        }
    }

    pub fn node_count(&self) -> usize {
        self.parent.len()
    }

    /// Adds the axial currents at the present voltages to rhs and the coupling to d.
    #[inline]
    pub fn add_axial(&self, v: &[f64], rhs: &mut [f64], d: &mut [f64]) {
        let n = self.node_count();
        let (a, b, parent) = (&self.a[..n], &self.b[..n], &self.parent[..n]);
        let (v, rhs, d) = (&v[..n], &mut rhs[..n], &mut d[..n]);
        for i in self.ncell..n {
            // SAFETY: i < n, and parent[i] < i by the invariant checked in `new`.
            unsafe {
                let p = *parent.get_unchecked(i) as usize;
                let (ai, bi) = (*a.get_unchecked(i), *b.get_unchecked(i));
                let dv = *v.get_unchecked(p) - *v.get_unchecked(i);
                // a and b are negative, hence the signs.
                *rhs.get_unchecked_mut(i) -= bi * dv;
                *rhs.get_unchecked_mut(p) += ai * dv;
            }
        }
        for i in self.ncell..n {
            // SAFETY: as above.
            unsafe {
                let p = *parent.get_unchecked(i) as usize;
                *d.get_unchecked_mut(i) -= *b.get_unchecked(i);
                *d.get_unchecked_mut(p) -= *a.get_unchecked(i);
            }
        }
    }

    /// Solves the system in place: on return `rhs` holds the solution (`d` is overwritten).
    #[inline]
    pub fn solve(&self, d: &mut [f64], rhs: &mut [f64]) {
        let n = self.node_count();
        let (a, b, parent) = (&self.a[..n], &self.b[..n], &self.parent[..n]);
        let (d, rhs) = (&mut d[..n], &mut rhs[..n]);
        let system = TreeSystem {
            a: a.as_ptr(),
            b: b.as_ptr(),
            parent: parent.as_ptr(),
            d: d.as_mut_ptr(),
            rhs: rhs.as_mut_ptr(),
        };
        // SAFETY: every slice holds n values, the roots are 0..ncell and every other node's
        // parent precedes it (checked in `new`).
        unsafe { system.solve(0..self.ncell, self.ncell..n) }
    }
}

/// The matrix and the step's diagonal and right-hand side as raw pointers, so that threads
/// can solve their own cells in place (each group's nodes are disjoint).
#[derive(Clone, Copy)]
pub(crate) struct TreeSystem {
    pub a: *const f64,
    pub b: *const f64,
    pub parent: *const u32,
    pub d: *mut f64,
    pub rhs: *mut f64,
}

impl TreeSystem {
    /// Solves the cells whose roots are `roots` and whose other nodes are `nodes` (numbered
    /// after the roots, parents first): NEURON's elimination from the last node up, then back.
    ///
    /// Both sweeps are chains of dependent operations along each unbranched run of nodes (a
    /// section: parent = previous node), so speed is set by the chains' latency, and in
    /// networks of small cells, whose chains overlap, by the divider's throughput. Along a run
    /// the value the next node needs stays in a register; each node takes one reciprocal of
    /// its diagonal and leaves W = b/d and y = rhs/d in its place (beside the chain), so that
    /// the back substitution x = y - W·x_parent has no division on its chain. (NEURON divides
    /// a and (rhs - b·x_parent) by d; the two differ by round-off.)
    ///
    /// # Safety
    /// The pointers are valid for every node of `roots` and `nodes`, a node's parent is a
    /// node of the same cells that precedes it, and no other thread touches these nodes.
    #[inline]
    pub unsafe fn solve(&self, roots: Range<usize>, nodes: Range<usize>) {
        let TreeSystem {
            a,
            b,
            parent,
            d,
            rhs,
        } = *self;
        // SAFETY (whole body): see above; every index is a node of the cells or its parent.
        unsafe {
            let mut i = nodes.end;
            while i > nodes.start {
                i -= 1;
                let (mut di, mut ri) = (*d.add(i), *rhs.add(i));
                loop {
                    let p = *parent.add(i) as usize;
                    let bi = *b.add(i);
                    let inv = 1.0 / di;
                    let f = *a.add(i) * inv;
                    let dp = *d.add(p) - f * bi;
                    let rp = *rhs.add(p) - f * ri;
                    *d.add(p) = dp;
                    *rhs.add(p) = rp;
                    *d.add(i) = bi * inv;
                    *rhs.add(i) = ri * inv;
                    // Continue the run while the parent is the previous, non-root node (all
                    // of its other children have higher numbers, so they are done).
                    if p + 1 != i || p < nodes.start {
                        break;
                    }
                    i = p;
                    (di, ri) = (dp, rp);
                }
            }
            for r in roots {
                *rhs.add(r) /= *d.add(r);
            }
            let mut xprev = 0.0;
            for i in nodes.clone() {
                let p = *parent.add(i) as usize;
                let xp = if p + 1 == i && i > nodes.start {
                    xprev
                } else {
                    *rhs.add(p)
                };
                let x = *rhs.add(i) - *d.add(i) * xp;
                *rhs.add(i) = x;
                xprev = x;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "not an earlier node")]
    fn refuses_a_parent_after_its_child() {
        HinesMatrix::new(vec![0, 2, 0], 1);
    }

    #[test]
    fn solves_a_small_tree() {
        // Root 0 with children 1 and 2; 3 hangs from 1.
        let mut m = HinesMatrix::new(vec![0, 0, 0, 1], 1);
        m.a = vec![0.0, -1.0, -2.0, -0.5];
        m.b = vec![0.0, -1.5, -1.0, -3.0];
        let d0 = [5.0, 4.0, 6.0, 7.0];
        let x = [1.0, -2.0, 0.5, 3.0];
        // rhs = A·x with A's off-diagonals as documented.
        let mut rhs = [0.0; 4];
        for i in 0..4 {
            rhs[i] = d0[i] * x[i];
        }
        for i in 1..4 {
            let p = m.parent[i] as usize;
            rhs[i] += m.b[i] * x[p];
            rhs[p] += m.a[i] * x[i];
        }
        let mut d = d0;
        m.solve(&mut d, &mut rhs);
        for (got, want) in rhs.iter().zip(x) {
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        }
    }
}
