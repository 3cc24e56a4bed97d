//! ParallelContext, as far as one process goes: `nthread` steps the cells on threads
//! (`CableModel::set_threads`); `nhost()` is 1 and `id()` 0. Other members (MPI, gids) are
//! refused by name.

use super::{num, Args};
use crate::error::{err, Res};
use crate::interp::Interp;
use crate::value::*;

pub fn method(it: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    match m {
        // nthread([n [, pinned]]): the number of threads, set first if n is given.
        "nthread" => {
            if !a.is_empty() {
                let n = a.num(0)?;
                if !(n >= 1.0 && n.is_finite()) {
                    return err(format!("ParallelContext.nthread({n}): needs at least 1 thread"));
                }
                it.model
                    .set_threads(n as usize)
                    .or_else(|e| err(e.to_string()))?;
            }
            num(it.model.threads() as f64)
        }
        "nhost" => num(1.0),
        "id" => num(0.0),
        _ => err(format!(
            "'{m}' not a public member of '{}' (rsnrn runs in one process: nthread, nhost and id only)",
            o.class.name()
        )),
    }
}
