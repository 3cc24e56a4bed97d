//! Lowering of SOLVE methods into plain assignments, before code generation.
//!
//! `cnexp` (NUMERICS §5): each `s' = f` is split into `f = a·s + b` with `a = ∂f/∂s` and
//! `b = f(s = 0)`, then replaced by the exact exponential update
//! `s = s + (1 - exp(dt·a))·(-b/a - s)`, or `s = s + dt·b` when `a` is identically 0. When `f` is
//! not linear in `s`, nocmodl evaluates `a` at the old `s` and drops `b`; so do we.

use crate::symbolic::{binary, depends_on, differentiate, negate, substitute};
use crate::CodegenError;
use nmodl_ir::{
    BinaryOp, Block, Builtin, Expression, FunctionKind, Handle, MathFunction, Mechanism,
    SolveMethod, Statement, Storage, Variable, VariableKind,
};

/// Returns a copy of `mech` in which every DERIVATIVE block solved by `cnexp` has its
/// equations replaced by assignments.
pub fn lower_solves(mech: &Mechanism) -> Result<Mechanism, CodegenError> {
    let mut out = mech.clone();
    crate::longitudinal::lower(&mut out)?;
    for solve in &mech.solves {
        let func = &mech.functions[solve.target];
        match (solve.method, func.kind) {
            (SolveMethod::Cnexp, FunctionKind::Derivative) => {
                let body = out.functions[solve.target].body.clone();
                let lowered = lower_cnexp_block(&mut out, &body)?;
                out.functions[solve.target].body = lowered;
            }
            (SolveMethod::Euler, FunctionKind::Kinetic) => {
                let (body, rerun) = crate::kinetic_ode::to_derivatives(&mut out, solve.target)?;
                let mut lowered = lower_euler_block(&mut out, &body)?;
                lowered.statements.extend(rerun.statements);
                out.functions[solve.target].body = lowered;
                out.functions[solve.target].kind = FunctionKind::Derivative;
            }
            // runge keeps the derivatives: the state kernel evaluates the block four times
            // (emit::runge); a KINETIC block's reactions become derivatives first.
            (SolveMethod::Runge, FunctionKind::Derivative) => {}
            (SolveMethod::Runge, FunctionKind::Kinetic) => {
                let (body, _) = crate::kinetic_ode::to_derivatives(&mut out, solve.target)?;
                // It stays a KINETIC block: the state kernel runs it once more after the step.
                out.functions[solve.target].body = body;
            }
            (SolveMethod::Euler, FunctionKind::Derivative) => {
                let body = out.functions[solve.target].body.clone();
                let lowered = lower_euler_block(&mut out, &body)?;
                out.functions[solve.target].body = lowered;
            }
            // derivimplicit keeps its equations: the kernels evaluate them inside the
            // simulator's Newton iteration (emit::derivimplicit).
            (SolveMethod::Derivimplicit, FunctionKind::Derivative) => {}
            (SolveMethod::None, FunctionKind::Procedure) => {}
            // sparse keeps the reactions: the block becomes the system function that the
            // runtime's sparse service iterates on (emit::kinetic).
            (SolveMethod::Sparse, FunctionKind::Kinetic) => {}
            // A LINEAR block is solved by the same service, in one pass (emit::kinetic).
            (SolveMethod::None, FunctionKind::Linear) => {}
            // A NONLINEAR block is solved by the Newton service (emit::nonlinear).
            (SolveMethod::None, FunctionKind::NonLinear) => {}
            // The fixed step calls after_cvode procedures in the state update, with the
            // other SOLVEs (NUMERICS §1 item 10).
            (SolveMethod::AfterCvode, FunctionKind::Procedure) => {}
            (method, kind) => {
                return Err(CodegenError::unsupported(
                    solve.span,
                    format!(
                        "SOLVE {} METHOD {:?} of a {:?} block is not supported yet",
                        func.name, method, kind
                    ),
                ))
            }
        }
    }
    Ok(out)
}

fn dt_variable(mech: &mut Mechanism) -> Handle<Variable> {
    if let Some((h, _)) = mech
        .variables
        .iter()
        .find(|(_, v)| v.kind == VariableKind::Builtin(Builtin::Dt))
    {
        return h;
    }
    mech.variables.append(Variable {
        name: "dt".into(),
        kind: VariableKind::Builtin(Builtin::Dt),
        storage: Storage::Builtin,
        visible: false,
        size: None,
        default: None,
        units: Some("ms".into()),
        span: Default::default(),
    })
}

fn lower_cnexp_block(mech: &mut Mechanism, block: &Block) -> Result<Block, CodegenError> {
    let mut statements = Vec::with_capacity(block.statements.len());
    for s in &block.statements {
        statements.push(match s {
            Statement::Derivative {
                state,
                index: None,
                value,
                span,
            } => cnexp_update(mech, *state, *value, *span)?,
            Statement::Derivative { span, .. } => {
                return Err(CodegenError::unsupported(
                    *span,
                    "cnexp of an array STATE is not supported yet".into(),
                ))
            }
            Statement::If {
                condition,
                accept,
                reject,
            } => Statement::If {
                condition: *condition,
                accept: lower_cnexp_block(mech, accept)?,
                reject: lower_cnexp_block(mech, reject)?,
            },
            other => other.clone(),
        });
    }
    Ok(Block { statements })
}

/// `euler` (NUMERICS §5): every derivative is evaluated with the old states, then every
/// state advances by dt times its derivative: `s' = f` becomes `ds = f` in place, and
/// `s = s + dt*ds` for all states is appended to the block.
fn lower_euler_block(mech: &mut Mechanism, block: &Block) -> Result<Block, CodegenError> {
    let mut statements = Vec::with_capacity(block.statements.len() * 2);
    let mut updates = Vec::new();
    for s in &block.statements {
        match s {
            Statement::Derivative {
                state,
                index: None,
                value,
                span,
            } => {
                let name = format!("d{}_dt", mech.variables[*state].name);
                let slope = mech.variables.append(Variable {
                    name,
                    kind: VariableKind::Local,
                    storage: Storage::Local,
                    visible: false,
                    size: None,
                    default: None,
                    units: None,
                    span: *span,
                });
                statements.push(Statement::Assign {
                    target: slope,
                    index: None,
                    value: *value,
                    span: *span,
                });
                updates.push((*state, slope, *span));
            }
            Statement::Derivative { span, .. } => {
                return Err(CodegenError::unsupported(
                    *span,
                    "euler of an array STATE is not supported yet".into(),
                ))
            }
            other => statements.push(other.clone()),
        }
    }
    let dt = dt_variable(mech);
    for (state, slope, span) in updates {
        let dt_load = mech.expressions.append(Expression::Load(dt));
        let d = mech.expressions.append(Expression::Load(slope));
        let s = mech.expressions.append(Expression::Load(state));
        let step = mech
            .expressions
            .append(Expression::Binary(BinaryOp::Mul, dt_load, d));
        let value = mech
            .expressions
            .append(Expression::Binary(BinaryOp::Add, s, step));
        statements.push(Statement::Assign {
            target: state,
            index: None,
            value,
            span,
        });
    }
    Ok(Block { statements })
}

fn cnexp_update(
    mech: &mut Mechanism,
    state: Handle<Variable>,
    f: Handle<Expression>,
    span: nmodl_ir::Span,
) -> Result<Statement, CodegenError> {
    let a = differentiate(mech, f, state).map_err(|e| {
        CodegenError::unsupported(
            span,
            format!(
                "cnexp cannot solve this equation ({}); derivimplicit is not supported yet",
                e.0
            ),
        )
    })?;
    let linear = !depends_on(mech, a, state);
    let b = if linear {
        substitute(mech, f, state, 0.0)
    } else {
        mech.expressions.append(Expression::Number(0.0))
    };
    let dt = dt_variable(mech);
    let dt_load = mech.expressions.append(Expression::Load(dt));
    let s = mech.expressions.append(Expression::Load(state));
    let a_is_zero = matches!(mech.expressions[a], Expression::Number(x) if x == 0.0);
    let value = if a_is_zero {
        // s + dt*b
        let step = binary(mech, BinaryOp::Mul, dt_load, b);
        binary(mech, BinaryOp::Add, s, step)
    } else {
        // s + (1 - exp(dt*a))*(-b/a - s)
        let dta = dt_times(mech, dt_load, a);
        let args = mech.push_args(&[dta]);
        let exp = mech
            .expressions
            .append(Expression::Math(MathFunction::Exp, args));
        let one = mech.expressions.append(Expression::Number(1.0));
        let decay = mech
            .expressions
            .append(Expression::Binary(BinaryOp::Sub, one, exp));
        // -b/a is the steady state. When f is written as a relaxation, (X - s)/Y or
        // (X - s)*K, it is X itself: taking X saves two divisions per state and step (nocmodl
        // divides; the two differ by round-off only).
        let ratio = match relaxation_target(mech, f, state) {
            Some(target) => target,
            None => {
                let minus_b = negate(mech, b);
                mech.expressions
                    .append(Expression::Binary(BinaryOp::Div, minus_b, a))
            }
        };
        let gap = mech
            .expressions
            .append(Expression::Binary(BinaryOp::Sub, ratio, s));
        let step = mech
            .expressions
            .append(Expression::Binary(BinaryOp::Mul, decay, gap));
        mech.expressions
            .append(Expression::Binary(BinaryOp::Add, s, step))
    };
    Ok(Statement::Assign {
        target: state,
        index: None,
        value,
        span,
    })
}

/// dt·a. Where a is ±1/Y (a relaxation's (X - s)/Y gives -1/Y) it is (±dt)/Y: one
/// rounding where nocmodl's dt·(-1/Y) has two (the quotient alone is the nearer of the two,
/// which differ by round-off only), and no multiply between Y and the exp, which waits for it.
fn dt_times(
    mech: &mut Mechanism,
    dt: Handle<Expression>,
    a: Handle<Expression>,
) -> Handle<Expression> {
    if let Expression::Binary(BinaryOp::Div, numerator, y) = mech.expressions[a] {
        if let Expression::Number(c) = mech.expressions[numerator] {
            if c == 1.0 {
                return binary(mech, BinaryOp::Div, dt, y);
            }
            if c == -1.0 {
                let minus_dt = mech
                    .expressions
                    .append(Expression::Unary(nmodl_ir::UnaryOp::Neg, dt));
                return binary(mech, BinaryOp::Div, minus_dt, y);
            }
        }
    }
    binary(mech, BinaryOp::Mul, dt, a)
}

/// X when `f` is (X - s)/Y, (X - s)*K or K*(X - s) with X, Y and K free of `s`: the value `s`
/// relaxes to.
fn relaxation_target(
    mech: &Mechanism,
    f: Handle<Expression>,
    s: Handle<Variable>,
) -> Option<Handle<Expression>> {
    let free = |e: Handle<Expression>| !depends_on(mech, e, s);
    let difference = match mech.expressions[f] {
        Expression::Binary(BinaryOp::Div, d, y) if free(y) => d,
        Expression::Binary(BinaryOp::Mul, d, k) if free(k) => d,
        Expression::Binary(BinaryOp::Mul, k, d) if free(k) => d,
        _ => return None,
    };
    match mech.expressions[difference] {
        Expression::Binary(BinaryOp::Sub, x, load)
            if free(x) && matches!(mech.expressions[load], Expression::Load(v) if v == s) =>
        {
            Some(x)
        }
        _ => None,
    }
}
