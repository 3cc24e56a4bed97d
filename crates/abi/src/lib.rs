//! The one interface between compiled mechanisms and the runtime.
//!
//! A mechanism, whether its code came from the Cranelift JIT or from a shared library built by
//! `rsnrnivmodl`, is a [`MechanismTable`]: a C-compatible table of kernels plus a JSON
//! description ([`MechanismInfo`]). Every kernel takes the same two arguments: the simulation
//! state shared by all mechanisms ([`KernelContext`]) and the instance data of this mechanism
//! as structure-of-arrays ([`MechanismData`]).
//!
//! The runtime depends on this crate and nothing of the compiler; the code generator depends on
//! it to know the layout it must produce. Keep it tiny: plain `#[repr(C)]` data and serde types.

use serde::{Deserialize, Serialize};

/// Bumped whenever anything `#[repr(C)]` here or the meaning of a [`MechanismInfo`] field changes.
pub const ABI_VERSION: u32 = 10;

/// State shared by all mechanisms during one kernel call.
///
/// Node arrays are indexed by the node numbers in [`MechanismData::node_index`].
#[repr(C)]
#[derive(Debug)]
pub struct KernelContext {
    /// Time (ms) as the kernel should see it: t_n + dt/2 for `current`, t_{n+1} for `state`.
    pub t: f64,
    /// Time step (ms).
    pub dt: f64,
    /// Temperature (degC), the hoc global `celsius`.
    pub celsius: f64,
    /// 0, 1 or 2, the hoc global `secondorder`.
    pub secondorder: f64,
    /// Membrane potential per node (mV).
    pub v: *mut f64,
    /// Right-hand side of the cable matrix per node (mA/cm2; nA at zero-area nodes).
    pub rhs: *mut f64,
    /// Diagonal of the cable matrix per node (S/cm2; uS at zero-area nodes).
    pub d: *mut f64,
    /// Membrane area per node (um2); 100 for zero-area nodes so that 100/area is 1 there.
    pub area: *const f64,
    /// Diameter per node (um).
    pub diam: *const f64,
    pub node_count: u64,
    /// Numerical services the simulator provides to generated code (never null).
    pub services: *const Services,
    /// The runtime's event system, opaque to generated code: passed back unchanged through
    /// `ctx` to the event services ([`Services::net_send`] ...), which are only valid while it
    /// is non-null.
    pub events: *mut std::ffi::c_void,
}

/// Evaluates a DERIVATIVE block for one instance with its states set to `x`: writes the
/// derivatives to `dxdt` (both arrays hold the block's states in equation order).
pub type DerivativeFn = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    v: f64,
    x: *const f64,
    dxdt: *mut f64,
);

/// `METHOD derivimplicit` for one instance: advances the `n` states in `x` over the step
/// in `ctx` (dt, secondorder) by NEURON's Newton iteration on the backward-Euler equations.
/// The low 32 bits of `n` count the states; the bits above are [`NEWTON_ALGEBRAIC`] and
/// [`NEWTON_STEADY_STATE`].
pub type DerivimplicitFn = unsafe extern "C" fn(
    n: u64,
    x: *mut f64,
    derivative: DerivativeFn,
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    v: f64,
) -> KernelStatus;

/// [`DerivimplicitFn`] flag (in `n`): the function computes the residuals of a NONLINEAR
/// block's equations (its `~ lhs = rhs` as `rhs − lhs`), which Newton's method drives to zero
/// with `ctx` as it is: no time step, no secondorder correction.
pub const NEWTON_ALGEBRAIC: u64 = 1 << 32;
/// [`DerivimplicitFn`] flag (in `n`): INITIAL's `SOLVE x STEADYSTATE derivimplicit`, which
/// NEURON 9.0.2 runs as one backward-Euler step of [`STEADY_STATE_DERIVIMPLICIT_DT`] ms (the
/// block sees that as `dt`), then with secondorder ≠ 0 adds the real `dt` times the
/// derivatives at the solution.
pub const NEWTON_STEADY_STATE: u64 = 1 << 33;
/// The time step of NEURON 9.0.2's `STEADYSTATE derivimplicit` (scopmath's
/// `_ss_derivimplicit_thread` sets dt to 1e-9 ms, not to a long time).
pub const STEADY_STATE_DERIVIMPLICIT_DT: f64 = 1e-9;
/// NEURON's Newton iteration (scopmath `derivimplicit`, `newton`): at most this many
/// iterations; the Jacobian is rebuilt at the first and whenever the last relative change
/// exceeded [`NEWTON_REBUILD_CHANGE`]; central differences with increment
/// max(|0.02·x|, [`NEWTON_MIN_INCREMENT`]); converged when the largest relative change (over
/// unknowns with |x| > [`NEWTON_ZERO`]) is at most [`NEWTON_CONVERGED`] and the largest
/// residual at most [`NEWTON_ZERO`]. The runtime's service and the code generated for one
/// state share these.
pub const NEWTON_MAX_ITERATIONS: usize = 50;
pub const NEWTON_REBUILD_CHANGE: f64 = 0.05;
pub const NEWTON_CONVERGED: f64 = 1e-6;
pub const NEWTON_ZERO: f64 = 1e-8;
pub const NEWTON_MIN_INCREMENT: f64 = 1e-6;
/// The state count in a [`DerivimplicitFn`]'s `n`.
pub const NEWTON_COUNT_MASK: u64 = (1 << 32) - 1;

/// Functions generated code calls through [`KernelContext::services`]: numerical methods
/// whose code lives in the simulator rather than in every mechanism.
#[repr(C)]
#[derive(Debug)]
pub struct Services {
    pub derivimplicit: DerivimplicitFn,
    pub printf: PrintfFn,
    /// `METHOD sparse` (and STEADYSTATE sparse) of a KINETIC block.
    pub sparse: SparseFn,
    /// `net_send(delay, flag)` from INITIAL or NET_RECEIVE of instance `inst`: a self-event at
    /// absolute `time` (the generated code passes `t + delay`). It carries the weight vector
    /// of the event being handled (none from INITIAL). With flag 1 it becomes the instance's movable event.
    pub net_send: EventFn,
    /// `net_event(time)`: instance `inst` spikes at `time`; every NetCon from it delivers.
    pub net_event: EventFn,
    /// `net_move(time)`: moves the instance's pending flag-1 self-event to `time`. `flag` is 0.
    pub net_move: EventFn,
    /// One clause of a `WATCH` statement executed by instance `inst`: arms watch number
    /// `clause` (counted from 0 over all clauses of the mechanism, in source order; the
    /// condition is [`MechanismTable::watch_condition`]) to send a self-event with `flag`
    /// when its condition turns true. `first` is 1 for the first clause the current
    /// NET_RECEIVE call arms (every watch of the instance is disarmed before it), else 0.
    pub watch_activate: WatchFn,
    /// `FOR_NETCONS` in NET_RECEIVE: the number of NetCons that target instance `inst` (whose
    /// NET_RECEIVE is running).
    pub for_netcons_count: ForNetconsCountFn,
    /// `FOR_NETCONS`: the weight vector of the `i`-th of those NetCons (creation order).
    pub for_netcons_weight: ForNetconsWeightFn,
    /// NMODL's random functions on the simulator's one scop_random state: `which` is one of
    /// the `SCOP_*` codes, `a` and `b` its arguments.
    pub scop_random: ScopRandomFn,
    /// A function of an NMODL `RANDOM` variable: `op` is one of the `RANDOM_*` codes on
    /// variable number `var` of instance `inst`, with arguments `a`, `b`, `c`.
    pub random_var: RandomVarFn,
    /// A call of a `FUNCTION_TABLE`: the value of the mechanism's table number `table`
    /// ([`MechanismInfo::function_tables`]) at the `nargs` arguments at `args`, from the
    /// values hoc gave it (`table_<name>_<suffix>(...)`). When no table was given it stores
    /// `failure_code` at `failure` (the generated code's failure record, so that the kernel
    /// stops with that failure) and returns 0.
    pub function_table: FunctionTableFn,
}

/// [`Services::function_table`]:
/// `(ctx, data, table, args, nargs, failure, failure_code) -> value`.
pub type FunctionTableFn = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *const MechanismData,
    table: u64,
    args: *const f64,
    nargs: u64,
    failure: *mut f64,
    failure_code: f64,
) -> f64;

/// [`Services::random_var`]: `(ctx, data, inst, var, op, a, b, c) -> value`.
pub type RandomVarFn = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *const MechanismData,
    inst: u64,
    var: u64,
    op: u64,
    a: f64,
    b: f64,
    c: f64,
) -> f64;

/// `random_uniform(r)` (a = 0, b = 1) or `random_uniform(r, a, b)`.
pub const RANDOM_UNIFORM: u64 = 0;
/// `random_negexp(r)` (a = 1) or `random_negexp(r, mean a)`.
pub const RANDOM_NEGEXP: u64 = 1;
/// `random_normal(r)` (a = 0, b = 1) or `random_normal(r, mean a, sd b)`.
pub const RANDOM_NORMAL: u64 = 2;
/// `random_ipick(r)`: the next 32-bit word.
pub const RANDOM_IPICK: u64 = 3;
/// `random_dpick(r)`: the next number in (0, 1).
pub const RANDOM_DPICK: u64 = 4;
/// `random_setseq(r, a)`: the stream position.
pub const RANDOM_SETSEQ: u64 = 5;
/// `random_setids(r, a, b, c)`: the stream ids.
pub const RANDOM_SETIDS: u64 = 6;

/// [`Services::scop_random`]: `(ctx, which, a, b) -> value`.
pub type ScopRandomFn =
    unsafe extern "C" fn(ctx: *const KernelContext, which: u64, a: f64, b: f64) -> f64;

/// `scop_random()`: uniform on [0, 1].
pub const SCOP_UNIFORM: u64 = 0;
/// `set_seed(a)` (returns 0).
pub const SCOP_SET_SEED: u64 = 1;
/// `normrand(a = mean, b = sd)`.
pub const SCOP_NORMRAND: u64 = 2;
/// `exprand(a = mean)`.
pub const SCOP_EXPRAND: u64 = 3;
/// `poisrand(a = mean)`.
pub const SCOP_POISRAND: u64 = 4;

/// [`Services::for_netcons_count`]: `(ctx, data, inst) -> count`.
pub type ForNetconsCountFn =
    unsafe extern "C" fn(ctx: *const KernelContext, data: *const MechanismData, inst: u64) -> u64;

/// [`Services::for_netcons_weight`]: `(ctx, data, inst, i) -> weight vector`.
pub type ForNetconsWeightFn = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *const MechanismData,
    inst: u64,
    i: u64,
) -> *mut f64;

/// An event service: `(ctx, data, inst, time, flag)`; see [`Services`]. Requests are queued by
/// the runtime and take effect when the kernel that made them returns.
pub type EventFn = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *const MechanismData,
    inst: u64,
    time: f64,
    flag: f64,
);

/// [`Services::watch_activate`]: `(ctx, data, inst, clause, first, flag)`.
pub type WatchFn = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *const MechanismData,
    inst: u64,
    clause: u64,
    first: f64,
    flag: f64,
);

/// NMODL's `printf`: formats `nargs` numbers at `args` with the C format string of `len`
/// bytes at `format` (not NUL-terminated) and writes the result to standard output.
pub type PrintfFn = unsafe extern "C" fn(
    ctx: *const KernelContext,
    format: *const u8,
    len: u64,
    args: *const f64,
    nargs: u64,
);

/// Kernel status: a Newton iteration did not converge.
pub const STATUS_NO_CONVERGENCE: KernelStatus = 1;
/// Kernel status: the matrix of an implicit step was singular.
pub const STATUS_SINGULAR: KernelStatus = 2;

/// Builds, for one instance, the implicit-Euler system of a KINETIC block with its `n`
/// states set to `x` (`x_old`: the states at the start of the step): adds to `jacobian`
/// (n×n, row-major, zeroed by the caller) and `rhs` so that `jacobian·Δx = rhs` is the Newton
/// step. The time step is `ctx.dt`. With `jacobian` and `rhs` null (a KINETIC block's, not a
/// LINEAR block's) it only runs the block's statements for what they assign (the fluxes
/// and the variables set from the states), as at the end of a step.
pub type KineticSystemFn = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    v: f64,
    x: *const f64,
    x_old: *const f64,
    jacobian: *mut f64,
    rhs: *mut f64,
);

/// [`SparseFn`] mode bit: the block's matrix does not depend on its states (one Newton pass
/// is the solution).
pub const SPARSE_LINEAR: u32 = 1;
/// [`SparseFn`] mode bit: integrate to the steady state (INITIAL's `SOLVE ... STEADYSTATE`).
pub const SPARSE_STEADY_STATE: u32 = 2;
/// [`SparseFn`] mode bit: the system is algebraic (a LINEAR block): one pass with `ctx` as it
/// is, no time step and no secondorder correction.
pub const SPARSE_ALGEBRAIC: u32 = 4;

/// `METHOD sparse` for one instance: advances the `n` states in `x` over the step in `ctx`
/// (or to the steady state) by NEURON's iteration on the system `system` builds.
pub type SparseFn = unsafe extern "C" fn(
    n: u64,
    x: *mut f64,
    system: KineticSystemFn,
    mode: u32,
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    v: f64,
) -> KernelStatus;

/// Kernel status `STATUS_FAILURE_SITE + k`: the generated code stopped a bad operation (an
/// array index out of range, ...) described by [`MechanismInfo::failure_sites`]`[k]`.
pub const STATUS_FAILURE_SITE: KernelStatus = 1000;

/// The instances of one mechanism, structure-of-arrays.
#[repr(C)]
#[derive(Debug)]
pub struct MechanismData {
    /// Number of instances.
    pub count: u64,
    /// Node of each instance, `count` entries.
    pub node_index: *const u32,
    /// One column of `count` doubles per range field, in [`MechanismInfo::range`] order; an
    /// array field of size k occupies k consecutive columns.
    pub range: *const *mut f64,
    /// Globals in [`MechanismInfo::globals`] order, then `hidden_globals` private doubles
    /// (tables and their bookkeeping) that only the kernels read.
    pub globals: *mut f64,
    /// One array of `count` pointers per slot in [`MechanismInfo::slots`] order: where each
    /// instance reads or writes a variable owned by someone else (an ion's `ena`, `ina`, ...).
    pub slots: *const *const *mut f64,
    /// The runtime's number for this mechanism, passed back to the event services so that
    /// they know which mechanism called (generated code does not interpret it).
    pub mechanism: u64,
    /// Per RANDOM variable ([`MechanismInfo::randoms`]), the runtime's `count` random streams;
    /// opaque to generated code, which hands `data` to [`Services::random_var`].
    pub randoms: *const *mut std::ffi::c_void,
    /// The runtime's values of the mechanism's FUNCTION_TABLEs; opaque to generated code,
    /// which hands `data` to [`Services::function_table`].
    pub function_tables: *const std::ffi::c_void,
    /// Nonzero when the instances' data is affine: `node_index[i] = node_index[0] + i`, and
    /// in every slot array `slots[s][i]` is `slots[s][0] + i` (consecutive doubles). Kernels
    /// may then read and write the node and ion values of consecutive instances as one
    /// vector. A hint: 0 is always valid.
    pub affine: u64,
}

/// Status returned by every kernel: 0 is success.
pub type KernelStatus = i32;
pub const STATUS_OK: KernelStatus = 0;

/// A kernel: loops over all instances of the mechanism.
pub type Kernel = unsafe extern "C" fn(*const KernelContext, *mut MechanismData) -> KernelStatus;

/// NET_RECEIVE for one event at instance `inst`: `ctx.t` is the event time, `weight` the
/// weight vector of the NetCon that delivered it (the NET_RECEIVE arguments in order,
/// [`MechanismInfo::net_receive_args`] doubles, read and written in place; for a self-event the
/// vector of the event that sent it, or zeros), `flag` 0 for NetCon events and the
/// `net_send` flag for self-events.
pub type NetReceiveKernel = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    weight: *mut f64,
    flag: f64,
) -> KernelStatus;

/// The INITIAL block inside NET_RECEIVE, run at finitialize once per NetCon targeting
/// instance `inst`, with that NetCon's `weight` vector.
pub type NetInitKernel = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    weight: *mut f64,
) -> KernelStatus;

/// The condition of WATCH clause `clause` (see [`Services::watch_activate`]) for instance
/// `inst` with the current `ctx.v`: positive when it holds (NEURON's `lhs - rhs` form).
pub type WatchConditionFn = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    clause: u64,
) -> f64;

/// What a compiled mechanism exports: its description and its kernels.
///
/// The runtime calls, in NEURON's fixed-step order: `table_check` at the start of every step and
/// of `finitialize`, `initialize` in `finitialize`, `current` while setting up the matrix, and
/// `state` after the voltage update; `net_receive` and `net_init` per event and per NetCon.
/// A missing kernel is a null pointer. Artificial cells have no node: their kernels never read
/// `node_index` or the node arrays.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct MechanismTable {
    pub abi_version: u32,
    /// UTF-8 JSON of a [`MechanismInfo`].
    pub info_json: *const u8,
    pub info_len: usize,
    pub table_check: Option<Kernel>,
    pub initialize: Option<Kernel>,
    pub current: Option<Kernel>,
    pub state: Option<Kernel>,
    /// NET_RECEIVE, called by the runtime when an event reaches an instance.
    pub net_receive: Option<NetReceiveKernel>,
    /// NET_RECEIVE's INITIAL block; without it the runtime zeroes weight[1..] at finitialize.
    pub net_init: Option<NetInitKernel>,
    /// The conditions of the mechanism's WATCH clauses.
    pub watch_condition: Option<WatchConditionFn>,
    /// BEFORE/AFTER blocks, one kernel per kind (all blocks of the kind in source order).
    pub hooks: HookKernels,
    /// One entry per [`MechanismInfo::functions`], in that order: how hoc and Python call
    /// the mechanism's FUNCTIONs and PROCEDUREs. Null when there are none.
    pub functions: *const FunctionEntry,
    /// CONSTRUCTOR: run on each new instance when it is created (no arguments).
    pub constructor: Option<FunctionEntry>,
    /// DESTRUCTOR: run on an instance before it is removed.
    pub destructor: Option<FunctionEntry>,
}

/// Calls a FUNCTION or PROCEDURE for instance `inst` with its arguments at `args` (as many
/// as [`FunctionInfo::arguments`]); returns the FUNCTION's value, 1 for a PROCEDURE.
pub type FunctionEntry = unsafe extern "C" fn(
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    args: *const f64,
) -> f64;

/// A FUNCTION or PROCEDURE hoc and Python may call (`rates_hh(v)`, `syn.f(x)`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionInfo {
    pub name: String,
    pub arguments: u32,
    pub procedure: bool,
    /// Reads or writes per-instance data (range variables, ions, v, ...): a call needs an
    /// instance (hoc's `setdata_<suffix>` for a density mechanism).
    pub uses_instance: bool,
}

/// The kernels of a mechanism's BEFORE/AFTER blocks, called by the runtime where NEURON 9.0.2
/// calls them: in `finitialize`, `before_initial` before any INITIAL (ions included),
/// `after_initial` after the INITIALs and NetCon initialization, `before_breakpoint` before
/// every matrix setup, `before_step` before recording; in a step, `before_breakpoint` before
/// the current kernels (t = t_n + dt/2), `after_solve` after the state kernels (t = t_{n+1})
/// and then `before_step` before recording.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct HookKernels {
    pub before_initial: Option<Kernel>,
    pub after_initial: Option<Kernel>,
    pub before_breakpoint: Option<Kernel>,
    pub after_solve: Option<Kernel>,
    pub before_step: Option<Kernel>,
}

impl HookKernels {
    /// Field order, as [`HookKind`] numbers them.
    pub fn get(&self, kind: HookKind) -> Option<Kernel> {
        match kind {
            HookKind::BeforeInitial => self.before_initial,
            HookKind::AfterInitial => self.after_initial,
            HookKind::BeforeBreakpoint => self.before_breakpoint,
            HookKind::AfterSolve => self.after_solve,
            HookKind::BeforeStep => self.before_step,
        }
    }
}

/// The BEFORE/AFTER combinations NEURON runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HookKind {
    BeforeInitial,
    AfterInitial,
    BeforeBreakpoint,
    AfterSolve,
    BeforeStep,
}

impl HookKind {
    pub const ALL: [HookKind; 5] = [
        HookKind::BeforeInitial,
        HookKind::AfterInitial,
        HookKind::BeforeBreakpoint,
        HookKind::AfterSolve,
        HookKind::BeforeStep,
    ];

    /// Byte offset of the kind's kernel in [`MechanismTable`].
    pub fn table_offset(self) -> usize {
        let field = match self {
            HookKind::BeforeInitial => std::mem::offset_of!(HookKernels, before_initial),
            HookKind::AfterInitial => std::mem::offset_of!(HookKernels, after_initial),
            HookKind::BeforeBreakpoint => std::mem::offset_of!(HookKernels, before_breakpoint),
            HookKind::AfterSolve => std::mem::offset_of!(HookKernels, after_solve),
            HookKind::BeforeStep => std::mem::offset_of!(HookKernels, before_step),
        };
        std::mem::offset_of!(MechanismTable, hooks) + field
    }

    pub fn name(self) -> &'static str {
        match self {
            HookKind::BeforeInitial => "BEFORE INITIAL",
            HookKind::AfterInitial => "AFTER INITIAL",
            HookKind::BeforeBreakpoint => "BEFORE BREAKPOINT",
            HookKind::AfterSolve => "AFTER SOLVE",
            HookKind::BeforeStep => "BEFORE STEP",
        }
    }
}

impl MechanismTable {
    /// Parses the description. The table must point at valid JSON for its whole lifetime.
    ///
    /// # Safety
    /// `info_json` must point to `info_len` readable bytes.
    pub unsafe fn info(&self) -> Result<MechanismInfo, String> {
        if self.abi_version != ABI_VERSION {
            return Err(format!(
                "mechanism built for ABI version {}, this runtime speaks version {}",
                self.abi_version, ABI_VERSION
            ));
        }
        let bytes = std::slice::from_raw_parts(self.info_json, self.info_len);
        serde_json::from_slice(bytes).map_err(|e| format!("bad mechanism description: {e}"))
    }
}

/// How a mechanism attaches to the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MechanismKind {
    /// `SUFFIX`: one instance per segment where inserted, names are `<var>_<suffix>`.
    Density,
    /// `POINT_PROCESS`: instances created one by one at a segment.
    PointProcess,
    /// `ARTIFICIAL_CELL`.
    ArtificialCell,
}

/// Description of a compiled mechanism, enough for the runtime and front ends to use it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MechanismInfo {
    /// SUFFIX or POINT_PROCESS name (`hh`, `IClamp`).
    pub name: String,
    pub kind: MechanismKind,
    /// The BREAKPOINT current enters the matrix with the electrode sign (positive into the cell).
    pub electrode_current: bool,
    /// Per-instance fields, in column order.
    pub range: Vec<FieldInfo>,
    /// Per-mechanism visible globals (user-settable, e.g. `usetable_hh`, `minf_hh`).
    pub globals: Vec<FieldInfo>,
    /// Private doubles after the visible globals.
    pub hidden_globals: usize,
    /// Ions the mechanism uses.
    pub ions: Vec<IonUse>,
    /// Pointer slots, in the order of [`MechanismData::slots`].
    pub slots: Vec<SlotInfo>,
    /// What each [`STATUS_FAILURE_SITE`] status means, as a sentence naming the .mod file,
    /// line and column ("array index out of range: `ca[i]` has 4 elements (cadifus.mod:45:9)").
    #[serde(default)]
    pub failure_sites: Vec<String>,
    /// Index in the globals where generated code records a failure as 1 + site (0: none);
    /// kernels report it through their status, the runtime reads it after other calls
    /// (FUNCTIONs called from the front ends) and clears it.
    #[serde(default)]
    pub failure_global: Option<u32>,
    /// The FUNCTIONs and PROCEDUREs hoc can call, in the order of [`MechanismTable::functions`].
    #[serde(default)]
    pub functions: Vec<FunctionInfo>,
    /// The mechanism's `RANDOM` variables, in the order of [`MechanismData::randoms`].
    #[serde(default)]
    pub randoms: Vec<String>,
    /// Number of NET_RECEIVE arguments = length of the weight vector of a NetCon targeting
    /// the mechanism; `None` without NET_RECEIVE.
    #[serde(default)]
    pub net_receive_args: Option<u32>,
    /// Number of WATCH clauses in the mechanism.
    #[serde(default)]
    pub watch_clauses: u32,
    /// NET_RECEIVE has a FOR_NETCONS loop: deliveries must expose the target's NetCon weights.
    #[serde(default)]
    pub for_netcons: bool,
    /// The mechanism's `FUNCTION_TABLE`s, numbered as [`Services::function_table`] numbers them.
    #[serde(default)]
    pub function_tables: Vec<FunctionTableInfo>,
    /// The STATEs a KINETIC block's LONGITUDINAL_DIFFUSION names: the runtime diffuses them
    /// along the section tree after the state kernels (NEURON's fixed step does).
    #[serde(default)]
    pub longitudinal_diffusion: Vec<DiffusionInfo>,
}

/// One diffusing STATE: range fields by name (`state` may instead name an ion concentration,
/// `nai`, that the mechanism reaches through its [`SlotInfo::Ion`] slot). After every state
/// kernel, element k of
/// `coefficient` holds the rate of `LONGITUDINAL_DIFFUSION` (diffusion constant × cross
/// section, um⁴/ms for um² areas) and element k of `volume` the STATE's COMPARTMENT volume,
/// for element k of `state`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffusionInfo {
    pub state: String,
    pub elements: u32,
    pub coefficient: String,
    pub volume: String,
}

/// A `FUNCTION_TABLE name(args)` whose values hoc gives with `table_<name>_<suffix>(...)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionTableInfo {
    pub name: String,
    /// Number of arguments (dimensions of the table).
    pub arguments: u32,
}

impl MechanismInfo {
    /// Total number of range columns (arrays count their elements).
    pub fn range_columns(&self) -> usize {
        self.range.iter().map(|f| f.size as usize).sum()
    }

    /// Column of the first element of range field `name`.
    pub fn range_column(&self, name: &str) -> Option<(usize, &FieldInfo)> {
        let mut col = 0;
        for f in &self.range {
            if f.name == name {
                return Some((col, f));
            }
            col += f.size as usize;
        }
        None
    }

    pub fn global_index(&self, name: &str) -> Option<(usize, &FieldInfo)> {
        let mut at = 0;
        for f in &self.globals {
            if f.name == name {
                return Some((at, f));
            }
            at += f.size as usize;
        }
        None
    }

    pub fn globals_len(&self) -> usize {
        self.globals.iter().map(|f| f.size as usize).sum::<usize>() + self.hidden_globals
    }
}

/// What a field is, as declared in the .mod file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldRole {
    Parameter,
    Assigned,
    State,
    /// A current written to an ion, kept per instance so the matrix sees it (not user visible
    /// under its own name: `ina` is the ion's total).
    IonCurrent,
    /// A range variable the runtime manages for the front ends, e.g. nothing yet.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldInfo {
    /// Name without suffix (`gnabar`, `m`, `usetable`).
    pub name: String,
    pub role: FieldRole,
    /// Array size, 1 for scalars.
    pub size: u32,
    pub default: f64,
    /// Units as written in the .mod file, if any.
    pub units: Option<String>,
    /// Whether the front ends show it (RANGE or a STATE/PARAMETER of a density mechanism, ...).
    pub visible: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IonUse {
    /// `na`, `k`, `ca`, ...
    pub ion: String,
    /// Variables read (`ena`, `cai`, ...).
    pub read: Vec<String>,
    /// Variables written (`ina`, `cai`, ...).
    pub write: Vec<String>,
    pub valence: Option<f64>,
}

/// A per-instance pointer into data the mechanism does not own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SlotInfo {
    /// Variable `var` of ion `ion` at the instance's node: `ena`, `nai`, `nao`, `ina` (the
    /// ion's total current, which the mechanism adds to) or `dina_dv_` (its conductance).
    Ion { ion: String, var: String },
    /// A `POINTER` variable: each instance reads and writes the double its `setpointer`
    /// named (a membrane potential, another mechanism's variable). The runtime refuses to run
    /// while any instance's pointer is unset.
    Pointer { name: String },
}

/// The names of an ion's per-node variables in NEURON's order.
pub fn ion_variable_names(ion: &str) -> [String; 5] {
    [
        format!("e{ion}"),
        format!("{ion}i"),
        format!("{ion}o"),
        format!("i{ion}"),
        format!("di{ion}_dv_"),
    ]
}

/// Exported by a shared library built by `rsnrnivmodl`, under [`LIBRARY_MANIFEST_SYMBOL`]:
/// which mechanisms the library holds.
#[repr(C)]
#[derive(Debug)]
pub struct LibraryManifest {
    /// [`ABI_VERSION`] of the compiler that built the library; a loader refuses any other.
    pub abi_version: u32,
    /// Number of entries in `mechanisms`.
    pub count: u32,
    pub mechanisms: *const LibraryEntry,
}

/// One mechanism of a shared library: its kernel table and its IR as JSON (so that tools can
/// describe the mechanism without the .mod file).
#[repr(C)]
#[derive(Debug)]
pub struct LibraryEntry {
    pub table: *const MechanismTable,
    pub ir_json: *const u8,
    pub ir_len: usize,
}

/// Symbol name of the [`LibraryManifest`] static in a mechanism library.
pub const LIBRARY_MANIFEST_SYMBOL: &str = "rsnrn_library_manifest";
