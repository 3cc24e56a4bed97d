//! Orders the body's operations for the out-of-order core: critical path first.
//!
//! The widened body of a channel is a few independent chains (one per gate: a division, an
//! exp with a table lookup, the update) of ~100 cycles' latency each, longer than the core's
//! scheduler window holds when they come one after the other as the source wrote them.
//! Listing the ready operation with the longest latency path to the end first interleaves
//! the chains.
//!
//! What must keep its order: a bail (leaving the iteration) comes before every load from a
//! per-lane address that followed it in the source (a TABLE's row address is valid only once
//! the argument was found inside the table), and before every store; a store comes after
//! every load before it. Bails themselves may move earlier: leaving sooner skips only work
//! without effects.

use super::program::{Addr, Class, Op, Program, Src};

/// Live vector values beyond which the order favours freeing registers (16 in all; a few
/// stay for the temporaries of loads and reloads).
const PRESSURE: usize = 9;

/// Latency in cycles (Zen 2 / Skylake, roughly): what the priority weighs.
fn latency(op: &Op) -> u32 {
    match op {
        Op::Vector { op, .. } => match op {
            super::encoder::VOp::Divpd => 13,
            super::encoder::VOp::Mulpd
            | super::encoder::VOp::Addpd
            | super::encoder::VOp::Subpd => 4,
            _ => 2,
        },
        Op::Fma { .. } => 5,
        Op::Compare { .. } => 3,
        Op::Load { .. }
        | Op::Load128 { .. }
        | Op::LoadGeneral { .. }
        | Op::LoadGeneral32 { .. }
        | Op::LoadF64 { .. } => 5,
        Op::InsertHigh { .. } => 5,
        Op::TruncateToI32 { .. } | Op::I32ToF64 { .. } | Op::I32ToI64 { .. } => 5,
        Op::LaneToGeneral { .. } | Op::ExtractHigh { .. } => 3,
        Op::MulImm { .. } => 3,
        Op::BailIfAny { .. } | Op::BailUnlessAll { .. } => 2,
        _ => 1,
    }
}

/// The memory `op` reads, if any.
fn address_read(op: &Op) -> Option<Addr> {
    match *op {
        Op::Load { addr, .. }
        | Op::Load128 { addr, .. }
        | Op::LoadGeneral { addr, .. }
        | Op::LoadGeneral32 { addr, .. }
        | Op::LoadF64 { addr, .. } => Some(addr),
        Op::Vector { b: Src::Mem(a), .. }
        | Op::Compare { b: Src::Mem(a), .. }
        | Op::Fma { c: Src::Mem(a), .. }
        | Op::InsertHigh {
            hi: Src::Mem(a), ..
        } => Some(a),
        _ => None,
    }
}

/// Whether `op` reads memory at a per-lane address (a register no frame slot backs).
fn reads_per_lane(op: &Op, p: &Program) -> bool {
    matches!(address_read(op), Some(Addr::Based { base, scale: 0, .. }) if p.homes[base as usize].is_none())
}

/// Whether `op` reads memory other than the frame (a store must not pass it).
fn reads_memory(op: &Op) -> bool {
    address_read(op).is_some_and(|a| !matches!(a, Addr::Frame(_)))
}

/// The body of `p` in a new order (same operations).
pub(super) fn schedule(p: &mut Program) {
    let n = p.body.len();
    let mut def_at: Vec<Option<usize>> = vec![None; p.classes.len()];
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut bails_so_far: Vec<usize> = Vec::new();
    let mut reads_so_far: Vec<usize> = Vec::new();
    for (k, op) in p.body.iter().enumerate() {
        for (v, _) in op.uses() {
            if let Some(d) = def_at[v as usize] {
                preds[k].push(d);
            }
        }
        let is_bail = matches!(op, Op::BailIfAny { .. } | Op::BailUnlessAll { .. });
        if matches!(op, Op::Store { .. } | Op::StoreGeneral { .. }) || reads_per_lane(op, p) {
            preds[k].extend(bails_so_far.iter().copied());
        }
        if is_bail {
            bails_so_far.push(k);
        }
        // Stores come after every load before them (one may read what the store replaces).
        if matches!(op, Op::Store { .. } | Op::StoreGeneral { .. }) {
            preds[k].extend(reads_so_far.iter().copied());
        }
        if reads_memory(op) {
            reads_so_far.push(k);
        }
        if let Some(d) = op.def() {
            def_at[d as usize] = Some(k);
        }
    }
    let mut succs: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, ps) in preds.iter_mut().enumerate() {
        ps.sort_unstable();
        ps.dedup();
        for &q in ps.iter() {
            succs[q].push(k);
        }
    }
    // Longest latency path from each operation to the end.
    let mut height = vec![0u32; n];
    for k in (0..n).rev() {
        let below = succs[k].iter().map(|&s| height[s]).max().unwrap_or(0);
        height[k] = latency(&p.body[k]) + below;
    }
    let mut waiting: Vec<usize> = preds.iter().map(Vec::len).collect();
    let mut ready: Vec<usize> = (0..n).filter(|&k| waiting[k] == 0).collect();
    let mut order = Vec::with_capacity(n);
    // Register pressure: vector values defined and still to be used.
    let mut uses_left = vec![0usize; p.classes.len()];
    for op in &p.body {
        for (v, _) in op.uses() {
            uses_left[v as usize] += 1;
        }
    }
    let is_vector = |v: u32| p.classes[v as usize] == Class::Vector;
    let mut live = 0usize;
    while !ready.is_empty() {
        // How the op changes the number of live vector values.
        let delta = |k: usize| -> i64 {
            let op = &p.body[k];
            let defines = op.def().is_some_and(is_vector) as i64;
            let mut seen = Vec::new();
            let mut dying = 0;
            for (v, _) in op.uses() {
                if is_vector(v) && !seen.contains(&v) {
                    seen.push(v);
                    let here = op.uses().iter().filter(|u| u.0 == v).count();
                    if uses_left[v as usize] == here {
                        dying += 1;
                    }
                }
            }
            defines - dying
        };
        let (at, _) = if live >= PRESSURE {
            // Full enough: what frees registers first, then the most critical.
            ready
                .iter()
                .enumerate()
                .min_by_key(|(_, &k)| (delta(k), std::cmp::Reverse(height[k]), k))
                .expect("not empty")
        } else {
            // highest first; the earlier in the source among equals
            ready
                .iter()
                .enumerate()
                .max_by_key(|(_, &k)| (height[k], std::cmp::Reverse(k)))
                .expect("not empty")
        };
        let k = ready.swap_remove(at);
        live = (live as i64 + delta(k)).max(0) as usize;
        for (v, _) in p.body[k].uses() {
            uses_left[v as usize] -= 1;
        }
        order.push(k);
        for &s in &succs[k] {
            waiting[s] -= 1;
            if waiting[s] == 0 {
                ready.push(s);
            }
        }
    }
    debug_assert_eq!(order.len(), n, "the dependences have no cycle");
    let body = std::mem::take(&mut p.body);
    p.body = order.into_iter().map(|k| body[k]).collect();
}
