//! Warnings NEURON does not give by default but users need: variables that are never used,
//! and GLOBALs assigned during the simulation (shared by all threads).

use crate::declarations::{Context, Owner};
use nmodl_ir::{Function, FunctionKind, Handle, Storage, VariableKind};
use nmodl_syntax::ast;
use nmodl_syntax::diagnostics::Diagnostic;
use std::collections::HashSet;

impl Context {
    pub fn lint(&mut self) {
        self.unused_variables();
        self.globals_assigned_while_simulating();
    }

    fn unused_variables(&mut self) {
        let written: HashSet<_> = self.writes.iter().map(|w| w.variable).collect();
        let mut found = Vec::new();
        for (h, v) in self.mech.variables.iter() {
            if self.reads.contains(&h) || written.contains(&h) {
                continue;
            }
            if self.verbatim_names.contains(&v.name) {
                continue;
            }
            let what = match (v.kind, v.storage) {
                (VariableKind::Local, Storage::Local) => "LOCAL",
                (VariableKind::Local, _) => "top-level LOCAL",
                (VariableKind::Assigned, _)
                    if !v.visible && !self.mech.currents.iter().any(|c| c.variable == h) =>
                {
                    "ASSIGNED"
                }
                _ => continue,
            };
            found.push(Diagnostic::warning(
                format!("{what} {} is never used", v.name),
                ast::Span {
                    start: v.span.start,
                    end: v.span.end,
                },
            ));
        }
        self.diagnostics.extend(found);
    }

    /// Functions run by the simulation's time steps: BREAKPOINT, the blocks it SOLVEs, and
    /// everything they call.
    fn simulation_functions(&self) -> HashSet<Handle<Function>> {
        let mut reached: HashSet<Handle<Function>> =
            self.mech.solves.iter().map(|s| s.target).collect();
        for &(owner, f) in &self.calls {
            if owner == Owner::Breakpoint {
                reached.insert(f);
            }
        }
        loop {
            let before = reached.len();
            for &(owner, f) in &self.calls {
                if let Owner::Function(caller) = owner {
                    if reached.contains(&caller) {
                        reached.insert(f);
                    }
                }
            }
            if reached.len() == before {
                return reached;
            }
        }
    }

    fn globals_assigned_while_simulating(&mut self) {
        // THREADSAFE makes nocmodl give each thread its own copy of assigned GLOBALs.
        if self.mech.threadsafe {
            return;
        }
        let reached = self.simulation_functions();
        let mut warned = HashSet::new();
        let mut found = Vec::new();
        for w in &self.writes {
            let v = &self.mech.variables[w.variable];
            let assignable = matches!(
                v.kind,
                VariableKind::Parameter | VariableKind::Assigned | VariableKind::Local
            );
            if v.storage != Storage::Global || !assignable {
                continue;
            }
            let place = match w.owner {
                Owner::Breakpoint => "in BREAKPOINT".to_string(),
                Owner::Function(f) if reached.contains(&f) => {
                    let func = &self.mech.functions[f];
                    match func.kind {
                        FunctionKind::Derivative | FunctionKind::Kinetic => {
                            format!("in the {} block {}", kind_name(func.kind), func.name)
                        }
                        _ => format!("in {}, which the time step calls", func.name),
                    }
                }
                _ => continue,
            };
            if !warned.insert(w.variable) {
                continue;
            }
            found.push(Diagnostic::warning(
                format!(
                    "GLOBAL {} is assigned {place}, which is not thread safe: all instances share it; make it RANGE",
                    v.name
                ),
                w.span,
            ));
        }
        self.diagnostics.extend(found);
    }
}

fn kind_name(kind: FunctionKind) -> &'static str {
    crate::body::block_keyword(kind)
}
