//! The call graph of a mechanism's functions, for deciding what may be inlined.

use crate::layout::{Layout, Place};
use nmodl_ir::visit::{walk_block, Visitor};
use nmodl_ir::{Function, Handle, Mechanism};

/// Functions called directly by the body of `f`.
fn callees(mech: &Mechanism, f: Handle<Function>) -> Vec<Handle<Function>> {
    struct Calls(Vec<Handle<Function>>);
    impl Visitor for Calls {
        fn call(&mut self, f: Handle<Function>) {
            self.0.push(f);
        }
    }
    let mut calls = Calls(Vec::new());
    walk_block(mech, &mech.functions[f].body, &mut calls);
    calls.0
}

/// Whether a call chain leads from `from` to `to` (through at least one call).
pub fn reaches(mech: &Mechanism, from: Handle<Function>, to: Handle<Function>) -> bool {
    let mut seen = vec![false; mech.functions.len()];
    let mut stack = callees(mech, from);
    while let Some(f) = stack.pop() {
        if f == to {
            return true;
        }
        if !std::mem::replace(&mut seen[f.index()], true) {
            stack.extend(callees(mech, f));
        }
    }
    false
}

/// Whether `f`, or a function it calls, reads or writes per-instance data: range variables,
/// ion and POINTER slots, RANDOM streams, the node's v, area or diam (what NEURON calls
/// needing `setdata_<suffix>` before a call from hoc).
pub fn uses_instance(mech: &Mechanism, layout: &Layout, f: Handle<Function>) -> bool {
    struct Uses<'a> {
        layout: &'a Layout,
        found: bool,
    }
    impl Visitor for Uses<'_> {
        fn variable(&mut self, v: Handle<nmodl_ir::Variable>) {
            use nmodl_ir::Builtin;
            self.found |= match self.layout.place(v) {
                Place::Column(_) | Place::Slot(_) | Place::Random(_) => true,
                Place::Builtin(b) => matches!(b, Builtin::V | Builtin::Area | Builtin::Diam),
                _ => false,
            };
        }
    }
    let mut seen = vec![false; mech.functions.len()];
    let mut stack = vec![f];
    while let Some(g) = stack.pop() {
        if std::mem::replace(&mut seen[g.index()], true) {
            continue;
        }
        let mut uses = Uses {
            layout,
            found: false,
        };
        walk_block(mech, &mech.functions[g].body, &mut uses);
        if uses.found {
            return true;
        }
        stack.extend(callees(mech, g));
    }
    false
}
