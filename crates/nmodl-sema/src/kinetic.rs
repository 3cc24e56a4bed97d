//! KINETIC statements: reactions (kept with stoichiometry and rates), CONSERVE,
//! COMPARTMENT and LONGITUDINAL_DIFFUSION.

use crate::body::Scope;
use crate::declarations::Context;
use nmodl_ir::{
    Block, Compartment, Conserve, ConserveTerm, Handle, Reactant, Reaction, ReactionKind,
    Statement, Storage, Variable, VariableKind,
};
use nmodl_syntax::ast;
use std::collections::HashMap;

impl Context {
    /// A reaction's species: any variable but a constant or one NEURON provides. A species
    /// that is not a STATE takes part in the fluxes without being an unknown.
    pub(crate) fn reactants(&mut self, scope: &mut Scope, list: &[ast::Reactant]) -> Vec<Reactant> {
        let mut out = Vec::new();
        for r in list {
            let coefficient = match &r.coefficient {
                None => 1,
                Some(n) if n.value >= 1.0 && n.value.fract() == 0.0 && n.value <= 1e6 => {
                    n.value as u32
                }
                Some(n) => {
                    self.error(
                        "a stoichiometric coefficient must be a positive whole number",
                        n.span,
                    );
                    continue;
                }
            };
            let index = r.index.as_ref().map(|i| self.expr(scope, i));
            let Some(species) = self.resolve(scope, &r.name) else {
                continue;
            };
            if !self.usable_species(species, r.name.span) {
                continue;
            }
            self.check_index(species, index.is_some(), r.span);
            self.reads.insert(species);
            self.note_write(scope, species, r.name.span);
            out.push(Reactant {
                coefficient,
                species,
                index,
            });
        }
        out
    }

    pub(crate) fn usable_species(&mut self, h: Handle<Variable>, at: ast::Span) -> bool {
        let v = &self.mech.variables[h];
        let bad = match v.kind {
            VariableKind::Constant => Some("a CONSTANT"),
            VariableKind::Builtin(_) => Some("provided by NEURON"),
            VariableKind::Argument | VariableKind::FunctionResult => Some("an argument"),
            VariableKind::ReactionFlux(_) => Some("a reaction flux"),
            _ => None,
        };
        if let Some(what) = bad {
            let name = v.name.clone();
            self.error(
                format!("{name} is {what} and cannot take part in a reaction"),
                at,
            );
            return false;
        }
        true
    }

    pub(crate) fn reaction(
        &mut self,
        scope: &mut Scope,
        r: &ast::Reaction,
        at: ast::Span,
        out: &mut Block,
    ) {
        let lhs = self.reactants(scope, &r.lhs);
        let kind = match &r.kind {
            ast::ReactionKind::Reversible {
                rhs,
                forward,
                backward,
            } => {
                let rhs = self.reactants(scope, rhs);
                let forward = self.expr(scope, forward);
                let backward = self.expr(scope, backward);
                ReactionKind::Reversible {
                    rhs,
                    forward,
                    backward,
                }
            }
            ast::ReactionKind::Irreversible { rhs, rate } => {
                let rhs = self.reactants(scope, rhs);
                let rate = self.expr(scope, rate);
                ReactionKind::Irreversible { rhs, rate }
            }
            ast::ReactionKind::Flux { flux } => {
                if r.lhs.len() != 1 {
                    self.error(
                        "a flux reaction ~ x << (flux) names exactly one species",
                        at,
                    );
                    return;
                }
                let flux = self.expr(scope, flux);
                ReactionKind::Flux { flux }
            }
        };
        let span = self.sp(at);
        out.statements
            .push(Statement::Reaction(Reaction { lhs, kind, span }));
    }

    /// `CONSERVE a + 2*b + c[i] = total`: the left side must be a sum of (coefficient times)
    /// STATEs.
    pub(crate) fn conserve(
        &mut self,
        scope: &mut Scope,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        at: ast::Span,
        out: &mut Block,
    ) {
        let mut raw = Vec::new();
        if !conserve_terms(lhs, 1.0, &mut raw) {
            self.error(
                "the left side of CONSERVE must be a sum of STATEs, each optionally times a number",
                lhs.span,
            );
            return;
        }
        let mut terms = Vec::new();
        for (coefficient, name, index) in raw {
            if !coefficient.is_finite() {
                self.error(
                    "a CONSERVE coefficient is too large for a double",
                    name.span,
                );
                continue;
            }
            let index = index.map(|i| self.expr(scope, i));
            let Some(species) = self.resolve(scope, name) else {
                continue;
            };
            if !self.mech.states.iter().any(|s| s.variable == species) {
                self.error(
                    format!("{} is not a STATE; CONSERVE sums STATEs", name.name),
                    name.span,
                );
                continue;
            }
            self.check_index(species, index.is_some(), name.span);
            terms.push(ConserveTerm {
                coefficient,
                species,
                index,
            });
        }
        let total = self.expr(scope, rhs);
        let span = self.sp(at);
        out.statements
            .push(Statement::Conserve(Conserve { terms, total, span }));
    }

    pub(crate) fn compartment(
        &mut self,
        scope: &mut Scope,
        index: Option<&ast::Ident>,
        volume: &ast::Expr,
        species: &[ast::Ident],
        at: ast::Span,
    ) -> Compartment {
        scope.frames.push(HashMap::new());
        let index = index.map(|i| {
            let h = self.local_variable(i, VariableKind::LoopCounter, Storage::Local, None);
            scope.locals.push(h);
            scope.bind(&i.name, h);
            h
        });
        let volume = self.expr(scope, volume);
        scope.frames.pop();
        let mut list = Vec::new();
        for n in species {
            let Some(h) = self.resolve(scope, n) else {
                continue;
            };
            if !self.usable_species(h, n.span) {
                continue;
            }
            list.push(h);
        }
        Compartment {
            index,
            volume,
            species: list,
            span: self.sp(at),
        }
    }
}

/// Splits `2*a + b + c[i]` into (coefficient, name, index) terms.
fn conserve_terms<'a>(
    e: &'a ast::Expr,
    sign: f64,
    out: &mut Vec<(f64, &'a ast::Ident, Option<&'a ast::Expr>)>,
) -> bool {
    use ast::ExprKind as K;
    match &e.kind {
        K::Binary {
            op: ast::BinaryOp::Add,
            lhs,
            rhs,
        } => conserve_terms(lhs, sign, out) && conserve_terms(rhs, sign, out),
        K::Binary {
            op: ast::BinaryOp::Mul,
            lhs,
            rhs,
        } => match (&lhs.kind, &rhs.kind) {
            (K::Number(n), _) => conserve_terms(rhs, sign * n.value, out),
            (_, K::Number(n)) => conserve_terms(lhs, sign * n.value, out),
            _ => false,
        },
        K::Name(n) => {
            out.push((sign, n, None));
            true
        }
        K::Index { name, index } => {
            out.push((sign, name, Some(index)));
            true
        }
        _ => false,
    }
}
