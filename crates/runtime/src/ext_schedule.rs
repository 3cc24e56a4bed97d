//! The order in which the extracellular block system eliminates its nodes, a few at a time.
//!
//! Eliminating a node needs its 3×3 block inverted, and the parent's block depends on that
//! result: along a section the work is one long dependency chain whose latency (a division
//! and a dozen dependent multiplies per node), not its arithmetic, sets the speed. Nodes in
//! different branches do not depend on each other, so the order groups them: each entry names
//! up to [`LANES`] nodes whose children are all eliminated, and the solve works on them at
//! once, letting the processor overlap the chains. Built once per layout.

/// No node in this lane of the group.
pub(crate) const NONE: u32 = u32::MAX;
/// Nodes eliminated at once: two chains already hide most of the latency; four measured
/// slower (more live registers), so the solve is written for pairs.
pub(crate) const LANES: usize = 2;

#[derive(Debug, Default, Clone)]
pub(crate) struct EliminationOrder {
    /// Groups of nodes (the second may be [`NONE`]) in elimination order, leaves first; the reverse is a valid
    /// order for the back substitution (every parent comes before its children).
    pub groups: Vec<[u32; LANES]>,
}

impl EliminationOrder {
    /// The order for a tree given by `parent` (nodes below `ncell` are roots, eliminated last
    /// by the caller).
    pub fn new(parent: &[u32], ncell: usize) -> Self {
        Self::without(parent, ncell, &[])
    }

    /// The order for the tree without the nodes marked in `skip` (none where `skip` is
    /// shorter): no other node has a skipped node as its parent.
    pub fn without(parent: &[u32], ncell: usize, skip: &[bool]) -> Self {
        let n = parent.len();
        let skipped = |i: usize| skip.get(i).copied().unwrap_or(false);
        let mut remaining = vec![0u32; n];
        for (i, &p) in parent.iter().enumerate().skip(ncell.min(n)) {
            if !skipped(i) {
                remaining[p as usize] += 1;
            }
        }
        // Leaves, highest number on top of the stack as the sequential order would go.
        let mut ready: Vec<u32> = (ncell..n)
            .filter(|&i| remaining[i] == 0 && !skipped(i))
            .map(|i| i as u32)
            .collect();
        let mut lanes = [NONE; LANES];
        let mut groups = Vec::with_capacity(n / LANES + 1);
        loop {
            for lane in &mut lanes {
                if *lane == NONE {
                    *lane = ready.pop().unwrap_or(NONE);
                }
            }
            match lanes {
                [NONE, NONE] => break,
                // The solve takes a group's first lane to be a node.
                [NONE, y] => groups.push([y, NONE]),
                pair => groups.push(pair),
            }
            // A lane goes on with the parent when it was the parent's last child.
            for lane in &mut lanes {
                if *lane == NONE {
                    continue;
                }
                let p = parent[*lane as usize] as usize;
                remaining[p] -= 1;
                *lane = if remaining[p] == 0 && p >= ncell {
                    p as u32
                } else {
                    NONE
                };
            }
        }
        EliminationOrder { groups }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every non-root node once, after all of its children, and never in a group with its own parent.
    fn check(parent: &[u32], ncell: usize) {
        let order = EliminationOrder::new(parent, ncell);
        let n = parent.len();
        let mut done = vec![false; n];
        for group in &order.groups {
            assert_ne!(group[0], NONE, "a group without its first node");
            for &x in group.iter().filter(|&&x| x != NONE) {
                let x = x as usize;
                assert!(x >= ncell && !done[x], "node {x} twice or a root");
                let children_done = (ncell..n)
                    .filter(|&c| parent[c] as usize == x)
                    .all(|c| done[c]);
                assert!(children_done, "node {x} before one of its children");
            }
            for &x in group.iter().filter(|&&x| x != NONE) {
                done[x as usize] = true;
            }
        }
        assert!((ncell..n).all(|i| done[i]), "some node never eliminated");
    }

    #[test]
    fn orders_chains_and_branches() {
        // One root (0), a chain 1-2-3, a branch point 3 with two chains 4-5 and 6-7-8.
        check(&[0, 0, 1, 2, 3, 4, 3, 6, 7], 1);
        // Two cells (roots 0 and 1), each a short chain.
        check(&[0, 1, 0, 2, 1, 4], 2);
        // A star: every node on the root.
        check(&[0, 0, 0, 0, 0, 0], 1);
        // Only roots.
        check(&[0, 1], 2);
        // A short and a long chain on the root: the first lane runs dry while the second
        // goes on.
        check(&[0, 0, 1, 0], 1);
    }
}
