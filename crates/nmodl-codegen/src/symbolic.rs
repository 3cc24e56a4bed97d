//! Symbolic differentiation on IR expressions, as nocmodl does for `cnexp`.
//!
//! Results are appended to the mechanism's expression arena. The simplifications are the
//! few that make `d/dm (minf - m)/mtau` come out as `(-1)/mtau`, the form NEURON evaluates.

use nmodl_ir::{BinaryOp, Expression, Handle, MathFunction, Mechanism, UnaryOp, Variable};

type Expr = Handle<Expression>;

/// Why an expression could not be differentiated (nocmodl falls back to derivimplicit then).
#[derive(Debug, Clone, PartialEq)]
pub struct NotDifferentiable(pub String);

pub fn depends_on(mech: &Mechanism, e: Expr, var: Handle<Variable>) -> bool {
    match mech.expressions[e] {
        Expression::Number(_) => false,
        Expression::Load(v) => v == var,
        Expression::LoadElement(v, i) => v == var || depends_on(mech, i, var),
        Expression::Unary(_, a) => depends_on(mech, a, var),
        Expression::Binary(_, a, b) => depends_on(mech, a, var) || depends_on(mech, b, var),
        Expression::Call(_, args) | Expression::Math(_, args) => {
            mech.args(args).iter().any(|&a| depends_on(mech, a, var))
        }
        Expression::Intrinsic(_, args, _) => {
            mech.args(args).iter().any(|&a| depends_on(mech, a, var))
        }
    }
}

fn number(mech: &mut Mechanism, x: f64) -> Expr {
    mech.expressions.append(Expression::Number(x))
}

fn as_number(mech: &Mechanism, e: Expr) -> Option<f64> {
    match mech.expressions[e] {
        Expression::Number(x) => Some(x),
        _ => None,
    }
}

/// Builds `a op b` with the identities x+0, 0+x, x-0, 0-x, x*1, 1*x, x*0, 0*x, x/1, 0/x folded.
pub fn binary(mech: &mut Mechanism, op: BinaryOp, a: Expr, b: Expr) -> Expr {
    let (na, nb) = (as_number(mech, a), as_number(mech, b));
    match (op, na, nb) {
        (BinaryOp::Add, Some(0.0), _) => b,
        (BinaryOp::Add, _, Some(0.0)) => a,
        (BinaryOp::Sub, _, Some(0.0)) => a,
        (BinaryOp::Sub, Some(0.0), _) => negate(mech, b),
        (BinaryOp::Mul, Some(0.0), _) => a,
        (BinaryOp::Mul, _, Some(0.0)) => b,
        (BinaryOp::Mul, Some(1.0), _) => b,
        (BinaryOp::Mul, _, Some(1.0)) => a,
        (BinaryOp::Div, _, Some(1.0)) => a,
        (BinaryOp::Div, Some(0.0), _) => a,
        _ => mech.expressions.append(Expression::Binary(op, a, b)),
    }
}

pub fn negate(mech: &mut Mechanism, a: Expr) -> Expr {
    match mech.expressions[a] {
        Expression::Number(x) => number(mech, -x),
        Expression::Unary(UnaryOp::Neg, inner) => inner,
        _ => mech.expressions.append(Expression::Unary(UnaryOp::Neg, a)),
    }
}

/// d e / d var.
pub fn differentiate(
    mech: &mut Mechanism,
    e: Expr,
    var: Handle<Variable>,
) -> Result<Expr, NotDifferentiable> {
    if !depends_on(mech, e, var) {
        return Ok(number(mech, 0.0));
    }
    match mech.expressions[e] {
        Expression::Number(_) => Ok(number(mech, 0.0)),
        Expression::Load(v) => Ok(number(mech, if v == var { 1.0 } else { 0.0 })),
        Expression::LoadElement(..) => Err(NotDifferentiable(
            "the equation uses an array element of its own state".into(),
        )),
        Expression::Unary(UnaryOp::Neg, a) => {
            let da = differentiate(mech, a, var)?;
            Ok(negate(mech, da))
        }
        Expression::Unary(UnaryOp::Not, _) => Err(NotDifferentiable(
            "the equation uses a logical operator on its state".into(),
        )),
        Expression::Binary(op, a, b) => {
            let da = differentiate(mech, a, var)?;
            let db = differentiate(mech, b, var)?;
            match op {
                BinaryOp::Add | BinaryOp::Sub => Ok(binary(mech, op, da, db)),
                BinaryOp::Mul => {
                    let l = binary(mech, BinaryOp::Mul, da, b);
                    let r = binary(mech, BinaryOp::Mul, a, db);
                    Ok(binary(mech, BinaryOp::Add, l, r))
                }
                BinaryOp::Div => {
                    if !depends_on(mech, b, var) {
                        return Ok(binary(mech, BinaryOp::Div, da, b));
                    }
                    // (da*b - a*db)/(b*b)
                    let l = binary(mech, BinaryOp::Mul, da, b);
                    let r = binary(mech, BinaryOp::Mul, a, db);
                    let num = binary(mech, BinaryOp::Sub, l, r);
                    let den = binary(mech, BinaryOp::Mul, b, b);
                    Ok(binary(mech, BinaryOp::Div, num, den))
                }
                BinaryOp::Pow => {
                    if depends_on(mech, b, var) {
                        return Err(NotDifferentiable("the state appears in an exponent".into()));
                    }
                    // b * a^(b-1) * da
                    let one = number(mech, 1.0);
                    let bm1 = binary(mech, BinaryOp::Sub, b, one);
                    let p = binary(mech, BinaryOp::Pow, a, bm1);
                    let bp = binary(mech, BinaryOp::Mul, b, p);
                    Ok(binary(mech, BinaryOp::Mul, bp, da))
                }
                _ => Err(NotDifferentiable(
                    "the equation compares or combines its state logically".into(),
                )),
            }
        }
        Expression::Math(MathFunction::Exp, args) => {
            let a = mech.args(args)[0];
            let da = differentiate(mech, a, var)?;
            Ok(binary(mech, BinaryOp::Mul, e, da))
        }
        Expression::Math(f, _) => Err(NotDifferentiable(format!(
            "the state appears inside {}()",
            f.name()
        ))),
        Expression::Call(..) => Err(NotDifferentiable(
            "the state appears in a FUNCTION call".into(),
        )),
        Expression::Intrinsic(f, _, _) => Err(NotDifferentiable(format!(
            "the state appears inside {}()",
            f.name()
        ))),
    }
}

/// `e` with every load of `var` replaced by the number `value`.
pub fn substitute(mech: &mut Mechanism, e: Expr, var: Handle<Variable>, value: f64) -> Expr {
    if !depends_on(mech, e, var) {
        return e;
    }
    match mech.expressions[e] {
        Expression::Load(v) if v == var => number(mech, value),
        Expression::Unary(op, a) => {
            let a = substitute(mech, a, var, value);
            match op {
                UnaryOp::Neg => negate(mech, a),
                UnaryOp::Not => mech.expressions.append(Expression::Unary(op, a)),
            }
        }
        Expression::Binary(op, a, b) => {
            let a = substitute(mech, a, var, value);
            let b = substitute(mech, b, var, value);
            binary(mech, op, a, b)
        }
        Expression::LoadElement(v, i) => {
            let i = substitute(mech, i, var, value);
            mech.expressions.append(Expression::LoadElement(v, i))
        }
        Expression::Call(f, args) => {
            let list: Vec<Expr> = mech.args(args).to_vec();
            let new: Vec<Expr> = list
                .into_iter()
                .map(|a| substitute(mech, a, var, value))
                .collect();
            let args = mech.push_args(&new);
            mech.expressions.append(Expression::Call(f, args))
        }
        Expression::Math(f, args) => {
            let list: Vec<Expr> = mech.args(args).to_vec();
            let new: Vec<Expr> = list
                .into_iter()
                .map(|a| substitute(mech, a, var, value))
                .collect();
            let args = mech.push_args(&new);
            mech.expressions.append(Expression::Math(f, args))
        }
        Expression::Intrinsic(f, args, span) => {
            let list: Vec<Expr> = mech.args(args).to_vec();
            let new: Vec<Expr> = list
                .into_iter()
                .map(|a| substitute(mech, a, var, value))
                .collect();
            let args = mech.push_args(&new);
            mech.expressions
                .append(Expression::Intrinsic(f, args, span))
        }
        Expression::Number(_) | Expression::Load(_) => e,
    }
}
