//! `object_id(obj)`: a number that identifies the object (0 for NULLobject), and
//! `object_id(obj, 1)`: its index within its class (`Vector[3]` gives 3; -1 for NULLobject).

use super::{num, Args};
use crate::interp::{Builtin, Interp};

pub fn install(it: &mut Interp) {
    it.define_builtin(
        "object_id",
        Builtin::Func(|_, v| {
            let a = Args::new("object_id", v);
            let obj = a.obj(0)?;
            let want_index = a.len() > 1 && a.num(1)? != 0.0;
            match (obj, want_index) {
                (None, false) => num(0.0),
                (None, true) => num(-1.0),
                (Some(o), true) => num(o.index as f64),
                // The object's address, as NEURON gives: distinct for distinct live objects.
                (Some(o), false) => num(std::rc::Rc::as_ptr(&o) as usize as f64),
            }
        }),
    );
}
