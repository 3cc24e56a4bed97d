//! The matrix setup when membrane and electrode currents are kept apart (extracellular
//! layers or fast i_membrane_), one pass over the nodes before the current kernels and one
//! after.
//!
//! The plain setup's steps (clear rhs, capacitance on d, clear the electrode rows, vi; then
//! split, add the electrodes, axial terms) each walk every node; with the layers' block solve
//! after them the arrays no longer sit in the cache, so each walk cost a trip to memory. The
//! arithmetic per node is the same, in the same order, except that the axial terms of d come
//! summed (`HinesMatrix::axial_diagonal`).

use crate::layout::Layout;

impl Layout {
    /// Before the current kernels: rhs and the electrode rows 0 (the latter are already,
    /// unless the last setup stopped half way), d = cfac·cm, and (with layers) vi = v +
    /// vext[0], v where a node has none.
    pub(crate) fn clear_split_rows(&mut self, cfac: f64) {
        let n = self.node_count();
        if !self.electrode_rows_zero {
            self.rhs_e.slice_mut().fill(0.0);
            self.d_e.slice_mut().fill(0.0);
        }
        // Until the electrode nodes are cleared after the kernels (`clear_electrode_rows`).
        self.electrode_rows_zero = false;
        let (rhs, d) = (&mut self.rhs.slice_mut()[..n], &mut self.d.slice_mut()[..n]);
        let cm = &self.cm[..n];
        let ext = &self.ext;
        if ext.active {
            let (v, vi) = (&self.v.slice()[..n], &mut self.vi.slice_mut()[..n]);
            let (has, vext) = (&ext.has[..n], &ext.vext[..n]);
            let rows = LayerRows {
                cfac,
                cm,
                rhs,
                d,
                vi,
                v,
                has,
                vext,
            };
            rows.clear();
        } else {
            for i in 0..n {
                rhs[i] = 0.0;
                d[i] = cfac * cm[i];
            }
        }
    }

    /// After the current kernels: the membrane current and conductance (im, dm) kept, the
    /// electrodes' added, then the axial terms at vi (v without layers). Parents precede
    /// their children, so a parent's row is complete (and its im taken) before a child adds
    /// its axial current to it. With layers and `for_block_solve`, the block solve's rows
    /// instead ([`finish_rows_for_layers`](Self::finish_rows_for_layers)).
    pub(crate) fn finish_split_rows(&mut self, for_block_solve: bool) {
        if self.ext.active && for_block_solve {
            self.finish_rows_for_layers();
            return;
        }
        let n = self.node_count();
        let m = &self.matrix;
        let (a, b, parent) = (&m.a[..n], &m.b[..n], &m.parent[..n]);
        let axial_diagonal = &m.axial_diagonal[..n];
        let v = if self.ext.active {
            &self.vi.slice()[..n]
        } else {
            &self.v.slice()[..n]
        };
        let (rhs, d) = (&mut self.rhs.slice_mut()[..n], &mut self.d.slice_mut()[..n]);
        let (rhs_e, d_e) = (&self.rhs_e.slice()[..n], &self.d_e.slice()[..n]);
        let (im, dm) = (&mut self.im[..n], &mut self.dm[..n]);
        for i in 0..n {
            im[i] = -rhs[i];
            dm[i] = d[i];
            let mut r = rhs[i] + rhs_e[i];
            d[i] = d[i] + d_e[i] + axial_diagonal[i];
            if i >= m.ncell {
                let p = parent[i] as usize;
                // a and b are negative, hence the signs.
                let dv = v[p] - v[i];
                r -= b[i] * dv;
                rhs[p] += a[i] * dv;
            }
            rhs[i] = r;
        }
    }

    /// `finish_split_rows` for the extracellular block solve, whose vi unknown is the new vi
    /// (extracellular.rs): NEURON's row with the present vi moved to the rhs, where the axial
    /// currents cancel against the matrix's axial terms. So: im and dm kept, rhs = the
    /// membrane's and the electrodes' currents + (dm + electrodes' conductance)·vi, d as above.
    fn finish_rows_for_layers(&mut self) {
        let n = self.node_count();
        let axial_diagonal = &self.matrix.axial_diagonal[..n];
        let vi = &self.vi.slice()[..n];
        let (rhs, d) = (&mut self.rhs.slice_mut()[..n], &mut self.d.slice_mut()[..n]);
        let (rhs_e, d_e) = (&self.rhs_e.slice()[..n], &self.d_e.slice()[..n]);
        let (im, dm) = (&mut self.im[..n], &mut self.dm[..n]);
        for i in 0..n {
            im[i] = -rhs[i];
            dm[i] = d[i];
            let conductance = d[i] + d_e[i];
            rhs[i] = rhs[i] + rhs_e[i] + conductance * vi[i];
            d[i] = conductance + axial_diagonal[i];
        }
    }

    /// After [`finish_split_rows`](Self::finish_split_rows): the electrode rows back to 0 at
    /// `nodes` (every node an electrode kernel wrote to), so they are 0 everywhere.
    pub(crate) fn clear_electrode_rows(&mut self, nodes: impl Iterator<Item = u32>) {
        let (rhs_e, d_e) = (self.rhs_e.slice_mut(), self.d_e.slice_mut());
        for node in nodes {
            rhs_e[node as usize] = 0.0;
            d_e[node as usize] = 0.0;
        }
        self.electrode_rows_zero = true;
    }
}

/// What [`Layout::clear_split_rows`] writes with layers: rhs = 0, d = cfac·cm, vi = v +
/// vext[0] where a node has layers, else v.
struct LayerRows<'a> {
    cfac: f64,
    cm: &'a [f64],
    rhs: &'a mut [f64],
    d: &'a mut [f64],
    vi: &'a mut [f64],
    v: &'a [f64],
    has: &'a [bool],
    vext: &'a [[f64; 2]],
}

impl LayerRows<'_> {
    fn clear(self) {
        #[cfg(target_arch = "x86_64")]
        if crate::fused::has_fma() {
            // SAFETY: the processor has AVX2 (has_fma checks it).
            return unsafe { self.clear_avx2() };
        }
        self.clear_plain()
    }

    /// In AVX2 lanes (a select, no branch per node; the same values). A target-feature
    /// function of its own: given to `avx2_lanes` as a closure, the loop was not inlined
    /// into the AVX2 function and stayed in two-lane code.
    ///
    /// # Safety
    /// The processor has AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn clear_avx2(self) {
        self.clear_plain()
    }

    #[inline(always)]
    fn clear_plain(self) {
        let n = self.rhs.len();
        let (rhs, d, vi) = (self.rhs, &mut self.d[..n], &mut self.vi[..n]);
        let (cm, v, has, vext) = (&self.cm[..n], &self.v[..n], &self.has[..n], &self.vext[..n]);
        for i in 0..n {
            rhs[i] = 0.0;
            d[i] = self.cfac * cm[i];
            let inside = v[i] + vext[i][0];
            vi[i] = if has[i] { inside } else { v[i] };
        }
    }
}
