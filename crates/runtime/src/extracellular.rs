//! NEURON's `extracellular` mechanism (NUMERICS §9): two extracellular layers under every node
//! of the sections it is inserted in, and the block-tridiagonal tree solver that goes with it.
//!
//! Per node the unknowns are Δvi (internal potential vi = v + vext[0]), Δvext[0] and
//! Δvext[1]. The three rows of a node couple only among themselves (a tridiagonal 3×3 block:
//! membrane between vi and vext[0], xg/xc between the layers, xg[1]/xc[1] to ground through
//! e_extracellular) and, layer by layer, to the same rows of the parent node (axial resistances:
//! ri inside, xraxial outside). So the matrix keeps the tree shape with a 3×3 block per node and a
//! diagonal 3×3 block per parent coupling, and Gaussian elimination from the leaves to the roots
//! (as in the scalar Hines solve) creates no fill-in outside the blocks.

use crate::ext_contract::{Contraction, LayoutCoupling, LayoutTree, TreeCoupling};
use crate::ext_schedule::{EliminationOrder, NONE};
use crate::fused::{Fused, MulAdd, Separate};
use crate::hines::HinesMatrix;
use crate::layout::{Layout, NodeKind};
use crate::section::Section;

/// Extracellular layers per node (NEURON's default `nlayer`).
pub const NLAYER: usize = 2;
/// Unknowns per node: vi and one per layer.
const B: usize = 1 + NLAYER;

/// Defaults of the range variables (NEURON's): xraxial (MOhm/cm), xg (S/cm2), xc (uF/cm2),
/// e_extracellular (mV).
pub(crate) const DEFAULT_XRAXIAL: f64 = 1e9;
pub(crate) const DEFAULT_XG: f64 = 1e9;
pub(crate) const DEFAULT_XC: f64 = 0.0;
pub(crate) const DEFAULT_E: f64 = 0.0;

/// Range variables of the mechanism and of the fast membrane current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExtVar {
    /// `vext[k]` (mV), a node value.
    Vext(u8),
    Xraxial(u8),
    Xg(u8),
    Xc(u8),
    /// `e_extracellular`.
    E,
    /// `i_membrane` (mA/cm2): total membrane current including the capacitive one, without
    /// electrode currents.
    IMembrane,
}

impl ExtVar {
    /// Parses `vext`, `xraxial`, `xg`, `xc` (with an optional layer index), `e_extracellular`
    /// and `i_membrane`. Returns None for other names and Some(Err(size)) for a bad index.
    pub fn parse(base: &str, index: Option<usize>) -> Option<Result<ExtVar, usize>> {
        let layered = |f: fn(u8) -> ExtVar| {
            Some(match index.unwrap_or(0) {
                k if k < NLAYER => Ok(f(k as u8)),
                _ => Err(NLAYER),
            })
        };
        let scalar = |v: ExtVar| Some(if index.is_none() { Ok(v) } else { Err(1) });
        match base {
            "vext" => layered(ExtVar::Vext),
            "xraxial" => layered(ExtVar::Xraxial),
            "xg" => layered(ExtVar::Xg),
            "xc" => layered(ExtVar::Xc),
            "e_extracellular" => scalar(ExtVar::E),
            "i_membrane" => scalar(ExtVar::IMembrane),
            _ => None,
        }
    }

    /// Node values (vext) live on every node; the others on segment nodes.
    pub fn is_node_value(self) -> bool {
        matches!(self, ExtVar::Vext(_))
    }
}

/// Names of [`ExtVar`] (and `i_membrane_`) that mechanisms may not define; all but the first
/// are range variables of a section (hoc reads and sets them as bare names in a section).
pub const EXT_NAMES: [&str; 8] = [
    "extracellular",
    "vext",
    "xraxial",
    "xg",
    "xc",
    "e_extracellular",
    "i_membrane",
    "i_membrane_",
];

/// One step's input to the block solve: the internal rows (`d`, `rhs`: membrane, electrode
/// and internal axial terms computed with vi), the membrane current I_m (`im`, mA/cm2) and
/// its conductance D = cm·cfac + g (`dm`, S/cm2) without electrodes.
pub(crate) struct StepRows<'a> {
    pub cfac: f64,
    pub d: &'a [f64],
    pub rhs: &'a mut [f64],
    pub im: &'a [f64],
    pub dm: &'a [f64],
}

/// Per-node data of the extracellular layers, indexed by node.
#[derive(Debug, Default)]
pub(crate) struct ExtNodes {
    /// Some node has the layers: the step solves the block system.
    pub active: bool,
    pub has: Vec<bool>,
    /// Segment node: has membrane and the xg/xc path to ground (end and root nodes do not).
    pub membrane: Vec<bool>,
    pub vext: Vec<[f64; NLAYER]>,
    pub xraxial: Vec<[f64; NLAYER]>,
    pub xg: Vec<[f64; NLAYER]>,
    pub xc: Vec<[f64; NLAYER]>,
    pub e: Vec<f64>,
    pub i_membrane: Vec<f64>,
    /// Layer coupling with the parent node, as a/b of the cable matrix (0 where either node
    /// has no layers).
    pub ax: Vec<[f64; NLAYER]>,
    pub bx: Vec<[f64; NLAYER]>,
    /// Solver storage: the node's 3×3 block (row-major), then D⁻¹·diag(b); its rhs, then the
    /// solution.
    block: Vec<[f64; B * B]>,
    brhs: Vec<[f64; B]>,
    order: EliminationOrder,
    /// The diagonal nodes taken out first (ext_contract.rs), with the order of the others.
    contraction: Option<Contraction>,
}

impl ExtNodes {
    /// Layers for the nodes of sections with `extracellular`; values carried over from `old`
    /// where the node existed there with layers (`old_of_new`), else NEURON's defaults.
    pub fn build(
        sections: &[Section],
        layout: &Layout,
        old: &ExtNodes,
        old_of_new: &[u32],
    ) -> Self {
        let n = layout.node_count();
        let mut has = vec![false; n];
        let mut membrane = vec![false; n];
        for (node, kind) in layout.kinds.iter().enumerate() {
            let (s, seg) = match *kind {
                NodeKind::Root(s) | NodeKind::End(s) => (s, false),
                NodeKind::Segment(s, _) => (s, true),
            };
            if sections[s.index()].extracellular {
                has[node] = true;
                membrane[node] = seg;
            }
        }
        let active = has.iter().any(|&h| h);
        let solver_nodes = if active { n } else { 0 };
        let mut e = ExtNodes {
            active,
            vext: vec![[0.0; NLAYER]; n],
            xraxial: vec![[DEFAULT_XRAXIAL; NLAYER]; n],
            xg: vec![[DEFAULT_XG; NLAYER]; n],
            xc: vec![[DEFAULT_XC; NLAYER]; n],
            e: vec![DEFAULT_E; n],
            i_membrane: vec![0.0; n],
            ax: vec![[0.0; NLAYER]; n],
            bx: vec![[0.0; NLAYER]; n],
            block: vec![[0.0; B * B]; solver_nodes],
            brhs: vec![[0.0; B]; solver_nodes],
            order: if active {
                EliminationOrder::new(&layout.matrix.parent, layout.matrix.ncell)
            } else {
                EliminationOrder::default()
            },
            contraction: if active {
                Contraction::build(&layout.matrix.parent, layout.matrix.ncell, &membrane, &has)
            } else {
                None
            },
            has,
            membrane,
        };
        for (node, &o) in old_of_new.iter().enumerate() {
            let o = o as usize;
            if e.has[node] && old.has.get(o).copied().unwrap_or(false) {
                e.vext[node] = old.vext[o];
                e.xraxial[node] = old.xraxial[o];
                e.xg[node] = old.xg[o];
                e.xc[node] = old.xc[o];
                e.e[node] = old.e[o];
                e.i_membrane[node] = old.i_membrane[o];
            }
        }
        e
    }

    pub fn get(&self, node: usize, var: ExtVar) -> f64 {
        match var {
            ExtVar::Vext(k) => self.vext[node][k as usize],
            ExtVar::Xraxial(k) => self.xraxial[node][k as usize],
            ExtVar::Xg(k) => self.xg[node][k as usize],
            ExtVar::Xc(k) => self.xc[node][k as usize],
            ExtVar::E => self.e[node],
            ExtVar::IMembrane => self.i_membrane[node],
        }
    }

    pub fn set(&mut self, node: usize, var: ExtVar, value: f64) {
        let slot = match var {
            ExtVar::Vext(k) => &mut self.vext[node][k as usize],
            ExtVar::Xraxial(k) => &mut self.xraxial[node][k as usize],
            ExtVar::Xg(k) => &mut self.xg[node][k as usize],
            ExtVar::Xc(k) => &mut self.xc[node][k as usize],
            ExtVar::E => &mut self.e[node],
            ExtVar::IMembrane => &mut self.i_membrane[node],
        };
        *slot = value;
    }

    /// finitialize: vext and i_membrane are 0 afterwards (NEURON's extcell init).
    pub fn initialize(&mut self) {
        self.vext.fill([0.0; NLAYER]);
        self.i_membrane.fill(0.0);
    }

    /// Layer coupling coefficients from xraxial: per layer a half-segment resistance
    /// 1e-4·xraxial·(L/nseg)/2 MOhm, combined along the section and turned into a/b exactly
    /// like the internal ri (the first node of a section gets only its own left half).
    pub fn update_coupling(&mut self, sections: &[Section], layout: &Layout) {
        if !self.active {
            return;
        }
        self.ax.fill([0.0; NLAYER]);
        self.bx.fill([0.0; NLAYER]);
        let parent = &layout.matrix.parent;
        for (s, sec) in sections.iter().enumerate() {
            if !sec.extracellular {
                continue;
            }
            let sn = layout.sections[s];
            let nseg = sn.nseg as usize;
            let dx = sec.length / nseg as f64;
            let half = |node: usize, k: usize| 1e-4 * self.xraxial[node][k] * dx / 2.0;
            for a in 0..=nseg {
                let node = sn.first as usize + a;
                let p = parent[node] as usize;
                if !self.has[p] {
                    continue;
                }
                for k in 0..NLAYER {
                    // Segment nodes are consecutive in arc order; the end node follows.
                    let left = if a < nseg { half(node, k) } else { 0.0 };
                    let right = if a > 0 { half(node - 1, k) } else { 0.0 };
                    let rinv = 1.0 / (left + right);
                    self.ax[node][k] = crate::geometry::coupling_a(rinv, layout.area.get(p), 1.0);
                    self.bx[node][k] = crate::geometry::coupling_b(rinv, layout.area.get(node));
                }
            }
        }
    }

    /// Builds the block system of one step and solves it; on return `rows.rhs` holds Δvi and
    /// `delta_ext` the layers' Δvext.
    pub fn solve(&mut self, matrix: &HinesMatrix, rows: StepRows) {
        #[cfg(target_arch = "x86_64")]
        if crate::fused::has_fma() {
            // SAFETY: the processor has the features the function is compiled for.
            unsafe { self.solve_fused(matrix, rows) };
            return;
        }
        self.solve_with::<Separate>(matrix, rows);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn solve_fused(&mut self, matrix: &HinesMatrix, rows: StepRows) {
        self.solve_with::<Fused>(matrix, rows);
    }

    #[inline(always)]
    fn solve_with<M: MulAdd>(&mut self, matrix: &HinesMatrix, rows: StepRows) {
        let StepRows {
            cfac,
            d,
            rhs,
            im,
            dm,
        } = rows;
        let n = self.has.len();
        let (d, rhs, im, dm) = (&d[..n], &mut rhs[..n], &im[..n], &dm[..n]);
        let (block, brhs) = (&mut self.block[..n], &mut self.brhs[..n]);
        let (has, membrane) = (&self.has[..n], &self.membrane[..n]);
        let (vext, xg, xc, e) = (&self.vext[..n], &self.xg[..n], &self.xc[..n], &self.e[..n]);
        for i in 0..n {
            let (blk, r) = (&mut block[i], &mut brhs[i]);
            if has[i] {
                let dmi = dm[i];
                let (g0, g1, xg0, xg1) = if membrane[i] {
                    (
                        xg[i][0] + xc[i][0] * cfac,
                        xg[i][1] + xc[i][1] * cfac,
                        xg[i][0],
                        xg[i][1],
                    )
                } else {
                    (0.0, 0.0, 0.0, 0.0)
                };
                *blk = [d[i], -dmi, 0.0, -dmi, dmi + g0, -g0, 0.0, -g0, g0 + g1];
                let i01 = xg0 * (vext[i][0] - vext[i][1]);
                *r = [rhs[i], im[i] - i01, i01 - xg1 * (vext[i][1] - e[i])];
            } else {
                *blk = [d[i], 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
                *r = [rhs[i], 0.0, 0.0];
            }
        }
        let (a, b, parent) = (&matrix.a[..n], &matrix.b[..n], &matrix.parent[..n]);
        let (ax, bx) = (&self.ax[..n], &self.bx[..n]);
        // Layer axial currents at the present vext and their coupling on the diagonals.
        for i in matrix.ncell..n {
            let p = parent[i] as usize;
            for k in 0..NLAYER {
                if bx[i][k] == 0.0 {
                    continue;
                }
                let dv = vext[p][k] - vext[i][k];
                brhs[i][k + 1] -= bx[i][k] * dv;
                brhs[p][k + 1] += ax[i][k] * dv;
                block[i][(k + 1) * (B + 1)] -= bx[i][k];
                block[p][(k + 1) * (B + 1)] -= ax[i][k];
            }
        }
        let ncell = matrix.ncell;
        let coupling = LayoutCoupling { a, b, ax, bx };
        match self.contraction.as_mut().filter(|c| c.applies(dm)) {
            Some(c) => {
                c.take_out::<M>(coupling, block, brhs);
                eliminate_tree::<M>(&c.order, ncell, &c.tree(coupling), block, brhs);
                c.put_back::<M>(coupling, brhs);
            }
            None => {
                let tree = LayoutTree { parent, coupling };
                eliminate_tree::<M>(&self.order, ncell, &tree, block, brhs);
            }
        }
        for (r, x) in rhs.iter_mut().zip(brhs.iter()) {
            *r = x[0];
        }
    }

    /// Δvext of node `i` after [`solve`](Self::solve).
    #[inline]
    pub fn delta_ext(&self, i: usize) -> [f64; NLAYER] {
        let x = self.brhs[i];
        [x[1], x[2]]
    }

    /// The update after [`solve`](Self::solve) at the nodes with layers (v already has
    /// `factor`·Δvi): v −= Δvext[0], vext += Δvext, i_membrane = D·(Δvi − Δvext[0]) + I_m.
    /// Returns whether every updated v is finite.
    pub fn update(&mut self, v: &mut [f64], dvi: &[f64], im: &[f64], dm: &[f64]) -> bool {
        let n = self.has.len();
        let (v, dvi, im, dm) = (&mut v[..n], &dvi[..n], &im[..n], &dm[..n]);
        let (has, membrane, brhs) = (&self.has[..n], &self.membrane[..n], &self.brhs[..n]);
        let (vext, imem) = (&mut self.vext[..n], &mut self.i_membrane[..n]);
        let mut finite = true;
        for i in 0..n {
            if !has[i] {
                continue;
            }
            let x = brhs[i];
            v[i] -= x[1];
            vext[i][0] += x[1];
            vext[i][1] += x[2];
            if membrane[i] {
                imem[i] = dm[i] * (dvi[i] - x[1]) + im[i];
            }
            finite &= v[i].is_finite();
        }
        finite
    }
}

/// Block elimination of a tree from the leaves, several independent nodes at a time
/// (ext_schedule.rs), then the back substitution. Node i's block is replaced by
/// W = D_i⁻¹·diag(c_i) and its rhs by y = D_i⁻¹·r_i, where c_i couples i's rows to its parent
/// p; p loses diag(c_p,i)·W and diag(c_p,i)·y; then x_i = y_i − W_i·x_p from the roots out.
/// `tree.of(i)` is (c_i, c_p,i).
#[inline(always)]
fn eliminate_tree<M: MulAdd>(
    order: &EliminationOrder,
    ncell: usize,
    tree: &impl TreeCoupling,
    block: &mut [[f64; B * B]],
    brhs: &mut [[f64; B]],
) {
    for &[x, y] in &order.groups {
        let x = x as usize;
        let (cx, cpx) = tree.of(x);
        let (wx, rx) = eliminate::<M>(&block[x], &brhs[x], &cx);
        let px = tree.parent(x);
        if y == NONE {
            fold_into::<M>(&mut block[px], &mut brhs[px], &cpx, &wx, &rx);
            (block[x], brhs[x]) = (wx, rx);
            continue;
        }
        // Both results before either parent update: the two chains overlap.
        let y = y as usize;
        let (cy, cpy) = tree.of(y);
        let (wy, ry) = eliminate::<M>(&block[y], &brhs[y], &cy);
        let py = tree.parent(y);
        fold_into::<M>(&mut block[px], &mut brhs[px], &cpx, &wx, &rx);
        fold_into::<M>(&mut block[py], &mut brhs[py], &cpy, &wy, &ry);
        (block[x], brhs[x]) = (wx, rx);
        (block[y], brhs[y]) = (wy, ry);
    }
    for k in 0..ncell {
        brhs[k] = mul3::<M>(&inverse3::<M>(&block[k]), &brhs[k]);
    }
    // Parents first: the groups backwards.
    for group in order.groups.iter().rev() {
        for &x in group.iter().filter(|&&x| x != NONE) {
            let x = x as usize;
            brhs[x] = substitute::<M>(&block[x], &brhs[x], &brhs[tree.parent(x)]);
        }
    }
}

/// Node i's elimination: W = D⁻¹·diag(c) and y = D⁻¹·r.
#[inline(always)]
fn eliminate<M: MulAdd>(d: &[f64; B * B], r: &[f64; B], c: &[f64; B]) -> ([f64; B * B], [f64; B]) {
    let inv = inverse3::<M>(d);
    let y = mul3::<M>(&inv, r);
    let mut w = [0.0; B * B];
    for row in 0..B {
        for col in 0..B {
            w[row * B + col] = inv[row * B + col] * c[col];
        }
    }
    (w, y)
}

/// The parent's block and rhs lose diag(c)·W and diag(c)·y.
#[inline(always)]
fn fold_into<M: MulAdd>(
    bp: &mut [f64; B * B],
    rp: &mut [f64; B],
    c: &[f64; B],
    w: &[f64; B * B],
    y: &[f64; B],
) {
    for row in 0..B {
        for col in 0..B {
            bp[row * B + col] = M::mul_add(-c[row], w[row * B + col], bp[row * B + col]);
        }
        rp[row] = M::mul_add(-c[row], y[row], rp[row]);
    }
}

/// x = y − W·x_parent.
#[inline(always)]
fn substitute<M: MulAdd>(w: &[f64; B * B], y: &[f64; B], xp: &[f64; B]) -> [f64; B] {
    let mut x = *y;
    for row in 0..B {
        let wx = M::mul_add(
            w[row * B],
            xp[0],
            M::mul_add(w[row * B + 1], xp[1], w[row * B + 2] * xp[2]),
        );
        x[row] -= wx;
    }
    x
}

/// p·q − r·s
#[inline(always)]
fn cross<M: MulAdd>(p: f64, q: f64, r: f64, s: f64) -> f64 {
    M::mul_add(p, q, -(r * s))
}

#[inline(always)]
fn inverse3<M: MulAdd>(m: &[f64; 9]) -> [f64; 9] {
    let c00 = cross::<M>(m[4], m[8], m[5], m[7]);
    let c01 = cross::<M>(m[5], m[6], m[3], m[8]);
    let c02 = cross::<M>(m[3], m[7], m[4], m[6]);
    let det = M::mul_add(m[0], c00, M::mul_add(m[1], c01, m[2] * c02));
    let f = 1.0 / det;
    [
        c00 * f,
        cross::<M>(m[2], m[7], m[1], m[8]) * f,
        cross::<M>(m[1], m[5], m[2], m[4]) * f,
        c01 * f,
        cross::<M>(m[0], m[8], m[2], m[6]) * f,
        cross::<M>(m[2], m[3], m[0], m[5]) * f,
        c02 * f,
        cross::<M>(m[1], m[6], m[0], m[7]) * f,
        cross::<M>(m[0], m[4], m[1], m[3]) * f,
    ]
}

#[inline(always)]
fn mul3<M: MulAdd>(m: &[f64; 9], v: &[f64; 3]) -> [f64; 3] {
    let row = |k: usize| M::mul_add(m[k], v[0], M::mul_add(m[k + 1], v[1], m[k + 2] * v[2]));
    [row(0), row(3), row(6)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse3_inverts() {
        let m = [4.0, -1.0, 0.0, -1.0, 1e9 + 3.0, -1e9, 0.0, -1e9, 2e9];
        let inv = inverse3::<Separate>(&m);
        for r in 0..3 {
            for c in 0..3 {
                let s: f64 = (0..3).map(|k| m[r * 3 + k] * inv[k * 3 + c]).sum();
                let want = if r == c { 1.0 } else { 0.0 };
                assert!((s - want).abs() < 1e-9, "({r},{c}) = {s}");
            }
        }
    }
}
