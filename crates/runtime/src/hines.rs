//! The tree-structured cable matrix and its direct solver (NUMERICS §1 items 5–6).
//!
//! Nodes are numbered so that every parent precedes its children, roots first
//! (0 .. ncell). Row i has diagonal d[i] and the entry b[i] in the parent's column; the
//! parent's row has a[i] in column i. With that ordering Gaussian elimination from the last
//! node down never creates fill-in.

#[cfg(target_arch = "x86_64")]
use crate::fused::has_fma;
#[cfg(target_arch = "x86_64")]
use crate::fused::Fused;
use crate::fused::{MulAdd, Separate};
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
    /// Where each cell's non-root nodes begin (cell k: `cells[k]..cells[k + 1]`), when every
    /// cell's nodes are one block in root order (layouts number them so); else empty.
    pub cells: Vec<u32>,
    /// Per cell (when `cells` is set): whether it is one unbranched chain from its root
    /// (every node on the previous one), which the solve eliminates from both ends.
    pub chains: Vec<bool>,
    /// The axial terms of each node's diagonal: −b[i] − Σ a[c] over its children c. Made by
    /// [`update_axial_diagonal`](Self::update_axial_diagonal) once a and b are set; it
    /// spares every step the scatter over the parents.
    pub axial_diagonal: Vec<f64>,
    /// The non-root nodes in runs `[start, end)`: within a run every node hangs on the one
    /// before and (but the last) has it as its only child, so a node's rhs takes its own
    /// axial share and its child's in one independent update (see [`add_axial`](Self::add_axial)).
    runs: Vec<(u32, u32)>,
    /// Whether the runs average at least [`LONG_RUN`] nodes (see `add_axial`).
    long_runs: bool,
}

/// The mean run length from which [`HinesMatrix::add_axial`] goes run by run.
const LONG_RUN: usize = 16;

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
        let cells = cell_blocks(&parent, ncell);
        let chains = (0..ncell)
            .filter(|_| !cells.is_empty())
            .map(|k| {
                let (start, end) = (cells[k] as usize, cells[k + 1] as usize);
                start < end
                    && parent[start] as usize == k
                    && (start + 1..end).all(|i| parent[i] as usize == i - 1)
            })
            .collect();
        let runs = axial_runs(&parent, ncell);
        let long_runs = n - ncell >= LONG_RUN * runs.len().max(1);
        HinesMatrix {
            a: vec![0.0; n],
            b: vec![0.0; n],
            parent,
            ncell,
            cells,
            chains,
            axial_diagonal: vec![0.0; n],
            runs,
            long_runs,
        }
    }

    /// [`axial_diagonal`](Self::axial_diagonal) from the present a and b.
    pub fn update_axial_diagonal(&mut self) {
        let diagonal = &mut self.axial_diagonal;
        diagonal.fill(0.0);
        for i in self.ncell..self.parent.len() {
            let p = self.parent[i] as usize;
            diagonal[i] -= self.b[i];
            diagonal[p] -= self.a[i];
        }
    }

    pub fn node_count(&self) -> usize {
        self.parent.len()
    }

    /// [`chains`](Self::chains) for a [`TreeSystem`] (null when there are none).
    pub fn chains_ptr(&self) -> *const bool {
        if self.chains.is_empty() {
            std::ptr::null()
        } else {
            self.chains.as_ptr()
        }
    }

    /// [`cells`](Self::cells) for a [`TreeSystem`] (null when the cells are not blocks).
    pub fn cells_ptr(&self) -> *const u32 {
        if self.cells.is_empty() {
            std::ptr::null()
        } else {
            self.cells.as_ptr()
        }
    }

    /// Adds the axial currents at the present voltages to rhs and the coupling to d.
    ///
    /// Into each rhs the additions come in NEURON's order: the node's own share, then its
    /// children's in node order. Inside a run of [`runs`](Self::runs) a node's own share and
    /// its only child's depend on v alone, so the run is one loop without a chain from node
    /// to node (vectorized, in AVX2 lanes where present); the first node of each run then
    /// adds its share to its parent, in node order, after every run has its own. Where the
    /// runs are short (small cells: a few nodes each) their set-up costs more than it saves,
    /// and the nodes go one by one ([`add_axial_by_node`](Self::add_axial_by_node)).
    #[inline]
    pub fn add_axial(&self, v: &[f64], rhs: &mut [f64], d: &mut [f64]) {
        if self.long_runs {
            // Wider lanes, no fused operations: the same bits.
            crate::fused::avx2_lanes(|| self.add_axial_with(v, rhs, d))
        } else {
            self.add_axial_by_node(v, rhs, d)
        }
    }

    /// [`add_axial`](Self::add_axial) node by node. Along a run of nodes (parent = previous
    /// node) the previous node's rhs stays in a register (`held`) until its child's share is
    /// added: adding into memory just stored would chain every node to the one before through
    /// the store (a store-to-load forwarding per node).
    fn add_axial_by_node(&self, v: &[f64], rhs: &mut [f64], d: &mut [f64]) {
        let n = self.node_count();
        let (a, b, parent) = (&self.a[..n], &self.b[..n], &self.parent[..n]);
        let (v, rhs, d) = (&v[..n], &mut rhs[..n], &mut d[..n]);
        let mut held: Option<(usize, f64)> = None;
        for i in self.ncell..n {
            // SAFETY: i < n, and parent[i] < i by the invariant checked in `new`.
            unsafe {
                let p = *parent.get_unchecked(i) as usize;
                let (ai, bi) = (*a.get_unchecked(i), *b.get_unchecked(i));
                let dv = *v.get_unchecked(p) - *v.get_unchecked(i);
                // a and b are negative, hence the signs.
                let own = *rhs.get_unchecked(i) - bi * dv;
                match held {
                    Some((k, x)) if k == p => *rhs.get_unchecked_mut(p) = x + ai * dv,
                    _ => {
                        if let Some((k, x)) = held {
                            *rhs.get_unchecked_mut(k) = x;
                        }
                        *rhs.get_unchecked_mut(p) += ai * dv;
                    }
                }
                held = Some((i, own));
            }
        }
        if let Some((k, x)) = held {
            rhs[k] = x;
        }
        for (d, &axial) in d.iter_mut().zip(&self.axial_diagonal[..n]) {
            *d += axial;
        }
    }

    #[inline(always)]
    fn add_axial_with(&self, v: &[f64], rhs: &mut [f64], d: &mut [f64]) {
        let n = self.node_count();
        let (a, b, parent) = (&self.a[..n], &self.b[..n], &self.parent[..n]);
        let (v, rhs, d) = (&v[..n], &mut rhs[..n], &mut d[..n]);
        for &(start, end) in &self.runs {
            let (s, e) = (start as usize, end as usize);
            // a and b are negative, hence the signs. The first node's parent is anywhere.
            let first = rhs[s] - b[s] * (v[parent[s] as usize] - v[s]);
            rhs[s] = if s + 1 < e {
                first + a[s + 1] * (v[s] - v[s + 1])
            } else {
                first
            };
            if s + 1 < e {
                // Nodes s+1 .. e-1 hang on the previous one; all but the last have the next
                // as their only child.
                let inner = s + 1..e - 1;
                let (r, bb) = (&mut rhs[inner.clone()], &b[inner.clone()]);
                let an = &a[s + 2..e];
                let (vp, vi, vn) = (&v[s..e - 2], &v[s + 1..e - 1], &v[s + 2..e]);
                for k in 0..r.len() {
                    let own = r[k] - bb[k] * (vp[k] - vi[k]);
                    r[k] = own + an[k] * (vi[k] - vn[k]);
                }
                rhs[e - 1] -= b[e - 1] * (v[e - 2] - v[e - 1]);
            }
        }
        for &(start, _) in &self.runs {
            let c = start as usize;
            let p = parent[c] as usize;
            rhs[p] += a[c] * (v[p] - v[c]);
        }
        for (d, &axial) in d.iter_mut().zip(&self.axial_diagonal[..n]) {
            *d += axial;
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
            cells: self.cells_ptr(),
            chains: self.chains_ptr(),
            d: d.as_mut_ptr(),
            rhs: rhs.as_mut_ptr(),
        };
        // SAFETY: every slice holds n values, the roots are 0..ncell and every other node's
        // parent precedes it (checked in `new`).
        unsafe { system.solve(0..self.ncell, self.ncell..n) }
    }
}

/// The runs of [`HinesMatrix::runs`]: node i continues the run of i - 1 when it hangs on
/// i - 1, i - 1 is not a root and i is the only child of i - 1.
fn axial_runs(parent: &[u32], ncell: usize) -> Vec<(u32, u32)> {
    let n = parent.len();
    let mut children = vec![0u32; n];
    for &p in parent.iter().skip(ncell) {
        children[p as usize] += 1;
    }
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for i in ncell..n {
        let continues = i > ncell && parent[i] as usize == i - 1 && children[i - 1] == 1;
        match runs.last_mut() {
            Some(run) if continues => run.1 = i as u32 + 1,
            _ => runs.push((i as u32, i as u32 + 1)),
        }
    }
    runs
}

/// Where each cell's non-root nodes begin, plus the end, when the nodes of every cell
/// (the root's descendants) are one block and the blocks follow the roots' order; else empty.
fn cell_blocks(parent: &[u32], ncell: usize) -> Vec<u32> {
    let n = parent.len();
    let mut cell = vec![0u32; n];
    let mut starts = Vec::with_capacity(ncell + 1);
    for i in 0..n {
        cell[i] = if i < ncell {
            i as u32
        } else {
            cell[parent[i] as usize]
        };
        if i >= ncell {
            let k = cell[i] as usize;
            if k < starts.len().saturating_sub(1) {
                return Vec::new(); // a cell's nodes come back after another cell's
            }
            while starts.len() <= k {
                starts.push(i as u32);
            }
        }
    }
    while starts.len() <= ncell {
        starts.push(n as u32);
    }
    starts
}

/// The matrix and the step's diagonal and right-hand side as raw pointers, so that threads
/// can solve their own cells in place (each group's nodes are disjoint).
#[derive(Clone, Copy)]
pub(crate) struct TreeSystem {
    pub a: *const f64,
    pub b: *const f64,
    pub parent: *const u32,
    /// [`HinesMatrix::cells`] (null: the cells are solved as one block of nodes).
    pub cells: *const u32,
    /// [`HinesMatrix::chains`] (null: none).
    pub chains: *const bool,
    pub d: *mut f64,
    pub rhs: *mut f64,
}

/// One cell's elimination in progress: the next node is `next - 1`, down to `start`; a run's
/// running diagonal and rhs stay in registers (`carry`).
struct Lane {
    next: usize,
    start: usize,
    carry: Option<(f64, f64)>,
}

impl Lane {
    fn new(nodes: Range<usize>) -> Self {
        Lane {
            next: nodes.end,
            start: nodes.start,
            carry: None,
        }
    }

    fn busy(&self) -> bool {
        self.next > self.start
    }
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
        #[cfg(target_arch = "x86_64")]
        if has_fma() {
            // SAFETY: as above; the processor has FMA and AVX2.
            return unsafe { self.solve_fused(roots, nodes) };
        }
        // SAFETY: as above.
        unsafe { self.solve_with::<Separate>(roots, nodes) }
    }

    /// [`solve`](Self::solve) with fused multiply-adds: the chains of both sweeps are
    /// shorter by a rounding step (a multiply-add instead of a multiply, then a subtraction).
    ///
    /// # Safety
    /// As for [`solve`](Self::solve), on a processor with FMA and AVX2.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn solve_fused(&self, roots: Range<usize>, nodes: Range<usize>) {
        // SAFETY: as above.
        unsafe { self.solve_with::<Fused>(roots, nodes) }
    }

    /// [`solve`](Self::solve), with a·b + c computed by `M`.
    ///
    /// # Safety
    /// As for [`solve`](Self::solve).
    #[inline(always)]
    unsafe fn solve_with<M: MulAdd>(&self, roots: Range<usize>, nodes: Range<usize>) {
        let TreeSystem { cells, d, rhs, .. } = *self;
        // SAFETY (whole body): see above; every index is a node of the cells or its parent.
        unsafe {
            if cells.is_null() {
                let mut lane = Lane::new(nodes.clone());
                while lane.busy() {
                    self.eliminate_next::<M>(&mut lane);
                }
                for r in roots {
                    *rhs.add(r) /= *d.add(r);
                }
                self.substitute::<M>(nodes);
                return;
            }
            let bound = |k: usize| *cells.add(k) as usize;
            let chain = |k: usize| !self.chains.is_null() && *self.chains.add(k);
            debug_assert_eq!(nodes, bound(roots.start)..bound(roots.end));
            // Other cells two at a time (they share no node): their chains overlap. Every
            // node's arithmetic is the same whichever cell shares the lanes, and a cell is
            // solved from both ends whenever it is an unbranched chain, so results do not
            // depend on how the cells are grouped.
            let mut waiting: Option<Range<usize>> = None;
            for k in roots.clone().rev() {
                let cell = bound(k)..bound(k + 1);
                if chain(k) {
                    self.eliminate_from_both_ends::<M>(k, cell);
                    continue;
                }
                let Some(other) = waiting.take() else {
                    waiting = Some(cell);
                    continue;
                };
                let (mut x, mut y) = (Lane::new(other), Lane::new(cell));
                while x.busy() && y.busy() {
                    self.eliminate_next::<M>(&mut x);
                    self.eliminate_next::<M>(&mut y);
                }
                for lane in [&mut x, &mut y] {
                    while lane.busy() {
                        self.eliminate_next::<M>(lane);
                    }
                }
            }
            if let Some(cell) = waiting {
                let mut lane = Lane::new(cell);
                while lane.busy() {
                    self.eliminate_next::<M>(&mut lane);
                }
            }
            for k in roots {
                let cell = bound(k)..bound(k + 1);
                if chain(k) {
                    self.substitute_from_the_middle::<M>(k, cell);
                } else {
                    *rhs.add(k) /= *d.add(k);
                    self.substitute::<M>(cell);
                }
            }
        }
    }

    /// Back substitution over `nodes` (their parents solved): x = y − W·x_parent.
    ///
    /// # Safety
    /// As for [`solve`](Self::solve).
    #[inline(always)]
    unsafe fn substitute<M: MulAdd>(&self, nodes: Range<usize>) {
        let TreeSystem { parent, d, rhs, .. } = *self;
        // SAFETY: nodes of the cells and their parents.
        unsafe {
            let mut xprev = 0.0;
            for i in nodes.clone() {
                let p = *parent.add(i) as usize;
                let xp = if p + 1 == i && i > nodes.start {
                    xprev
                } else {
                    *rhs.add(p)
                };
                let x = M::mul_add(-*d.add(i), xp, *rhs.add(i));
                *rhs.add(i) = x;
                xprev = x;
            }
        }
    }

    /// The middle of an unbranched cell (its root, then `nodes` each on the previous one):
    /// the chain c_0 = root, c_j = nodes.start + j - 1, of length L splits at c_m, m = L/2
    /// (m >= 1). Returns m and the node c_m.
    #[inline(always)]
    fn middle(nodes: &Range<usize>) -> (usize, usize) {
        // L = nodes.len() + 1 (the root too); m = L/2.
        let m = nodes.len().div_ceil(2);
        (m, nodes.start + m - 1)
    }

    /// Eliminates an unbranched cell from both ends at once (two independent chains of half
    /// the length): the far half into parents as usual, the root half into children — node
    /// c_j's row couples to its child through a of the child, the child's row to it through b
    /// of the child — until both meet at the middle node.
    ///
    /// Each chain goes two nodes per step: from the running diagonal e_j, the next one is
    /// e_{j+1} = D_{j+1} - ab_{j+1} / e_j, so 1/e_{j+1} = e_j / (D_{j+1} e_j - ab_{j+1}) and
    /// e_{j+2} = D_{j+2} - ab_{j+2} / e_{j+1}: one division and two multiply-adds on the chain
    /// per two nodes, where one node at a time has a division and a multiply-add per node.
    /// 1/e_j, which the node's outputs need, is a division beside the chain. The two forms
    /// differ by round-off only.
    ///
    /// # Safety
    /// As for [`solve`](Self::solve); cell k is an unbranched chain with nodes `nodes`.
    #[inline(always)]
    // The far half's last step leaves a position nothing reads any more.
    #[allow(unused_assignments)]
    unsafe fn eliminate_from_both_ends<M: MulAdd>(&self, k: usize, nodes: Range<usize>) {
        let TreeSystem { a, b, d, rhs, .. } = *self;
        let (m, middle) = Self::middle(&nodes);
        // Chain position j: c_0 = k, c_j = nodes.start + j - 1; the last is c_{len}.
        let c = |j: usize| if j == 0 { k } else { nodes.start + j - 1 };
        let last = nodes.len();
        debug_assert_eq!(c(m), middle);
        // SAFETY: every c(j) for j <= last is a node of the cell (m >= 1: a chain has a node
        // besides its root), its parent is c(j - 1).
        unsafe {
            // Far half: c_last down to c_{m+1}, each into its parent; the share of c_{m+1}
            // goes into the middle's diagonal and rhs in memory.
            let mut fj = last;
            let (mut fe, mut fr) = (*d.add(c(last)), *rhs.add(c(last)));
            // Root half: c_0 up to c_{m-1}, each into its child.
            let mut nj = 0;
            let (mut ne, mut nr) = (*d.add(k), *rhs.add(k));

            // A node's coupling to its neighbour on the way to the middle: (the factor of
            // its running rhs in the neighbour's row, its output's factor). Far half: node i
            // into its parent (a_i, b_i); root half: node into its child (b_child, a_child).
            let far = |i: usize| (*a.add(c(i)), *b.add(c(i)));
            let near = |j: usize| (*b.add(c(j)), *a.add(c(j)));
            macro_rules! far_one {
                () => {{
                    (fe, fr) = self.step_one::<M>(c(fj), c(fj - 1), far(fj), fe, fr);
                    fj -= 1;
                }};
            }
            macro_rules! far_two {
                () => {{
                    let at = [c(fj), c(fj - 1), c(fj - 2)];
                    (fe, fr) = self.step_two::<M>(at, [far(fj), far(fj - 1)], fe, fr);
                    fj -= 2;
                }};
            }
            macro_rules! near_one {
                () => {{
                    (ne, nr) = self.step_one::<M>(c(nj), c(nj + 1), near(nj + 1), ne, nr);
                    nj += 1;
                }};
            }
            macro_rules! near_two {
                () => {{
                    let at = [c(nj), c(nj + 1), c(nj + 2)];
                    (ne, nr) = self.step_two::<M>(at, [near(nj + 1), near(nj + 2)], ne, nr);
                    nj += 2;
                }};
            }
            // The far half leaves the middle's diagonal and rhs in memory.
            macro_rules! finish_far {
                () => {{
                    while fj > m + 1 {
                        if fj >= m + 3 {
                            far_two!();
                        } else {
                            far_one!();
                        }
                    }
                    if fj == m + 1 {
                        far_one!();
                        *d.add(middle) = fe;
                        *rhs.add(middle) = fr;
                    }
                }};
            }
            // Both halves two nodes at a time while the root half's step does not reach the
            // middle (whose diagonal must have the far half's share first).
            while nj + 2 < m {
                if fj >= m + 3 {
                    far_two!();
                } else if fj == m + 2 {
                    far_one!();
                }
                near_two!();
            }
            finish_far!();
            while nj < m {
                if nj + 2 <= m {
                    near_two!();
                } else {
                    near_one!();
                }
            }
            *d.add(middle) = ne;
            *rhs.add(middle) = nr;
        }
    }

    /// One node of a chain eliminated into its neighbour `next` (its parent or its child),
    /// with running diagonal `e` and rhs `r`; `(x, w)` its coupling: the neighbour's row gets
    /// -x/e times the node's row (x·w = a·b of the pair), the node keeps w/e and r/e for the
    /// back substitution. Returns the neighbour's running diagonal and rhs.
    ///
    /// # Safety
    /// `node` and `next` are nodes of the system.
    #[inline(always)]
    unsafe fn step_one<M: MulAdd>(
        &self,
        node: usize,
        next: usize,
        (x, w): (f64, f64),
        e: f64,
        r: f64,
    ) -> (f64, f64) {
        let TreeSystem { d, rhs, .. } = *self;
        // SAFETY: see above.
        unsafe {
            let inv = 1.0 / e;
            let e_next = M::mul_add(-(x * w), inv, *d.add(next));
            let r_next = M::mul_add(-(x * inv), r, *rhs.add(next));
            *d.add(node) = w * inv;
            *rhs.add(node) = r * inv;
            (e_next, r_next)
        }
    }

    /// Two nodes of a chain, `at[0]` then `at[1]`, eliminated into `at[2]` (couplings as in
    /// [`step_one`](Self::step_one)): 1/e of the second is e / (D e - x·w), so the chain
    /// waits for one division and two multiply-adds per two nodes; 1/e of the first is
    /// beside it. Returns the running diagonal and rhs of `at[2]`.
    ///
    /// # Safety
    /// The three are nodes of the system.
    #[inline(always)]
    unsafe fn step_two<M: MulAdd>(
        &self,
        at: [usize; 3],
        [(x1, w1), (x2, w2)]: [(f64, f64); 2],
        e: f64,
        r: f64,
    ) -> (f64, f64) {
        let TreeSystem { d, rhs, .. } = *self;
        // SAFETY: see above.
        unsafe {
            let inv0 = 1.0 / e;
            let both = M::mul_add(*d.add(at[1]), e, -(x1 * w1));
            let inv1 = e / both;
            let e_next = M::mul_add(-(x2 * w2), inv1, *d.add(at[2]));
            let r1 = M::mul_add(-(x1 * inv0), r, *rhs.add(at[1]));
            let r_next = M::mul_add(-(x2 * inv1), r1, *rhs.add(at[2]));
            *d.add(at[0]) = w1 * inv0;
            *rhs.add(at[0]) = r * inv0;
            *d.add(at[1]) = w2 * inv1;
            *rhs.add(at[1]) = r1 * inv1;
            (e_next, r_next)
        }
    }

    /// Back substitution of a cell eliminated from both ends: the middle node, then both
    /// halves outwards.
    ///
    /// # Safety
    /// As for [`eliminate_from_both_ends`](Self::eliminate_from_both_ends), after it.
    #[inline(always)]
    unsafe fn substitute_from_the_middle<M: MulAdd>(&self, k: usize, nodes: Range<usize>) {
        let TreeSystem { d, rhs, .. } = *self;
        let (m, middle) = Self::middle(&nodes);
        // SAFETY: as above.
        unsafe {
            let x_middle = *rhs.add(middle) / *d.add(middle);
            *rhs.add(middle) = x_middle;
            // The root half inwards-out (c_m-1 down to c_0 = k), the far half beside it.
            let (mut x_near, mut far, mut x_far) = (x_middle, middle, x_middle);
            for j in (0..m).rev() {
                let near = if j == 0 { k } else { nodes.start + j - 1 };
                x_near = M::mul_add(-*d.add(near), x_near, *rhs.add(near));
                *rhs.add(near) = x_near;
                if far + 1 < nodes.end {
                    far += 1;
                    x_far = M::mul_add(-*d.add(far), x_far, *rhs.add(far));
                    *rhs.add(far) = x_far;
                }
            }
            while far + 1 < nodes.end {
                far += 1;
                x_far = M::mul_add(-*d.add(far), x_far, *rhs.add(far));
                *rhs.add(far) = x_far;
            }
        }
    }

    /// Eliminates a lane's next node into its parent (the same arithmetic for every node, so
    /// results do not depend on which cells share the lanes).
    ///
    /// # Safety
    /// As for [`solve`](Self::solve); the lane's nodes are a cell's.
    #[inline(always)]
    unsafe fn eliminate_next<M: MulAdd>(&self, lane: &mut Lane) {
        let TreeSystem {
            a,
            b,
            parent,
            d,
            rhs,
            ..
        } = *self;
        lane.next -= 1;
        let i = lane.next;
        // SAFETY: i is a node of the cell, its parent precedes it.
        unsafe {
            let (di, ri) = match lane.carry.take() {
                Some(run) => run,
                None => (*d.add(i), *rhs.add(i)),
            };
            let p = *parent.add(i) as usize;
            let bi = *b.add(i);
            let ai = *a.add(i);
            let inv = 1.0 / di;
            let f = ai * inv;
            // a·b beside the chain: the next diagonal waits for one product after the division.
            let dp = M::mul_add(-(ai * bi), inv, *d.add(p));
            let rp = M::mul_add(-f, ri, *rhs.add(p));
            *d.add(p) = dp;
            *rhs.add(p) = rp;
            *d.add(i) = bi * inv;
            *rhs.add(i) = ri * inv;
            // The run goes on while the parent is the previous, non-root node (all of its
            // other children have higher numbers, so they are done).
            if p + 1 == i && p >= lane.start {
                lane.carry = Some((dp, rp));
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

    /// Solves A·x = rhs for a known x with `m`'s couplings and diagonal `d0`; asserts the
    /// solve returns x.
    fn check_solution(m: &HinesMatrix, d0: &[f64], x: &[f64], what: &str) {
        let mut rhs: Vec<f64> = d0.iter().zip(x).map(|(d, x)| d * x).collect();
        for i in m.ncell..m.node_count() {
            let p = m.parent[i] as usize;
            rhs[i] += m.b[i] * x[p];
            rhs[p] += m.a[i] * x[i];
        }
        let mut d = d0.to_vec();
        m.solve(&mut d, &mut rhs);
        for (got, want) in rhs.iter().zip(x) {
            assert!((got - want).abs() < 1e-12, "{what}: {got} vs {want}");
        }
    }

    /// Three cells (roots 0, 1, 2) as blocks, solved two at a time and the third alone (cell
    /// 1 is a chain: from both ends): the solution of A·x = rhs, and the blocks found.
    #[test]
    fn solves_cells_in_pairs() {
        let parent = vec![0, 1, 2, 0, 3, 3, 1, 6, 2, 8, 9, 8];
        let mut m = HinesMatrix::new(parent.clone(), 3);
        assert_eq!(m.cells, vec![3, 6, 8, 12]);
        assert_eq!(m.chains, vec![false, true, false]);
        let n = parent.len();
        m.a = (0..n).map(|i| -0.3 - 0.1 * i as f64).collect();
        m.b = (0..n).map(|i| -0.7 - 0.05 * i as f64).collect();
        let d0: Vec<f64> = (0..n).map(|i| 4.0 + i as f64).collect();
        let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
        check_solution(&m, &d0, &x, "three cells");
        // A cell whose nodes come back after another's: no blocks, one lane.
        assert!(HinesMatrix::new(vec![0, 1, 0, 1, 2], 2).cells.is_empty());
    }

    /// Unbranched cells of every length up to 40, and a long one, are solved from both ends
    /// (two nodes per step on each half, one at the ends of odd halves).
    #[test]
    fn solves_chains_from_both_ends() {
        for len in (1..=40usize).chain([511, 1000]) {
            let parent: Vec<u32> = (0..=len as u32).map(|i| i.saturating_sub(1)).collect();
            let mut m = HinesMatrix::new(parent.clone(), 1);
            assert_eq!(m.chains, vec![true], "a chain of {len}");
            let n = parent.len();
            m.a = (0..n).map(|i| -0.2 - 0.03 * i as f64).collect();
            m.b = (0..n).map(|i| -0.9 + 0.05 * i as f64).collect();
            let d0: Vec<f64> = (0..n).map(|i| 3.0 + 0.5 * i as f64).collect();
            let x: Vec<f64> = (0..n).map(|i| 1.0 + (i as f64 * 0.71).cos()).collect();
            check_solution(&m, &d0, &x, &format!("chain of {len}"));
        }
    }

    /// add_axial updates each run of single-child nodes in one loop and adds the runs' first
    /// nodes to their parents afterwards: the same bits as adding every share into memory in
    /// node order, on trees with runs of every length, branch points (several children, not
    /// all consecutive), nodes whose parent is far back, and several cells.
    #[test]
    fn axial_currents_match_the_plain_scatter_bit_for_bit() {
        let mut trees: Vec<(Vec<u32>, usize)> = vec![
            (vec![0, 1, 0, 2, 3, 3, 5, 6, 4, 1, 9, 10, 5, 12], 2),
            ((0..600u32).map(|i| i.saturating_sub(1)).collect(), 1),
            (vec![0, 0], 1),
            (vec![0, 0, 0, 0, 1, 2, 3], 1),
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut draw = |k: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % k
        };
        for ncell in [1usize, 3] {
            for _ in 0..20 {
                let n = ncell + 1 + draw(80) as usize;
                let parent: Vec<u32> = (0..n)
                    .map(|i| match i {
                        i if i < ncell => i as u32,
                        // Mostly the previous node, sometimes any earlier one.
                        i if i > ncell && draw(5) != 0 => i as u32 - 1,
                        i => draw(i as u64) as u32,
                    })
                    .collect();
                trees.push((parent, ncell));
            }
        }
        for (parent, ncell) in trees {
            let mut m = HinesMatrix::new(parent.clone(), ncell);
            let n = parent.len();
            m.a = (0..n).map(|i| -0.31 - 0.07 * i as f64).collect();
            m.b = (0..n).map(|i| -0.53 - 0.11 * (i as f64).sin()).collect();
            m.update_axial_diagonal();
            let v: Vec<f64> = (0..n)
                .map(|i| -65.0 + 7.3 * (i as f64 * 1.7).cos())
                .collect();
            let rhs0: Vec<f64> = (0..n).map(|i| 0.01 * i as f64 - 0.05).collect();
            let d0: Vec<f64> = (0..n).map(|i| 1.0 + 0.1 * i as f64).collect();
            let (mut rhs, mut d) = (rhs0.clone(), d0.clone());
            m.add_axial(&v, &mut rhs, &mut d);
            let (mut plain_rhs, mut plain_d) = (rhs0.clone(), d0.clone());
            m.add_axial_with(&v, &mut plain_rhs, &mut plain_d);
            let (mut node_rhs, mut node_d) = (rhs0.clone(), d0.clone());
            m.add_axial_by_node(&v, &mut node_rhs, &mut node_d);
            let (mut want_rhs, mut want_d) = (rhs0, d0);
            for i in ncell..n {
                let p = parent[i] as usize;
                let dv = v[p] - v[i];
                want_rhs[i] -= m.b[i] * dv;
                want_rhs[p] += m.a[i] * dv;
            }
            for (d, &x) in want_d.iter_mut().zip(&m.axial_diagonal) {
                *d += x;
            }
            let bits = |x: &[f64]| x.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let what = format!("parents {parent:?}");
            assert_eq!(bits(&rhs), bits(&want_rhs), "{what}");
            assert_eq!(bits(&d), bits(&want_d), "{what}");
            assert_eq!(bits(&plain_rhs), bits(&want_rhs), "{what}");
            assert_eq!(bits(&plain_d), bits(&want_d), "{what}");
            assert_eq!(bits(&node_rhs), bits(&want_rhs), "{what}");
            assert_eq!(bits(&node_d), bits(&want_d), "{what}");
        }
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
