//! Threads (NEURON's `ParallelContext.nthread`): cells stepped on a rayon pool.
//!
//! Between the event phases of a fixed step, cells (connected trees of sections) do not see
//! each other: the matrix of one cell, its kernels' instances and ion values are its own. So
//! the continuous part of a step — BEFORE BREAKPOINT, matrix setup, current kernels, Hines
//! solve, second-order ion currents, voltage update, then (where v stayed finite) the state
//! kernels and AFTER SOLVE / BEFORE STEP — runs per group of cells on the pool, while
//! threshold detection, event delivery and recording stay on the calling thread in NEURON's
//! order. Every per-node and per-instance operation is the one the single-threaded step does,
//! in the same order for that node or instance, so results are bit-identical for every
//! number of threads.
//!
//! The layout numbers nodes cell by cell (roots `0..ncell`, then each cell's other nodes as one
//! block, `Layout::cell_nodes`), and instances are sorted by node, so a group of consecutive
//! cells owns two node ranges (its roots and its block) and, per mechanism and ion, two
//! instance ranges. Kernels are called on views of those ranges (a [`MechanismData`] whose
//! columns start at the first instance of the range), each group with its own
//! [`KernelContext`], request list and copy of every mechanism's globals (a kernel that
//! assigns a GLOBAL writes the group's copy; the copy of the last group, in cell order, that
//! changed it is kept, as the last instances' writes would be on one thread; a kernel that
//! reads a GLOBAL another cell's instance wrote in the same step is not thread-safe, as in
//! NEURON).
//!
//! This module is the per-step exchange: the event queue is one and is served between the
//! parallel parts of every step, at the price of one fork-join per step. It is what `fadvance`
//! uses, and what `continuerun` falls back to when it cannot let each group run a whole
//! exchange interval (minimum NetCon delay) with its own queue (`threads_interval.rs`, which
//! reuses the groups and their continuous step from here). When a step
//! fails (a kernel status, a NaN), the error is the one a single thread reports, but groups
//! that did not fail may already have run their state kernels.
//!
//! Steps stay on one thread (with the reason in [`CableModel::threads_serial_reason`]) when
//! cells are not independent or order matters: extracellular layers or fast i_membrane_,
//! mechanisms with POINTERs (they may read another cell), fewer than two cells, step
//! profiling. A kernel that calls NMODL's `scop_random`-family functions (one global
//! generator in NEURON, drawn in instance order) stops a threaded run with an error naming
//! the mechanism.

use std::cell::{Cell, UnsafeCell};
use std::ops::Range;
use std::sync::Arc;

use rsnrn_abi::{HookKind, Kernel, KernelContext, MechanismData, Services};

use crate::error::{Result, RuntimeError};
use crate::events::{Request, ServiceState};
use crate::hines::TreeSystem;
use crate::ions::{nernst, FLAG_EADVANCE, ION_CI, ION_CO, ION_DIDV, ION_E, ION_I};
use crate::mechanisms::SlotBinding;
use crate::model::CableModel;
use crate::random::Random123Stream;

/// The pool (one thread fewer than the count: the calling thread takes groups too) and the
/// current split of the model into groups of cells.
pub(crate) struct Threads {
    pub(crate) count: usize,
    pub(crate) pool: Arc<rayon::ThreadPool>,
    pub(crate) plan: Option<Plan>,
}

impl std::fmt::Debug for Threads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Threads")
            .field("count", &self.count)
            .finish()
    }
}

/// Groups for one layout generation.
pub(crate) struct Plan {
    pub(crate) generation: u64,
    pub(crate) groups: Vec<Group>,
}

/// Consecutive cells stepped by one task.
pub(crate) struct Group {
    pub(crate) roots: Range<usize>,
    pub(crate) nodes: Range<usize>,
    /// Per mechanism (registry index): instances at the roots and in the block.
    pub(crate) mechs: Vec<[Range<usize>; 2]>,
    /// Per ion: instances at the roots and in the block.
    ions: Vec<[Range<usize>; 2]>,
    /// Per mechanism: the group's copy of the globals.
    pub(crate) globals: Vec<Vec<f64>>,
    /// Per mechanism, per range: the kernel's view.
    views: Vec<[View; 2]>,
    /// Event requests of the group's kernels (none are expected outside NET_RECEIVE).
    pub(crate) state: Box<UnsafeCell<ServiceState>>,
    /// Per request of a step kernel: its phase and its mechanism's position in kernel order.
    pub(crate) request_tags: Vec<(usize, usize)>,
    pub(crate) ctx: KernelContext,
    pub(crate) outcome: Outcome,
}

// SAFETY: a group's raw pointers address the model's buffers at its own nodes and instances
// (and its own globals copy and request list); the model is borrowed mutably for the whole
// parallel part, and no two groups address the same element.
unsafe impl Send for Group {}

/// A [`MechanismData`] over a sub-range of instances and the pointer arrays it points into.
#[derive(Default)]
struct View {
    /// First instance of the range.
    first: usize,
    cols: Vec<*mut f64>,
    slots: Vec<*const *mut f64>,
    randoms: Vec<*mut std::ffi::c_void>,
    data: Option<MechanismData>,
}

/// What a group's part of a step produced.
#[derive(Default, Clone)]
pub(crate) struct Outcome {
    /// First kernel failure: (phase number, position in kernel order, error).
    pub(crate) failure: Option<(usize, usize, RuntimeError)>,
    /// First node with a non-finite rhs after matrix setup.
    pub(crate) origin: Option<usize>,
    /// First node with a non-finite v after the update.
    pub(crate) bad: Option<usize>,
}

thread_local! {
    /// Set by [`scop_random_threaded`] while a group's kernel runs on this thread.
    pub(crate) static SCOP_RANDOM_USED: Cell<bool> = const { Cell::new(false) };
}

/// The services of group contexts: [`crate::SERVICES`], except that NMODL's global random
/// generator marks its use (its numbers depend on the order instances draw them).
pub(crate) static THREADED_SERVICES: Services = Services {
    scop_random: scop_random_threaded,
    ..crate::services::SERVICES
};

unsafe extern "C" fn scop_random_threaded(
    ctx: *const KernelContext,
    which: u64,
    a: f64,
    b: f64,
) -> f64 {
    SCOP_RANDOM_USED.with(|u| u.set(true));
    // SAFETY: forwarded as received.
    unsafe { (crate::services::SERVICES.scop_random)(ctx, which, a, b) }
}

/// Everything a group task reads from the model (raw pointers: the tasks share the arrays).
pub(crate) struct Shared {
    pub(crate) v: *mut f64,
    rhs: *mut f64,
    d: *mut f64,
    cm: *const f64,
    a: *const f64,
    b: *const f64,
    /// `HinesMatrix::axial_diagonal`.
    axial_diagonal: *const f64,
    parent: *const u32,
    /// Where each cell's nodes begin (`HinesMatrix::cells_ptr`; null: not blocks).
    cells: *const u32,
    /// Which cells are unbranched chains (`HinesMatrix::chains_ptr`).
    chains: *const bool,
    cfac: f64,
    celsius: f64,
    secondorder: u8,
    /// In kernel order: the mechanisms' kernels.
    kernels: Vec<MechKernels>,
    /// Per ion: columns e, i, di/dv, the flags, node index, charge, whether any eadvance.
    ions: Vec<IonView>,
}

// SAFETY: see `Group`; `Shared` is only read by the tasks, and the buffers it points to are
// written by each task at its own elements only.
unsafe impl Sync for Shared {}

struct IonView {
    e: *mut f64,
    ci: *const f64,
    co: *const f64,
    i: *mut f64,
    didv: *mut f64,
    flags: *const u8,
    node_index: *const u32,
    z: f64,
    any_eadvance: bool,
}

/// One mechanism as a group task calls it.
struct MechKernels {
    /// Registry index.
    index: usize,
    name: String,
    failure_sites: Vec<String>,
    phases: PhaseKernels,
}

#[derive(Clone, Copy)]
struct PhaseKernels {
    before_breakpoint: Option<Kernel>,
    current: Option<Kernel>,
    state: Option<Kernel>,
    after_solve: Option<Kernel>,
    before_step: Option<Kernel>,
}

/// Groups per thread: small enough pieces that threads balance them by stealing.
pub(crate) const GROUPS_PER_THREAD: usize = 4;

/// Phases of the parallel parts, numbered in the single-threaded order (for choosing which
/// failure to report).
pub(crate) const PHASE_BEFORE_BREAKPOINT: usize = 0;
pub(crate) const PHASE_CURRENT: usize = 1;
pub(crate) const PHASE_STATE: usize = 2;
const PHASE_AFTER_SOLVE: usize = 3;
const PHASE_BEFORE_STEP: usize = 4;

fn phase_name(phase: usize) -> &'static str {
    match phase {
        PHASE_BEFORE_BREAKPOINT => HookKind::BeforeBreakpoint.name(),
        PHASE_CURRENT => "current",
        PHASE_STATE => "state",
        PHASE_AFTER_SOLVE => HookKind::AfterSolve.name(),
        _ => HookKind::BeforeStep.name(),
    }
}

impl CableModel {
    /// `ParallelContext.nthread(n)`: step the cells on `n` threads (1: on the calling thread
    /// only, as before). Results do not depend on `n`.
    pub fn set_threads(&mut self, n: usize) -> Result<()> {
        if n == 0 {
            return Err(RuntimeError::InvalidValue {
                what: "number of threads".into(),
                value: 0.0,
                requirement: "it must be at least 1",
            });
        }
        if n == 1 {
            self.threads = None;
            return Ok(());
        }
        if self.threads.as_ref().is_some_and(|t| t.count == n) {
            return Ok(());
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(n - 1)
            .thread_name(|k| format!("rsnrn-cells-{k}"))
            .build()
            .map_err(|e| RuntimeError::InvalidValue {
                what: format!("number of threads (the pool could not start: {e})"),
                value: n as f64,
                requirement: "the system must be able to start that many threads",
            })?;
        self.threads = Some(Threads {
            count: n,
            pool: Arc::new(pool),
            plan: None,
        });
        Ok(())
    }

    /// The number of threads set with [`set_threads`](Self::set_threads) (1 by default).
    pub fn threads(&self) -> usize {
        self.threads.as_ref().map_or(1, |t| t.count)
    }

    /// Why steps run on one thread although more are set (None: they use the threads, or
    /// only one is set).
    pub fn threads_serial_reason(&mut self) -> Option<&'static str> {
        self.threads.as_ref()?;
        self.ensure_layout();
        self.serial_reason()
    }

    pub(crate) fn serial_reason(&self) -> Option<&'static str> {
        if self.layout.ext.active {
            return Some("extracellular layers couple the cells' matrices");
        }
        if self.use_fast_imem {
            return Some("fast i_membrane_ is on");
        }
        if self.profile.is_some() {
            return Some("step profiling is on");
        }
        if self.has_continuous_plays() {
            return Some("a continuous Vector.play writes values inside the step");
        }
        if self
            .reg
            .mechs
            .iter()
            .any(|m| m.store.count() > 0 && !m.info.longitudinal_diffusion.is_empty())
        {
            return Some("a mechanism diffuses longitudinally inside the step");
        }
        if self.layout.matrix.ncell < 2 {
            return Some("the model has fewer than two cells");
        }
        let pointers = self.reg.mechs.iter().any(|m| {
            m.store.count() > 0 && m.slots.iter().any(|s| matches!(s, SlotBinding::Pointer(_)))
        });
        if pointers {
            return Some("a mechanism with POINTERs may read another cell's variables");
        }
        None
    }

    /// The rest of a fixed step after the events at its start, on the threads, if they are
    /// set and can be used; `Ok(false)` if the caller must do it on one thread. `self.t` is
    /// t_n + dt/2 on entry.
    pub(crate) fn threaded_step(&mut self) -> Result<bool> {
        let Some(mut threads) = self.threads.take() else {
            return Ok(false);
        };
        if self.serial_reason().is_some() {
            self.threads = Some(threads);
            return Ok(false);
        }
        let result = self.threaded_step_with(&mut threads);
        self.threads = Some(threads);
        result.map(|()| true)
    }

    fn threaded_step_with(&mut self, threads: &mut Threads) -> Result<()> {
        if threads
            .plan
            .as_ref()
            .is_none_or(|p| p.generation != self.layout.generation)
        {
            threads.plan = Some(self.plan(GROUPS_PER_THREAD * threads.count));
        }
        let plan = threads.plan.as_mut().expect("just made");
        let pool = threads.pool.clone();

        // Matrix setup, solve and voltage update at t_n + dt/2, then (in groups whose cells
        // stayed finite) states and the hooks after the solve at t_{n+1}: one fork-join.
        self.sync_ctx(self.t);
        let shared = self.shared();
        self.spread_globals(plan);
        self.bind_views(plan);
        let ctx = SharedCtx(copy_ctx(&self.ctx));
        let t_end = self.t + 0.5 * self.dt;
        on_groups(&pool, &mut plan.groups, |g| {
            g.ctx = KernelContext {
                services: &THREADED_SERVICES,
                events: g.state.get().cast(),
                ..ctx.get()
            };
            g.outcome = Outcome::default();
            // SAFETY: groups address disjoint nodes and instances (module comment).
            unsafe {
                g.setup_solve_update(&shared);
                if g.outcome.failure.is_none() && g.outcome.bad.is_none() {
                    g.ctx.t = t_end;
                    g.states(&shared);
                }
            }
        });
        self.gather_globals(plan);
        // What the single-threaded step would report first: a failure before the solve, a
        // non-finite v, a failure after it.
        let mut first_failure = None;
        let mut origin = None;
        let mut bad = None;
        for g in &plan.groups {
            let o = &g.outcome;
            pick_failure(&mut first_failure, &o.failure);
            origin = min_some(origin, o.origin);
            bad = min_some(bad, o.bad);
        }
        let failure = |before_solve: bool| match &first_failure {
            Some((phase, _, e)) if (*phase < PHASE_STATE) == before_solve => Err(e.clone()),
            _ => Ok(()),
        };
        failure(true)?;
        self.t = t_end;
        if let Some(node) = bad {
            return Err(self.not_finite_at(origin.unwrap_or(node)));
        }
        failure(false)?;
        self.take_group_requests(plan, self.t)?;
        self.sync_ctx(self.t);
        Ok(())
    }

    /// Splits the cells into at most `n` groups of consecutive cells with about equal node
    /// counts.
    pub(crate) fn plan(&self, n: usize) -> Plan {
        let l = &self.layout;
        let ncell = l.matrix.ncell;
        let total = l.node_count();
        let ngroups = n.min(ncell).max(1);
        let mut bounds = vec![0usize];
        let mut c = 0;
        for g in 1..ngroups {
            let target = total * g / ngroups;
            // Nodes of cells 0..c: c roots plus their blocks.
            while c < ncell && c + (l.cell_nodes[c] as usize - ncell) < target {
                c += 1;
            }
            let c = c.max(bounds[g - 1] + 1).min(ncell - (ngroups - g));
            bounds.push(c);
        }
        bounds.push(ncell);
        let split = |index: &[u32], r: &Range<usize>| {
            let lo = index.partition_point(|&x| (x as usize) < r.start);
            let hi = index.partition_point(|&x| (x as usize) < r.end);
            lo..hi
        };
        let groups = bounds
            .windows(2)
            .map(|w| {
                let roots = w[0]..w[1];
                let nodes = l.cell_nodes[w[0]] as usize..l.cell_nodes[w[1]] as usize;
                let mechs = self
                    .reg
                    .mechs
                    .iter()
                    .map(|m| {
                        let idx = &m.store.node_index[..m.store.count()];
                        [split(idx, &roots), split(idx, &nodes)]
                    })
                    .collect();
                let ions = self
                    .reg
                    .ions
                    .iter()
                    .map(|ion| {
                        let idx = &ion.store.node_index;
                        [split(idx, &roots), split(idx, &nodes)]
                    })
                    .collect();
                Group {
                    roots,
                    nodes,
                    mechs,
                    ions,
                    globals: self.reg.mechs.iter().map(|_| Vec::new()).collect(),
                    views: self.reg.mechs.iter().map(|_| Default::default()).collect(),
                    state: Box::default(),
                    request_tags: Vec::new(),
                    ctx: copy_ctx(&self.ctx),
                    outcome: Outcome::default(),
                }
            })
            .collect();
        Plan {
            generation: l.generation,
            groups,
        }
    }

    pub(crate) fn shared(&mut self) -> Shared {
        let cfac = 0.001
            * if self.secondorder > 0 {
                2.0 / self.dt
            } else {
                1.0 / self.dt
            };
        let reg = &mut self.reg;
        let kernels = reg
            .kernel_order
            .iter()
            .map(|&k| {
                let m = &reg.mechs[k];
                let t = &m.table;
                let kernels = PhaseKernels {
                    before_breakpoint: t.hooks.get(HookKind::BeforeBreakpoint),
                    current: t.current,
                    state: t.state,
                    after_solve: t.hooks.get(HookKind::AfterSolve),
                    before_step: t.hooks.get(HookKind::BeforeStep),
                };
                MechKernels {
                    index: k,
                    name: m.info.name.clone(),
                    failure_sites: m.info.failure_sites.clone(),
                    phases: kernels,
                }
            })
            .collect();
        let ions = reg
            .ions
            .iter_mut()
            .map(|ion| {
                let z = ion.charge();
                let s = &mut ion.store;
                IonView {
                    e: s.cols[ION_E].as_mut_ptr(),
                    ci: s.cols[ION_CI].as_ptr(),
                    co: s.cols[ION_CO].as_ptr(),
                    i: s.cols[ION_I].as_mut_ptr(),
                    didv: s.cols[ION_DIDV].as_mut_ptr(),
                    flags: s.flags.as_ptr(),
                    node_index: s.node_index.as_ptr(),
                    z,
                    any_eadvance: s.any_eadvance,
                }
            })
            .collect();
        let l = &mut self.layout;
        Shared {
            v: l.v.as_mut_ptr(),
            rhs: l.rhs.as_mut_ptr(),
            d: l.d.as_mut_ptr(),
            cm: l.cm.as_ptr(),
            a: l.matrix.a.as_ptr(),
            b: l.matrix.b.as_ptr(),
            axial_diagonal: l.matrix.axial_diagonal.as_ptr(),
            parent: l.matrix.parent.as_ptr(),
            cells: l.matrix.cells_ptr(),
            chains: l.matrix.chains_ptr(),
            cfac,
            celsius: self.celsius,
            secondorder: self.secondorder,
            kernels,
            ions,
        }
    }

    /// Every group's copy of every mechanism's globals := the model's.
    pub(crate) fn spread_globals(&mut self, plan: &mut Plan) {
        for g in plan.groups.iter_mut() {
            for (m, copy) in self.reg.mechs.iter().zip(g.globals.iter_mut()) {
                copy.clear();
                copy.extend_from_slice(m.globals.slice());
            }
        }
    }

    /// The model's globals := the copy of the last group that changed them.
    pub(crate) fn gather_globals(&mut self, plan: &Plan) {
        for (k, m) in self.reg.mechs.iter_mut().enumerate() {
            let main = m.globals.slice_mut();
            let changed = plan.groups.iter().rev().find(|g| {
                g.globals[k]
                    .iter()
                    .zip(main.iter())
                    .any(|(a, b)| a.to_bits() != b.to_bits())
            });
            if let Some(g) = changed {
                main.copy_from_slice(&g.globals[k]);
            }
        }
    }

    /// Points every group's kernel views at its instances (the mechanisms' data may have been
    /// rebound since the last step) and its globals copy.
    pub(crate) fn bind_views(&mut self, plan: &mut Plan) {
        for g in plan.groups.iter_mut() {
            for (k, m) in self.reg.mechs.iter().enumerate() {
                let data = &m.store.data;
                let ncols = m.info.range_columns();
                let nslots = m.slots.len();
                let nrandoms = m.store.randoms.len();
                let globals = g.globals[k].as_mut_ptr();
                for (view, range) in g.views[k].iter_mut().zip(g.mechs[k].iter()) {
                    if range.is_empty() {
                        view.data = None;
                        continue;
                    }
                    let first = range.start;
                    // SAFETY: `data` was bound for the current layout: `ncols` column
                    // pointers, `nslots` slot arrays and `nrandoms` stream arrays, each with
                    // `count` >= range.end entries.
                    unsafe {
                        view.cols.clear();
                        view.cols
                            .extend((0..ncols).map(|c| (*data.range.add(c)).add(first)));
                        view.slots.clear();
                        view.slots
                            .extend((0..nslots).map(|s| (*data.slots.add(s)).add(first)));
                        view.randoms.clear();
                        view.randoms.extend((0..nrandoms).map(|r| {
                            let streams = *data.randoms.add(r) as *mut Random123Stream;
                            streams.add(first).cast()
                        }));
                        view.first = first;
                        view.data = Some(MechanismData {
                            count: range.len() as u64,
                            node_index: data.node_index.add(first),
                            range: view.cols.as_ptr(),
                            globals,
                            slots: view.slots.as_ptr(),
                            mechanism: data.mechanism,
                            randoms: view.randoms.as_ptr(),
                            function_tables: data.function_tables,
                            affine: data.affine,
                        });
                    }
                }
            }
        }
    }

    /// Requests made by kernels on the threads, in group order, handed to the event code.
    fn take_group_requests(&mut self, plan: &mut Plan, now: f64) -> Result<()> {
        let mut any = false;
        for g in plan.groups.iter_mut() {
            let requests = std::mem::take(&mut g.state.get_mut().requests);
            g.request_tags.clear();
            any |= !requests.is_empty();
            self.events.add_requests(requests);
        }
        if any {
            self.process_requests(now, None)?;
        }
        Ok(())
    }
}

/// Runs `job` on every group: the calling thread and the pool's threads (one fewer than the
/// count set) take groups one at a time until none is left, so a thread the system
/// deschedules holds up one small group, not a fixed share of the cells. The event phases stay
/// on the calling thread (NET_RECEIVE blocks see its NMODL random generator, as with one
/// thread).
pub(crate) fn on_groups<T: Send>(
    pool: &rayon::ThreadPool,
    groups: &mut [T],
    job: impl Fn(&mut T) + Sync,
) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let all = GroupsPtr(groups.as_mut_ptr(), groups.len());
    let work = || loop {
        let k = next.fetch_add(1, Ordering::Relaxed);
        if k >= all.len() {
            break;
        }
        // SAFETY: k < len, and the counter hands out every index once, so no two threads
        // hold the same group; `groups` is borrowed mutably until the scope ends.
        job(unsafe { all.get(k) });
    };
    let work = &work;
    pool.in_place_scope(|scope| {
        for _ in 0..pool.current_num_threads() {
            scope.spawn(move |_| work());
        }
        work();
    });
}

/// The groups of one parallel part, handed out by index (see `on_groups`).
struct GroupsPtr<T>(*mut T, usize);

// SAFETY: see `on_groups`; `Group` is Send.
unsafe impl<T: Send> Sync for GroupsPtr<T> {}

impl<T> GroupsPtr<T> {
    fn len(&self) -> usize {
        self.1
    }

    /// # Safety
    /// `k < len`, and no other reference to group `k` exists while the result lives.
    #[allow(clippy::mut_from_ref)]
    unsafe fn get(&self, k: usize) -> &mut T {
        // SAFETY: see above.
        unsafe { &mut *self.0.add(k) }
    }
}

/// A kernel context read by every task (each makes its own from it).
pub(crate) struct SharedCtx(pub(crate) KernelContext);

// SAFETY: the tasks only copy it; the pointers inside are used as `Group` describes.
unsafe impl Sync for SharedCtx {}

impl SharedCtx {
    pub(crate) fn get(&self) -> KernelContext {
        copy_ctx(&self.0)
    }
}

pub(crate) fn copy_ctx(ctx: &KernelContext) -> KernelContext {
    KernelContext { ..*ctx }
}

fn min_some(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// Keeps the failure the single-threaded step would report: earliest phase, then earliest
/// mechanism in kernel order.
fn pick_failure(
    first: &mut Option<(usize, usize, RuntimeError)>,
    candidate: &Option<(usize, usize, RuntimeError)>,
) {
    if let Some((p, k, e)) = candidate {
        if first.as_ref().is_none_or(|(fp, fk, _)| (p, k) < (fp, fk)) {
            *first = Some((*p, *k, e.clone()));
        }
    }
}

/// Whether every value in `range` is finite (branch-free, as the common case is).
///
/// # Safety
/// `values` is valid for every index in `range`.
unsafe fn all_finite_in(values: *const f64, range: Range<usize>) -> bool {
    // SAFETY: see above.
    let values = unsafe { std::slice::from_raw_parts(values.add(range.start), range.len()) };
    values.iter().fold(true, |ok, x| ok & x.is_finite())
}

/// Hines solve of a group's cells (roots `roots`, other nodes `nodes`): the same arithmetic
/// as the single-threaded solve, so results do not depend on the number of threads.
///
/// # Safety
/// `s` points at the model's buffers; the nodes are the group's.
unsafe fn solve(s: &Shared, roots: Range<usize>, nodes: Range<usize>) {
    let system = TreeSystem {
        a: s.a,
        b: s.b,
        parent: s.parent,
        cells: s.cells,
        chains: s.chains,
        d: s.d,
        rhs: s.rhs,
    };
    // SAFETY: the buffers cover the group's nodes, whose parents are in the same cells.
    unsafe { system.solve(roots, nodes) }
}

/// First index in `range` whose value is not finite.
///
/// # Safety
/// `values` is valid for every index in `range`.
unsafe fn first_non_finite(values: *const f64, range: Range<usize>) -> Option<usize> {
    // SAFETY: see above.
    let values = unsafe { std::slice::from_raw_parts(values.add(range.start), range.len()) };
    crate::fixed_step::first_non_finite(values).map(|k| range.start + k)
}

impl Group {
    /// Calls one kernel of every mechanism with instances in the group, in kernel order.
    /// False (with the failure recorded) when a kernel failed.
    ///
    /// # Safety
    /// The views are bound to the current layout.
    unsafe fn call(
        &mut self,
        shared: &Shared,
        phase: usize,
        pick: impl Fn(&PhaseKernels) -> Option<Kernel>,
    ) -> bool {
        for (pos, mk) in shared.kernels.iter().enumerate() {
            let Some(kernel) = pick(&mk.phases) else {
                continue;
            };
            let name = &mk.name;
            for view in self.views[mk.index].iter_mut() {
                let Some(data) = view.data.as_mut() else {
                    continue;
                };
                SCOP_RANDOM_USED.with(|u| u.set(false));
                // SAFETY: the state is the group's own; no kernel runs now.
                let before = unsafe { (*self.state.get()).requests.len() };
                // SAFETY: the kernel honours the ABI; the view covers instances of this
                // group only, whose nodes no other group touches.
                let status = unsafe { kernel(&self.ctx, data) };
                // Requests name instances of the view: make them the mechanism's.
                // SAFETY: as above.
                let requests = unsafe { &mut (&mut (*self.state.get()).requests)[before..] };
                for r in requests.iter_mut() {
                    shift_instance(r, view.first as u32);
                }
                let tags = std::iter::repeat_n((phase, pos), requests.len());
                self.request_tags.extend(tags);
                let failure = if SCOP_RANDOM_USED.with(|u| u.get()) {
                    Some(RuntimeError::MechanismFailure {
                        mechanism: name.clone(),
                        message: "calls scop_random/normrand/exprand/poisrand in a kernel; \
                                  their one generator is drawn in instance order, which threads \
                                  do not keep: run with one thread"
                            .into(),
                        t: self.ctx.t,
                    })
                } else if status != 0 {
                    // The same error the single-threaded step gives.
                    Some(status_error(mk, phase, status, self.ctx.t))
                } else {
                    None
                };
                if let Some(e) = failure {
                    self.outcome.failure = Some((phase, pos, e));
                    return false;
                }
            }
        }
        true
    }

    /// Matrix setup, solve, second-order ion currents and voltage update for the group's
    /// cells, operation for operation as `fixed_step.rs` does them for the whole model.
    ///
    /// # Safety
    /// `shared` points at the model's current buffers; no other task touches this group's
    /// nodes and instances.
    pub(crate) unsafe fn setup_solve_update(&mut self, s: &Shared) {
        // SAFETY (whole body): every index is one of the group's nodes or instances, inside
        // the buffers `shared` points into.
        unsafe {
            if !self.call(s, PHASE_BEFORE_BREAKPOINT, |k| k.before_breakpoint) {
                return;
            }
            for r in [self.roots.clone(), self.nodes.clone()] {
                let rhs = std::slice::from_raw_parts_mut(s.rhs.add(r.start), r.len());
                let d = std::slice::from_raw_parts_mut(s.d.add(r.start), r.len());
                let cm = std::slice::from_raw_parts(s.cm.add(r.start), r.len());
                rhs.fill(0.0);
                for (d, &cm) in d.iter_mut().zip(cm) {
                    *d = s.cfac * cm;
                }
            }
            for (ion, ranges) in s.ions.iter().zip(&self.ions) {
                for r in ranges.iter() {
                    for k in r.clone() {
                        *ion.i.add(k) = 0.0;
                        *ion.didv.add(k) = 0.0;
                    }
                    if ion.any_eadvance {
                        for k in r.clone() {
                            if *ion.flags.add(k) & FLAG_EADVANCE != 0 {
                                *ion.e.add(k) =
                                    nernst(*ion.ci.add(k), *ion.co.add(k), ion.z, s.celsius);
                            }
                        }
                    }
                }
            }
            if !self.call(s, PHASE_CURRENT, |k| k.current) {
                return;
            }
            let nodes = self.nodes.clone();
            for i in nodes.clone() {
                let p = *s.parent.add(i) as usize;
                let (ai, bi) = (*s.a.add(i), *s.b.add(i));
                let dv = *s.v.add(p) - *s.v.add(i);
                *s.rhs.add(i) -= bi * dv;
                *s.rhs.add(p) += ai * dv;
            }
            for r in [self.roots.clone(), nodes.clone()] {
                for k in r {
                    *s.d.add(k) += *s.axial_diagonal.add(k);
                }
            }
            if !all_finite_in(s.rhs, self.roots.clone()) || !all_finite_in(s.rhs, nodes.clone()) {
                self.outcome.origin = first_non_finite(s.rhs, self.roots.clone())
                    .or_else(|| first_non_finite(s.rhs, nodes.clone()));
            }
            solve(s, self.roots.clone(), nodes.clone());
            if s.secondorder == 2 {
                for (ion, ranges) in s.ions.iter().zip(&self.ions) {
                    for r in ranges.iter() {
                        for k in r.clone() {
                            let node = *ion.node_index.add(k) as usize;
                            *ion.i.add(k) += *ion.didv.add(k) * *s.rhs.add(node);
                        }
                    }
                }
            }
            let mut all_finite = true;
            for r in [self.roots.clone(), self.nodes.clone()] {
                let v = std::slice::from_raw_parts_mut(s.v.add(r.start), r.len());
                let rhs = std::slice::from_raw_parts(s.rhs.add(r.start), r.len());
                if s.secondorder > 0 {
                    for (v, &dv) in v.iter_mut().zip(rhs) {
                        *v += 2.0 * dv;
                        all_finite &= v.is_finite();
                    }
                } else {
                    for (v, &dv) in v.iter_mut().zip(rhs) {
                        *v += dv;
                        all_finite &= v.is_finite();
                    }
                }
            }
            if !all_finite {
                self.outcome.bad = first_non_finite(s.v, self.roots.clone())
                    .or_else(|| first_non_finite(s.v, nodes));
            }
        }
    }

    /// State kernels, AFTER SOLVE and BEFORE STEP for the group's instances.
    ///
    /// # Safety
    /// As [`setup_solve_update`](Self::setup_solve_update).
    pub(crate) unsafe fn states(&mut self, s: &Shared) {
        // SAFETY: forwarded.
        unsafe {
            let _ = self.call(s, PHASE_STATE, |k| k.state)
                && self.call(s, PHASE_AFTER_SOLVE, |k| k.after_solve)
                && self.call(s, PHASE_BEFORE_STEP, |k| k.before_step);
        }
    }
}

/// Adds `first` to the instance a request names.
fn shift_instance(r: &mut Request, first: u32) {
    match r {
        Request::Send { inst, .. }
        | Request::Event { inst, .. }
        | Request::Move { inst, .. }
        | Request::Watch { inst, .. } => *inst += first,
    }
}

/// The error `fixed_step.rs` gives for a nonzero kernel status.
fn status_error(mk: &MechKernels, phase: usize, status: i32, t: f64) -> RuntimeError {
    let site = usize::try_from(status - rsnrn_abi::STATUS_FAILURE_SITE).ok();
    match site.and_then(|k| mk.failure_sites.get(k)) {
        Some(message) => RuntimeError::MechanismFailure {
            mechanism: mk.name.clone(),
            message: message.clone(),
            t,
        },
        None => RuntimeError::KernelFailed {
            mechanism: mk.name.clone(),
            kernel: phase_name(phase),
            status,
            t,
        },
    }
}

/// The error `delivery.rs` gives for a nonzero NET_RECEIVE status.
pub(crate) fn status_error_net_receive(
    mechanism: &str,
    failure_sites: &[String],
    status: i32,
    t: f64,
) -> RuntimeError {
    let site = usize::try_from(status - rsnrn_abi::STATUS_FAILURE_SITE).ok();
    match site.and_then(|k| failure_sites.get(k)) {
        Some(message) => RuntimeError::MechanismFailure {
            mechanism: mechanism.to_string(),
            message: message.clone(),
            t,
        },
        None => RuntimeError::KernelFailed {
            mechanism: mechanism.to_string(),
            kernel: "net_receive",
            status,
            t,
        },
    }
}
