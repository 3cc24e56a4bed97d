//! `METHOD sparse`: the implicit-Euler step of a KINETIC block, as NEURON's scopmath
//! `sparse` and `_ss_sparse` do it (NUMERICS §5).
//!
//! Generated code builds the Newton system of the block at given states
//! ([`rsnrn_abi::KineticSystemFn`]: diag(1/dt)·volume + flux Jacobian, rhs = −volume·(x −
//! x_old)/dt + net flux, CONSERVE rows replaced); this module solves it.
//!
//! One step: a linear block (its matrix does not depend on the states) takes one pass;
//! otherwise passes repeat until Σ|Δx| ≤ 1e-6, negative states are clamped to 0 after each
//! pass, and more than 21 passes is an error. Afterwards the block is evaluated once more at
//! the solution (so that what it assigns, e.g. `cai = ca[0]`, matches the new states).
//! secondorder ≠ 0: the step is dt/2 and then `x += (dt/2)·(x − x_old)/(dt/2)`.
//!
//! A LINEAR block ([`rsnrn_abi::SPARSE_ALGEBRAIC`]) is one pass: its system is the Newton
//! step of its equations, which solves them.
//!
//! Steady state (INITIAL's `SOLVE kin STEADYSTATE sparse`): dt = 1e9 (the block sees it as
//! `dt`). A linear block is iterated as a nonlinear one. A nonlinear block takes up to 7
//! single passes; after each, states below −1e-6 are set to 0, and once none was, a full
//! iteration finishes the solve. secondorder ≠ 0 adds dt·(x − x_old)/1e9 with the real dt.

use crate::small_lu::SmallLu;
use rsnrn_abi::{
    KernelContext, KernelStatus, KineticSystemFn, MechanismData, SPARSE_ALGEBRAIC, SPARSE_LINEAR,
    SPARSE_STEADY_STATE, STATUS_NO_CONVERGENCE, STATUS_OK, STATUS_SINGULAR,
};
use std::cell::RefCell;

const CONVERGE: f64 = 1e-6;
const MAX_STEPS: usize = 20;
const STEADY_DT: f64 = 1e9;
const STEADY_TRIES: usize = 7;

/// The instance's system function with everything it is called with.
struct Block {
    system: KineticSystemFn,
    /// A LINEAR block's system (its function needs a matrix to write to).
    algebraic: bool,
    ctx: KernelContext,
    data: *mut MechanismData,
    inst: u64,
    v: f64,
}

/// Why a solve failed, as a kernel status.
type Failure = KernelStatus;

/// Work arrays of one solve, kept per thread so that a step allocates nothing once they
/// have grown to the largest block.
#[derive(Default)]
struct Scratch {
    /// The states the last pass of [`Block::step`] started from.
    x_old: Vec<f64>,
    jacobian: Vec<f64>,
    rhs: Vec<f64>,
    delta: Vec<f64>,
    lu: SmallLu,
}

impl Scratch {
    fn fit(&mut self, n: usize) {
        self.x_old.resize(n, 0.0);
        self.jacobian.resize(n * n, 0.0);
        self.rhs.resize(n, 0.0);
        self.delta.resize(n, 0.0);
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Block {
    /// The Newton system at `x` in `w.jacobian` and `w.rhs`.
    fn build(&self, x: &[f64], w: &mut Scratch) {
        w.jacobian.fill(0.0);
        w.rhs.fill(0.0);
        let (jacobian, rhs) = (w.jacobian.as_mut_ptr(), w.rhs.as_mut_ptr());
        self.call(x, w, jacobian, rhs);
    }

    /// Runs the block at `x` for what it assigns, after the last pass. A KINETIC block's
    /// function is given no matrix (null: it skips its entries, most of its work); a LINEAR
    /// block's adds to the last pass's matrix and rhs, which are not read afterwards and so
    /// not cleared.
    fn evaluate(&self, x: &[f64], w: &mut Scratch) {
        let (jacobian, rhs) = if self.algebraic {
            (w.jacobian.as_mut_ptr(), w.rhs.as_mut_ptr())
        } else {
            (std::ptr::null_mut(), std::ptr::null_mut())
        };
        self.call(x, w, jacobian, rhs);
    }

    fn call(&self, x: &[f64], w: &Scratch, jacobian: *mut f64, rhs: *mut f64) {
        // SAFETY: the generated system function reads n states from x and x_old and writes
        // n×n matrix entries and n right-hand sides where given (a KINETIC block's accepts
        // null for both, ABI 10); data/inst are the kernel's own.
        unsafe {
            (self.system)(
                &self.ctx,
                self.data,
                self.inst,
                self.v,
                x.as_ptr(),
                w.x_old.as_ptr(),
                jacobian,
                rhs,
            )
        }
    }

    /// scopmath's `sparse` over `self.ctx.dt`; leaves the states it started from in
    /// `w.x_old`.
    fn step(&self, x: &mut [f64], linear: bool, w: &mut Scratch) -> Result<(), Failure> {
        let n = x.len();
        w.fit(n);
        w.x_old.copy_from_slice(x);
        let mut err = 1.0;
        let mut pass = 0;
        while err > CONVERGE {
            self.build(x, w);
            if !w.lu.factor(n, &w.jacobian) {
                return Err(STATUS_SINGULAR);
            }
            w.lu.solve(&w.rhs, &mut w.delta);
            err = 0.0;
            for (s, d) in x.iter_mut().zip(&w.delta) {
                *s += d;
                // NEURON: "stability of nonlinear kinetic schemes sometimes requires this".
                if !linear && *s < 0.0 {
                    *s = 0.0;
                }
                err += d.abs();
            }
            if pass > MAX_STEPS {
                return Err(STATUS_NO_CONVERGENCE);
            }
            if linear {
                break;
            }
            pass += 1;
        }
        self.evaluate(x, w);
        Ok(())
    }

    /// `_ss_sparse`: `self.ctx.dt` is already the huge steady-state step.
    fn steady_state(&self, x: &mut [f64], linear: bool, w: &mut Scratch) -> Result<(), Failure> {
        if linear {
            return self.step(x, false, w);
        }
        for _ in 0..STEADY_TRIES {
            self.step(x, true, w)?;
            let mut all_valid = true;
            for s in x.iter_mut() {
                if *s < -1e-6 {
                    *s = 0.0;
                    all_valid = false;
                }
            }
            if all_valid {
                return self.step(x, false, w);
            }
        }
        Err(STATUS_NO_CONVERGENCE)
    }
}

/// [`rsnrn_abi::SparseFn`].
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe extern "C" fn sparse(
    n: u64,
    x: *mut f64,
    system: KineticSystemFn,
    mode: u32,
    ctx: *const KernelContext,
    data: *mut MechanismData,
    inst: u64,
    v: f64,
) -> KernelStatus {
    // SAFETY: the caller passes `n` states at `x` and its own context.
    let (x, ctx) = unsafe { (std::slice::from_raw_parts_mut(x, n as usize), &*ctx) };
    let linear = mode & SPARSE_LINEAR != 0;
    if mode & SPARSE_ALGEBRAIC != 0 {
        let block = Block {
            system,
            algebraic: true,
            ctx: KernelContext { ..*ctx },
            data,
            inst,
            v,
        };
        return SCRATCH.with_borrow_mut(|w| match block.step(x, true, w) {
            Ok(()) => STATUS_OK,
            Err(status) => status,
        });
    }
    let steady = mode & SPARSE_STEADY_STATE != 0;
    let second_order = ctx.secondorder != 0.0;
    // The block sees the step it is solved with as `dt`, as in NEURON.
    let dt = if steady {
        STEADY_DT
    } else if second_order {
        ctx.dt / 2.0
    } else {
        ctx.dt
    };
    let block = Block {
        system,
        algebraic: false,
        ctx: KernelContext { dt, ..*ctx },
        data,
        inst,
        v,
    };
    SCRATCH.with_borrow_mut(|w| {
        let solved = if steady {
            block.steady_state(x, linear, w)
        } else {
            block.step(x, linear, w)
        };
        if let Err(status) = solved {
            return status;
        }
        if second_order {
            // NEURON keeps (x − x_old)/dt as the derivative and adds dt times it, where dt is
            // the state kernel's (halved) dt, or the full dt in INITIAL.
            let add_dt = if steady { ctx.dt } else { dt };
            for (s, old) in x.iter_mut().zip(&w.x_old) {
                let derivative = (*s - old) / dt;
                *s += add_dt * derivative;
            }
        }
        STATUS_OK
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `~ a <-> b (2, 1)` with CONSERVE a + b = 1 in row 0 (b), as generated code builds it
    /// (with a null matrix, for the last evaluation, it has nothing to assign).
    unsafe extern "C" fn two_state(
        ctx: *const KernelContext,
        _data: *mut MechanismData,
        _inst: u64,
        _v: f64,
        x: *const f64,
        x_old: *const f64,
        jacobian: *mut f64,
        rhs: *mut f64,
    ) {
        if jacobian.is_null() {
            return;
        }
        unsafe {
            let dt = (*ctx).dt;
            let (b, a) = (*x, *x.add(1));
            let j = std::slice::from_raw_parts_mut(jacobian, 4);
            let r = std::slice::from_raw_parts_mut(rhs, 2);
            r[1] = -(a - *x_old.add(1)) / dt;
            j[3] = 1.0 / dt;
            let net = 2.0 * a - b;
            r[1] -= net;
            j[3] += 2.0;
            j[2] -= 1.0;
            r[0] = 1.0 - a - b;
            j[0] = 1.0;
            j[1] = 1.0;
        }
    }

    fn context(dt: f64) -> KernelContext {
        KernelContext {
            t: 0.0,
            dt,
            celsius: 6.3,
            secondorder: 0.0,
            v: std::ptr::null_mut(),
            rhs: std::ptr::null_mut(),
            d: std::ptr::null_mut(),
            area: std::ptr::null(),
            diam: std::ptr::null(),
            node_count: 0,
            services: &crate::services::SERVICES,
            events: std::ptr::null_mut(),
        }
    }

    #[test]
    fn one_backward_euler_step_keeps_the_conservation_law() {
        let ctx = context(0.1);
        // b = 0.2, a = 0.8: a' = -2a + b, backward Euler a1 = (a0 + dt·(1 − a1)·1)/(1 + 2dt).
        let mut x = [0.2, 0.8];
        let status = unsafe {
            sparse(
                2,
                x.as_mut_ptr(),
                two_state,
                SPARSE_LINEAR,
                &ctx,
                std::ptr::null_mut(),
                0,
                0.0,
            )
        };
        assert_eq!(status, STATUS_OK);
        let a1 = (0.8 + 0.1) / (1.0 + 0.3);
        assert!((x[1] - a1).abs() < 1e-14, "{} vs {a1}", x[1]);
        assert!((x[0] + x[1] - 1.0).abs() < 1e-14);
    }

    #[test]
    fn steady_state_is_the_equilibrium() {
        let ctx = context(0.025);
        let mut x = [0.0, 0.0];
        let status = unsafe {
            sparse(
                2,
                x.as_mut_ptr(),
                two_state,
                SPARSE_LINEAR | SPARSE_STEADY_STATE,
                &ctx,
                std::ptr::null_mut(),
                0,
                0.0,
            )
        };
        assert_eq!(status, STATUS_OK);
        // 2a = b, a + b = 1
        assert!((x[1] - 1.0 / 3.0).abs() < 1e-8, "{}", x[1]);
        assert!((x[0] - 2.0 / 3.0).abs() < 1e-8, "{}", x[0]);
    }
}
