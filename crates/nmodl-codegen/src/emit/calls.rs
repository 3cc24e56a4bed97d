//! The call graph of a mechanism's functions, for deciding what may be inlined.

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
