//! LU factorization of the small systems the Newton and sparse services solve every step.
//!
//! A KINETIC block's or derivimplicit block's Jacobian couples each state to a few others
//! (a reaction, a diffusion neighbour), but in declaration order the elimination fills it in:
//! ModelDB 3263's 14-state calcium-diffusion block (50 non-zeros) factored almost as a dense
//! matrix and took two thirds of the run. So the unknowns are eliminated in a minimum-degree
//! order of the matrix's symmetric pattern, with partial pivoting inside that order as
//! before, and only non-zeros are visited (bit masks of rows and columns; the pattern, the
//! order and the masks are made again only when the non-zeros move). Skipped operations
//! would subtract an exact 0, so the factors are those of dense loops in the same order.
//! NEURON's scopmath `sparse` also picks its own elimination order, so its results and ours
//! agree to round-off as they did with the declaration order.

/// Systems up to this size use the masks; larger ones are factored densely in declaration
/// order.
const MAX_MASKED: usize = 64;

/// The factors of one system and what is kept between calls.
#[derive(Debug, Default)]
pub(crate) struct SmallLu {
    n: usize,
    /// Non-zeros of the last matrix, one mask per row (original numbering).
    pattern: Vec<u64>,
    /// `order[k]`: the unknown eliminated k-th; `position` is its inverse.
    order: Vec<usize>,
    position: Vec<usize>,
    /// Column and row masks of the reordered matrix's non-zeros, before elimination.
    reordered_columns: Vec<u64>,
    reordered_rows: Vec<u64>,
    /// L and U of the reordered matrix (unit lower triangle implied).
    lu: Vec<f64>,
    /// Partial pivoting: row k of `lu` is row `pivots[k]` of the reordered matrix.
    pivots: Vec<usize>,
    /// Per row of `lu`, the columns where L (below the diagonal) or U (above it) is not zero.
    lower_rows: Vec<u64>,
    upper_rows: Vec<u64>,
    scratch: Vec<f64>,
    /// The last masked elimination's steps, replayed while the pattern and the pivots stay.
    schedule: Vec<Step>,
}

/// One step k of a masked elimination as it went: the replay checks the pivot and then does
/// the same operations without keeping the masks up to date (they come out the same).
#[derive(Debug, Clone, Copy)]
struct Step {
    /// Rows below k that were pivot candidates, and the one chosen (k: none below).
    candidates: u64,
    pivot: usize,
    /// Columns swapped between rows k and `pivot`.
    swapped: u64,
    /// Rows below k with a non-zero in column k, and the columns right of k in row k.
    eliminated: u64,
    pivot_row: u64,
}

impl SmallLu {
    /// Factors the n×n row-major matrix `a`; false when it is singular or not finite.
    pub fn factor(&mut self, n: usize, a: &[f64]) -> bool {
        self.n = n;
        if n == 1 {
            // One state (a calcium pool by derivimplicit): x = b / a, as the general path
            // computes it, without its bookkeeping.
            self.lu.clear();
            self.lu.push(a[0]);
            return a[0] != 0.0 && a[0].is_finite();
        }
        if n > MAX_MASKED {
            return self.factor_dense(n, a);
        }
        let mut rows = [0u64; MAX_MASKED];
        non_zeros(n, a, &mut rows[..n]);
        if self.order.len() != n || self.pattern[..] != rows[..n] {
            self.new_pattern(&rows[..n]);
        }
        self.scatter(n, a, &rows[..n]);
        if self.schedule.len() == n {
            match self.replay(n) {
                Replay::Done => return true,
                Replay::Singular => return false,
                Replay::OtherPivot => self.scatter(n, a, &rows[..n]),
            }
        }
        let mut columns = [0u64; MAX_MASKED];
        columns[..n].copy_from_slice(&self.reordered_columns);
        let mut row_masks = [0u64; MAX_MASKED];
        row_masks[..n].copy_from_slice(&self.reordered_rows);
        if !self.eliminate(n, &mut columns[..n], &mut row_masks[..n]) {
            self.schedule.clear();
            return false;
        }
        self.lower_rows.clear();
        self.upper_rows.clear();
        for (i, &mask) in row_masks[..n].iter().enumerate() {
            self.lower_rows.push(mask & ((1u64 << i) - 1));
            self.upper_rows.push(mask & !((2u64 << i) - 1));
        }
        true
    }

    /// A minimum-degree order for the non-zeros `rows`, and the masks that follow from it.
    fn new_pattern(&mut self, rows: &[u64]) {
        let n = rows.len();
        self.pattern.clear();
        self.pattern.extend_from_slice(rows);
        let mut symmetric = rows.to_vec();
        for (i, &mask) in rows.iter().enumerate() {
            for j in bits(mask) {
                symmetric[j] |= 1 << i;
            }
        }
        self.order = minimum_degree_order(&symmetric);
        self.schedule.clear();
        self.position.resize(n, 0);
        for (k, &unknown) in self.order.iter().enumerate() {
            self.position[unknown] = k;
        }
        self.reordered_columns.clear();
        self.reordered_columns.resize(n, 0);
        self.reordered_rows.clear();
        self.reordered_rows.resize(n, 0);
        for (r, &mask) in rows.iter().enumerate() {
            for c in bits(mask) {
                let (i, j) = (self.position[r], self.position[c]);
                self.reordered_columns[j] |= 1 << i;
                self.reordered_rows[i] |= 1 << j;
            }
        }
    }

    /// The reordered matrix in `lu`: the non-zeros `rows` of `a` at their new places.
    fn scatter(&mut self, n: usize, a: &[f64], rows: &[u64]) {
        self.lu.clear();
        self.lu.resize(n * n, 0.0);
        for (r, &mask) in rows.iter().enumerate() {
            let base = self.position[r] * n;
            for c in bits(mask) {
                self.lu[base + self.position[c]] = a[r * n + c];
            }
        }
    }

    /// The last elimination's steps again on the scattered matrix, as long as each step
    /// picks the same pivot (then the operations, and the factors' bits, are those of
    /// [`Self::eliminate`]); the replay skips the bookkeeping of the masks, which cost as
    /// much as the arithmetic.
    fn replay(&mut self, n: usize) -> Replay {
        self.pivots.clear();
        self.pivots.extend(0..n);
        let lu = &mut self.lu;
        for (k, step) in self.schedule.iter().enumerate() {
            let Some(pivot) = choose_pivot(lu, n, k, bits(step.candidates)) else {
                return Replay::Singular;
            };
            if pivot != step.pivot {
                return Replay::OtherPivot;
            }
            if pivot != k {
                for j in bits(step.swapped) {
                    lu.swap(k * n + j, pivot * n + j);
                }
                self.pivots.swap(k, pivot);
            }
            let diagonal = lu[k * n + k];
            for i in bits(step.eliminated) {
                let factor = lu[i * n + k] / diagonal;
                lu[i * n + k] = factor;
                for j in bits(step.pivot_row) {
                    lu[i * n + j] -= factor * lu[k * n + j];
                }
            }
        }
        Replay::Done
    }

    /// Partial-pivoting elimination over the non-zeros: `columns[j]` holds the rows with a
    /// non-zero in column j and `rows[i]` the columns of row i; both grow with the fill-in.
    fn eliminate(&mut self, n: usize, columns: &mut [u64], rows: &mut [u64]) -> bool {
        self.pivots.clear();
        self.pivots.extend(0..n);
        self.schedule.clear();
        let lu = &mut self.lu;
        for k in 0..n {
            let after_k = !((2u64 << k) - 1);
            let candidates = columns[k] & after_k;
            let Some(pivot) = choose_pivot(lu, n, k, bits(candidates)) else {
                return false;
            };
            let swapped = if pivot != k { rows[k] | rows[pivot] } else { 0 };
            if pivot != k {
                for j in bits(swapped) {
                    lu.swap(k * n + j, pivot * n + j);
                    // Rows k and pivot trade places in the column's mask.
                    let (bk, bp) = (1u64 << k, 1u64 << pivot);
                    if (columns[j] & bk != 0) != (columns[j] & bp != 0) {
                        columns[j] ^= bk | bp;
                    }
                }
                rows.swap(k, pivot);
                self.pivots.swap(k, pivot);
            }
            let pivot_row = rows[k] & after_k;
            let eliminated = columns[k] & after_k;
            self.schedule.push(Step {
                candidates,
                pivot,
                swapped,
                eliminated,
                pivot_row,
            });
            let diagonal = lu[k * n + k];
            for i in bits(eliminated) {
                let factor = lu[i * n + k] / diagonal;
                lu[i * n + k] = factor;
                for j in bits(pivot_row) {
                    lu[i * n + j] -= factor * lu[k * n + j];
                    columns[j] |= 1 << i;
                }
                rows[i] |= pivot_row;
            }
        }
        true
    }

    /// Declaration order and every entry, for systems too large for the masks.
    fn factor_dense(&mut self, n: usize, a: &[f64]) -> bool {
        self.order.clear();
        self.order.extend(0..n);
        self.pattern.clear();
        self.lu.clear();
        self.lu.extend_from_slice(&a[..n * n]);
        self.pivots.clear();
        self.pivots.extend(0..n);
        let lu = &mut self.lu;
        for k in 0..n {
            let Some(pivot) = choose_pivot(lu, n, k, k + 1..n) else {
                return false;
            };
            if pivot != k {
                for j in 0..n {
                    lu.swap(k * n + j, pivot * n + j);
                }
                self.pivots.swap(k, pivot);
            }
            let diagonal = lu[k * n + k];
            for i in k + 1..n {
                let factor = lu[i * n + k] / diagonal;
                lu[i * n + k] = factor;
                for j in k + 1..n {
                    lu[i * n + j] -= factor * lu[k * n + j];
                }
            }
        }
        true
    }

    /// Solves A·x = b with the last factors.
    pub fn solve(&mut self, b: &[f64], x: &mut [f64]) {
        if self.n == 1 {
            x[0] = b[0] / self.lu[0];
            return;
        }
        let (n, lu) = (self.n, &self.lu);
        let masked = n <= MAX_MASKED;
        let y = &mut self.scratch;
        y.clear();
        y.extend(self.pivots.iter().map(|&p| b[self.order[p]]));
        for i in 0..n {
            let mut sum = y[i];
            if masked {
                for j in bits(self.lower_rows[i]) {
                    sum -= lu[i * n + j] * y[j];
                }
            } else {
                for j in 0..i {
                    sum -= lu[i * n + j] * y[j];
                }
            }
            y[i] = sum;
        }
        for i in (0..n).rev() {
            let mut sum = y[i];
            if masked {
                for j in bits(self.upper_rows[i]) {
                    sum -= lu[i * n + j] * y[j];
                }
            } else {
                for j in i + 1..n {
                    sum -= lu[i * n + j] * y[j];
                }
            }
            y[i] = sum / lu[i * n + i];
        }
        for (k, &unknown) in self.order.iter().enumerate() {
            x[unknown] = y[k];
        }
    }
}

/// How a [`SmallLu::replay`] ended.
enum Replay {
    Done,
    /// A pivot was 0 or not finite.
    Singular,
    /// A step's pivot differs from the recorded one: `lu` is half eliminated.
    OtherPivot,
}

/// Partial pivoting: the row (k or one of `below`) with the largest magnitude in column k;
/// None when that is 0 or not finite (a singular or broken system).
fn choose_pivot(
    lu: &[f64],
    n: usize,
    k: usize,
    below: impl Iterator<Item = usize>,
) -> Option<usize> {
    let (mut pivot, mut best) = (k, lu[k * n + k].abs());
    for i in below {
        if lu[i * n + k].abs() > best {
            pivot = i;
            best = lu[i * n + k].abs();
        }
    }
    (best != 0.0 && best.is_finite()).then_some(pivot)
}

/// The set bits of a mask, lowest first.
/// Per row of the n×n row-major `a`, the mask of its non-zeros (NaN counts as one).
fn non_zeros(n: usize, a: &[f64], rows: &mut [u64]) {
    #[cfg(target_arch = "x86_64")]
    if n >= 4 && crate::fused::has_fma() {
        // SAFETY: the processor has AVX2 (has_fma checks it).
        return unsafe { non_zeros_avx2(n, a, rows) };
    }
    non_zeros_plain(n, a, rows)
}

fn non_zeros_plain(n: usize, a: &[f64], rows: &mut [u64]) {
    for (i, row) in rows[..n].iter_mut().enumerate() {
        *row = 0;
        for (j, &value) in a[i * n..(i + 1) * n].iter().enumerate() {
            *row |= ((value != 0.0) as u64) << j;
        }
    }
}

/// [`non_zeros`] four entries per compare: a row's masks are ORed from groups of four
/// starting at 0, 4, ... and, for the rest, at n − 4 (overlapping bits agree). The scan
/// was a tenth of ModelDB 3263's run (14×14 Jacobians, each Newton pass).
///
/// # Safety
/// The processor has AVX2; n ≥ 4.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn non_zeros_avx2(n: usize, a: &[f64], rows: &mut [u64]) {
    use std::arch::x86_64::{
        _mm256_cmp_pd, _mm256_loadu_pd, _mm256_movemask_pd, _mm256_setzero_pd, _CMP_NEQ_UQ,
    };
    debug_assert!(n >= 4);
    let a = &a[..n * n];
    let zero = _mm256_setzero_pd();
    for (i, row) in rows[..n].iter_mut().enumerate() {
        let values = &a[i * n..(i + 1) * n];
        let group = |j: usize| {
            // SAFETY: j + 4 <= n, inside the row.
            let x = unsafe { _mm256_loadu_pd(values.as_ptr().add(j)) };
            (_mm256_movemask_pd(_mm256_cmp_pd::<_CMP_NEQ_UQ>(x, zero)) as u64) << j
        };
        let mut mask = 0;
        let mut j = 0;
        while j + 4 <= n {
            mask |= group(j);
            j += 4;
        }
        if j < n {
            mask |= group(n - 4);
        }
        *row = mask;
    }
}

fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let bit = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            bit
        })
    })
}

/// Greedy minimum-degree elimination order of a symmetric pattern (row bit masks): each step
/// takes the remaining unknown with the fewest remaining neighbours (the lowest index on a
/// tie) and joins its neighbours, as eliminating it would.
fn minimum_degree_order(pattern: &[u64]) -> Vec<usize> {
    let n = pattern.len();
    let mut adjacent: Vec<u64> = pattern
        .iter()
        .enumerate()
        .map(|(i, &row)| row & !(1u64 << i))
        .collect();
    let mut remaining: u64 = if n == 64 { u64::MAX } else { (1u64 << n) - 1 };
    let mut order = Vec::with_capacity(n);
    while remaining != 0 {
        let mut best = usize::MAX;
        let mut best_degree = u32::MAX;
        let mut candidates = remaining;
        while candidates != 0 {
            let v = candidates.trailing_zeros() as usize;
            candidates &= candidates - 1;
            let degree = (adjacent[v] & remaining).count_ones();
            if degree < best_degree {
                best = v;
                best_degree = degree;
            }
        }
        order.push(best);
        remaining &= !(1u64 << best);
        let neighbours = adjacent[best] & remaining;
        let mut rest = neighbours;
        while rest != 0 {
            let u = rest.trailing_zeros() as usize;
            rest &= rest - 1;
            adjacent[u] |= neighbours & !(1u64 << u);
        }
    }
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The non-zero masks of the AVX2 scan are the plain loop's for every size up to
    /// MAX_MASKED, with zeros, negative zeros, NaN and infinities anywhere.
    #[test]
    fn non_zero_masks_agree_with_the_plain_scan() {
        let specials = [0.0, -0.0, 1.5, f64::NAN, f64::INFINITY, -2.0, 0.0, 1e-300];
        let mut seed = 12345u64;
        for n in 1..=MAX_MASKED {
            let a: Vec<f64> = (0..n * n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    specials[(seed >> 60) as usize % specials.len()]
                })
                .collect();
            let (mut fast, mut plain) = (vec![u64::MAX; n], vec![u64::MAX; n]);
            non_zeros(n, &a, &mut fast);
            non_zeros_plain(n, &a, &mut plain);
            assert_eq!(fast, plain, "n = {n}");
        }
    }

    fn residual(n: usize, a: &[f64], x: &[f64], b: &[f64]) -> f64 {
        (0..n)
            .map(|i| {
                let ax: f64 = (0..n).map(|j| a[i * n + j] * x[j]).sum();
                (ax - b[i]).abs()
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn solves_sparse_and_dense_systems_in_any_order() {
        // An arrow matrix (dense first row and column): declaration order fills everything.
        let n = 6;
        let mut a = vec![0.0; n * n];
        for i in 0..n {
            a[i * n + i] = 10.0 + i as f64;
            a[i] = 1.0 + i as f64;
            a[i * n] = 2.0 - i as f64;
        }
        let b: Vec<f64> = (0..n).map(|i| i as f64 - 2.5).collect();
        let mut lu = SmallLu::default();
        assert!(lu.factor(n, &a));
        // The hub goes once at most one leaf is left (then either order is free of fill).
        assert!(lu.order[..n - 2].iter().all(|&u| u != 0), "{:?}", lu.order);
        let mut x = vec![0.0; n];
        lu.solve(&b, &mut x);
        assert!(residual(n, &a, &x, &b) < 1e-12);
        // A zero diagonal needs the partial pivoting.
        let a = [0.0, 2.0, 3.0, 1.0];
        assert!(lu.factor(2, &a));
        let mut x = [0.0; 2];
        lu.solve(&[4.0, 5.0], &mut x);
        assert!(residual(2, &a, &x, &[4.0, 5.0]) < 1e-12);
        assert!(!lu.factor(2, &[1.0, 2.0, 2.0, 4.0]), "singular");
        assert!(!lu.factor(1, &[f64::NAN]), "not finite");
        assert!(!lu.factor(1, &[0.0]), "singular");
        assert!(lu.factor(1, &[4.0]));
        let mut x = [0.0];
        lu.solve(&[3.0], &mut x);
        assert_eq!(x[0], 0.75);
    }

    #[test]
    fn replayed_eliminations_give_the_bits_of_fresh_ones() {
        // One pattern (a chain with a hub and a weak diagonal), values that change from call
        // to call so that the pivots sometimes move: a SmallLu that keeps its schedule must
        // solve exactly as a new one each time.
        let n = 9;
        let mut numbers = crate::ext_block::tests::Numbers(0x2545_f491_4f6c_dd1d);
        let mut next = || numbers.next();
        let mut kept = SmallLu::default();
        let (mut replays, mut moved) = (0, 0);
        for round in 0..200 {
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                // Small diagonals in some rounds: the pivot then comes from below.
                a[i * n] = 0.2 * (1.0 + next());
                if i + 1 < n {
                    a[i * n + i + 1] = next() - 0.5;
                    a[(i + 1) * n + i] = next() - 0.5;
                }
                a[i * n + i] = if round % 10 == 0 { 0.01 } else { 4.0 } * (0.5 + next());
            }
            let b: Vec<f64> = (0..n).map(|_| next() - 0.5).collect();
            let replayable = kept.schedule.len() == n;
            let before: Vec<usize> = kept.schedule.iter().map(|s| s.pivot).collect();
            assert!(kept.factor(n, &a));
            let after: Vec<usize> = kept.schedule.iter().map(|s| s.pivot).collect();
            if replayable && before == after {
                replays += 1;
            } else if replayable {
                moved += 1;
            }
            let mut fresh = SmallLu::default();
            assert!(fresh.factor(n, &a));
            let (mut x, mut y) = (vec![0.0; n], vec![0.0; n]);
            kept.solve(&b, &mut x);
            fresh.solve(&b, &mut y);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&x), bits(&y), "round {round}");
            assert!(residual(n, &a, &x, &b) < 1e-9);
        }
        assert!(
            replays > 100 && moved > 10,
            "{replays} replays, {moved} pivot changes"
        );
    }

    #[test]
    fn minimum_degree_keeps_a_chain_free_of_fill() {
        // A path 0-1-2-3: from one end to the other.
        let order = minimum_degree_order(&[0b0011, 0b0111, 0b1110, 0b1100]);
        assert_eq!(order, vec![0, 1, 2, 3]);
        let order = minimum_degree_order(&[0b1111, 0b0011, 0b0101, 0b1001]);
        assert_eq!(order, vec![1, 2, 0, 3]);
    }
}
