//! NONLINEAR blocks and `SOLVE x STEADYSTATE derivimplicit`: both go through the runtime's
//! Newton service ([`rsnrn_abi::Services::derivimplicit`]).
//!
//! A NONLINEAR block becomes a residual function with the signature of a derivative function
//! ([`rsnrn_abi::DerivativeFn`]): at given unknowns it runs the block and writes `rhs − lhs`
//! of its k-th `~ lhs = rhs` equation to entry k, as nocmodl's code does; the service, told
//! [`rsnrn_abi::NEWTON_ALGEBRAIC`], drives the residuals to zero by scopmath's `newton`
//! (numerical Jacobian, the same convergence test as derivimplicit). The unknowns are the
//! STATEs the equations mention, in the order they first appear (nocmodl's).
//!
//! `STEADYSTATE derivimplicit` is what NEURON 9.0.2 makes of it: one step of the block's
//! BREAKPOINT method with dt = 1e-9 ms (scopmath's `_ss_derivimplicit_thread`), not a search
//! for the steady state. With derivimplicit the service does that step
//! ([`rsnrn_abi::NEWTON_STEADY_STATE`]); with cnexp the lowered block runs here with `dt` =
//! 1e-9 (its derivatives are never stored, so secondorder adds nothing, as in NEURON).

use super::body::{BodyEmitter, F64};
use super::kinetic::statements;
use super::{derivimplicit, enter_body, Symbols};
use crate::layout::Layout;
use crate::CodegenError;
use cranelift_codegen::ir::{InstBuilder, Value};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::Module;
use nmodl_ir::{
    Block, Expression, Function, FunctionKind, Handle, Mechanism, Solve, SolveMethod, Statement,
    Variable,
};
use rsnrn_abi::{NEWTON_ALGEBRAIC, NEWTON_STEADY_STATE, STEADY_STATE_DERIVIMPLICIT_DT};

type Result<T> = std::result::Result<T, CodegenError>;

/// Every SOLVE of the mechanism: BREAKPOINT's and the SOLVE statements in INITIAL and in
/// every function body.
pub(crate) fn all_solves(mech: &Mechanism) -> Vec<Solve> {
    let mut out: Vec<Solve> = mech.solves.clone();
    let blocks = mech
        .initial
        .iter()
        .chain(mech.breakpoint.iter())
        .chain(mech.functions.iter().map(|(_, f)| &f.body));
    for block in blocks {
        for s in statements(block) {
            if let Statement::Solve(solve) = s {
                out.push(*solve);
            }
        }
    }
    out
}

/// The NONLINEAR blocks some SOLVE solves.
pub(crate) fn nonlinear_targets(mech: &Mechanism) -> Vec<Handle<Function>> {
    let mut out = Vec::new();
    for s in all_solves(mech) {
        if mech.functions[s.target].kind == FunctionKind::NonLinear && !out.contains(&s.target) {
            out.push(s.target);
        }
    }
    out
}

/// The method BREAKPOINT integrates `f` with, if it does.
fn breakpoint_method(mech: &Mechanism, f: Handle<Function>) -> Option<SolveMethod> {
    mech.solves.iter().find(|s| s.target == f).map(|s| s.method)
}

/// DERIVATIVE blocks that need a derivative function for a SOLVE outside BREAKPOINT
/// (`STEADYSTATE derivimplicit` of a block BREAKPOINT does not integrate by cnexp or euler).
pub(crate) fn extra_derivative_targets(mech: &Mechanism) -> Vec<Handle<Function>> {
    let mut out = Vec::new();
    for s in all_solves(mech) {
        let lowered = matches!(
            breakpoint_method(mech, s.target),
            Some(SolveMethod::Cnexp | SolveMethod::Euler)
        );
        if s.method == SolveMethod::Derivimplicit
            && mech.functions[s.target].kind == FunctionKind::Derivative
            && !lowered
            && !out.contains(&s.target)
        {
            out.push(s.target);
        }
    }
    out
}

fn equations(body: &Block) -> Vec<(Handle<Expression>, Handle<Expression>, nmodl_ir::Span)> {
    statements(body)
        .into_iter()
        .filter_map(|s| match s {
            Statement::Equation { lhs, rhs, span } => Some((*lhs, *rhs, *span)),
            _ => None,
        })
        .collect()
}

/// STATEs loaded by `e`, in the order they first appear, added to `out`.
fn states_in(mech: &Mechanism, e: Handle<Expression>, out: &mut Vec<Handle<Variable>>) {
    match &mech.expressions[e] {
        Expression::Number(_) => {}
        Expression::Load(v) | Expression::LoadElement(v, _) => {
            let is_state = mech.states.iter().any(|s| s.variable == *v);
            if is_state && !out.contains(v) {
                out.push(*v);
            }
            if let Expression::LoadElement(_, i) = mech.expressions[e] {
                states_in(mech, i, out);
            }
        }
        Expression::Unary(_, a) => states_in(mech, *a, out),
        Expression::Binary(_, a, b) => {
            states_in(mech, *a, out);
            states_in(mech, *b, out);
        }
        Expression::Call(_, args)
        | Expression::Math(_, args)
        | Expression::Intrinsic(_, args, _) => {
            for &a in mech.args(*args) {
                states_in(mech, a, out);
            }
        }
    }
}

/// The unknowns of NONLINEAR block `f`: the STATEs its equations mention, one per equation.
pub(crate) fn unknowns(mech: &Mechanism, f: Handle<Function>) -> Result<Vec<Handle<Variable>>> {
    let func = &mech.functions[f];
    let eqs = equations(&func.body);
    let mut out = Vec::new();
    for &(lhs, rhs, span) in &eqs {
        states_in(mech, lhs, &mut out);
        states_in(mech, rhs, &mut out);
        if let Some(&array) = out.iter().find(|v| mech.variables[**v].size.is_some()) {
            return Err(CodegenError::unsupported(
                span,
                format!(
                    "array STATE {} in a NONLINEAR equation is not supported yet",
                    mech.variables[array].name
                ),
            ));
        }
    }
    if out.len() != eqs.len() {
        return Err(CodegenError::at(
            func.span,
            format!(
                "NONLINEAR {} has {} equations for {} STATEs",
                func.name,
                eqs.len(),
                out.len()
            ),
        ));
    }
    Ok(out)
}

/// Where the equations of a NONLINEAR block write their residuals while its residual function
/// is emitted: the array and the number of equations emitted so far.
#[derive(Clone, Copy)]
pub(crate) struct ResidualSink {
    residuals: Value,
    next: usize,
}

#[allow(clippy::too_many_arguments)]
pub(super) fn emit_residual_fn(
    module: &mut dyn Module,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    mech: &Mechanism,
    layout: &Layout,
    symbols: &Symbols,
    f: Handle<Function>,
) -> Result<()> {
    let unknowns = unknowns(mech, f)?;
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let (env, extra) = enter_body(&mut b);
    let (x, residuals) = (extra[0], extra[1]);
    let mut e = BodyEmitter::new(b, mech, layout, symbols, module, env);
    let body = &mech.functions[f].body;
    e.reset_locals_of(body);
    for (k, &s) in unknowns.iter().enumerate() {
        let value = e.load_f64_at(x, k);
        e.store_var(s, None, value)?;
    }
    e.residual_sink = Some(ResidualSink { residuals, next: 0 });
    e.block(body)?;
    e.b.ins().return_(&[]);
    e.finish();
    Ok(())
}

/// `~ lhs = rhs` in a NONLINEAR block's residual function: entry k = rhs − lhs.
pub(super) fn equation(
    e: &mut BodyEmitter,
    lhs: Handle<Expression>,
    rhs: Handle<Expression>,
) -> Result<()> {
    let sink = e.residual_sink.expect("only called with a sink");
    e.residual_sink = Some(ResidualSink {
        next: sink.next + 1,
        ..sink
    });
    let l = e.expr(lhs)?;
    let r = e.expr(rhs)?;
    let minus_l = e.b.ins().fneg(l);
    let residual = e.b.ins().fadd(minus_l, r);
    e.store_f64_at(residual, sink.residuals, sink.next);
    Ok(())
}

/// Whether [`solve`] emits this SOLVE statement (outside BREAKPOINT's list).
pub(super) fn handles(e: &BodyEmitter, s: &Solve) -> bool {
    match (s.method, e.mech.functions[s.target].kind) {
        (SolveMethod::None, FunctionKind::NonLinear) => e.symbols.nonlinear(s.target).is_some(),
        (SolveMethod::Derivimplicit, FunctionKind::Derivative) => true,
        _ => false,
    }
}

/// A SOLVE of a NONLINEAR block, or a derivimplicit SOLVE outside BREAKPOINT, for the
/// current instance.
pub(super) fn solve(e: &mut BodyEmitter, s: &Solve) -> Result<()> {
    if let Some(residual) = e.symbols.nonlinear(s.target) {
        let unknowns = unknowns(e.mech, s.target)?;
        return derivimplicit::emit_newton(e, &unknowns, residual, NEWTON_ALGEBRAIC);
    }
    let flags = if s.steady_state {
        NEWTON_STEADY_STATE
    } else {
        0
    };
    if let Some(derivative) = e.symbols.derivative(s.target) {
        let states = derivimplicit::derivative_states(e.mech, s.target);
        return derivimplicit::emit_newton(e, &states, derivative, flags);
    }
    let name = &e.mech.functions[s.target].name;
    match breakpoint_method(e.mech, s.target) {
        Some(SolveMethod::Cnexp) if s.steady_state && e.symbols.inlinable(s.target) => {
            let tiny = e.f64(STEADY_STATE_DERIVIMPLICIT_DT);
            let saved = e.dt_override.replace(tiny);
            let done = e.inline_call(s.target, &[]);
            e.dt_override = saved;
            done.map(|_| ())
        }
        Some(method) => Err(CodegenError::unsupported(
            s.span,
            format!(
                "SOLVE {name} {} derivimplicit of a block BREAKPOINT integrates by {} is not supported",
                if s.steady_state { "STEADYSTATE" } else { "METHOD" },
                method.name()
            ),
        )),
        None => Err(CodegenError::internal(format!(
            "no derivative function for {name}"
        ))),
    }
}

/// Whether nocmodl's state update of `mech` runs with dt/2 under secondorder for its cnexp
/// blocks too: it does so once any SOLVE outside BREAKPOINT uses derivimplicit (checked for
/// `STEADYSTATE derivimplicit` of a cnexp block; a mechanism of cnexp blocks alone does not).
pub(super) fn halves_dt_in_state(mech: &Mechanism) -> bool {
    // all_solves lists BREAKPOINT's first.
    all_solves(mech)
        .iter()
        .skip(mech.solves.len())
        .any(|s| s.method == SolveMethod::Derivimplicit)
}

/// `dt`, or `dt/2` when secondorder ≠ 0 (read from the context at run time).
pub(super) fn half_dt_under_secondorder(e: &mut BodyEmitter) -> Value {
    use rsnrn_abi::KernelContext;
    use std::mem::offset_of;
    let ctx = e.env.ctx;
    let flags = super::body::flags();
    let dt =
        e.b.ins()
            .load(F64, flags, ctx, offset_of!(KernelContext, dt) as i32);
    let order = e.b.ins().load(
        F64,
        flags,
        ctx,
        offset_of!(KernelContext, secondorder) as i32,
    );
    let half = e.f64(0.5);
    let halved = e.b.ins().fmul(dt, half);
    let zero = e.f64(0.0);
    let second = e.b.ins().fcmp(
        cranelift_codegen::ir::condcodes::FloatCC::NotEqual,
        order,
        zero,
    );
    e.b.ins().select(second, halved, dt)
}

impl BodyEmitter<'_, '_> {
    pub(super) fn load_f64_at(&mut self, base: Value, k: usize) -> Value {
        self.b
            .ins()
            .load(F64, super::body::flags(), base, (k * 8) as i32)
    }

    pub(super) fn store_f64_at(&mut self, value: Value, base: Value, k: usize) {
        self.b
            .ins()
            .store(super::body::flags(), value, base, (k * 8) as i32);
    }
}
