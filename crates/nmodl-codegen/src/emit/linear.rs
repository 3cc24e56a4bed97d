//! LINEAR blocks (`SOLVE x` without METHOD): the block becomes a system function, as a
//! KINETIC block does ([`super::kinetic`]), whose rows are the Newton step of its
//! `~ lhs = rhs` equations — `J[k][j] = ∂(lhs − rhs)/∂x_j` by exact symbolic derivatives,
//! `rhs[k] = −(lhs − rhs)` — so the sparse service solves the (linear) system in one pass
//! (nocmodl builds the same coefficients and calls simeq).

use super::body::{flags, BodyEmitter};
use super::kinetic::{f64_at, statements, Unknown};
use super::{enter_body, Symbols};
use crate::layout::Layout;
use crate::CodegenError;
use cranelift_codegen::ir::{InstBuilder, Value};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_module::Module;
use nmodl_ir::{Expression, Function, Handle, Mechanism, Statement};
use std::rc::Rc;

type Result<T> = std::result::Result<T, CodegenError>;

/// What the `~ lhs = rhs` equations of a LINEAR block write to while its system function is
/// emitted: equation k sets row k to its Newton step, `J[k][j] = ∂(lhs − rhs)/∂x_j`,
/// `rhs[k] = −(lhs − rhs)`, which solves the (linear) system in one pass.
#[derive(Clone)]
pub(crate) struct EquationSink {
    jacobian: Value,
    rhs: Value,
    /// Per equation in source order: the residual and its nonzero derivatives by row.
    rows: Rc<Vec<EquationRow>>,
    next: usize,
}

struct EquationRow {
    residual: Handle<Expression>,
    derivatives: Vec<(usize, Handle<Expression>)>,
}

/// The STATEs a LINEAR block's equations mention, in declaration order: its unknowns.
pub(super) fn unknowns(mech: &Mechanism, f: Handle<Function>) -> Result<Vec<Unknown>> {
    let equations: Vec<_> = statements(&mech.functions[f].body)
        .into_iter()
        .filter_map(|s| match s {
            Statement::Equation { lhs, rhs, span } => Some((*lhs, *rhs, *span)),
            _ => None,
        })
        .collect();
    let mut unknowns = Vec::new();
    for s in &mech.states {
        let used = equations.iter().find(|(l, r, _)| {
            crate::symbolic::depends_on(mech, *l, s.variable)
                || crate::symbolic::depends_on(mech, *r, s.variable)
        });
        if let Some(&(_, _, span)) = used {
            if mech.variables[s.variable].size.is_some() {
                return Err(CodegenError::unsupported(
                    span,
                    "array STATEs in LINEAR equations are not supported yet".into(),
                ));
            }
            unknowns.push(Unknown {
                variable: s.variable,
                base: unknowns.len(),
                len: 1,
                array: false,
            });
        }
    }
    if unknowns.len() != equations.len() {
        return Err(CodegenError::at(
            mech.functions[f].span,
            format!(
                "LINEAR {} has {} equations for {} STATEs",
                mech.functions[f].name,
                equations.len(),
                unknowns.len()
            ),
        ));
    }
    Ok(unknowns)
}

/// The Jacobian rows of a LINEAR block, differentiated into `mech` (a copy of the
/// mechanism that the system function is emitted from).
fn rows(
    mech: &mut Mechanism,
    f: Handle<Function>,
    unknowns: &[Unknown],
) -> Result<Vec<EquationRow>> {
    let equations: Vec<_> = statements(&mech.functions[f].body)
        .into_iter()
        .filter_map(|s| match s {
            Statement::Equation { lhs, rhs, span } => Some((*lhs, *rhs, *span)),
            _ => None,
        })
        .collect();
    let mut rows = Vec::new();
    for (lhs, rhs, span) in equations {
        let residual = crate::symbolic::binary(mech, nmodl_ir::BinaryOp::Sub, lhs, rhs);
        let mut derivatives = Vec::new();
        for u in unknowns {
            let d = crate::symbolic::differentiate(mech, residual, u.variable)
                .map_err(|e| CodegenError::at(span, format!("this LINEAR equation: {}", e.0)))?;
            if unknowns
                .iter()
                .any(|w| crate::symbolic::depends_on(mech, d, w.variable))
            {
                return Err(CodegenError::at(
                    span,
                    "this LINEAR equation is not linear in its STATEs".into(),
                ));
            }
            if !matches!(mech.expressions[d], Expression::Number(x) if x == 0.0) {
                derivatives.push((u.base, d));
            }
        }
        rows.push(EquationRow {
            residual,
            derivatives,
        });
    }
    Ok(rows)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn emit_system_fn(
    module: &mut dyn Module,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    mech: &Mechanism,
    layout: &Layout,
    symbols: &Symbols,
    f: Handle<Function>,
) -> Result<()> {
    let unknowns = unknowns(mech, f)?;
    let mut derived = mech.clone();
    let rows = rows(&mut derived, f, &unknowns)?;
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let (env, extra) = enter_body(&mut b);
    let (x, jacobian, rhs) = (extra[0], extra[2], extra[3]);
    let mut e = BodyEmitter::new(b, &derived, layout, symbols, module, env);
    let body = &derived.functions[f].body;
    e.reset_locals_of(body);
    for u in &unknowns {
        let value = f64_at(&mut e, x, u.base);
        e.store_var(u.variable, None, value)?;
    }
    e.equation_sink = Some(EquationSink {
        jacobian,
        rhs,
        rows: Rc::new(rows),
        next: 0,
    });
    e.block(body)?;
    e.b.ins().return_(&[]);
    e.finish();
    Ok(())
}

/// A `~ lhs = rhs` statement inside a LINEAR block's system function.
pub(super) fn equation(e: &mut BodyEmitter) -> Result<()> {
    let sink = e.equation_sink.clone().expect("only called with a sink");
    let n = sink.rows.len();
    let k = sink.next;
    e.equation_sink.as_mut().expect("checked").next += 1;
    let row = &sink.rows[k];
    let r = e.expr(row.residual)?;
    let minus_r = e.b.ins().fneg(r);
    e.b.ins().store(flags(), minus_r, sink.rhs, (k * 8) as i32);
    for &(column, d) in &row.derivatives {
        let value = e.expr(d)?;
        e.b.ins()
            .store(flags(), value, sink.jacobian, ((k * n + column) * 8) as i32);
    }
    Ok(())
}
