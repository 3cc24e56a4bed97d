//! Point processes (`new IClamp(0.5)` and every other POINT_PROCESS mechanism): fields through
//! the runtime, get_loc/has_loc/loc.

use std::rc::Rc;

use rsnrn_runtime::PointProcessId;

use super::{bool_num, num, Args};
use crate::error::{err, Res};
use crate::interp::Interp;
use crate::value::*;

pub fn pid(o: &ObjRef) -> Res<PointProcessId> {
    match &*o.data.borrow() {
        ObjData::Point(p) => Ok(*p),
        ObjData::UnlocatedPoint => err(format!(
            "{}: point process not located in a section",
            o.name()
        )),
        _ => err(format!("{} is not a point process", o.name())),
    }
}

/// NEURON places a point process on a node: x inside a section becomes the centre of the
/// segment containing it (x = 0 and 1 stay on the end nodes).
pub(crate) fn node_x(x: f64, nseg: usize) -> f64 {
    if x <= 0.0 || x >= 1.0 {
        return x;
    }
    let j = ((x * nseg as f64) as usize).min(nseg - 1);
    (j as f64 + 0.5) / nseg as f64
}

pub fn construct(it: &mut Interp, mech: &Rc<str>, args: Vec<Value>) -> Res<ObjRef> {
    let a = Args::new(mech, args);
    let artificial = it
        .model
        .mechanism_id(mech)
        .ok()
        .and_then(|id| it.model.mechanism_info(id))
        .is_some_and(|i| i.kind == rsnrn_abi::MechanismKind::ArtificialCell);
    if artificial {
        // An ARTIFICIAL_CELL has no location: no section needed, arguments ignored.
        let p = it
            .model
            .add_artificial_cell(mech)
            .or_else(|e| err(e.to_string()))?;
        return Ok(it
            .reg
            .new_object(Class::Point(mech.clone()), ObjData::Point(p)));
    }
    if a.is_empty() {
        return Ok(it
            .reg
            .new_object(Class::Point(mech.clone()), ObjData::UnlocatedPoint));
    }
    let p = add_at_cas(it, mech, a.num(0)?)?;
    Ok(it
        .reg
        .new_object(Class::Point(mech.clone()), ObjData::Point(p)))
}

/// A new point process of `mech` at `x` of the accessed section (x as NEURON places it).
fn add_at_cas(it: &mut Interp, mech: &str, x: f64) -> Res<PointProcessId> {
    if !(0.0..=1.0).contains(&x) {
        return err(format!("{mech}: location {x} is outside 0 <= x <= 1"));
    }
    let sec = it.cas()?;
    let rt = it.rt(sec)?;
    let nseg = it.model.nseg(rt).or_else(|e| err(e.to_string()))?;
    it.model
        .add_point_process(rt, node_x(x, nseg), mech)
        .or_else(|e| err(e.to_string()))
}

pub fn get_field(it: &mut Interp, o: &ObjRef, name: &str) -> Res<Value> {
    let p = pid(o)?;
    it.model
        .get_point(p, name)
        .map(Value::Num)
        .or_else(|e| err(e.to_string()))
}

pub fn field_num(it: &mut Interp, o: &ObjRef, name: &str) -> Res<f64> {
    crate::interp::to_num(&get_field(it, o, name)?)
}

pub fn set_field(it: &mut Interp, o: &ObjRef, name: &str, v: f64) -> Res<()> {
    let p = pid(o)?;
    it.model
        .set_point(p, name, v)
        .or_else(|e| err(e.to_string()))
}

fn hoc_section_of(it: &Interp, rt: rsnrn_runtime::SectionId) -> Res<SecId> {
    match it
        .all_secs()
        .into_iter()
        .find(|&s| it.secs[s as usize].rt == rt)
    {
        Some(s) => Ok(s),
        None => err("the point process's section was deleted"),
    }
}

pub fn method(it: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    if matches!(&*o.data.borrow(), ObjData::UnlocatedPoint) {
        match m {
            "has_loc" => return bool_num(false),
            "loc" => return place_unlocated(it, o, a),
            _ => {}
        }
    }
    let p = pid(o)?;
    match m {
        "get_loc" => {
            let (rt, x) = it.model.point_location(p).or_else(|e| err(e.to_string()))?;
            // After an nseg change the point process sits at the centre of the segment that
            // now holds its place, as in NEURON.
            let nseg = it.model.nseg(rt).or_else(|e| err(e.to_string()))?;
            let x = node_x(x, nseg);
            let s = hoc_section_of(it, rt)?;
            it.push_sec(s);
            num(x)
        }
        "has_loc" => bool_num(it.model.point_location(p).is_ok()),
        "record" if o.class.name() == "APCount" => {
            let v = a.some_obj(0)?;
            super::simhooks::apcount_record(it, o, &v)?;
            num(1.0)
        }
        "loc" => {
            let x = a.num(0)?;
            let s = it.cas()?;
            let rt = it.rt(s)?;
            let nseg = it.model.nseg(rt).or_else(|e| err(e.to_string()))?;
            it.model
                .move_point_process(p, rt, node_x(x, nseg))
                .or_else(|e| err(e.to_string()))?;
            num(x)
        }
        "noiseFromRandom" | "noiseFromRandom123" if is_netstim(it, p) => {
            // NEURON 9's NetStim: its RANDOM stream takes the ids (and position) of a
            // Random123 generator, or the ids given.
            let (ids, seq) = if m == "noiseFromRandom" {
                let r = a.some_obj(0)?;
                match super::random::random123_state(&r) {
                    Some(state) => state,
                    None => return err("NetStim: Random.Random123 generator is required."),
                }
            } else {
                let id = |k: usize| a.num(k).map(|x| x as u32);
                ([id(0)?, id(1)?, id(2)?], 0)
            };
            let stream = it
                .model
                .point_random_stream(p, 0)
                .or_else(|e| err(e.to_string()))?;
            stream.set_ids(ids[0], ids[1], ids[2]);
            stream.set_seq(seq);
            num(0.0)
        }
        _ => {
            let mechanism = it
                .model
                .point_mechanism(p)
                .or_else(|e| err(e.to_string()))?
                .to_string();
            let values: Vec<f64> = (0..a.len()).map(|k| a.num(k)).collect::<Res<_>>()?;
            match it.call_point_function(p, &mechanism, m, &values) {
                Some(result) => result,
                None => get_field(it, o, m),
            }
        }
    }
}

/// `loc(x)` of a point process made without a location: it gets its runtime instance (and
/// its CONSTRUCTOR runs) at `x` of the accessed section now.
fn place_unlocated(it: &mut Interp, o: &ObjRef, a: Args) -> Res<Value> {
    let Class::Point(mech) = &o.class else {
        return err(format!("{} is not a point process", o.name()));
    };
    let x = a.num(0)?;
    let p = add_at_cas(it, mech, x)?;
    *o.data.borrow_mut() = ObjData::Point(p);
    num(x)
}

fn is_netstim(it: &Interp, p: PointProcessId) -> bool {
    it.model.point_mechanism(p).is_ok_and(|m| m == "NetStim")
}
