//! NEURON's `extracellular` mechanism (NUMERICS §9): two extracellular layers under every node
//! of the sections it is inserted in, and the block-tridiagonal tree solver that goes with it.
//!
//! Per node the unknowns are the new internal potential vi (= v + vext[0]), vext[0] and
//! vext[1], where NEURON solves for their changes: the same system with the present values
//! moved to the rhs, where the axial currents then cancel against the matrix's axial terms,
//! so a step needs no pass over the tree's edges to make them (round-off differs). The
//! three rows of a node couple only among themselves (a tridiagonal 3×3 block:
//! membrane between vi and vext[0], xg/xc between the layers, xg[1]/xc[1] to ground through
//! e_extracellular) and, layer by layer, to the same rows of the parent node (axial resistances:
//! ri inside, xraxial outside). So the matrix keeps the tree shape with a 3×3 block per node and a
//! diagonal 3×3 block per parent coupling, and Gaussian elimination from the leaves to the roots
//! (as in the scalar Hines solve) creates no fill-in outside the blocks.
//!
//! A step here fills the blocks and rhs (the layer terms that change only with xg, xc, xraxial
//! and dt are kept, [`LayerStatics`]), takes the zero-area nodes out (ext_contract.rs), and
//! eliminates the rest (ext_block.rs, ext_avx2.rs) in the order of ext_schedule.rs.

use crate::ext_block::{from_rows, Block, Scalar, TreeElimination, Vec4, B, ROW};
use crate::ext_contract::{Contraction, LayoutCoupling, LayoutTree};
use crate::ext_schedule::EliminationOrder;
use crate::fused::{Fused, MulAdd, Separate};
use crate::hines::HinesMatrix;
use crate::layout::{Layout, NodeKind};
use crate::section::Section;

/// Extracellular layers per node (NEURON's default `nlayer`).
pub const NLAYER: usize = 2;

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

    /// The parameters (xraxial, xg, xc, e_extracellular), kept per segment in the section
    /// ([`ExtParams`]); vext and i_membrane are the solution's, kept per node in the layout.
    pub fn is_parameter(self) -> bool {
        !matches!(self, ExtVar::Vext(_) | ExtVar::IMembrane)
    }
}

/// The extracellular parameters of one segment, kept in its section like diam and cm (so that
/// setting them needs no layout: a template that inserts the mechanism section by section
/// costs no rebuild per section); each layout copies them to its nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ExtParams {
    pub xraxial: [f64; NLAYER],
    pub xg: [f64; NLAYER],
    pub xc: [f64; NLAYER],
    pub e: f64,
}

impl Default for ExtParams {
    /// NEURON's.
    fn default() -> Self {
        ExtParams {
            xraxial: [DEFAULT_XRAXIAL; NLAYER],
            xg: [DEFAULT_XG; NLAYER],
            xc: [DEFAULT_XC; NLAYER],
            e: DEFAULT_E,
        }
    }
}

impl ExtParams {
    /// The slot of parameter `var` (None for vext and i_membrane).
    pub fn slot(&mut self, var: ExtVar) -> Option<&mut f64> {
        Some(match var {
            ExtVar::Xraxial(k) => &mut self.xraxial[k as usize],
            ExtVar::Xg(k) => &mut self.xg[k as usize],
            ExtVar::Xc(k) => &mut self.xc[k as usize],
            ExtVar::E => &mut self.e,
            ExtVar::Vext(_) | ExtVar::IMembrane => return None,
        })
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

/// One step's input to the block solve: the internal rows (`d`: membrane, electrodes and
/// axial terms; `rhs`: the membrane's and electrodes' currents and conductances times the
/// present vi, split_rows.rs), the membrane current I_m (`im`, mA/cm2) and
/// its conductance D = cm·cfac + g (`dm`, S/cm2) without electrodes.
pub(crate) struct StepRows<'a> {
    pub cfac: f64,
    /// The membrane potential.
    pub v: &'a [f64],
    pub d: &'a [f64],
    pub rhs: &'a [f64],
    pub im: &'a [f64],
    pub dm: &'a [f64],
}

/// The layer parts of a node's block: what xg, xc, xraxial and dt make of it.
#[derive(Debug, Default, Clone, Copy)]
struct LayerStatics {
    /// The vext[0] and vext[1] diagonal without the membrane: conductances between the
    /// layers, to ground and (negative) to the layers of the neighbours; then the same once
    /// the contraction's nodes are out (ext_contract.rs).
    diagonal: [[f64; NLAYER]; 2],
    /// xg[0] + xc[0]·cfac, between the layers (0 without membrane).
    between: f64,
    /// xc·cfac of the layers (0 without membrane): the layers' charge from the last step in
    /// the rhs.
    capacitive: [f64; NLAYER],
    /// xg[1] (0 without membrane): the outer layer's conductance to e_extracellular.
    xg_ground: f64,
}

/// Index of [`LayerStatics::diagonal`] for the plain order and with the contraction.
const PLAIN: usize = 0;
const CONTRACTED: usize = 1;

/// The node arrays the voltage update after the block solve writes.
pub(crate) struct UpdatedNodes<'a> {
    pub v: &'a mut [f64],
    pub vi: &'a mut [f64],
    /// The rhs, to receive Δvi where something reads it after the update.
    pub dvi: Option<&'a mut [f64]>,
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
    /// The parts of each node's block and rhs that change only with xg, xc, xraxial and dt
    /// ([`LayerStatics`]), and the cfac they were made for (None: to be made again).
    statics: Vec<LayerStatics>,
    statics_cfac: Option<f64>,
    /// Solver storage: the node's 3×3 block (row-major), then D⁻¹·diag(b); its rhs, then the
    /// solution, then (after `update`) Δvi and Δvext.
    block: Vec<Block>,
    brhs: Vec<Vec4>,
    order: EliminationOrder,
    /// The diagonal nodes taken out first (ext_contract.rs), with the order of the others.
    contraction: Option<Contraction>,
    /// A zero per node (what the plain order adds to the vi diagonals).
    zeros: Vec<f64>,
}

impl ExtNodes {
    /// Layers for the nodes of sections with `extracellular`: the parameters from the
    /// sections, vext and i_membrane carried over from `old` where the node existed there with
    /// layers (`old_of_new`), else 0.
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
            statics: vec![LayerStatics::default(); solver_nodes],
            statics_cfac: None,
            block: vec![[0.0; B * ROW]; solver_nodes],
            brhs: vec![[0.0; ROW]; solver_nodes],
            zeros: vec![0.0; solver_nodes],
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
                e.i_membrane[node] = old.i_membrane[o];
            }
        }
        for (sec, sn) in sections.iter().zip(&layout.sections) {
            for (j, p) in sec.ext_params.iter().enumerate() {
                let node = sn.segment_node(j) as usize;
                (e.xraxial[node], e.xg[node], e.xc[node]) = (p.xraxial, p.xg, p.xc);
                e.e[node] = p.e;
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
        if matches!(var, ExtVar::Xg(_) | ExtVar::Xc(_) | ExtVar::Xraxial(_)) {
            self.statics_cfac = None;
        }
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
        self.statics_cfac = None;
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

    /// Builds the block system of one step and solves it; on return the solution is in
    /// `brhs`, for [`update`](Self::update) (which puts Δvi in the rhs) and
    /// [`delta_ext`](Self::delta_ext).
    pub fn solve(&mut self, matrix: &HinesMatrix, rows: StepRows) {
        #[cfg(target_arch = "x86_64")]
        if crate::fused::has_fma() {
            // SAFETY: the processor has the features the function is compiled for.
            unsafe { self.solve_fused(matrix, rows) };
            return;
        }
        self.solve_with::<Separate, Scalar<Separate>>(matrix, rows);
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn solve_fused(&mut self, matrix: &HinesMatrix, rows: StepRows) {
        self.solve_with::<Fused, crate::ext_avx2::Avx2>(matrix, rows);
    }

    #[inline(always)]
    fn solve_with<M: MulAdd, E: TreeElimination>(&mut self, matrix: &HinesMatrix, rows: StepRows) {
        let StepRows {
            cfac,
            v,
            d,
            rhs,
            im,
            dm,
        } = rows;
        let n = self.has.len();
        if self.statics_cfac != Some(cfac) {
            self.make_statics(matrix, cfac);
        }
        let (v, d, rhs, im, dm) = (&v[..n], &d[..n], &rhs[..n], &im[..n], &dm[..n]);
        let contracted = self.contraction.as_ref().is_some_and(|c| c.applies(dm));
        let variant = if contracted { CONTRACTED } else { PLAIN };
        let (block, brhs) = (&mut self.block[..n], &mut self.brhs[..n]);
        let (has, statics) = (&self.has[..n], &self.statics[..n]);
        let (vext, e) = (&self.vext[..n], &self.e[..n]);
        let (taken, vi_extra) = match self.contraction.as_mut() {
            Some(c) if contracted => {
                let coupling = LayoutCoupling {
                    a: &matrix.a,
                    b: &matrix.b,
                    ax: &self.ax,
                    bx: &self.bx,
                };
                c.update_vi_diagonals(coupling, d);
                (&c.is_taken[..n], &c.vi_diagonal_extra()[..n])
            }
            _ => (&[][..], &self.zeros[..n]),
        };
        for i in 0..n {
            let (blk, r, s) = (&mut block[i], &mut brhs[i], &statics[i]);
            if taken.get(i).copied().unwrap_or(false) {
                // Its rhs only: no membrane, and no membrane conductance while the
                // contraction applies (a current without one may flow).
                let im = if has[i] { im[i] } else { 0.0 };
                *r = [rhs[i], im, 0.0, 0.0];
            } else if has[i] {
                let dmi = dm[i];
                let g = -s.between;
                let [s0, s1] = s.diagonal[variant];
                *blk = from_rows([
                    [d[i] + vi_extra[i], -dmi, 0.0, 0.0],
                    [-dmi, dmi + s0, g, 0.0],
                    [0.0, g, s1, 0.0],
                ]);
                // The unknowns are the new potentials: the rhs keeps the currents that do
                // not depend on them, the membrane conductance times the present potentials,
                // the layers' charge from the last step and the ground's current.
                let [v0, v1] = vext[i];
                let charge = s.capacitive[0] * (v0 - v1);
                *r = [
                    M::mul_add(-dmi, v0, rhs[i]),
                    M::mul_add(-dmi, v[i], im[i]) + charge,
                    M::mul_add(s.capacitive[1], v1, s.xg_ground * e[i]) - charge,
                    0.0,
                ];
            } else {
                *blk = from_rows([
                    [d[i] + vi_extra[i], 0.0, 0.0, 0.0],
                    [0.0, 1.0, 0.0, 0.0],
                    [0.0, 0.0, 1.0, 0.0],
                ]);
                *r = [rhs[i], 0.0, 0.0, 0.0];
            }
        }
        let (a, b, parent) = (&matrix.a[..n], &matrix.b[..n], &matrix.parent[..n]);
        let (ax, bx) = (&self.ax[..n], &self.bx[..n]);
        let ncell = matrix.ncell;
        let coupling = LayoutCoupling { a, b, ax, bx };
        match self.contraction.as_mut().filter(|_| contracted) {
            Some(c) => {
                c.take_out::<M>(brhs);
                E::eliminate_tree(&c.order, ncell, &c.tree(), block, brhs);
                c.put_back::<M>(brhs);
            }
            None => {
                let tree = LayoutTree { parent, coupling };
                E::eliminate_tree(&self.order, ncell, &tree, block, brhs);
            }
        }
    }

    /// The layer parts of every node's block for this cfac.
    fn make_statics(&mut self, matrix: &HinesMatrix, cfac: f64) {
        let n = self.has.len();
        for i in 0..n {
            let (xg, xc) = (self.xg[i], self.xc[i]);
            self.statics[i] = if self.membrane[i] {
                let g0 = xg[0] + xc[0] * cfac;
                let g1 = xg[1] + xc[1] * cfac;
                LayerStatics {
                    diagonal: [[g0, g0 + g1]; 2],
                    between: g0,
                    capacitive: [xc[0] * cfac, xc[1] * cfac],
                    xg_ground: xg[1],
                }
            } else {
                LayerStatics::default()
            };
        }
        for i in matrix.ncell..n {
            let p = matrix.parent[i] as usize;
            for k in 0..NLAYER {
                self.statics[i].diagonal[PLAIN][k] -= self.bx[i][k];
                self.statics[p].diagonal[PLAIN][k] -= self.ax[i][k];
            }
        }
        for s in self.statics.iter_mut() {
            s.diagonal[CONTRACTED] = s.diagonal[PLAIN];
        }
        if let Some(c) = self.contraction.as_mut() {
            let coupling = LayoutCoupling {
                a: &matrix.a,
                b: &matrix.b,
                ax: &self.ax,
                bx: &self.bx,
            };
            let statics = &mut self.statics;
            let plain: Vec<[f64; NLAYER]> = statics.iter().map(|s| s.diagonal[PLAIN]).collect();
            c.set_layer_statics(
                coupling,
                &self.has,
                |e| plain[e],
                |node, k, term| statics[node].diagonal[CONTRACTED][k] += term,
            );
        }
        self.statics_cfac = Some(cfac);
    }

    /// Δvext of node `i` after [`update`](Self::update).
    #[inline]
    pub fn delta_ext(&self, i: usize) -> [f64; NLAYER] {
        let x = self.brhs[i];
        [x[1], x[2]]
    }

    /// The voltage update after [`solve`](Self::solve), one pass over the nodes: Δvi from the
    /// new vi and the present one, v += factor·Δvi everywhere, and where there are layers vext
    /// takes the solution, v −= Δvext[0] and i_membrane = D·(Δvi − Δvext[0]) + I_m; then vi =
    /// v + vext[0] (v without layers). Where the changes are wanted (`nodes.dvi`), Δvi goes
    /// there and the solver keeps Δvext for [`delta_ext`](Self::delta_ext). Returns whether
    /// every v is finite.
    pub fn update(&mut self, nodes: UpdatedNodes, factor: f64, im: &[f64], dm: &[f64]) -> bool {
        match nodes.dvi {
            Some(dvi) => self.update_nodes::<true>(nodes.v, nodes.vi, dvi, factor, im, dm),
            None => self.update_nodes::<false>(nodes.v, nodes.vi, &mut [], factor, im, dm),
        }
    }

    /// [`update`](Self::update), keeping the changes or not.
    fn update_nodes<const KEEP: bool>(
        &mut self,
        v: &mut [f64],
        vi: &mut [f64],
        dvi: &mut [f64],
        factor: f64,
        im: &[f64],
        dm: &[f64],
    ) -> bool {
        let n = self.has.len();
        let (v, vi) = (&mut v[..n], &mut vi[..n]);
        let dvi = if KEEP { &mut dvi[..n] } else { dvi };
        let (im, dm) = (&im[..n], &dm[..n]);
        let (has, membrane) = (&self.has[..n], &self.membrane[..n]);
        let (brhs, vext, imem) = (
            &mut self.brhs[..n],
            &mut self.vext[..n],
            &mut self.i_membrane[..n],
        );
        let mut finite = true;
        for i in 0..n {
            let x = brhs[i];
            let change_vi = x[0] - vi[i];
            if KEEP {
                dvi[i] = change_vi;
            }
            let moved = v[i] + factor * change_vi;
            let (new_v, new_vi) = if has[i] {
                let change = [x[1] - vext[i][0], x[2] - vext[i][1]];
                vext[i] = [x[1], x[2]];
                if KEEP {
                    brhs[i] = [change_vi, change[0], change[1], 0.0];
                }
                if membrane[i] {
                    imem[i] = dm[i] * (change_vi - change[0]) + im[i];
                }
                let v = moved - change[0];
                (v, v + x[1])
            } else {
                (moved, moved)
            };
            (v[i], vi[i]) = (new_v, new_vi);
            finite &= new_v.is_finite();
        }
        finite
    }
}
