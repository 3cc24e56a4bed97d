//! LONGITUDINAL_DIFFUSION in a KINETIC block solved by sparse: the runtime diffuses the
//! named STATEs along the section tree after the state update (NEURON's fixed step does it in
//! `long_difus_solve` from the values nocmodl's callback returns). For each diffusing STATE
//! `s` the block gets two hidden range arrays, `ldcoef__s` (the rate expression: diffusion
//! constant times cross-section area) and `ldvol__s` (its COMPARTMENT volume, 1 without one),
//! filled at the end of the block for every element; [`describe`] tells the runtime where
//! they are ([`rsnrn_abi::DiffusionInfo`]).

use crate::CodegenError;
use nmodl_ir::{
    Block, Compartment, Expression, FunctionKind, Handle, Mechanism, SolveMethod, Statement,
    Storage, Variable, VariableKind,
};
use rsnrn_abi::{DiffusionInfo, MechanismInfo};

const COEFFICIENT: &str = "ldcoef__";
const VOLUME: &str = "ldvol__";

fn hidden(mech: &mut Mechanism, name: String, like: Handle<Variable>) -> Handle<Variable> {
    let v = &mech.variables[like];
    let var = Variable {
        name,
        kind: VariableKind::Assigned,
        storage: Storage::Range,
        visible: false,
        size: v.size,
        default: None,
        units: None,
        span: v.span,
    };
    mech.variables.append(var)
}

/// `target[counter] = value` for every element (a FROM loop over `counter` for arrays).
fn fill(
    mech: &mut Mechanism,
    species: &str,
    target: Handle<Variable>,
    counter: Option<Handle<Variable>>,
    value: Handle<Expression>,
    span: nmodl_ir::Span,
) -> Result<Statement, CodegenError> {
    let Some(len) = mech.variables[target]
        .size
        .map(|_| mech.variables[target].len())
    else {
        return Ok(Statement::Assign {
            target,
            index: None,
            value,
            span,
        });
    };
    let Some(counter) = counter else {
        return Err(CodegenError::at(
            span,
            format!(
                "{species} is an array: LONGITUDINAL_DIFFUSION and COMPARTMENT need an index for it"
            ),
        ));
    };
    let index = mech.expressions.append(Expression::Load(counter));
    let from = mech.expressions.append(Expression::Number(0.0));
    let to = mech
        .expressions
        .append(Expression::Number(f64::from(len) - 1.0));
    Ok(Statement::For {
        counter,
        from,
        to,
        by: None,
        body: Block {
            statements: vec![Statement::Assign {
                target,
                index: Some(index),
                value,
                span,
            }],
        },
    })
}

fn collect<'a>(block: &'a Block, out: &mut Vec<&'a Statement>) {
    for s in &block.statements {
        out.push(s);
        match s {
            Statement::If { accept, reject, .. } => {
                collect(accept, out);
                collect(reject, out);
            }
            Statement::While { body, .. } | Statement::For { body, .. } => collect(body, out),
            _ => {}
        }
    }
}

/// Adds the hidden arrays and the statements that fill them to every KINETIC block with
/// LONGITUDINAL_DIFFUSION that BREAKPOINT solves by sparse.
pub fn lower(mech: &mut Mechanism) -> Result<(), CodegenError> {
    let targets: Vec<_> = mech
        .solves
        .iter()
        .filter(|s| s.method == SolveMethod::Sparse)
        .map(|s| s.target)
        .filter(|&f| mech.functions[f].kind == FunctionKind::Kinetic)
        .collect();
    for f in targets {
        let mut all = Vec::new();
        collect(&mech.functions[f].body, &mut all);
        let compartments: Vec<Compartment> = all
            .iter()
            .filter_map(|s| match s {
                Statement::Compartment(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        let diffusions: Vec<Compartment> = all
            .iter()
            .filter_map(|s| match s {
                Statement::LongitudinalDiffusion(c) => Some(c.clone()),
                _ => None,
            })
            .collect();
        let mut added = Vec::new();
        for c in diffusions {
            for &s in &c.species {
                let var = &mech.variables[s];
                // The mechanism's own STATEs, and ion concentrations declared STATE.
                let diffusible = mech.states.iter().any(|d| d.variable == s)
                    && (var.storage == Storage::Range
                        || matches!(var.kind, VariableKind::Ion { .. }));
                if !diffusible {
                    return Err(CodegenError::at(
                        c.span,
                        format!(
                            "LONGITUDINAL_DIFFUSION of {}, which is not a STATE",
                            var.name
                        ),
                    ));
                }
                let name = var.name.clone();
                let coefficient = hidden(mech, format!("{COEFFICIENT}{name}"), s);
                let volume = hidden(mech, format!("{VOLUME}{name}"), s);
                added.push(fill(mech, &name, coefficient, c.index, c.volume, c.span)?);
                let (counter, value) = match compartments.iter().find(|k| k.species.contains(&s)) {
                    Some(k) => (k.index, k.volume),
                    None => (c.index, mech.expressions.append(Expression::Number(1.0))),
                };
                added.push(fill(mech, &name, volume, counter, value, c.span)?);
            }
        }
        mech.functions[f].body.statements.extend(added);
    }
    Ok(())
}

/// The diffusing STATEs of a lowered mechanism, for its [`MechanismInfo`]: a range field, or
/// an ion concentration the runtime reaches through the mechanism's slot for it.
pub fn describe(info: &mut MechanismInfo) {
    let names: Vec<String> = info
        .range
        .iter()
        .filter_map(|f| f.name.strip_prefix(COEFFICIENT).map(str::to_string))
        .collect();
    for state in names {
        let elements = info.range_column(&state).map_or(1, |(_, f)| f.size);
        info.longitudinal_diffusion.push(DiffusionInfo {
            coefficient: format!("{COEFFICIENT}{state}"),
            volume: format!("{VOLUME}{state}"),
            state,
            elements,
        });
    }
}
