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
            let p = parent[i] as usize;
            let dv = v[p] - v[i];
            // a and b are negative, hence the signs.
            rhs[i] -= b[i] * dv;
            rhs[p] += a[i] * dv;
        }
        for i in self.ncell..n {
            let p = parent[i] as usize;
            d[i] -= b[i];
            d[p] -= a[i];
        }
    }

    /// Solves the system in place: on return `rhs` holds the solution.
    #[inline]
    pub fn solve(&self, d: &mut [f64], rhs: &mut [f64]) {
        let n = self.node_count();
        let (a, b, parent) = (&self.a[..n], &self.b[..n], &self.parent[..n]);
        let (d, rhs) = (&mut d[..n], &mut rhs[..n]);
        // Triangularization: eliminate a[i] from the parent's row, last node first.
        for i in (self.ncell..n).rev() {
            let p = parent[i] as usize;
            let f = a[i] / d[i];
            d[p] -= f * b[i];
            rhs[p] -= f * rhs[i];
        }
        // Back substitution, roots first.
        for i in 0..self.ncell {
            rhs[i] /= d[i];
        }
        for i in self.ncell..n {
            let p = parent[i] as usize;
            rhs[i] -= b[i] * rhs[p];
            rhs[i] /= d[i];
        }
    }
}
