//! The extracellular block elimination with a block row in one 256-bit vector (AVX2 + FMA).
//!
//! Per node the portable elimination does about seventy scalar operations; here a block's
//! inverse comes from three vector cross products of its rows (M⁻¹'s columns are
//! u₁×u₂, u₂×u₀, u₀×u₁ over det for rows u₀, u₁, u₂), and the products with D⁻¹, the parent
//! update and the back substitution are a few vector multiply-adds each. The arithmetic
//! differs from the portable one's by round-off only. Only used where the processor has both
//! features (`fused::has_fma`).

use std::arch::x86_64::*;

use crate::ext_block::{
    eliminate_groups, solve_roots, Block, NodeSteps, TreeElimination, Vec4, ROW,
};
use crate::ext_contract::TreeCoupling;
use crate::ext_schedule::{EliminationOrder, NONE};
use crate::fused::Fused;

/// The AVX2 elimination, for processors that have AVX2 and FMA (it checks; the solve picks
/// it only there and calls it from code compiled with those features, where it inlines).
pub(crate) struct Avx2;

impl TreeElimination for Avx2 {
    #[inline(always)]
    fn eliminate_tree(
        order: &EliminationOrder,
        ncell: usize,
        tree: &impl TreeCoupling,
        block: &mut [Block],
        brhs: &mut [Vec4],
    ) {
        assert!(
            crate::fused::has_fma(),
            "the AVX2 elimination without AVX2 and FMA"
        );
        // SAFETY: the processor has avx2 and fma (checked just above).
        unsafe { eliminate_tree(order, ncell, tree, block, brhs) }
    }
}

/// The AVX2 node steps. Made only inside `eliminate_tree` (whose callers have checked the
/// processor), so holding one means the processor has AVX2 and FMA.
struct Avx2Steps(());

impl NodeSteps for Avx2Steps {
    type Eliminated = Eliminated;

    #[inline(always)]
    fn eliminate(&self, d: &Block, r: &Vec4, c: &Vec4, cp: &Vec4) -> Eliminated {
        // SAFETY: an Avx2Steps exists only where the processor has avx2 and fma.
        unsafe { eliminate(d, r, c, cp) }
    }

    #[inline(always)]
    fn fold_into(&self, bp: &mut Block, rp: &mut Vec4, e: &Eliminated) {
        // SAFETY: as in `eliminate`.
        unsafe { fold_into(bp, rp, e) }
    }

    #[inline(always)]
    fn store(&self, b: &mut Block, r: &mut Vec4, e: &Eliminated) {
        // SAFETY: as in `eliminate`.
        unsafe { store(b, r, e) }
    }
}

/// A node after its elimination: W = D⁻¹·diag(c) by columns and y = D⁻¹·r for the back
/// substitution, and what its parent loses before the factor 1/det (`f`, in every lane).
struct Eliminated {
    w_columns: [__m256d; 3],
    y: __m256d,
    fold_rows: [__m256d; 3],
    fold_rhs: __m256d,
    f: __m256d,
}

#[target_feature(enable = "avx2,fma")]
fn eliminate_tree(
    order: &EliminationOrder,
    ncell: usize,
    tree: &impl TreeCoupling,
    block: &mut [Block],
    brhs: &mut [Vec4],
) {
    eliminate_groups(&Avx2Steps(()), order, tree, block, brhs);
    solve_roots::<Fused>(ncell, block, brhs);
    // Parents first: the groups backwards. The last two solutions stay in registers: along
    // a chain the next node's parent is the node just solved, and reading it back from
    // memory would wait for its store.
    let mut recent = [(usize::MAX, _mm256_setzero_pd()); 2];
    for group in order.groups.iter().rev() {
        for &x in group.iter().filter(|&&x| x != NONE) {
            let x = x as usize;
            let p = tree.parent(x);
            let xp = match recent {
                [(q, xq), _] | [_, (q, xq)] if q == p => xq,
                _ => load(&brhs[p]),
            };
            let solution = substitute(&block[x], load(&brhs[x]), xp);
            put(&mut brhs[x], solution);
            recent = [(x, solution), recent[0]];
        }
    }
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn load(v: &[f64]) -> __m256d {
    debug_assert!(v.len() >= ROW);
    // SAFETY: four f64 in bounds (every caller passes a row or a Vec4).
    unsafe { _mm256_loadu_pd(v.as_ptr()) }
}

#[inline]
#[target_feature(enable = "avx2,fma")]
fn put(v: &mut [f64], x: __m256d) {
    debug_assert!(v.len() >= ROW);
    // SAFETY: as in `load`.
    unsafe { _mm256_storeu_pd(v.as_mut_ptr(), x) }
}

/// Lanes (1, 2, 0, 3) and (2, 0, 1, 3) of a vector: (x, y, z) rotated left and right.
const YZX: i32 = 0b11_00_10_01;
const ZXY: i32 = 0b11_01_00_10;

/// The columns of a 3×3 matrix from its rows (lane 3 of each result is 0 when the rows'
/// are).
#[inline]
#[target_feature(enable = "avx2,fma")]
fn transpose(rows: [__m256d; 3]) -> [__m256d; 3] {
    let zero = _mm256_setzero_pd();
    let ab_even = _mm256_unpacklo_pd(rows[0], rows[1]); // a0 b0 a2 b2
    let ab_odd = _mm256_unpackhi_pd(rows[0], rows[1]); // a1 b1 a3 b3
    let c_even = _mm256_unpacklo_pd(rows[2], zero); // c0 0 c2 0
    let c_odd = _mm256_unpackhi_pd(rows[2], zero); // c1 0 c3 0
    [
        _mm256_permute2f128_pd::<0x20>(ab_even, c_even),
        _mm256_permute2f128_pd::<0x20>(ab_odd, c_odd),
        _mm256_permute2f128_pd::<0x31>(ab_even, c_even),
    ]
}

/// Node x's elimination, with `c` its rows' coupling to the parent and `cp` the parent rows'
/// coupling to x.
///
/// Along a chain each node waits for its child's fold, so the time per node is the path
/// from its block to its parent's fold: the cross products, det, 1/det, one multiply-add;
/// no horizontal operation is on it.
/// Everything else (adj·diag(c), its transpose, adj·r, the products with cp) depends only
/// on the cross products and runs while the division does; 1/det comes in last.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn eliminate(d: &Block, r: &Vec4, c: &Vec4, cp: &Vec4) -> Eliminated {
    let u = [load(&d[0..]), load(&d[ROW..]), load(&d[2 * ROW..])];
    // The rows' cross products in (z, x, y) order (one lane rotation of the inputs, none of
    // the results), rotated back only where the adjugate's columns are needed, after det.
    let u_yzx = u.map(|row| _mm256_permute4x64_pd::<YZX>(row));
    let cross_zxy =
        |a: usize, b: usize| _mm256_fmsub_pd(u[a], u_yzx[b], _mm256_mul_pd(u_yzx[a], u[b]));
    let crosses = [cross_zxy(1, 2), cross_zxy(2, 0), cross_zxy(0, 1)];
    // Row k dotted with the adjugate's column k is det for every k, and so is the sum over k
    // of their lane-wise products in every lane: no horizontal sum. In (z, x, y) order the
    // rows are rotated to match; lane 3 gets 1 (not 0) so that 1/det stays finite there.
    let u_zxy = u.map(|row| _mm256_permute4x64_pd::<ZXY>(row));
    let lane3 = _mm256_set_pd(1.0, 0.0, 0.0, 0.0);
    let det = _mm256_add_pd(
        _mm256_fmadd_pd(u_zxy[1], crosses[1], _mm256_mul_pd(u_zxy[0], crosses[0])),
        _mm256_fmadd_pd(u_zxy[2], crosses[2], lane3),
    );
    let f = _mm256_div_pd(_mm256_set1_pd(1.0), det);
    // det·(columns of D⁻¹): the adjugate's columns.
    let q = crosses.map(|c| _mm256_permute4x64_pd::<YZX>(c));
    let adj_c = [
        _mm256_mul_pd(q[0], _mm256_set1_pd(c[0])),
        _mm256_mul_pd(q[1], _mm256_set1_pd(c[1])),
        _mm256_mul_pd(q[2], _mm256_set1_pd(c[2])),
    ];
    let adj_r = _mm256_fmadd_pd(
        q[2],
        _mm256_set1_pd(r[2]),
        _mm256_fmadd_pd(
            q[1],
            _mm256_set1_pd(r[1]),
            _mm256_mul_pd(q[0], _mm256_set1_pd(r[0])),
        ),
    );
    let rows = transpose(adj_c);
    Eliminated {
        fold_rows: [
            _mm256_mul_pd(rows[0], _mm256_set1_pd(cp[0])),
            _mm256_mul_pd(rows[1], _mm256_set1_pd(cp[1])),
            _mm256_mul_pd(rows[2], _mm256_set1_pd(cp[2])),
        ],
        fold_rhs: _mm256_mul_pd(load(cp), adj_r),
        f,
        w_columns: [
            _mm256_mul_pd(adj_c[0], f),
            _mm256_mul_pd(adj_c[1], f),
            _mm256_mul_pd(adj_c[2], f),
        ],
        y: _mm256_mul_pd(adj_r, f),
    }
}

/// The parent's rows lose cp_k·(row k of W) = (1/det)·(fold row k), its rhs cp⊙y.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn fold_into(bp: &mut Block, rp: &mut Vec4, e: &Eliminated) {
    for (k, fold_row) in e.fold_rows.iter().enumerate() {
        let row = &mut bp[k * ROW..];
        let folded = _mm256_fnmadd_pd(e.f, *fold_row, load(row));
        put(row, folded);
    }
    let r = _mm256_fnmadd_pd(e.f, e.fold_rhs, load(rp));
    put(rp, r);
}

/// Keeps W by columns in the node's block and y in its rhs for the back substitution.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn store(b: &mut Block, r: &mut Vec4, e: &Eliminated) {
    for (k, column) in e.w_columns.iter().enumerate() {
        put(&mut b[k * ROW..], *column);
    }
    put(r, e.y);
}

/// x = y − W·x_parent, W by columns.
#[inline]
#[target_feature(enable = "avx2,fma")]
fn substitute(w: &Block, y: __m256d, xp: __m256d) -> __m256d {
    // Two short chains instead of one long one.
    let near = _mm256_fnmadd_pd(load(&w[0..]), _mm256_permute4x64_pd::<0x00>(xp), y);
    let far = _mm256_fmadd_pd(
        load(&w[2 * ROW..]),
        _mm256_permute4x64_pd::<0xAA>(xp),
        _mm256_mul_pd(load(&w[ROW..]), _mm256_permute4x64_pd::<0x55>(xp)),
    );
    _mm256_sub_pd(near, far)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn avx2_elimination_solves_a_random_tree() {
        if !crate::fused::has_fma() {
            eprintln!("NOT RUN avx2_elimination_solves_a_random_tree: no AVX2/FMA here");
            return;
        }
        for seed in 1..20 {
            crate::ext_block::tests::check_elimination::<Avx2>(seed);
        }
    }
}
