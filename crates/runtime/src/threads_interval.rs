//! Threads with the minimum NetCon delay as exchange interval (NEURON's parallel fixed step):
//! [`CableModel::continuerun`] integrates each group of cells on its own for several steps.
//!
//! Cells only see each other through NetCon events, and an event takes at least its NetCon's
//! delay to arrive. So with `K` steps per interval, `K·dt` below the smallest delay of the
//! NetCons whose source and target are in different groups, a spike detected in an interval
//! is delivered after it: every group steps its cells `K` steps without waiting for the
//! others — threshold detection, delivery of its own events, the continuous step of
//! `threads.rs`, recording — and the spikes for other groups are handed over at the end of
//! the interval (one fork-join per interval instead of one per step).
//!
//! Each group has its own queue (`group_queue.rs`) holding the events whose target is one of
//! its point processes. It delivers them in the single-threaded order: by time, then by the
//! single queue's insertion order, which `group_queue.rs` reconstructs for events queued in
//! different groups. Everything a group does in a step is what the single-threaded step does
//! for those cells, in the same order, so results are bit-identical for any number of threads
//! (and to one thread).
//!
//! The run falls back to the per-step threads of `threads.rs` (reason in
//! [`CableModel::threads_interval_reason`]) when something outside the cells takes part in
//! the step: Vector.play (its events are in the model's queue), artificial cells (no cell to
//! be stepped with), WATCH conditions, a Vector.record of a mechanism GLOBAL (kernels may
//! write it inside the step), or a NetCon between groups with a delay shorter than two steps.
//! Steps from `fadvance` (hoc's run loop) also use the per-step threads. A NET_RECEIVE that
//! draws from NMODL's one global generator (`scop_random`, `normrand`, ...) stops the run with
//! an error naming the mechanism, as step kernels on threads do. Kernels see a per-group copy
//! of their mechanism's GLOBALs for the whole interval (a GLOBAL read before it is written in
//! the same instance is not thread-safe, as in NEURON). After an error, cells of other groups
//! may have stepped further than the single-threaded run would have.

use crate::int_hash::IntMap;

use rsnrn_abi::{KernelContext, MechanismData, MechanismKind, NetReceiveKernel};

use crate::error::{Result, RuntimeError};
use crate::events::{EventKind, Movable, Queued, Request};
use crate::fixed_step::Phase;
use crate::group_queue::{
    cmp_fresh, FreshKey, GroupQueue, OrderKey, Origin, PART_DELIVERY_END, PART_DELIVERY_MID,
    PART_KERNELS, PART_THRESHOLDS,
};
use crate::mechanisms::Owner;
use crate::model::CableModel;
use crate::netcon::{NetConId, NetConSource};
use crate::point::PointProcessId;
use crate::record::VarLoc;
use crate::threads::{
    copy_ctx, on_groups, status_error_net_receive, Group, Shared, Threads, PHASE_STATE,
    SCOP_RANDOM_USED, THREADED_SERVICES,
};

/// Groups per thread. A group runs a whole interval (tens of steps) at once, so the groups
/// are smaller than those of the per-step threads: when the system deschedules a thread in
/// the middle of one, the others have more left to take before they wait for it.
const GROUPS_PER_THREAD: usize = 16;

/// A threshold crossing detected at the start of the step from t_n is a spike at t_n + 1e-10
/// (as in `delivery.rs`).
const THRESHOLD_SPIKE_OFFSET: f64 = 1e-10;

/// What the groups read about NetCons, sources and targets during a run (built once per
/// `continuerun`; nothing changes them while it runs).
struct Net {
    netcons: Vec<Option<NetConInfo>>,
    presyns: Vec<PresynInfo>,
    points: Vec<Option<PointInfo>>,
    point_sources: IntMap<PointProcessId, Vec<NetConId>>,
    /// NetCons to each target, in creation order (FOR_NETCONS).
    targets: IntMap<PointProcessId, Vec<NetConId>>,
    mechs: Vec<MechEvents>,
    /// Group of every node.
    node_groups: Vec<usize>,
}

// SAFETY: the weight pointers address the NetCons' weight vectors, each written only by the
// group of its target (the only one that delivers its events).
unsafe impl Sync for Net {}

#[derive(Clone, Copy)]
struct NetConInfo {
    target: Option<PointProcessId>,
    /// Group of the target's cell.
    group: usize,
    delay: f64,
    active: bool,
    record: bool,
    weight: *mut f64,
}

struct PresynInfo {
    node: usize,
    threshold: f64,
    netcons: Vec<NetConId>,
}

#[derive(Clone, Copy)]
struct PointInfo {
    mech: usize,
    instance: u32,
    group: usize,
}

struct MechEvents {
    name: String,
    net_receive: Option<NetReceiveKernel>,
    nargs: usize,
    for_netcons: bool,
    /// Per instance: the point process it belongs to.
    owners: Vec<Option<PointProcessId>>,
    failure_sites: Vec<String>,
}

/// How a group samples one Vector.record.
enum Sample {
    At(*const f64),
    Time,
    Constant(f64),
}

/// An event for another group, handed over at the end of the interval.
struct Outgoing {
    group: usize,
    time: f64,
    fresh: u32,
    kind: EventKind,
}

/// Why a group stopped: the step, where in it (for choosing the error the single-threaded
/// run would give first), the time, and what happened.
struct LaneFailure {
    step: u64,
    stage: (u8, usize),
    t: f64,
    what: Failure,
}

enum Failure {
    Error(RuntimeError),
    NotFinite { node: usize },
}

/// One group's part of the run besides its cells' continuous step (`threads::Group`).
struct Lane {
    index: usize,
    queue: GroupQueue,
    fresh: Vec<FreshKey>,
    step: u64,
    part: u8,
    origin: Origin,
    sub: u32,
    /// Voltage sources on the group's cells (indices into the model's list, ascending) and
    /// whether each was above threshold.
    presyns: Vec<usize>,
    above: Vec<bool>,
    records: Vec<(*mut Vec<f64>, Sample)>,
    outbox: Vec<Outgoing>,
    spike_log: Vec<(NetConId, f64)>,
    movable: IntMap<PointProcessId, (u64, Movable)>,
    /// Per mechanism: all its instances, with the group's GLOBALs (for NET_RECEIVE).
    full: Vec<Option<MechanismData>>,
    failure: Option<LaneFailure>,
    t: f64,
}

// SAFETY: a lane's pointers address its own records and the mechanism data of instances
// whose events only this lane delivers.
unsafe impl Send for Lane {}

/// One interval as every group runs it.
#[derive(Clone, Copy)]
struct Interval {
    t0: f64,
    dt: f64,
    tstop: f64,
    steps: usize,
}

impl CableModel {
    /// Why `continuerun` on threads exchanges events every step (`threads.rs`) rather than
    /// once per minimum NetCon delay (None: it uses the interval, or threads are not used).
    pub fn threads_interval_reason(&mut self) -> Option<&'static str> {
        let count = self.threads.as_ref()?.count;
        self.ensure_layout();
        if let Some(reason) = self.serial_reason() {
            return Some(reason);
        }
        if let Some(reason) = self.interval_reason() {
            return Some(reason);
        }
        let plan = self.plan(GROUPS_PER_THREAD * count);
        let groups = node_groups(&plan.groups, self.layout.node_count());
        let net = self.net_tables(&groups);
        (self.interval_steps(&net) == 0)
            .then_some("a NetCon between cells of different threads has a delay shorter than dt")
    }

    fn interval_reason(&self) -> Option<&'static str> {
        if self.plays.list.iter().flatten().next().is_some() {
            return Some("a Vector.play delivers its values from the model's event queue");
        }
        let live = |m: &&crate::mechanisms::RegisteredMechanism| m.store.count() > 0;
        if self
            .reg
            .mechs
            .iter()
            .filter(live)
            .any(|m| m.info.kind == MechanismKind::ArtificialCell)
        {
            return Some("artificial cells have no cell of their own to step with");
        }
        if !self.events.watches.is_empty()
            || self
                .reg
                .mechs
                .iter()
                .filter(live)
                .any(|m| m.table.watch_condition.is_some())
        {
            return Some("WATCH conditions are checked with the model's event queue");
        }
        if self
            .records
            .iter()
            .flatten()
            .any(|r| matches!(r.loc, Some(VarLoc::Global { .. })))
        {
            return Some("a Vector.record of a GLOBAL, which kernels may change in a step");
        }
        None
    }

    /// Runs to `tstop` in exchange intervals on the threads; `Ok(false)` (nothing done) when
    /// they are not set or cannot be used that way.
    pub(crate) fn run_intervals(&mut self, tstop: f64) -> Result<bool> {
        let Some(mut threads) = self.threads.take() else {
            return Ok(false);
        };
        let result = self.run_intervals_with(&mut threads, tstop);
        self.threads = Some(threads);
        result
    }

    fn run_intervals_with(&mut self, threads: &mut Threads, tstop: f64) -> Result<bool> {
        self.prepare()?;
        if self.serial_reason().is_some() || self.interval_reason().is_some() {
            return Ok(false);
        }
        let wanted = (GROUPS_PER_THREAD * threads.count)
            .min(self.layout.matrix.ncell)
            .max(1);
        if threads
            .plan
            .as_ref()
            .is_none_or(|p| p.generation != self.layout.generation || p.groups.len() != wanted)
        {
            threads.plan = Some(self.plan(wanted));
        }
        let plan = threads.plan.as_mut().expect("just made");
        let groups = node_groups(&plan.groups, self.layout.node_count());
        let net = self.net_tables(&groups);
        let steps = self.interval_steps(&net);
        if steps == 0 {
            return Ok(false);
        }
        let pool = threads.pool.clone();
        let mut lanes = self.make_lanes(plan.groups.len(), &groups, &net);
        self.distribute_queue(&mut lanes, &net);
        let mut result = Ok(());
        while self.t < tstop - self.dt / 2.0 {
            if let Err(e) = self.prepare() {
                result = Err(e);
                break;
            }
            if let Err(e) = self.call_kernels(Phase::TableCheck, self.t) {
                result = Err(e);
                break;
            }
            self.sync_ctx(self.t);
            let shared = self.shared();
            self.spread_globals(plan);
            self.bind_views(plan);
            self.bind_full_views(plan, &mut lanes);
            let base = copy_ctx(&self.ctx);
            let interval = Interval {
                t0: self.t,
                dt: self.dt,
                tstop,
                steps,
            };
            let mut work: Vec<(&mut Group, &mut Lane)> =
                plan.groups.iter_mut().zip(lanes.iter_mut()).collect();
            let base = crate::threads::SharedCtx(base);
            on_groups(&pool, &mut work, |(g, lane)| {
                // SAFETY: groups address disjoint cells, instances and records (module
                // comments here and in threads.rs).
                unsafe { lane.run(g, &shared, &net, &base.get(), interval) }
            });
            drop(work);
            self.gather_globals(plan);
            self.t = lanes[0].t;
            let exchanged = self.exchange(&mut lanes);
            if let Some(e) = self.first_failure(&mut lanes) {
                result = Err(e);
                break;
            }
            if let Err(e) = exchanged {
                result = Err(e);
                break;
            }
        }
        self.collect_queue(&mut lanes);
        result.map(|()| true)
    }

    /// Steps per interval: the most whose span stays below the smallest delay of a NetCon
    /// between groups (`usize::MAX` without such NetCons), 0 if under one step.
    fn interval_steps(&self, net: &Net) -> usize {
        let mut min_delay = f64::INFINITY;
        for (k, nc) in self.events.netcons.iter().enumerate() {
            let (Some(nc), Some(info)) = (nc, net.netcons[k]) else {
                continue;
            };
            if !info.active || info.target.is_none() {
                continue;
            }
            let source = match nc.source {
                NetConSource::None => continue,
                NetConSource::Voltage { .. } => {
                    nc.presyn.map(|p| lane_of_node(net, net.presyns[p].node))
                }
                NetConSource::Point(p) => net.points[p.index()].map(|p| p.group),
            };
            if source.is_some_and(|g| g != info.group) {
                min_delay = min_delay.min(info.delay);
            }
        }
        if min_delay.is_infinite() {
            return usize::MAX;
        }
        // A margin far above the rounding of t, far below a step.
        let steps = ((min_delay - 1e-6 * self.dt) / self.dt).floor();
        if steps >= 1.0 {
            steps as usize
        } else {
            0
        }
    }

    fn net_tables(&self, groups: &[usize]) -> Net {
        let reg = &self.reg;
        let points: Vec<Option<PointInfo>> = self
            .points
            .iter()
            .map(|p| {
                let p = p.as_ref()?;
                let m = &reg.mechs[p.mech.index()];
                let node = *m.store.node_index.get(p.instance as usize)? as usize;
                Some(PointInfo {
                    mech: p.mech.index(),
                    instance: p.instance,
                    group: groups.get(node).copied().unwrap_or(0),
                })
            })
            .collect();
        let netcons = self
            .events
            .netcons
            .iter()
            .map(|nc| {
                let nc = nc.as_ref()?;
                let group = nc
                    .target
                    .and_then(|t| points.get(t.index()).copied().flatten())
                    .map_or(0, |p| p.group);
                Some(NetConInfo {
                    target: nc.target,
                    group,
                    delay: nc.delay,
                    active: nc.active,
                    record: nc.record.is_some(),
                    weight: nc.weight.as_ptr().cast_mut(),
                })
            })
            .collect();
        let presyns = self
            .events
            .presyns
            .iter()
            .map(|p| PresynInfo {
                node: self.layout.sections[p.section.index()].node_exact(p.x) as usize,
                threshold: p.threshold,
                netcons: p.netcons.clone(),
            })
            .collect();
        let mechs = reg
            .mechs
            .iter()
            .map(|m| MechEvents {
                name: m.info.name.clone(),
                net_receive: m.table.net_receive,
                nargs: m.info.net_receive_args.unwrap_or(0).max(1) as usize,
                for_netcons: m.info.for_netcons,
                owners: m.store.owner[..m.store.count()]
                    .iter()
                    .map(|o| match o {
                        Owner::Point(p) => Some(*p),
                        _ => None,
                    })
                    .collect(),
                failure_sites: m.info.failure_sites.clone(),
            })
            .collect();
        Net {
            netcons,
            presyns,
            points,
            point_sources: self.events.point_sources.clone(),
            targets: self.events.targets.clone(),
            mechs,
            node_groups: groups.to_vec(),
        }
    }

    fn make_lanes(&mut self, n: usize, groups: &[usize], net: &Net) -> Vec<Lane> {
        let mut lanes: Vec<Lane> = (0..n)
            .map(|index| Lane {
                index,
                queue: GroupQueue::default(),
                fresh: Vec::new(),
                step: 0,
                part: PART_THRESHOLDS,
                origin: Origin::Threshold { presyn: 0 },
                sub: 0,
                presyns: Vec::new(),
                above: Vec::new(),
                records: Vec::new(),
                outbox: Vec::new(),
                spike_log: Vec::new(),
                movable: IntMap::default(),
                full: Vec::new(),
                failure: None,
                t: self.t,
            })
            .collect();
        for (k, p) in net.presyns.iter().enumerate() {
            let lane = &mut lanes[groups[p.node]];
            lane.presyns.push(k);
            lane.above.push(self.events.presyns[k].above);
        }
        for k in 0..self.records.len() {
            let Some(loc) = self.records[k].as_ref().and_then(|r| r.loc) else {
                continue;
            };
            let (group, sample) = match loc {
                VarLoc::Time => (0, Sample::Time),
                VarLoc::NodeV(n) => (
                    groups[n as usize],
                    Sample::At(self.layout.v.as_ptr().wrapping_add(n as usize)),
                ),
                VarLoc::Range {
                    mech,
                    col,
                    instance,
                } => {
                    let s = &self.reg.mechs[mech.index()].store;
                    let node = s.node_index[instance as usize] as usize;
                    let column = s.columns[col as usize].as_ptr();
                    (
                        groups[node],
                        Sample::At(column.wrapping_add(instance as usize)),
                    )
                }
                VarLoc::Ion { ion, var, instance } => {
                    let s = &self.reg.ion(ion).store;
                    let node = s.node_index[instance as usize] as usize;
                    let column = s.cols[var as usize].as_ptr();
                    (
                        groups[node],
                        Sample::At(column.wrapping_add(instance as usize)),
                    )
                }
                // Nothing in a step changes these (GLOBALs keep the per-step threads).
                other => (0, Sample::Constant(self.read_loc(other))),
            };
            let samples = &mut self.records[k].as_mut().expect("live").samples;
            lanes[group]
                .records
                .push((samples as *mut Vec<f64>, sample));
        }
        lanes
    }

    /// Every group's NET_RECEIVE view of every mechanism: all instances, its own GLOBALs.
    fn bind_full_views(&mut self, plan: &mut crate::threads::Plan, lanes: &mut [Lane]) {
        for (g, lane) in plan.groups.iter_mut().zip(lanes.iter_mut()) {
            lane.full.clear();
            for (k, m) in self.reg.mechs.iter().enumerate() {
                let d = &m.store.data;
                lane.full.push(m.table.net_receive.map(|_| MechanismData {
                    count: d.count,
                    node_index: d.node_index,
                    range: d.range,
                    globals: g.globals[k].as_mut_ptr(),
                    slots: d.slots,
                    mechanism: d.mechanism,
                    randoms: d.randoms,
                    function_tables: d.function_tables,
                    affine: d.affine,
                }));
            }
        }
    }

    /// The model's queue into the groups' queues (by target), keeping insertion numbers.
    fn distribute_queue(&mut self, lanes: &mut [Lane], net: &Net) {
        let cancelled = std::mem::take(&mut self.events.cancelled);
        let movable: IntMap<u64, (PointProcessId, Movable)> = self
            .events
            .movable
            .drain()
            .map(|(p, m)| (m.seq, (p, m)))
            .collect();
        for q in std::mem::take(&mut self.events.queue).into_vec() {
            if cancelled.contains(&q.seq) {
                continue;
            }
            let group = target_group(net, q.kind);
            let lane = &mut lanes[group];
            let id = lane.queue.push(q.time, OrderKey::Seq(q.seq), q.kind);
            if let Some(&(pid, m)) = movable.get(&q.seq) {
                lane.movable.insert(pid, (id, m));
            }
        }
    }

    /// The groups' queues back into the model's (every key is an insertion number after an
    /// exchange), with the queue statistics and the sources' threshold states.
    fn collect_queue(&mut self, lanes: &mut [Lane]) {
        for lane in lanes.iter_mut() {
            let mut seq_of = IntMap::default();
            for e in lane.queue.drain_live() {
                let OrderKey::Seq(seq) = e.key else {
                    unreachable!("an exchange numbers every queued event")
                };
                seq_of.insert(e.id, seq);
                self.events.queue.push(Queued {
                    time: e.time,
                    seq,
                    kind: e.kind,
                });
            }
            for (pid, (id, m)) in lane.movable.drain() {
                if let Some(&seq) = seq_of.get(&id) {
                    self.events.movable.insert(pid, Movable { seq, ..m });
                }
            }
            let s = &mut self.events.stats;
            s.inserts += lane.queue.stats.inserts;
            s.moves += lane.queue.stats.moves;
            s.removes += lane.queue.stats.removes;
            lane.queue.stats = Default::default();
            for (&k, &above) in lane.presyns.iter().zip(&lane.above) {
                self.events.presyns[k].above = above;
            }
        }
    }

    /// End of an interval: the events queued in it get their insertion numbers (in the
    /// single-threaded insertion order), those for other groups go to their queues, and the
    /// spikes are recorded.
    fn exchange(&mut self, lanes: &mut [Lane]) -> Result<()> {
        let mut pending: Vec<(usize, u32)> = Vec::new();
        for lane in lanes.iter() {
            pending.extend(lane.queue.fresh_keys().map(|i| (lane.index, i)));
            pending.extend(lane.outbox.iter().map(|o| (lane.index, o.fresh)));
        }
        {
            let keys: Vec<&[FreshKey]> = lanes.iter().map(|l| l.fresh.as_slice()).collect();
            pending.sort_unstable_by(|&(ga, a), &(gb, b)| cmp_fresh(&keys, ga, a, gb, b));
        }
        let mut numbers: Vec<Vec<u64>> = lanes.iter().map(|l| vec![0; l.fresh.len()]).collect();
        for &(g, i) in &pending {
            numbers[g][i as usize] = self.events.next_seq;
            self.events.next_seq += 1;
        }
        let mut late = None;
        let mut moved = Vec::new();
        for lane in lanes.iter_mut() {
            let own = &numbers[lane.index];
            lane.queue.renumber(|i| own[i as usize]);
            for o in lane.outbox.drain(..) {
                if o.time <= self.t && late.is_none() {
                    late = Some(o.time);
                }
                moved.push((o.group, o.time, own[o.fresh as usize], o.kind));
            }
            lane.fresh.clear();
            for (id, time) in lane.spike_log.drain(..) {
                if let Some(Some(nc)) = self.events.netcons.get_mut(id.index()) {
                    if let Some(r) = &mut nc.record {
                        r.push(time);
                        self.events.records.gained(id);
                    }
                }
            }
        }
        for (group, time, seq, kind) in moved {
            lanes[group].queue.push(time, OrderKey::Seq(seq), kind);
        }
        match late {
            Some(time) => Err(RuntimeError::Event {
                message: format!(
                    "an event at {time} ms between cells of different threads arrived after \
                     its time (an event sent into the past?); run with one thread"
                ),
                t: self.t,
            }),
            None => Ok(()),
        }
    }

    /// The error the single-threaded run would have stopped with first, if a group failed
    /// (the model's t is then that group's).
    fn first_failure(&mut self, lanes: &mut [Lane]) -> Option<RuntimeError> {
        let lane = lanes
            .iter_mut()
            .filter(|l| l.failure.is_some())
            .min_by_key(|l| {
                let f = l.failure.as_ref().expect("filtered");
                (f.step, f.stage, l.index)
            })?;
        let f = lane.failure.take().expect("filtered");
        self.t = f.t;
        Some(match f.what {
            Failure::Error(e) => e,
            // self.t is f.t (set above).
            Failure::NotFinite { node } => self.not_finite_at(node),
        })
    }
}

/// Group of every node.
fn node_groups(groups: &[Group], nodes: usize) -> Vec<usize> {
    let mut of = vec![0; nodes];
    for (k, g) in groups.iter().enumerate() {
        for n in g.roots.clone().chain(g.nodes.clone()) {
            of[n] = k;
        }
    }
    of
}

fn lane_of_node(net: &Net, node: usize) -> usize {
    net.node_groups[node]
}

/// The group that delivers an event (group 0 for events whose target is gone: they are
/// dropped when due, as with one queue).
fn target_group(net: &Net, kind: EventKind) -> usize {
    let target = match kind {
        EventKind::NetCon(id) => net
            .netcons
            .get(id.index())
            .copied()
            .flatten()
            .and_then(|n| n.target),
        EventKind::SelfEvent { target, .. } => Some(target),
    };
    target
        .and_then(|t| net.points.get(t.index()).copied().flatten())
        .map_or(0, |p| p.group)
}

impl Lane {
    /// The group's steps of one interval.
    ///
    /// # Safety
    /// `shared` and the lane's views point at the model's current buffers; no other task
    /// touches this group's cells, instances, records or events.
    unsafe fn run(
        &mut self,
        g: &mut Group,
        shared: &Shared,
        net: &Net,
        base: &KernelContext,
        interval: Interval,
    ) {
        g.ctx = KernelContext {
            services: &THREADED_SERVICES,
            events: g.state.get().cast(),
            ..copy_ctx(base)
        };
        let mut t = interval.t0;
        for k in 0..interval.steps {
            if t >= interval.tstop - interval.dt / 2.0 {
                break;
            }
            self.step = k as u64;
            // SAFETY: forwarded.
            if let Err(f) = unsafe { self.one_step(g, shared, net, &mut t, interval.dt) } {
                self.failure = Some(LaneFailure {
                    step: k as u64,
                    stage: f.0,
                    t,
                    what: f.1,
                });
                break;
            }
        }
        self.t = t;
    }

    /// One fixed step of the group's cells, as `fixed_step.rs` takes it for the model.
    ///
    /// # Safety
    /// As [`run`](Self::run).
    unsafe fn one_step(
        &mut self,
        g: &mut Group,
        s: &Shared,
        net: &Net,
        t: &mut f64,
        dt: f64,
    ) -> std::result::Result<(), ((u8, usize), Failure)> {
        let err = |stage: u8| move |e| ((stage, 0), Failure::Error(e));
        // Threshold detection on v_n.
        self.part = PART_THRESHOLDS;
        for j in 0..self.presyns.len() {
            let k = self.presyns[j];
            let p = &net.presyns[k];
            // SAFETY: the node is one of the group's.
            let value = unsafe { *s.v.add(p.node) } - p.threshold;
            if value > 0.0 {
                if !self.above[j] {
                    self.above[j] = true;
                    self.begin(Origin::Threshold { presyn: k as u32 });
                    self.spike(net, &p.netcons, *t + THRESHOLD_SPIKE_OFFSET);
                }
            } else {
                self.above[j] = false;
            }
        }
        // SAFETY: forwarded.
        unsafe { self.deliver(g, net, *t + 0.5 * dt, PART_DELIVERY_MID) }.map_err(err(0))?;
        *t += 0.5 * dt;
        let t_mid = *t;
        g.ctx.t = t_mid;
        g.outcome = Default::default();
        g.request_tags.clear();
        // SAFETY: forwarded.
        unsafe { g.setup_solve_update(s) };
        if let Some((phase, pos, e)) = g.outcome.failure.take() {
            return Err(((1, phase * 1_000_000 + pos), Failure::Error(e)));
        }
        *t += 0.5 * dt;
        if let Some(node) = g.outcome.bad {
            let node = g.outcome.origin.unwrap_or(node);
            return Err(((2, 0), Failure::NotFinite { node }));
        }
        g.ctx.t = *t;
        // SAFETY: forwarded.
        unsafe { g.states(s) };
        if let Some((phase, pos, e)) = g.outcome.failure.take() {
            return Err(((3, phase * 1_000_000 + pos), Failure::Error(e)));
        }
        self.part = PART_KERNELS;
        self.kernel_requests(g, net, t_mid, *t).map_err(err(3))?;
        for (samples, sample) in &self.records {
            // SAFETY: the record is the group's; its pointer is into the model's buffers.
            unsafe {
                let value = match sample {
                    Sample::At(p) => **p,
                    Sample::Time => *t,
                    Sample::Constant(v) => *v,
                };
                (**samples).push(value);
            }
        }
        // SAFETY: forwarded.
        unsafe { self.deliver(g, net, *t, PART_DELIVERY_END) }.map_err(err(4))
    }

    /// Starts what one origin queues.
    fn begin(&mut self, origin: Origin) {
        self.origin = origin;
        self.sub = 0;
    }

    /// A key for the next event the current origin queues.
    fn fresh_key(&mut self) -> OrderKey {
        let i = self.fresh.len() as u32;
        self.fresh.push(FreshKey {
            step: self.step,
            part: self.part,
            origin: self.origin,
            sub: self.sub,
        });
        self.sub += 1;
        OrderKey::Fresh(i)
    }

    /// A spike at `time` through the NetCons `from` (in creation order), as `delivery.rs`.
    fn spike(&mut self, net: &Net, from: &[NetConId], time: f64) {
        for &id in from {
            let Some(nc) = net.netcons[id.index()] else {
                continue;
            };
            if nc.record {
                self.spike_log.push((id, time));
            }
            if nc.active && nc.target.is_some() {
                let due = time + nc.delay;
                let key = self.fresh_key();
                self.queue.stats.inserts += 1;
                let kind = EventKind::NetCon(id);
                if nc.group == self.index {
                    self.queue.push(due, key, kind);
                } else {
                    let OrderKey::Fresh(fresh) = key else {
                        unreachable!()
                    };
                    self.outbox.push(Outgoing {
                        group: nc.group,
                        time: due,
                        fresh,
                        kind,
                    });
                }
            }
        }
    }

    /// Delivers the group's events at or before `tmax`, as `delivery.rs` does.
    ///
    /// # Safety
    /// As [`run`](Self::run).
    unsafe fn deliver(&mut self, g: &mut Group, net: &Net, tmax: f64, part: u8) -> Result<()> {
        self.part = part;
        while let Some(ev) = self.queue.pop_due(tmax) {
            let (target, flag, weight) = match ev.kind {
                EventKind::NetCon(id) => match net.netcons[id.index()] {
                    Some(NetConInfo {
                        target: Some(t), ..
                    }) => (t, 0.0, Some(id)),
                    _ => continue,
                },
                EventKind::SelfEvent {
                    target,
                    flag,
                    weight,
                } => {
                    if flag == 1.0 {
                        self.movable.remove(&target);
                    }
                    (target, flag, weight)
                }
            };
            let Some(p) = net.points.get(target.index()).copied().flatten() else {
                continue;
            };
            g.ctx.t = ev.time;
            let m = &net.mechs[p.mech];
            let state = g.state.get_mut();
            state.targets.clear();
            if m.for_netcons {
                for id in net.targets.get(&target).into_iter().flatten() {
                    if let Some(nc) = net.netcons[id.index()] {
                        state.targets.push(nc.weight);
                    }
                }
            }
            let kernel = m.net_receive.expect("targets have NET_RECEIVE");
            let mut zeros;
            let wptr = match weight.and_then(|w| net.netcons[w.index()]) {
                Some(nc) => nc.weight,
                None => {
                    zeros = vec![0.0; m.nargs];
                    zeros.as_mut_ptr()
                }
            };
            let data = self.full[p.mech].as_mut().expect("bound for NET_RECEIVE");
            SCOP_RANDOM_USED.with(|u| u.set(false));
            // SAFETY: the kernel honours the ABI; the instance and the weight vector are only
            // touched by this group; the weight vector has `nargs` elements.
            let status = unsafe { kernel(&g.ctx, data, p.instance as u64, wptr, flag) };
            if SCOP_RANDOM_USED.with(|u| u.get()) {
                return Err(RuntimeError::MechanismFailure {
                    mechanism: m.name.clone(),
                    message: "calls scop_random/normrand/exprand/poisrand in NET_RECEIVE; \
                              their one generator is drawn in delivery order, which threads \
                              do not keep: run with one thread"
                        .into(),
                    t: ev.time,
                });
            }
            if status != 0 {
                return Err(status_error_net_receive(
                    &m.name,
                    &m.failure_sites,
                    status,
                    ev.time,
                ));
            }
            self.begin(Origin::Delivery {
                time: ev.time,
                parent: ev.key,
            });
            let requests = std::mem::take(&mut g.state.get_mut().requests);
            for r in requests {
                self.request(net, r, ev.time, weight)?;
            }
        }
        Ok(())
    }

    /// The requests of the step kernels (tagged by `threads::Group::call`), in the
    /// single-threaded order.
    fn kernel_requests(&mut self, g: &mut Group, net: &Net, t_mid: f64, t_end: f64) -> Result<()> {
        let requests = std::mem::take(&mut g.state.get_mut().requests);
        let tags = std::mem::take(&mut g.request_tags);
        for (r, (phase, pos)) in requests.into_iter().zip(tags) {
            let instance = request_target(&r).1;
            let origin = Origin::Kernel {
                phase: phase as u8,
                mech: pos as u32,
                instance,
            };
            let same = matches!(self.origin, Origin::Kernel { phase: p, mech: m, instance: i }
                if (p, m, i) == (phase as u8, pos as u32, instance));
            if !same {
                self.begin(origin);
            }
            let now = if phase < PHASE_STATE { t_mid } else { t_end };
            self.request(net, r, now, None)?;
        }
        Ok(())
    }

    /// One event-service request, as `delivery.rs` handles it.
    fn request(&mut self, net: &Net, r: Request, now: f64, weight: Option<NetConId>) -> Result<()> {
        let (mech, inst) = request_target(&r);
        let m = &net.mechs[mech as usize];
        let Some(pid) = m.owners.get(inst as usize).copied().flatten() else {
            return Err(RuntimeError::Event {
                message: format!(
                    "{} (not a point process or artificial cell) used an event statement",
                    m.name
                ),
                t: now,
            });
        };
        match r {
            Request::Send { time, flag, .. } => {
                if time.is_nan() || time < now {
                    return Err(RuntimeError::Event {
                        message: format!("net_send from {} with delay {} < 0", m.name, time - now),
                        t: now,
                    });
                }
                let key = self.fresh_key();
                self.queue.stats.inserts += 1;
                let kind = EventKind::SelfEvent {
                    target: pid,
                    flag,
                    weight,
                };
                let id = self.queue.push(time, key, kind);
                if flag == 1.0 {
                    let movable = Movable {
                        seq: 0,
                        flag,
                        weight,
                    };
                    self.movable.insert(pid, (id, movable));
                }
            }
            Request::Event { time, .. } => {
                if let Some(from) = net.point_sources.get(&pid) {
                    self.spike(net, from, time);
                }
            }
            Request::Move { time, .. } => {
                let Some(&(id, mv)) = self.movable.get(&pid) else {
                    return Err(RuntimeError::Event {
                        message: format!(
                            "net_move in {}: no pending self-event with flag 1",
                            m.name
                        ),
                        t: now,
                    });
                };
                if time.is_nan() || time < now {
                    return Err(RuntimeError::Event {
                        message: format!(
                            "net_move in {} to {time}, before the current time",
                            m.name
                        ),
                        t: now,
                    });
                }
                self.queue.cancel(id);
                let key = self.fresh_key();
                self.queue.stats.moves += 1;
                let kind = EventKind::SelfEvent {
                    target: pid,
                    flag: mv.flag,
                    weight: mv.weight,
                };
                let id = self.queue.push(time, key, kind);
                self.movable.insert(pid, (id, mv));
            }
            Request::Watch { .. } => {
                return Err(RuntimeError::Event {
                    message: format!("{} armed a WATCH but has no WATCH conditions", m.name),
                    t: now,
                })
            }
        }
        Ok(())
    }
}

fn request_target(r: &Request) -> (u32, u32) {
    match *r {
        Request::Send { mech, inst, .. }
        | Request::Event { mech, inst, .. }
        | Request::Move { mech, inst, .. }
        | Request::Watch { mech, inst, .. } => (mech, inst),
    }
}
