//! Vector.record done by the front end: hoc variables (the runtime cannot see them) and
//! sampling at given times (`record(&var, Dt)`, `record(&var, tvec)`).
//!
//! A recording of every step samples after finitialize and after each fadvance, like the
//! runtime's. A recording at times samples each time te once t_n + dt/2 ≥ te, i.e. the value
//! at the step nearest to te, which is what nrniv's record events give in the fixed step.

use std::rc::{Rc, Weak};

use super::Args;
use crate::error::{err, Res};
use crate::interp::Interp;
use crate::value::*;

enum Times {
    EveryStep,
    Interval(f64),
    Vector(Weak<Object>),
}

pub(crate) struct FrontRecord {
    vec: Weak<Object>,
    ptr: Ptr,
    times: Times,
    /// Index of the next sampling time.
    next: usize,
}

/// Starts recording into `o` through the front end.
pub fn start(it: &mut Interp, o: &ObjRef, ptr: Ptr, a: &Args, at: usize) -> Res<()> {
    let times = if a.len() <= at {
        Times::EveryStep
    } else if a.is_num(at) {
        let dt = a.num(at)?;
        if !(dt.is_finite() && dt > 0.0) {
            return err(format!("Vector.record: the interval {dt} must be positive"));
        }
        Times::Interval(dt)
    } else {
        let t = a.some_obj(at)?;
        if !matches!(&*t.data.borrow(), ObjData::Vector(_)) {
            return err("Vector.record: the times must be a Vector or a number (Dt)");
        }
        Times::Vector(Rc::downgrade(&t))
    };
    stop(it, o);
    it.hooks.records.push(FrontRecord {
        vec: Rc::downgrade(o),
        ptr,
        times,
        next: 0,
    });
    Ok(())
}

/// Ends the front-end recording into `o`, if there is one.
pub fn stop(it: &mut Interp, o: &ObjRef) {
    it.hooks
        .records
        .retain(|r| r.vec.upgrade().is_some_and(|v| !Rc::ptr_eq(&v, o)));
}

fn push(o: &ObjRef, value: f64) {
    if let ObjData::Vector(v) = &mut *o.data.borrow_mut() {
        v.data.push(value);
    }
}

/// Samples every front-end recording whose time has come; `init` empties them first.
pub(crate) fn sample(it: &mut Interp, init: bool) -> Res<()> {
    it.hooks.records.retain(|r| r.vec.strong_count() > 0);
    let t = it.model_var(ModelVar::T);
    let half_dt = 0.5 * it.model_var(ModelVar::Dt);
    for k in 0..it.hooks.records.len() {
        let (vec, ptr) = {
            let r = &mut it.hooks.records[k];
            if init {
                r.next = 0;
            }
            let Some(vec) = r.vec.upgrade() else { continue };
            (vec, r.ptr.clone())
        };
        if init {
            if let ObjData::Vector(v) = &mut *vec.data.borrow_mut() {
                v.data.clear();
            }
        }
        let value = it.read_ptr(&ptr)?;
        let r = &mut it.hooks.records[k];
        match &r.times {
            Times::EveryStep => push(&vec, value),
            Times::Interval(dt) => {
                while r.next as f64 * dt <= t + half_dt {
                    push(&vec, value);
                    r.next += 1;
                }
            }
            Times::Vector(w) => {
                let times = match w.upgrade() {
                    Some(tv) => match &*tv.data.borrow() {
                        ObjData::Vector(d) => d.data.clone(),
                        _ => Vec::new(),
                    },
                    None => Vec::new(),
                };
                while r.next < times.len() && times[r.next] <= t + half_dt {
                    push(&vec, value);
                    r.next += 1;
                }
            }
        }
    }
    Ok(())
}
