//! `SOLVE kin METHOD euler` of a KINETIC block: nocmodl turns the reactions into
//! derivatives and integrates those (it refuses cnexp and derivimplicit for KINETIC blocks,
//! and ignores CONSERVE, saying so). The block becomes, as in nocmodl's code:
//!
//! * `D_s = 0` for every STATE the reactions involve;
//! * per reaction `f_flux = kf·Π lhs`, `b_flux = kb·Π rhs` (the terms last-written first),
//!   `D_s −= ν·(f_flux − b_flux)` for each left STATE and `+=` for each right one;
//!   `~ s << (x)` sets `f_flux = 0`, `b_flux = x` and adds x to `D_s`;
//! * at the end every `D_s` divided by its COMPARTMENT volume, then `s' = D_s`.
//!
//! After the euler update nocmodl runs the block once more at the new states (so that
//! assignments such as `cai = ca` see them); the lowered block does the same.

use crate::symbolic::binary;
use crate::CodegenError;
use nmodl_ir::{
    BinaryOp, Block, Expression, FluxDirection, Function, Handle, Mechanism, Reactant,
    ReactionKind, Span, Statement, Storage, Variable, VariableKind,
};

type Result<T> = std::result::Result<T, CodegenError>;

struct Lowering {
    /// Per involved STATE: its derivative accumulator, in the order first met.
    derivatives: Vec<(Handle<Variable>, Handle<Variable>)>,
    volumes: Vec<(Handle<Variable>, Handle<Expression>)>,
    fluxes: Vec<(Handle<Variable>, FluxDirection)>,
}

fn is_state(mech: &Mechanism, v: Handle<Variable>) -> bool {
    mech.states.iter().any(|s| s.variable == v)
}

fn load(mech: &mut Mechanism, v: Handle<Variable>) -> Handle<Expression> {
    mech.expressions.append(Expression::Load(v))
}

fn number(mech: &mut Mechanism, x: f64) -> Handle<Expression> {
    mech.expressions.append(Expression::Number(x))
}

fn assign(target: Handle<Variable>, value: Handle<Expression>, span: Span) -> Statement {
    Statement::Assign {
        target,
        index: None,
        value,
        span,
    }
}

impl Lowering {
    fn derivative(&mut self, mech: &mut Mechanism, s: Handle<Variable>) -> Handle<Variable> {
        if let Some(&(_, d)) = self.derivatives.iter().find(|(v, _)| *v == s) {
            return d;
        }
        let d = mech.variables.append(Variable {
            name: format!("D{}", mech.variables[s].name),
            kind: VariableKind::Local,
            storage: Storage::Local,
            visible: false,
            size: None,
            default: None,
            units: None,
            span: mech.variables[s].span,
        });
        self.derivatives.push((s, d));
        d
    }

    fn set_fluxes(
        &self,
        forward: Handle<Expression>,
        backward: Handle<Expression>,
        span: Span,
        out: &mut Vec<Statement>,
    ) {
        for &(v, d) in &self.fluxes {
            let value = match d {
                FluxDirection::Forward => forward,
                FluxDirection::Backward => backward,
            };
            out.push(assign(v, value, span));
        }
    }

    /// `rate · Π terms`, the terms last-written first, each as often as its coefficient.
    fn product(
        mech: &mut Mechanism,
        rate: Handle<Expression>,
        side: &[Reactant],
    ) -> Handle<Expression> {
        let mut acc = rate;
        for t in side.iter().rev() {
            for _ in 0..t.coefficient {
                let value = load(mech, t.species);
                acc = mech
                    .expressions
                    .append(Expression::Binary(BinaryOp::Mul, acc, value));
            }
        }
        acc
    }

    /// `D_s = D_s ± ν·amount` for every STATE of `side`.
    fn accumulate(
        &mut self,
        mech: &mut Mechanism,
        side: &[Reactant],
        amount: Handle<Expression>,
        subtract: bool,
        span: Span,
        out: &mut Vec<Statement>,
    ) {
        for t in side.iter().rev() {
            if !is_state(mech, t.species) {
                continue;
            }
            let d = self.derivative(mech, t.species);
            let scaled = if t.coefficient == 1 {
                amount
            } else {
                let c = number(mech, f64::from(t.coefficient));
                mech.expressions
                    .append(Expression::Binary(BinaryOp::Mul, c, amount))
            };
            let old = load(mech, d);
            let op = if subtract {
                BinaryOp::Sub
            } else {
                BinaryOp::Add
            };
            let new = mech.expressions.append(Expression::Binary(op, old, scaled));
            out.push(assign(d, new, span));
        }
    }

    fn block(&mut self, mech: &mut Mechanism, block: &Block) -> Result<Block> {
        let mut out = Vec::new();
        for s in &block.statements {
            match s {
                Statement::Reaction(r) => {
                    let all = r.lhs.iter().chain(match &r.kind {
                        ReactionKind::Reversible { rhs, .. }
                        | ReactionKind::Irreversible { rhs, .. } => rhs.iter(),
                        ReactionKind::Flux { .. } => [].iter(),
                    });
                    for t in all {
                        if t.index.is_some() || mech.variables[t.species].size.is_some() {
                            return Err(CodegenError::unsupported(
                                r.span,
                                "KINETIC by euler with array STATEs is not supported yet".into(),
                            ));
                        }
                    }
                    match &r.kind {
                        ReactionKind::Flux { flux } => {
                            let zero = number(mech, 0.0);
                            self.set_fluxes(zero, *flux, r.span, &mut out);
                            let t = &r.lhs[0];
                            if is_state(mech, t.species) {
                                let d = self.derivative(mech, t.species);
                                let old = load(mech, d);
                                let new = mech.expressions.append(Expression::Binary(
                                    BinaryOp::Add,
                                    old,
                                    *flux,
                                ));
                                out.push(assign(d, new, r.span));
                            }
                        }
                        ReactionKind::Reversible { .. } | ReactionKind::Irreversible { .. } => {
                            let (rhs, kf, kb) = match &r.kind {
                                ReactionKind::Reversible {
                                    rhs,
                                    forward,
                                    backward,
                                } => (rhs.clone(), *forward, *backward),
                                ReactionKind::Irreversible { rhs, rate } => {
                                    (rhs.clone(), *rate, number(mech, 0.0))
                                }
                                ReactionKind::Flux { .. } => unreachable!("handled above"),
                            };
                            let ff = Self::product(mech, kf, &r.lhs);
                            let bf = Self::product(mech, kb, &rhs);
                            self.set_fluxes(ff, bf, r.span, &mut out);
                            let net = binary(mech, BinaryOp::Sub, ff, bf);
                            self.accumulate(mech, &r.lhs, net, true, r.span, &mut out);
                            self.accumulate(mech, &rhs, net, false, r.span, &mut out);
                        }
                    }
                }
                Statement::Compartment(c) => {
                    if c.index.is_some() {
                        return Err(CodegenError::unsupported(
                            c.span,
                            "KINETIC by euler with array STATEs is not supported yet".into(),
                        ));
                    }
                    for &s in &c.species {
                        self.volumes.push((s, c.volume));
                    }
                }
                // nocmodl: "euler method ignores conservation".
                Statement::Conserve(_) => {}
                Statement::LongitudinalDiffusion(c) => {
                    return Err(CodegenError::unsupported(
                        c.span,
                        "LONGITUDINAL_DIFFUSION needs METHOD sparse".into(),
                    ))
                }
                Statement::If {
                    condition,
                    accept,
                    reject,
                } => out.push(Statement::If {
                    condition: *condition,
                    accept: self.block(mech, accept)?,
                    reject: self.block(mech, reject)?,
                }),
                Statement::While { .. } | Statement::For { .. } => {
                    if contains_reaction(s) {
                        return Err(CodegenError::unsupported(
                            s.span().unwrap_or_default(),
                            "reactions inside loops of a KINETIC block solved by euler are not supported yet".into(),
                        ));
                    }
                    out.push(s.clone());
                }
                other => out.push(other.clone()),
            }
        }
        Ok(Block { statements: out })
    }
}

fn contains_reaction(s: &Statement) -> bool {
    let inner = |b: &Block| b.statements.iter().any(contains_reaction);
    match s {
        Statement::Reaction(_) => true,
        Statement::If { accept, reject, .. } => inner(accept) || inner(reject),
        Statement::While { body, .. } | Statement::For { body, .. } => inner(body),
        _ => false,
    }
}

/// The body of KINETIC block `f` as a DERIVATIVE block (`s' = D_s` at its end) and the
/// statements to run again after the update.
pub fn to_derivatives(mech: &mut Mechanism, f: Handle<Function>) -> Result<(Block, Block)> {
    let fluxes = mech
        .variables
        .iter()
        .filter_map(|(h, v)| match v.kind {
            VariableKind::ReactionFlux(d) => Some((h, d)),
            _ => None,
        })
        .collect();
    let mut lowering = Lowering {
        derivatives: Vec::new(),
        volumes: Vec::new(),
        fluxes,
    };
    let original = mech.functions[f].body.clone();
    let span = mech.functions[f].span;
    let body = lowering.block(mech, &original)?;
    let mut statements = Vec::new();
    for &(_, d) in &lowering.derivatives {
        let zero = number(mech, 0.0);
        statements.push(assign(d, zero, span));
    }
    statements.extend(body.statements);
    let rerun = Block {
        statements: statements.clone(),
    };
    for &(s, d) in &lowering.derivatives {
        if let Some(&(_, volume)) = lowering.volumes.iter().find(|(v, _)| *v == s) {
            let old = load(mech, d);
            let value = mech
                .expressions
                .append(Expression::Binary(BinaryOp::Div, old, volume));
            statements.push(assign(d, value, span));
        }
    }
    for &(s, d) in &lowering.derivatives {
        let value = load(mech, d);
        statements.push(Statement::Derivative {
            state: s,
            index: None,
            value,
            span,
        });
    }
    Ok((Block { statements }, rerun))
}
