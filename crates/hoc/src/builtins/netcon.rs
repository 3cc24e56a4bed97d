//! `NetCon(source, target [, threshold, delay, weight])`: source `&v(x)` of the accessed or
//! given section, a point process / artificial cell, or NULLobject; target a point process
//! with NET_RECEIVE or NULLobject. Fields weight[i], delay, threshold; record(Vector),
//! event(t), wcnt(), active([on]), valid().

use rsnrn_runtime::{NetConId, NetConSource};

use super::{bool_num, num, Args};
use crate::error::{err, Res};
use crate::interp::Interp;
use crate::value::*;

fn ncid(o: &ObjRef) -> Res<NetConId> {
    match &*o.data.borrow() {
        ObjData::NetCon(n) => Ok(*n),
        _ => err(format!("{} is not a NetCon", o.name())),
    }
}

fn rt<T>(r: rsnrn_runtime::Result<T>) -> Res<T> {
    r.or_else(|e| err(e.to_string()))
}

pub fn construct(it: &mut Interp, a: &Args) -> Res<ObjData> {
    if a.len() < 2 {
        return err("NetCon needs a source and a target (either may be NULLobject)");
    }
    let source = match &a.v[0] {
        Value::Ptr(Ptr::Range { sec, x, name }) if &**name == "v" => NetConSource::Voltage {
            section: it.rt(*sec)?,
            x: *x,
        },
        Value::Ptr(_) => {
            return err("NetCon: a pointer source must be the membrane potential &v(x)")
        }
        _ => match a.obj(0)? {
            None => NetConSource::None,
            Some(o) => NetConSource::Point(super::point::pid(&o)?),
        },
    };
    let target = match a.obj(1)? {
        None => None,
        Some(o) => Some(super::point::pid(&o)?),
    };
    let nc = rt(it.model.add_netcon(source, target))?;
    if a.len() > 2 {
        rt(it.model.set_netcon_threshold(nc, a.num(2)?))?;
    }
    if a.len() > 3 {
        rt(it.model.set_netcon_delay(nc, a.num(3)?))?;
    }
    if a.len() > 4 {
        rt(it.model.set_netcon_weight(nc, 0, a.num(4)?))?;
    }
    Ok(ObjData::NetCon(nc))
}

pub fn method(it: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    let nc = ncid(o)?;
    match m {
        "weight" => num(rt(it.model.netcon_weight(nc, 0))?),
        "delay" => num(rt(it.model.netcon_delay(nc))?),
        "threshold" => num(rt(it.model.netcon_threshold(nc))?),
        "wcnt" => num(rt(it.model.netcon_weight_count(nc))? as f64),
        "pre" => match rt(it.model.netcon_source(nc))? {
            NetConSource::Point(p) => Ok(Value::Obj(point_object(it, p))),
            _ => Ok(Value::Obj(None)),
        },
        "syn" => {
            let target = rt(it.model.netcon_target(nc))?;
            Ok(Value::Obj(target.and_then(|p| point_object(it, p))))
        }
        // Cells of rsnrn's NetCons are not tracked (template instances that own the source
        // or target): NULLobject, as NEURON gives for sources and targets outside cells.
        "precell" | "postcell" => Ok(Value::Obj(None)),
        "valid" => {
            let has_source = rt(it.model.netcon_source(nc))? != NetConSource::None;
            bool_num(has_source && rt(it.model.netcon_target(nc))?.is_some())
        }
        // active(on) answers the state before the change.
        "active" => {
            let was = rt(it.model.netcon_active(nc))?;
            if !a.is_empty() {
                rt(it.model.set_netcon_active(nc, a.num(0)? != 0.0))?;
            }
            bool_num(was)
        }
        "event" => {
            rt(it.model.netcon_event(nc, a.num(0)?))?;
            num(0.0)
        }
        "record" if a.len() == 3 => {
            // record(tvec, idvec, id): spike times and this NetCon's id.
            let (tvec, idvec, id) = (a.some_obj(0)?, a.some_obj(1)?, a.num(2)?);
            super::pnm::record_with_ids(it, &tvec, &idvec, vec![(nc, id)])?;
            num(0.0)
        }
        "record" => {
            let v = a.some_obj(0)?;
            match &mut *v.data.borrow_mut() {
                ObjData::Vector(d) => d.data.clear(),
                _ => return err("NetCon.record: the argument must be a Vector"),
            }
            // The source's other NetCons stop recording; their Vectors keep what they have.
            let ended = rt(it.model.netcon_record(nc))?;
            it.spike_recordings
                .retain(|(_, n)| *n != nc && !ended.contains(n));
            it.spike_merged.insert(nc, 0);
            it.spike_recordings.push((std::rc::Rc::downgrade(&v), nc));
            // record(tvec, idvec, id): idvec gets id for every recorded time.
            if a.len() > 2 {
                let ids = a.some_obj(1)?;
                let id = a.num(2)?;
                super::simhooks::record_spike_ids(it, &ids, nc, id)?;
            }
            num(0.0)
        }
        _ => err(format!("'{m}' not a public member of 'NetCon'")),
    }
}

/// The hoc object of point process `p` (None if it has none any more).
pub fn point_object(it: &Interp, p: rsnrn_runtime::PointProcessId) -> Option<ObjRef> {
    it.reg
        .instances
        .values()
        .flatten()
        .filter_map(|w| w.upgrade())
        .find(|o| matches!(&*o.data.borrow(), ObjData::Point(q) if *q == p))
}

pub fn get_indexed(it: &mut Interp, o: &ObjRef, m: &str, idx: &[f64]) -> Res<Value> {
    let nc = ncid(o)?;
    match (m, idx) {
        ("weight", &[i]) if i >= 0.0 => num(rt(it.model.netcon_weight(nc, i as usize))?),
        _ => err(format!("'{m}' not a public member of 'NetCon'")),
    }
}

pub fn set(it: &mut Interp, o: &ObjRef, m: &str, idx: Option<&[f64]>, v: f64) -> Res<()> {
    let nc = ncid(o)?;
    match (m, idx) {
        ("weight", None) => rt(it.model.set_netcon_weight(nc, 0, v)),
        ("weight", Some(&[i])) if i >= 0.0 => rt(it.model.set_netcon_weight(nc, i as usize, v)),
        ("delay", None) => rt(it.model.set_netcon_delay(nc, v)),
        ("threshold", None) => rt(it.model.set_netcon_threshold(nc, v)),
        _ => err(format!("'{m}' not a public member of 'NetCon'")),
    }
}
