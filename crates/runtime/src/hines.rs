//! The tree-structured cable matrix and its direct solver (NUMERICS §1 items 5–6).
//!
//! Nodes are numbered so that every parent precedes its children, roots first
//! (0 .. ncell). Row i has diagonal d[i] and the entry b[i] in the parent's column; the
//! parent's row has a[i] in column i. With that ordering Gaussian elimination from the last
//! node down never creates fill-in.

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

    /// Solves the system in place: on return `rhs` holds the solution.
    ///
    /// The arithmetic is NEURON's, operation for operation. Both sweeps are chains of dependent
    /// divisions along each unbranched run of nodes (a section: parent = previous node), so
    /// along a run the value the next node needs is carried in a register instead of being
    /// stored and loaded again, which keeps store-to-load latency off the chain.
    #[inline]
    pub fn solve(&self, d: &mut [f64], rhs: &mut [f64]) {
        let n = self.node_count();
        let ncell = self.ncell;
        let (a, b, parent) = (&self.a[..n], &self.b[..n], &self.parent[..n]);
        let (d, rhs) = (&mut d[..n], &mut rhs[..n]);
        // Triangularization: eliminate a[i] from the parent's row, last node first.
        let mut i = n;
        while i > ncell {
            i -= 1;
            // SAFETY (whole block): ncell <= i < n, and parent[i] < i by the invariant checked
            // in `new`, so every index is below n.
            unsafe {
                let (mut di, mut ri) = (*d.get_unchecked(i), *rhs.get_unchecked(i));
                loop {
                    let p = *parent.get_unchecked(i) as usize;
                    let f = *a.get_unchecked(i) / di;
                    let dp = *d.get_unchecked(p) - f * *b.get_unchecked(i);
                    let rp = *rhs.get_unchecked(p) - f * ri;
                    *d.get_unchecked_mut(p) = dp;
                    *rhs.get_unchecked_mut(p) = rp;
                    // Continue the run while the parent is the previous, non-root node (all
                    // of its other children have higher numbers, so they are done).
                    if p + 1 != i || p < ncell {
                        break;
                    }
                    i = p;
                    (di, ri) = (dp, rp);
                }
            }
        }
        // Back substitution, roots first.
        for (r, &dd) in rhs[..ncell].iter_mut().zip(&d[..ncell]) {
            *r /= dd;
        }
        let mut xprev = 0.0;
        for i in ncell..n {
            // SAFETY: as above; parent[i] = i - 1 means rhs[i - 1] is the x just computed.
            unsafe {
                let p = *parent.get_unchecked(i) as usize;
                let xp = if p + 1 == i && i > ncell {
                    xprev
                } else {
                    *rhs.get_unchecked(p)
                };
                let x = (*rhs.get_unchecked(i) - *b.get_unchecked(i) * xp) / *d.get_unchecked(i);
                *rhs.get_unchecked_mut(i) = x;
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
