//! Numerical services generated code calls through `KernelContext::services`.
//!
//! `derivimplicit` (NUMERICS §5): backward Euler `s = s_n + dt·f(s)` solved by Newton's method
//! as NEURON's scopmath does it: residual `f(s) − (s − s_n)/dt`; Jacobian by central differences
//! with increment `max(|0.02·s_j|, 1e-6)`, rebuilt at the first iteration and whenever the
//! last relative change exceeded 0.05; LU with partial pivoting (small_lu.rs); converged when the largest
//! relative change (over states with |s| > 1e-8) is at most 1e-6 and the largest residual at
//! most 1e-8; at most 50 iterations. With secondorder > 0 the solve uses dt/2 and then
//! `s += (dt/2)·f(s)`.
//!
//! The same iteration solves a NONLINEAR block (`rsnrn_abi::NEWTON_ALGEBRAIC`: the residuals
//! are the block's equations, as scopmath's `newton`) and INITIAL's `STEADYSTATE
//! derivimplicit` (`rsnrn_abi::NEWTON_STEADY_STATE`: one step of 1e-9 ms, as NEURON 9.0.2).

use rsnrn_abi::{
    DerivativeFn, KernelContext, KernelStatus, MechanismData, Services, NEWTON_ALGEBRAIC,
    NEWTON_COUNT_MASK, NEWTON_STEADY_STATE, STATUS_NO_CONVERGENCE, STATUS_OK,
    STEADY_STATE_DERIVIMPLICIT_DT,
};

/// The services every kernel context points to.
pub static SERVICES: Services = Services {
    derivimplicit,
    printf,
    sparse: crate::sparse::sparse,
    net_send: crate::events::net_send,
    net_event: crate::events::net_event,
    net_move: crate::events::net_move,
    watch_activate: crate::events::watch_activate,
    for_netcons_count: crate::events::for_netcons_count,
    for_netcons_weight: crate::events::for_netcons_weight,
    scop_random,
    random_var,
    function_table: crate::function_tables::function_table,
};

/// NMODL's random functions on this thread's state (`crate::random::with_scop_random`).
unsafe extern "C" fn scop_random(_ctx: *const KernelContext, which: u64, a: f64, b: f64) -> f64 {
    crate::random::with_scop_random(|s| match which {
        rsnrn_abi::SCOP_SET_SEED => {
            s.set_seed(a);
            0.0
        }
        rsnrn_abi::SCOP_NORMRAND => s.normrand(a, b),
        rsnrn_abi::SCOP_EXPRAND => s.exprand(a),
        rsnrn_abi::SCOP_POISRAND => s.poisrand(a),
        _ => s.scop_random(),
    })
}

/// The functions of NMODL RANDOM variables on the instance's Random123 stream.
#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn random_var(
    _ctx: *const KernelContext,
    data: *const rsnrn_abi::MechanismData,
    inst: u64,
    var: u64,
    op: u64,
    a: f64,
    b: f64,
    c: f64,
) -> f64 {
    use crate::random::Random123Stream;
    // SAFETY: `data` is the kernel's own mechanism data, whose `randoms` the runtime bound
    // to one stream per instance for each RANDOM variable the code generator numbered; the
    // runtime touches no stream while a kernel runs.
    let stream = unsafe {
        let column = *(*data).randoms.add(var as usize) as *mut Random123Stream;
        &mut *column.add(inst as usize)
    };
    match op {
        rsnrn_abi::RANDOM_NEGEXP => stream.negexp(a),
        rsnrn_abi::RANDOM_NORMAL => stream.normal(a, b),
        rsnrn_abi::RANDOM_IPICK => f64::from(stream.next_u32()),
        rsnrn_abi::RANDOM_DPICK => stream.next_f64(),
        rsnrn_abi::RANDOM_SETSEQ => {
            stream.set_seq(a.max(0.0) as u64);
            0.0
        }
        rsnrn_abi::RANDOM_SETIDS => {
            stream.set_ids(a as u32, b as u32, c as u32);
            0.0
        }
        _ => stream.uniform(a, b),
    }
}

/// NMODL's printf: C formatting (crate::cformat) to standard output. A format the formatter
/// rejects is printed as written, so a bad format never stops a run.
unsafe extern "C" fn printf(
    _ctx: *const KernelContext,
    format: *const u8,
    len: u64,
    args: *const f64,
    nargs: u64,
) {
    use crate::cformat::{sprintf, FmtArg};
    use std::io::Write;
    // SAFETY: the generated call passes its format data and argument array with their sizes.
    let (format, args) = unsafe {
        (
            std::slice::from_raw_parts(format, len as usize),
            std::slice::from_raw_parts(args, nargs as usize),
        )
    };
    let format = String::from_utf8_lossy(format);
    let args: Vec<FmtArg> = args.iter().map(|&x| FmtArg::Num(x)).collect();
    let text = sprintf(&format, &args).unwrap_or_else(|_| format.into_owned());
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

const MAX_ITERATIONS: usize = rsnrn_abi::NEWTON_MAX_ITERATIONS;
const MAX_CHANGE: f64 = rsnrn_abi::NEWTON_REBUILD_CHANGE;
const CONVERGE: f64 = rsnrn_abi::NEWTON_CONVERGED;
const ZERO: f64 = rsnrn_abi::NEWTON_ZERO;
const STEP: f64 = rsnrn_abi::NEWTON_MIN_INCREMENT;

/// The instance's derivative function, evaluated at `x`.
struct System {
    derivative: DerivativeFn,
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    v: f64,
}

impl System {
    fn derivatives(&self, x: &[f64], dxdt: &mut [f64]) {
        // SAFETY: the generated derivative function reads `x.len()` states and writes as many
        // derivatives; ctx/data/inst are the ones the kernel was called with.
        unsafe {
            (self.derivative)(
                self.ctx,
                self.data,
                self.inst,
                self.v,
                x.as_ptr(),
                dxdt.as_mut_ptr(),
            )
        }
    }

    /// r = f(x) − (x − x_old)/dt, or r = f(x) for an algebraic system (no `dt`).
    fn residual(&self, x: &[f64], x_old: &[f64], dt: Option<f64>, r: &mut [f64]) {
        self.derivatives(x, r);
        if let Some(dt) = dt {
            for i in 0..x.len() {
                r[i] -= (x[i] - x_old[i]) / dt;
            }
        }
    }
}

/// The Newton iteration's arrays, kept per thread: derivimplicit runs once per instance and
/// step, and allocating them each time cost more than the iteration (a quarter of a run).
#[derive(Default)]
struct NewtonWorkspace {
    x_old: Vec<f64>,
    jacobian: Vec<f64>,
    lu: crate::small_lu::SmallLu,
    value: Vec<f64>,
    high: Vec<f64>,
    low: Vec<f64>,
    delta: Vec<f64>,
}

thread_local! {
    static NEWTON_WORKSPACE: std::cell::RefCell<NewtonWorkspace> = Default::default();
}

/// Newton iteration for the backward-Euler step of length `dt` (or, without `dt`, for the
/// zero of the system's own residuals); `x` holds the old states on entry and the new ones on
/// success.
fn newton(system: &System, x: &mut [f64], dt: Option<f64>) -> bool {
    NEWTON_WORKSPACE.with(|w| match w.try_borrow_mut() {
        Ok(mut w) => newton_in(&mut w, system, x, dt),
        // A derivative function that itself solves (re-entry): arrays of its own.
        Err(_) => newton_in(&mut NewtonWorkspace::default(), system, x, dt),
    })
}

fn newton_in(w: &mut NewtonWorkspace, system: &System, x: &mut [f64], dt: Option<f64>) -> bool {
    match x.len() {
        1 => newton_one(system, x, dt),
        _ => newton_many(w, system, x, dt),
    }
}

/// [`newton_in`] for any number of unknowns.
fn newton_many(w: &mut NewtonWorkspace, system: &System, x: &mut [f64], dt: Option<f64>) -> bool {
    let n = x.len();
    w.x_old.clear();
    w.x_old.extend_from_slice(x);
    w.jacobian.resize(n * n, 0.0);
    for v in [&mut w.value, &mut w.high, &mut w.low, &mut w.delta] {
        v.resize(n, 0.0);
    }
    let NewtonWorkspace {
        x_old,
        jacobian,
        lu,
        value,
        high,
        low,
        delta,
    } = w;
    let (x_old, jacobian) = (&x_old[..], &mut jacobian[..]);
    let (value, high, low, delta) = (&mut value[..], &mut high[..], &mut low[..], &mut delta[..]);
    let mut change = 0.0;
    for iteration in 0..MAX_ITERATIONS {
        if iteration == 0 || change > MAX_CHANGE {
            for j in 0..n {
                let increment = (0.02 * x[j]).abs().max(STEP);
                x[j] += increment;
                system.residual(x, x_old, dt, high);
                x[j] -= 2.0 * increment;
                system.residual(x, x_old, dt, low);
                for i in 0..n {
                    jacobian[i * n + j] = (high[i] - low[i]) / (2.0 * increment);
                }
                x[j] += increment;
            }
            system.residual(x, x_old, dt, value);
            if !lu.factor(n, jacobian) {
                return false;
            }
        }
        for v in value.iter_mut() {
            *v = -*v;
        }
        lu.solve(value, delta);
        change = 0.0;
        for i in 0..n {
            if x[i].abs() > ZERO {
                change = f64::max(change, (delta[i] / x[i]).abs());
            }
            x[i] += delta[i];
        }
        system.residual(x, x_old, dt, value);
        let max_dev = value.iter().fold(0.0f64, |m, r| m.max(r.abs()));
        if !(change.is_finite() && max_dev.is_finite()) {
            return false;
        }
        if change <= CONVERGE && max_dev <= ZERO {
            return true;
        }
    }
    false
}

/// [`newton_in`] for one unknown (a calcium pool by derivimplicit, the commonest case),
/// without the workspace and the LU: the same operations in the same order, so the same
/// iterates. State kernels made by this version of the compiler run this iteration inline
/// (`nmodl_codegen`'s derivimplicit.rs, `emit_newton_one`), operation for operation; a
/// change here must be made there too (tests/derivimplicit_inline.rs compares the two).
fn newton_one(system: &System, x: &mut [f64], dt: Option<f64>) -> bool {
    let x_old = [x[0]];
    let (mut high, mut low, mut value) = ([0.0], [0.0], [0.0]);
    let mut slope = 0.0;
    let mut change = 0.0;
    for iteration in 0..MAX_ITERATIONS {
        if iteration == 0 || change > MAX_CHANGE {
            let increment = (0.02 * x[0]).abs().max(STEP);
            x[0] += increment;
            system.residual(x, &x_old, dt, &mut high);
            x[0] -= 2.0 * increment;
            system.residual(x, &x_old, dt, &mut low);
            slope = (high[0] - low[0]) / (2.0 * increment);
            x[0] += increment;
            system.residual(x, &x_old, dt, &mut value);
            // SmallLu's test of a 1×1 matrix.
            if !(slope != 0.0 && slope.is_finite()) {
                return false;
            }
        }
        let delta = -value[0] / slope;
        change = 0.0;
        if x[0].abs() > ZERO {
            change = f64::max(change, (delta / x[0]).abs());
        }
        x[0] += delta;
        system.residual(x, &x_old, dt, &mut value);
        let max_dev = 0.0f64.max(value[0].abs());
        if !(change.is_finite() && max_dev.is_finite()) {
            return false;
        }
        if change <= CONVERGE && max_dev <= ZERO {
            return true;
        }
    }
    false
}

/// [`rsnrn_abi::DerivimplicitFn`].
unsafe extern "C" fn derivimplicit(
    n: u64,
    x: *mut f64,
    derivative: DerivativeFn,
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    v: f64,
) -> KernelStatus {
    let count = (n & NEWTON_COUNT_MASK) as usize;
    // SAFETY: the caller passes `count` states at `x` and its own context.
    let (x, ctx_ref) = unsafe { (std::slice::from_raw_parts_mut(x, count), &*ctx) };
    let mut system = System {
        derivative,
        ctx,
        data,
        inst,
        v,
    };
    if n & NEWTON_ALGEBRAIC != 0 {
        return match newton(&system, x, None) {
            true => STATUS_OK,
            false => STATUS_NO_CONVERGENCE,
        };
    }
    if n & NEWTON_STEADY_STATE != 0 {
        // The block sees the tiny step as `dt` (NEURON sets the thread's dt around the solve).
        let tiny = KernelContext {
            dt: STEADY_STATE_DERIVIMPLICIT_DT,
            ..*ctx_ref
        };
        system.ctx = &tiny;
        if !newton(&system, x, Some(STEADY_STATE_DERIVIMPLICIT_DT)) {
            return STATUS_NO_CONVERGENCE;
        }
        if ctx_ref.secondorder != 0.0 {
            add_derivatives(&system, x, ctx_ref.dt);
        }
        return STATUS_OK;
    }
    let second_order = ctx_ref.secondorder != 0.0;
    let dt = if second_order {
        ctx_ref.dt / 2.0
    } else {
        ctx_ref.dt
    };
    if !newton(&system, x, Some(dt)) {
        return STATUS_NO_CONVERGENCE;
    }
    if second_order {
        add_derivatives(&system, x, dt);
    }
    STATUS_OK
}

/// `x += dt·f(x)`, secondorder's correction after a derivimplicit solve.
fn add_derivatives(system: &System, x: &mut [f64], dt: f64) {
    let mut dxdt = vec![0.0; x.len()];
    system.derivatives(x, &mut dxdt);
    for (s, d) in x.iter_mut().zip(&dxdt) {
        *s += dt * d;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// dx/dt = -k·x has the backward-Euler solution x_n/(1 + k·dt).
    unsafe extern "C" fn decay(
        _ctx: *const KernelContext,
        _data: *mut MechanismData,
        _inst: u64,
        _v: f64,
        x: *const f64,
        dxdt: *mut f64,
    ) {
        unsafe {
            *dxdt = -3.0 * *x;
            *dxdt.add(1) = -0.5 * *x.add(1) * *x.add(1);
        }
    }

    /// A stiff, nonlinear pool: dc/dt = -c²·k + influx, with k and the influx from `v`.
    unsafe extern "C" fn pool(
        _ctx: *const KernelContext,
        _data: *mut MechanismData,
        _inst: u64,
        v: f64,
        x: *const f64,
        dxdt: *mut f64,
    ) {
        unsafe {
            let c = *x;
            *dxdt = -c * c * (1.0 + v.abs()) * 50.0 + 1e-3 * (v + 70.0).max(0.0);
        }
    }

    #[test]
    fn newton_for_one_unknown_iterates_as_the_general_one() {
        // Over starting values, steps and drives (some far from the solution, where several
        // iterations and new slopes are needed, some where the iteration fails), the
        // one-unknown path and the general one end with the same bits and the same verdict.
        let mut workspace = NewtonWorkspace::default();
        let mut compared = 0;
        for &x0 in &[0.0, 1e-9, 5e-5, 1e-3, 0.3, 7.0, -2.0, f64::NAN] {
            for &dt in &[Some(0.025), Some(1.0), Some(1e-9), None] {
                for &v in &[-80.0, -20.0, 30.0] {
                    let system = System {
                        derivative: pool,
                        ctx: std::ptr::null(),
                        data: std::ptr::null_mut(),
                        inst: 0,
                        v,
                    };
                    let (mut one, mut many) = ([x0], [x0]);
                    let ok_one = newton_one(&system, &mut one, dt);
                    let ok_many = newton_many(&mut workspace, &system, &mut many, dt);
                    assert_eq!(ok_one, ok_many, "x0 {x0} dt {dt:?} v {v}");
                    assert_eq!(
                        one[0].to_bits(),
                        many[0].to_bits(),
                        "x0 {x0} dt {dt:?} v {v}"
                    );
                    compared += 1;
                }
            }
        }
        assert_eq!(compared, 96);
    }

    #[test]
    fn newton_solves_backward_euler() {
        let ctx = KernelContext {
            t: 0.0,
            dt: 0.1,
            celsius: 6.3,
            secondorder: 0.0,
            v: std::ptr::null_mut(),
            rhs: std::ptr::null_mut(),
            d: std::ptr::null_mut(),
            area: std::ptr::null(),
            diam: std::ptr::null(),
            node_count: 0,
            services: &SERVICES,
            events: std::ptr::null_mut(),
        };
        let mut x = [2.0, 1.0];
        let status = unsafe {
            derivimplicit(
                2,
                x.as_mut_ptr(),
                decay,
                &ctx,
                std::ptr::null_mut(),
                0,
                -65.0,
            )
        };
        assert_eq!(status, STATUS_OK);
        assert!((x[0] - 2.0 / 1.3).abs() < 1e-10, "{}", x[0]);
        // x = 1 - 0.05 x^2  =>  x = (-1 + sqrt(1 + 0.2))/0.1
        let exact = (-1.0 + 1.2f64.sqrt()) / 0.1;
        assert!((x[1] - exact).abs() < 1e-9, "{} vs {exact}", x[1]);
    }
}
