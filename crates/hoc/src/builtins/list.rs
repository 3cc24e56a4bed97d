//! List: an ordered collection of object references.

use super::{num, obj_value, Args};
use crate::error::{err, Res};
use crate::interp::Interp;
use crate::value::*;

/// `new List()` or `new List("Template")` (the live instances of a class).
pub fn construct(it: &mut Interp, a: &Args) -> Res<ObjData> {
    if a.is_str(0) {
        let class = a.str(0)?;
        return Ok(ObjData::List(it.reg.live(&class)));
    }
    Ok(ObjData::List(Vec::new()))
}

fn with<R>(o: &ObjRef, f: impl FnOnce(&mut Vec<ObjRef>) -> R) -> Res<R> {
    match &mut *o.data.borrow_mut() {
        ObjData::List(l) => Ok(f(l)),
        _ => err(format!("{} is not a List", o.name())),
    }
}

pub fn method(_: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    let n = with(o, |l| l.len())?;
    let index = |a: &Args, i: usize, len: usize| -> Res<usize> {
        let k = a.num(i)?;
        if k < 0.0 || k as usize >= len {
            return err("Arg out of range in user function");
        }
        Ok(k as usize)
    };
    match m {
        "count" => num(n as f64),
        "append" => {
            let x = a.some_obj(0)?;
            num(with(o, |l| {
                l.push(x);
                l.len()
            })? as f64)
        }
        "prepend" => {
            let x = a.some_obj(0)?;
            num(with(o, |l| {
                l.insert(0, x);
                l.len()
            })? as f64)
        }
        "insrt" => {
            let k = a.num(0)?;
            if k < 0.0 || k as usize > n {
                return err("Arg out of range in user function");
            }
            let x = a.some_obj(1)?;
            num(with(o, |l| {
                l.insert(k as usize, x);
                l.len()
            })? as f64)
        }
        "object" | "o" => {
            let k = index(&a, 0, n)?;
            obj_value(with(o, |l| l[k].clone())?)
        }
        "remove" => {
            let k = index(&a, 0, n)?;
            // The removed object is dropped after the borrow.
            let (removed, left) = with(o, |l| {
                let r = l.remove(k);
                (r, l.len())
            })?;
            drop(removed);
            num(left as f64)
        }
        "remove_all" => {
            let old = with(o, std::mem::take)?;
            drop(old);
            num(0.0)
        }
        "index" => {
            let x = a.obj(0)?;
            let pos = match x {
                Some(x) => with(o, |l| l.iter().position(|e| std::rc::Rc::ptr_eq(e, &x)))?,
                None => None,
            };
            num(pos.map_or(-1.0, |p| p as f64))
        }
        "browser" | "select" | "accept_action" | "select_action" => num(0.0),
        _ => err(format!("'{m}' not a public member of 'List'")),
    }
}
