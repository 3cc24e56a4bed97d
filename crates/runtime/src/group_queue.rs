//! The event queue of one group of cells in the min-delay parallel run
//! (`threads_interval.rs`), and the keys that keep equal-time events in the single-threaded
//! order.
//!
//! One thread's queue orders events by (time, insertion number): events of equal time are
//! delivered in the order they were queued. With one queue per group, insertion numbers
//! cannot be handed out as events are queued (groups queue at the same time), so an event
//! queued during an exchange interval gets a *fresh* key instead: its number in its own
//! group's insertion order, plus a description of when the single-threaded run would have
//! queued it ([`FreshKey`]: the step, the part of the step, and what queued it — a threshold
//! crossing, the delivery of an earlier event, a kernel). Inside a group, fresh keys compare
//! by their number (a group queues its own events in the single-threaded relative order);
//! every fresh key comes after every numbered one (those were queued in earlier intervals).
//! At the end of an interval the fresh keys of all events still queued (or on their way to
//! another group) are sorted by their descriptions, which compare as the single-threaded
//! insertion order does, and become insertion numbers ([`OrderKey::Seq`]) continuing the
//! model's count. So every queue compares any two of its events as the single queue would,
//! whatever the number of groups.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::int_hash::IntSet;

use crate::events::{EventKind, QueueStatistics};

/// What orders events of equal time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum OrderKey {
    /// Insertion number in the model's single order (queued before this interval).
    Seq(u64),
    /// Index into the owning group's [`FreshKey`]s (queued in this interval).
    Fresh(u32),
}

/// Parts of a step, in the order the single-threaded step queues events in them.
pub(crate) const PART_THRESHOLDS: u8 = 0;
pub(crate) const PART_DELIVERY_MID: u8 = 1;
pub(crate) const PART_KERNELS: u8 = 2;
pub(crate) const PART_DELIVERY_END: u8 = 3;

/// What queued an event.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Origin {
    /// The voltage source (index into the model's list) crossed its threshold.
    Threshold { presyn: u32 },
    /// The NET_RECEIVE of the event delivered at `time` with key `parent` (a key of the same
    /// group).
    Delivery { time: f64, parent: OrderKey },
    /// A step kernel (phase number, position in kernel order, instance) of a mechanism.
    Kernel { phase: u8, mech: u32, instance: u32 },
}

/// When the single-threaded run would have queued an event: the step, its part, the origin,
/// then the position among the events that origin queued.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FreshKey {
    pub step: u64,
    pub part: u8,
    pub origin: Origin,
    pub sub: u32,
}

/// Compares fresh key `a` of group `ga` with fresh key `b` of group `gb` (`keys[g]` are group
/// g's fresh keys) in the single-threaded insertion order.
pub(crate) fn cmp_fresh(keys: &[&[FreshKey]], ga: usize, a: u32, gb: usize, b: u32) -> Ordering {
    if ga == gb {
        return a.cmp(&b);
    }
    let (x, y) = (&keys[ga][a as usize], &keys[gb][b as usize]);
    let head = (x.step, x.part).cmp(&(y.step, y.part));
    if head != Ordering::Equal {
        return head;
    }
    let origin = match (x.origin, y.origin) {
        (Origin::Threshold { presyn: p }, Origin::Threshold { presyn: q }) => p.cmp(&q),
        (
            Origin::Delivery {
                time: tx,
                parent: px,
            },
            Origin::Delivery {
                time: ty,
                parent: py,
            },
        ) => tx
            .total_cmp(&ty)
            .then_with(|| cmp_keys(keys, ga, px, gb, py)),
        (
            Origin::Kernel {
                phase: p,
                mech: m,
                instance: i,
            },
            Origin::Kernel {
                phase: q,
                mech: n,
                instance: j,
            },
        ) => (p, m, i).cmp(&(q, n, j)),
        // One part of a step has one kind of origin.
        _ => Ordering::Equal,
    };
    origin.then(x.sub.cmp(&y.sub))
}

/// Compares keys of events of groups `ga` and `gb` in the single-threaded insertion order.
pub(crate) fn cmp_keys(
    keys: &[&[FreshKey]],
    ga: usize,
    a: OrderKey,
    gb: usize,
    b: OrderKey,
) -> Ordering {
    match (a, b) {
        (OrderKey::Fresh(x), OrderKey::Fresh(y)) => cmp_fresh(keys, ga, x, gb, y),
        _ => a.cmp(&b),
    }
}

/// A queued event; `id` names it for cancellation (its key may be renumbered).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub time: f64,
    pub key: OrderKey,
    pub id: u64,
    pub kind: EventKind,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Reversed, so that the max-heap pops the earliest (then first queued) event.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then(other.key.cmp(&self.key))
    }
}

/// One group's events.
#[derive(Debug, Default)]
pub(crate) struct GroupQueue {
    heap: BinaryHeap<Entry>,
    next_id: u64,
    /// Ids of events `net_move` replaced: skipped when popped.
    cancelled: IntSet<u64>,
    pub stats: QueueStatistics,
}

impl GroupQueue {
    /// Queues an event (not counted in the statistics: the caller knows insert from move).
    pub fn push(&mut self, time: f64, key: OrderKey, kind: EventKind) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.heap.push(Entry {
            time,
            key,
            id,
            kind,
        });
        id
    }

    pub fn cancel(&mut self, id: u64) {
        self.cancelled.insert(id);
    }

    /// Earliest live event at or before `tmax`.
    pub fn pop_due(&mut self, tmax: f64) -> Option<Entry> {
        loop {
            let top = self.heap.peek()?;
            if top.time > tmax {
                return None;
            }
            let ev = self.heap.pop().expect("peeked");
            if !self.cancelled.remove(&ev.id) {
                self.stats.removes += 1;
                return Some(ev);
            }
        }
    }

    /// The fresh keys of the queued events (cancelled ones included).
    pub fn fresh_keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.heap.iter().filter_map(|e| match e.key {
            OrderKey::Fresh(i) => Some(i),
            OrderKey::Seq(_) => None,
        })
    }

    /// Replaces every fresh key by its insertion number; `number` must keep their order (and
    /// put them after every number already in the queue), so the heap stays valid.
    pub fn renumber(&mut self, number: impl Fn(u32) -> u64) {
        let mut entries = std::mem::take(&mut self.heap).into_vec();
        for e in entries.iter_mut() {
            if let OrderKey::Fresh(i) = e.key {
                e.key = OrderKey::Seq(number(i));
            }
        }
        self.heap = BinaryHeap::from(entries);
    }

    /// Every live event, in no particular order (the queue is left empty).
    pub fn drain_live(&mut self) -> Vec<Entry> {
        let cancelled = std::mem::take(&mut self.cancelled);
        std::mem::take(&mut self.heap)
            .into_vec()
            .into_iter()
            .filter(|e| !cancelled.contains(&e.id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netcon::NetConId;

    fn delivery(step: u64, time: f64, parent: OrderKey, sub: u32) -> FreshKey {
        FreshKey {
            step,
            part: PART_DELIVERY_END,
            origin: Origin::Delivery { time, parent },
            sub,
        }
    }

    #[test]
    fn fresh_keys_of_two_groups_compare_by_their_causes() {
        // Group 0 delivered event Seq(5) at t=1 and then its own fresh event 0 at t=1; group 1
        // delivered Seq(7) at t=1. What each delivery queued compares as the deliveries did.
        let g0 = [
            delivery(3, 1.0, OrderKey::Seq(5), 0),
            delivery(3, 1.0, OrderKey::Fresh(0), 0),
        ];
        let g1 = [delivery(3, 1.0, OrderKey::Seq(7), 0)];
        let keys: [&[FreshKey]; 2] = [&g0, &g1];
        assert_eq!(cmp_fresh(&keys, 0, 0, 1, 0), Ordering::Less);
        // Fresh parent (queued in this interval) comes after Seq(7).
        assert_eq!(cmp_fresh(&keys, 0, 1, 1, 0), Ordering::Greater);
        // An earlier step comes first whatever the origin.
        let g2 = [FreshKey {
            step: 2,
            part: PART_THRESHOLDS,
            origin: Origin::Threshold { presyn: 9 },
            sub: 0,
        }];
        let keys: [&[FreshKey]; 3] = [&g0, &g1, &g2];
        assert_eq!(cmp_fresh(&keys, 2, 0, 0, 0), Ordering::Less);
    }

    #[test]
    fn equal_times_pop_by_key_and_renumbering_keeps_the_order() {
        let mut q = GroupQueue::default();
        let kind = |k| EventKind::NetCon(NetConId(k));
        q.push(1.0, OrderKey::Fresh(1), kind(0));
        q.push(1.0, OrderKey::Seq(9), kind(1));
        let gone = q.push(1.0, OrderKey::Fresh(0), kind(2));
        q.push(0.5, OrderKey::Fresh(2), kind(3));
        q.cancel(gone);
        q.renumber(|i| 100 + i as u64);
        let order: Vec<u32> = std::iter::from_fn(|| q.pop_due(2.0))
            .map(|e| match e.kind {
                EventKind::NetCon(NetConId(k)) => k,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, [3, 1, 0]);
    }
}
