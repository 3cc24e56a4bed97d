//! The event queue and the event services generated code calls (NUMERICS §8).
//!
//! Events are ordered by (time, insertion number), so events of equal time are delivered in
//! the order they were queued, as NEURON's queue does. Generated code talks to the runtime
//! through [`rsnrn_abi::Services`] (`net_send`, `net_event`, `net_move`, `watch_activate`);
//! those only append a [`Request`] to a list that `KernelContext::events` points at, and the
//! runtime acts on the list when the kernel has returned (it then has the whole model at
//! hand, and the order of requests is kept).

use std::cell::UnsafeCell;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

use rsnrn_abi::{KernelContext, MechanismData};

use crate::int_hash::{IntMap, IntSet};
use crate::netcon::{NetCon, NetConId, PreSyn};
use crate::point::PointProcessId;

/// What an event does when its time comes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum EventKind {
    /// A spike arriving through a NetCon: its target's NET_RECEIVE with flag 0 and the
    /// NetCon's weight vector.
    NetCon(NetConId),
    /// `net_send` (or a WATCH firing): NET_RECEIVE of `target` with `flag`, and the weight
    /// vector of the event that sent it (`None`: zeros).
    SelfEvent {
        target: PointProcessId,
        flag: f64,
        weight: Option<NetConId>,
    },
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Queued {
    pub time: f64,
    pub seq: u64,
    pub kind: EventKind,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    /// Reversed, so that the max-heap pops the earliest (then first queued) event.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then(other.seq.cmp(&self.seq))
    }
}

/// A call of an event service, as generated code made it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Request {
    Send {
        mech: u32,
        inst: u32,
        time: f64,
        flag: f64,
    },
    Event {
        mech: u32,
        inst: u32,
        time: f64,
    },
    Move {
        mech: u32,
        inst: u32,
        time: f64,
    },
    Watch {
        mech: u32,
        inst: u32,
        clause: u32,
        first: bool,
        flag: f64,
    },
}

/// An armed WATCH clause of one instance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Watch {
    pub target: PointProcessId,
    pub clause: u32,
    pub flag: f64,
    /// The condition held at the last check (an event is sent only when it turns true).
    pub holds: bool,
}

/// The self-event an instance may still move with `net_move`: its last `net_send` with flag
/// 1, until delivered.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Movable {
    pub seq: u64,
    pub flag: f64,
    pub weight: Option<NetConId>,
}

/// What the event services reach through `KernelContext::events`.
#[derive(Debug, Default)]
pub(crate) struct ServiceState {
    pub requests: Vec<Request>,
    /// While a NET_RECEIVE runs: the weight vectors of the NetCons targeting its instance, in
    /// creation order (for FOR_NETCONS).
    pub targets: Vec<*mut f64>,
}

/// Operations on the event queue since the last finitialize (`cvode.spike_stat`).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct QueueStatistics {
    /// Events put in the queue (spikes through NetCons, net_send, NetCon.event, ...).
    pub inserts: u64,
    /// Self-events re-timed by net_move.
    pub moves: u64,
    /// Events taken out for delivery.
    pub removes: u64,
}

/// The changes of the NetCons' spike records, for front ends that copy the spikes into their
/// own vectors: a counter that moves with every change, and the NetCons that gained a spike,
/// in order, since the records last changed otherwise (an epoch), so that a copy need not
/// look at every recording source (a 4000-cell network recorded every gid and looked at all
/// of them after every step).
#[derive(Debug, Default)]
pub(crate) struct RecordJournal {
    pub changes: u64,
    pub epoch: u64,
    pub since_epoch: Vec<NetConId>,
}

impl RecordJournal {
    /// NetCon `id`'s record gained a spike.
    pub fn gained(&mut self, id: NetConId) {
        self.changes += 1;
        self.since_epoch.push(id);
    }

    /// Records were emptied or replaced: a new epoch.
    pub fn restart(&mut self) {
        self.changes += 1;
        self.epoch += 1;
        self.since_epoch.clear();
    }
}

/// Everything about events one model owns.
#[derive(Debug, Default)]
pub(crate) struct Events {
    pub stats: QueueStatistics,
    /// What happened to the NetCons' spike records (front ends copy from them).
    pub records: RecordJournal,
    /// Boxed so that `KernelContext::events` keeps pointing at it when the model moves.
    state: Box<UnsafeCell<ServiceState>>,
    pub queue: BinaryHeap<Queued>,
    pub next_seq: u64,
    /// Queued events that `net_move` replaced: skipped when popped.
    pub cancelled: IntSet<u64>,
    pub movable: IntMap<PointProcessId, Movable>,
    pub watches: Vec<Watch>,
    pub netcons: Vec<Option<NetCon>>,
    /// Voltage sources (NEURON's PreSyn): one per (section, x) that NetCons watch.
    pub presyns: Vec<PreSyn>,
    /// NetCons from each point-process / artificial-cell source, in creation order.
    pub point_sources: IntMap<PointProcessId, Vec<NetConId>>,
    /// NetCons to each target, in creation order.
    pub targets: IntMap<PointProcessId, Vec<NetConId>>,
}

impl Events {
    pub fn requests_ptr(&self) -> *mut std::ffi::c_void {
        self.state.get().cast()
    }

    /// The requests made since the last call, in order.
    pub fn has_requests(&mut self) -> bool {
        !self.state.get_mut().requests.is_empty()
    }

    /// Lets FOR_NETCONS see the weight vectors of the NetCons targeting `target`.
    pub fn expose_targets(&mut self, target: PointProcessId) {
        let state = self.state.get_mut();
        state.targets.clear();
        if let Some(list) = self.targets.get(&target) {
            for id in list {
                if let Some(nc) = self.netcons[id.index()].as_mut() {
                    state.targets.push(nc.weight.as_mut_ptr());
                }
            }
        }
    }

    /// Appends requests made through another context (a thread's, `threads.rs`).
    pub fn add_requests(&mut self, requests: Vec<Request>) {
        self.state.get_mut().requests.extend(requests);
    }

    pub fn take_requests(&mut self) -> Vec<Request> {
        std::mem::take(&mut self.state.get_mut().requests)
    }

    pub fn push(&mut self, time: f64, kind: EventKind) -> u64 {
        self.stats.inserts += 1;
        self.enqueue(time, kind)
    }

    /// Takes a queued event out of play (it is skipped when popped). When skipped events
    /// outnumber the live ones the queue is rebuilt without them: a cell whose predicted
    /// firing is moved on every input (IF3 and other net_move users) would otherwise leave
    /// one stale entry per input in the heap, far in the future, and make every push and pop
    /// slower.
    pub fn cancel(&mut self, seq: u64) {
        self.cancelled.insert(seq);
        if self.cancelled.len() > 1024 && 2 * self.cancelled.len() > self.queue.len() {
            let cancelled = std::mem::take(&mut self.cancelled);
            let live: Vec<Queued> = std::mem::take(&mut self.queue)
                .into_vec()
                .into_iter()
                .filter(|q| !cancelled.contains(&q.seq))
                .collect();
            self.queue = BinaryHeap::from(live);
        }
    }

    /// A net_move: the event goes back in the queue at `time` (counted as a move).
    pub fn push_moved(&mut self, time: f64, kind: EventKind) -> u64 {
        self.stats.moves += 1;
        self.enqueue(time, kind)
    }

    fn enqueue(&mut self, time: f64, kind: EventKind) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.queue.push(Queued { time, seq, kind });
        seq
    }

    /// finitialize: no events, no watches, no pending requests, sources re-armed, spike
    /// records emptied.
    pub fn reset(&mut self) {
        self.stats = QueueStatistics::default();
        self.queue.clear();
        self.cancelled.clear();
        self.movable.clear();
        self.watches.clear();
        self.state.get_mut().requests.clear();
        for p in self.presyns.iter_mut() {
            p.above = false;
        }
        for nc in self.netcons.iter_mut().flatten() {
            if let Some(r) = &mut nc.record {
                r.clear();
            }
        }
        self.records.restart();
    }

    /// Earliest event still to be delivered, at or before `tmax`.
    pub fn pop_due(&mut self, tmax: f64) -> Option<Queued> {
        loop {
            let top = self.queue.peek()?;
            if top.time > tmax {
                return None;
            }
            let ev = self.queue.pop().expect("peeked");
            if self.cancelled.is_empty() || !self.cancelled.remove(&ev.seq) {
                self.stats.removes += 1;
                return Some(ev);
            }
        }
    }
}

/// Appends `r` to the request list of the runtime that made `ctx`.
///
/// # Safety
/// `ctx` is a context the runtime passed to a kernel that is still running (its `events`
/// points at the model's request list, or is null when the caller has no event system).
unsafe fn request(ctx: *const KernelContext, r: Request) {
    // SAFETY: see above; the runtime holds no reference to the state while kernels run.
    unsafe {
        if let Some(state) = state_of(ctx) {
            state.requests.push(r);
        }
    }
}

/// The service state behind `ctx.events`, if any.
///
/// # Safety
/// As [`request`].
unsafe fn state_of<'a>(ctx: *const KernelContext) -> Option<&'a mut ServiceState> {
    // SAFETY: see above.
    unsafe {
        let cell = (*ctx).events as *const UnsafeCell<ServiceState>;
        cell.as_ref().map(|c| &mut *c.get())
    }
}

/// [`rsnrn_abi::Services::for_netcons_count`].
pub(crate) unsafe extern "C" fn for_netcons_count(
    ctx: *const KernelContext,
    _data: *const MechanismData,
    _inst: u64,
) -> u64 {
    // SAFETY: called by a NET_RECEIVE kernel with the context it received.
    unsafe { state_of(ctx).map_or(0, |s| s.targets.len() as u64) }
}

/// [`rsnrn_abi::Services::for_netcons_weight`].
pub(crate) unsafe extern "C" fn for_netcons_weight(
    ctx: *const KernelContext,
    _data: *const MechanismData,
    _inst: u64,
    i: u64,
) -> *mut f64 {
    // SAFETY: as for_netcons_count; i < count, as the generated loop guarantees.
    unsafe {
        state_of(ctx)
            .expect("FOR_NETCONS runs in NET_RECEIVE")
            .targets[i as usize]
    }
}

/// # Safety
/// `data` is the mechanism data the kernel was called with.
unsafe fn mech_of(data: *const MechanismData) -> u32 {
    // SAFETY: see above.
    unsafe { (*data).mechanism as u32 }
}

/// [`rsnrn_abi::Services::net_send`].
pub(crate) unsafe extern "C" fn net_send(
    ctx: *const KernelContext,
    data: *const MechanismData,
    inst: u64,
    time: f64,
    flag: f64,
) {
    // SAFETY: called by a kernel with the arguments it received.
    unsafe {
        let mech = mech_of(data);
        request(
            ctx,
            Request::Send {
                mech,
                inst: inst as u32,
                time,
                flag,
            },
        )
    }
}

/// [`rsnrn_abi::Services::net_event`].
pub(crate) unsafe extern "C" fn net_event(
    ctx: *const KernelContext,
    data: *const MechanismData,
    inst: u64,
    time: f64,
    _flag: f64,
) {
    // SAFETY: called by a kernel with the arguments it received.
    unsafe {
        let mech = mech_of(data);
        request(
            ctx,
            Request::Event {
                mech,
                inst: inst as u32,
                time,
            },
        )
    }
}

/// [`rsnrn_abi::Services::net_move`].
pub(crate) unsafe extern "C" fn net_move(
    ctx: *const KernelContext,
    data: *const MechanismData,
    inst: u64,
    time: f64,
    _flag: f64,
) {
    // SAFETY: called by a kernel with the arguments it received.
    unsafe {
        let mech = mech_of(data);
        request(
            ctx,
            Request::Move {
                mech,
                inst: inst as u32,
                time,
            },
        )
    }
}

/// [`rsnrn_abi::Services::watch_activate`].
pub(crate) unsafe extern "C" fn watch_activate(
    ctx: *const KernelContext,
    data: *const MechanismData,
    inst: u64,
    clause: u64,
    first: f64,
    flag: f64,
) {
    // SAFETY: called by a kernel with the arguments it received.
    unsafe {
        let mech = mech_of(data);
        request(
            ctx,
            Request::Watch {
                mech,
                inst: inst as u32,
                clause: clause as u32,
                first: first != 0.0,
                flag,
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_times_pop_in_insertion_order() {
        let mut ev = Events::default();
        let kind = |k| EventKind::NetCon(NetConId(k));
        ev.push(2.0, kind(0));
        ev.push(1.0, kind(1));
        ev.push(2.0, kind(2));
        ev.push(1.0, kind(3));
        let order: Vec<u32> = std::iter::from_fn(|| ev.pop_due(10.0))
            .map(|q| match q.kind {
                EventKind::NetCon(NetConId(k)) => k,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(order, [1, 3, 0, 2]);
    }

    #[test]
    fn cancelled_events_are_skipped_and_late_ones_wait() {
        let mut ev = Events::default();
        let a = ev.push(1.0, EventKind::NetCon(NetConId(0)));
        ev.push(1.5, EventKind::NetCon(NetConId(1)));
        ev.cancelled.insert(a);
        assert!(ev.pop_due(1.2).is_none());
        assert_eq!(ev.pop_due(1.5).map(|q| q.time), Some(1.5));
    }
}
