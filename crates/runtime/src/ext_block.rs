//! The 3×3 blocks of the extracellular system and their elimination along the tree.
//!
//! A node's block is stored row by row with each row padded to four entries (the fourth is
//! always 0), and its rhs the same way, so that a row is one 256-bit vector for the AVX2
//! elimination (ext_avx2.rs). This module has the portable elimination, generic over how a
//! multiply-add is done.

use crate::ext_contract::TreeCoupling;
use crate::ext_schedule::{EliminationOrder, NONE};
use crate::fused::MulAdd;

/// Unknowns per node: vi and the two layers.
pub(crate) const B: usize = 3;
/// Entries per stored row.
pub(crate) const ROW: usize = 4;
/// A node's block, row-major with padded rows: entry (r, c) at `r * ROW + c`.
pub(crate) type Block = [f64; B * ROW];
/// A node's rhs or solution (three values and a 0).
pub(crate) type Vec4 = [f64; ROW];

/// A block from its three padded rows.
#[inline(always)]
pub(crate) fn from_rows(rows: [Vec4; B]) -> Block {
    let mut b = [0.0; B * ROW];
    for (stored, row) in b.chunks_exact_mut(ROW).zip(rows) {
        stored.copy_from_slice(&row);
    }
    b
}

/// How the tree's blocks are eliminated.
pub(crate) trait TreeElimination {
    /// Block elimination of a tree from the leaves, several independent nodes at a time
    /// (ext_schedule.rs), the roots' solve, then the back substitution; on return `brhs`
    /// holds the solution. Node i's elimination computes W = D_i⁻¹·diag(c_i) and
    /// y = D_i⁻¹·r_i, where c_i couples i's rows to its parent p; p loses diag(c_p,i)·W and
    /// diag(c_p,i)·y; then x_i = y_i − W_i·x_p from the roots out. `tree.of(i)` is
    /// (c_i, c_p,i).
    fn eliminate_tree(
        order: &EliminationOrder,
        ncell: usize,
        tree: &impl TreeCoupling,
        block: &mut [Block],
        brhs: &mut [Vec4],
    );
}

/// One node's part of the forward elimination, as an implementation does its arithmetic.
pub(crate) trait NodeSteps {
    /// What the node's elimination leaves for its parent and for the back substitution.
    type Eliminated;
    /// Node x's elimination from its block `d` and rhs `r`, with `c` the coupling of its rows
    /// to the parent's unknowns and `cp` that of the parent's rows to its own.
    fn eliminate(&self, d: &Block, r: &Vec4, c: &Vec4, cp: &Vec4) -> Self::Eliminated;
    /// The parent's block and rhs lose what the node's elimination made.
    fn fold_into(&self, bp: &mut Block, rp: &mut Vec4, e: &Self::Eliminated);
    /// W and y in the node's block and rhs, for the back substitution.
    fn store(&self, b: &mut Block, r: &mut Vec4, e: &Self::Eliminated);
}

/// The forward elimination in the order's groups (ext_schedule.rs), leaves first.
#[inline(always)]
pub(crate) fn eliminate_groups<S: NodeSteps>(
    steps: &S,
    order: &EliminationOrder,
    tree: &impl TreeCoupling,
    block: &mut [Block],
    brhs: &mut [Vec4],
) {
    for &[x, y] in &order.groups {
        let x = x as usize;
        let (cx, cpx) = tree.of(x);
        let ex = steps.eliminate(&block[x], &brhs[x], &cx, &cpx);
        let px = tree.parent(x);
        if y == NONE {
            steps.fold_into(&mut block[px], &mut brhs[px], &ex);
            steps.store(&mut block[x], &mut brhs[x], &ex);
            continue;
        }
        // Both results before either parent update: the two chains overlap.
        let y = y as usize;
        let (cy, cpy) = tree.of(y);
        let ey = steps.eliminate(&block[y], &brhs[y], &cy, &cpy);
        let py = tree.parent(y);
        steps.fold_into(&mut block[px], &mut brhs[px], &ex);
        steps.fold_into(&mut block[py], &mut brhs[py], &ey);
        steps.store(&mut block[x], &mut brhs[x], &ex);
        steps.store(&mut block[y], &mut brhs[y], &ey);
    }
}

/// The portable elimination: scalar arithmetic, multiply-adds as `M` does them.
pub(crate) struct Scalar<M>(std::marker::PhantomData<M>);

impl<M> Default for Scalar<M> {
    fn default() -> Self {
        Scalar(std::marker::PhantomData)
    }
}

/// The scalar node steps: W and y, then diag(cp)·W and diag(cp)·y off the parent.
impl<M: MulAdd> NodeSteps for Scalar<M> {
    /// W, y and the parent rows' coupling.
    type Eliminated = (Block, Vec4, Vec4);

    #[inline(always)]
    fn eliminate(&self, d: &Block, r: &Vec4, c: &Vec4, cp: &Vec4) -> Self::Eliminated {
        let (w, y) = eliminate::<M>(d, r, c);
        (w, y, *cp)
    }

    #[inline(always)]
    fn fold_into(&self, bp: &mut Block, rp: &mut Vec4, (w, y, cp): &Self::Eliminated) {
        fold_into::<M>(bp, rp, cp, w, y);
    }

    #[inline(always)]
    fn store(&self, b: &mut Block, r: &mut Vec4, (w, y, _): &Self::Eliminated) {
        (*b, *r) = (*w, *y);
    }
}

impl<M: MulAdd> TreeElimination for Scalar<M> {
    #[inline(always)]
    fn eliminate_tree(
        order: &EliminationOrder,
        ncell: usize,
        tree: &impl TreeCoupling,
        block: &mut [Block],
        brhs: &mut [Vec4],
    ) {
        eliminate_groups(&Self::default(), order, tree, block, brhs);
        solve_roots::<M>(ncell, block, brhs);
        // Parents first: the groups backwards.
        for group in order.groups.iter().rev() {
            for &x in group.iter().filter(|&&x| x != NONE) {
                let x = x as usize;
                brhs[x] = substitute::<M>(&block[x], &brhs[x], &brhs[tree.parent(x)]);
            }
        }
    }
}

/// The roots' blocks, all children folded in, solved directly.
#[inline(always)]
pub(crate) fn solve_roots<M: MulAdd>(ncell: usize, block: &[Block], brhs: &mut [Vec4]) {
    for k in 0..ncell {
        brhs[k] = mul3::<M>(&inverse3::<M>(&block[k]), &brhs[k]);
    }
}

/// Node i's elimination: W = D⁻¹·diag(c) and y = D⁻¹·r.
#[inline(always)]
fn eliminate<M: MulAdd>(d: &Block, r: &Vec4, c: &Vec4) -> (Block, Vec4) {
    let inv = inverse3::<M>(d);
    let y = mul3::<M>(&inv, r);
    let mut w = [0.0; B * ROW];
    for row in 0..B {
        for col in 0..B {
            w[row * ROW + col] = inv[row * ROW + col] * c[col];
        }
    }
    (w, y)
}

/// The parent's block and rhs lose diag(c)·W and diag(c)·y.
#[inline(always)]
fn fold_into<M: MulAdd>(bp: &mut Block, rp: &mut Vec4, c: &Vec4, w: &Block, y: &Vec4) {
    for row in 0..B {
        for col in 0..B {
            bp[row * ROW + col] = M::mul_add(-c[row], w[row * ROW + col], bp[row * ROW + col]);
        }
        rp[row] = M::mul_add(-c[row], y[row], rp[row]);
    }
}

/// x = y − W·x_parent.
#[inline(always)]
fn substitute<M: MulAdd>(w: &Block, y: &Vec4, xp: &Vec4) -> Vec4 {
    let mut x = *y;
    for (row, x) in x.iter_mut().take(B).enumerate() {
        let k = row * ROW;
        let wx = M::mul_add(w[k], xp[0], M::mul_add(w[k + 1], xp[1], w[k + 2] * xp[2]));
        *x -= wx;
    }
    x
}

/// p·q − r·s
#[inline(always)]
fn cross<M: MulAdd>(p: f64, q: f64, r: f64, s: f64) -> f64 {
    M::mul_add(p, q, -(r * s))
}

/// The inverse of a block (by cofactors, one division).
#[inline(always)]
pub(crate) fn inverse3<M: MulAdd>(m: &Block) -> Block {
    let e = |r: usize, c: usize| m[r * ROW + c];
    let c00 = cross::<M>(e(1, 1), e(2, 2), e(1, 2), e(2, 1));
    let c01 = cross::<M>(e(1, 2), e(2, 0), e(1, 0), e(2, 2));
    let c02 = cross::<M>(e(1, 0), e(2, 1), e(1, 1), e(2, 0));
    let det = M::mul_add(e(0, 0), c00, M::mul_add(e(0, 1), c01, e(0, 2) * c02));
    let f = 1.0 / det;
    [
        c00 * f,
        cross::<M>(e(0, 2), e(2, 1), e(0, 1), e(2, 2)) * f,
        cross::<M>(e(0, 1), e(1, 2), e(0, 2), e(1, 1)) * f,
        0.0,
        c01 * f,
        cross::<M>(e(0, 0), e(2, 2), e(0, 2), e(2, 0)) * f,
        cross::<M>(e(0, 2), e(1, 0), e(0, 0), e(1, 2)) * f,
        0.0,
        c02 * f,
        cross::<M>(e(0, 1), e(2, 0), e(0, 0), e(2, 1)) * f,
        cross::<M>(e(0, 0), e(1, 1), e(0, 1), e(1, 0)) * f,
        0.0,
    ]
}

#[inline(always)]
fn mul3<M: MulAdd>(m: &Block, v: &Vec4) -> Vec4 {
    let row = |k: usize| M::mul_add(m[k], v[0], M::mul_add(m[k + 1], v[1], m[k + 2] * v[2]));
    [row(0), row(ROW), row(2 * ROW), 0.0]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fused::Separate;

    /// A tree whose couplings come from per-node arrays (coefficients of a node's rows in
    /// its parent's unknowns, and of the parent's rows in the node's).
    struct ArrayTree {
        parent: Vec<u32>,
        row: Vec<Vec4>,
        parent_row: Vec<Vec4>,
    }

    impl TreeCoupling for ArrayTree {
        fn parent(&self, i: usize) -> usize {
            self.parent[i] as usize
        }
        fn of(&self, i: usize) -> (Vec4, Vec4) {
            (self.row[i], self.parent_row[i])
        }
    }

    /// A small deterministic generator (xorshift), values in [0, 1).
    pub(crate) struct Numbers(pub u64);
    impl Numbers {
        pub(crate) fn next(&mut self) -> f64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    /// A random two-cell tree with full, diagonally dominant blocks (as the blocks are once
    /// children are folded in) and positive-scale couplings, its rhs, and the solution each
    /// elimination gives; checks the residual of every row.
    pub(crate) fn check_elimination<E: TreeElimination>(seed: u64) {
        let mut rng = Numbers(seed);
        let n = 40;
        let ncell = 2;
        let mut parent: Vec<u32> = (0..ncell as u32).collect();
        for i in ncell..n {
            parent.push((rng.next() * i as f64) as u32);
        }
        let vec4 = |rng: &mut Numbers| [-rng.next(), -rng.next(), -1e3 * rng.next(), 0.0];
        let row: Vec<Vec4> = (0..n).map(|_| vec4(&mut rng)).collect();
        let parent_row: Vec<Vec4> = (0..n).map(|_| vec4(&mut rng)).collect();
        let mut block: Vec<Block> = (0..n)
            .map(|_| {
                let mut b = [0.0; B * ROW];
                for r in 0..B {
                    for c in 0..B {
                        b[r * ROW + c] = if r == c { 5e3 } else { rng.next() - 0.5 };
                    }
                }
                b
            })
            .collect();
        let rhs: Vec<Vec4> = (0..n)
            .map(|_| [rng.next(), rng.next(), rng.next(), 0.0])
            .collect();
        let tree = ArrayTree {
            parent,
            row,
            parent_row,
        };
        let original = block.clone();
        let mut x = rhs.clone();
        let order = EliminationOrder::new(&tree.parent, ncell);
        E::eliminate_tree(&order, ncell, &tree, &mut block, &mut x);
        // Row k of node i: D_i·x_i + diag(row_i)·x_parent + Σ_children diag(parent_row_c)·x_c.
        let mut residual = vec![[0.0; ROW]; n];
        for i in 0..n {
            for k in 0..B {
                let own: f64 = (0..B).map(|c| original[i][k * ROW + c] * x[i][c]).sum();
                residual[i][k] += own - rhs[i][k];
                if i >= ncell {
                    let p = tree.parent[i] as usize;
                    residual[i][k] += tree.row[i][k] * x[p][k];
                    residual[p][k] += tree.parent_row[i][k] * x[i][k];
                }
            }
        }
        for (i, r) in residual.iter().enumerate() {
            for (k, r) in r.iter().enumerate() {
                assert!(r.abs() < 1e-12, "node {i} row {k}: residual {r}");
            }
        }
    }

    #[test]
    fn scalar_elimination_solves_a_random_tree() {
        for seed in 1..20 {
            check_elimination::<Scalar<Separate>>(seed);
        }
    }

    #[test]
    fn inverse3_inverts() {
        let m = from_rows([
            [4.0, -1.0, 0.0, 0.0],
            [-1.0, 1e9 + 3.0, -1e9, 0.0],
            [0.0, -1e9, 2e9, 0.0],
        ]);
        let inv = inverse3::<Separate>(&m);
        for r in 0..3 {
            for c in 0..3 {
                let s: f64 = (0..3).map(|k| m[r * ROW + k] * inv[k * ROW + c]).sum();
                let want = if r == c { 1.0 } else { 0.0 };
                assert!((s - want).abs() < 1e-9, "({r},{c}) = {s}");
            }
        }
        assert!((0..3).all(|r| inv[r * ROW + 3] == 0.0), "padding stays 0");
    }
}
