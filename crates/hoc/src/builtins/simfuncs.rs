//! Built-in functions about sections and the simulation: secname, the section stack,
//! section_exists/issection/ismembrane, area/ri/distance, 3-D points, topology/psection,
//! finitialize/fadvance.

use super::{bool_num, num, Args};
use crate::error::{err, Res};
use crate::interp::{Builtin, Interp, SecProp};
use crate::value::*;

fn def(it: &mut Interp, name: &str, f: crate::interp::BFn) {
    it.define_builtin(name, Builtin::Func(f));
}

fn rt_err<T>(e: rsnrn_runtime::RuntimeError) -> Res<T> {
    err(e.to_string())
}

pub fn install(it: &mut Interp) {
    def(it, "secname", |it, _| {
        let s = it.cas()?;
        Ok(Value::str(it.sec_name(s)))
    });
    def(it, "push_section", |it, v| {
        let a = Args::new("push_section", v);
        let name = a.str(0)?;
        let Some(s) = it
            .all_secs()
            .into_iter()
            .find(|&s| it.secs[s as usize].name == name)
        else {
            return err(format!("push_section: no section named {name}"));
        };
        it.push_sec(s);
        num(1.0)
    });
    def(it, "pop_section", |it, _| {
        it.pop_sec();
        num(1.0)
    });
    def(it, "section_exists", |it, v| {
        let a = Args::new("section_exists", v);
        let mut name = a.str(0)?;
        if a.len() > 1 {
            name = format!("{name}[{}]", a.num(1)? as i64);
        }
        let found = it
            .all_secs()
            .into_iter()
            .any(|s| it.secs[s as usize].name == name);
        bool_num(found)
    });
    def(it, "delete_section", |it, _| {
        let s = it.cas()?;
        it.delete_section(s)?;
        num(0.0)
    });
    def(it, "issection", |it, v| {
        let a = Args::new("issection", v);
        let re = crate::regex::hoc_regex(&a.str(0)?, true)?;
        let s = it.cas()?;
        bool_num(re.is_match(&it.secs[s as usize].name))
    });
    def(it, "ismembrane", |it, v| {
        let a = Args::new("ismembrane", v);
        let name = a.str(0)?;
        let s = it.cas()?;
        let rt = it.rt(s)?;
        if let Some(ion) = name.strip_suffix("_ion") {
            let users: Vec<String> = it
                .mechs
                .density
                .iter()
                .filter(|(_, ions)| ions.iter().any(|i| i == ion))
                .map(|(m, _)| m.clone())
                .collect();
            let any = users
                .iter()
                .any(|m| it.model.has_mechanism(rt, m).unwrap_or(false));
            return bool_num(any);
        }
        if !it.mechs.density.contains_key(&name) {
            return num(0.0);
        }
        bool_num(it.model.has_mechanism(rt, &name).unwrap_or(false))
    });
    def(it, "area", |it, v| {
        geometry_at(it, v, rsnrn_runtime::CableModel::area)
    });
    def(it, "ri", |it, v| {
        geometry_at(it, v, rsnrn_runtime::CableModel::ri)
    });
    def(it, "distance", |it, v| {
        let a = Args::new("distance", v);
        let s = it.cas()?;
        match a.len() {
            0 => {
                it.distance_origin = Some((s, 0.0));
                num(0.0)
            }
            1 => {
                let x = a.num(0)?;
                let Some(origin) = it.distance_origin else {
                    return err("distance: no origin set (call distance() first)");
                };
                num(it.distance_between(origin, (s, x))?)
            }
            _ => {
                let x = a.num(1)?;
                if a.num(0)? == 0.0 {
                    it.distance_origin = Some((s, x));
                    num(0.0)
                } else {
                    let Some(origin) = it.distance_origin else {
                        return err("distance: no origin set (call distance() first)");
                    };
                    num(it.distance_between(origin, (s, x))?)
                }
            }
        }
    });
    def(it, "topology", |it, _| {
        let t = it.topology()?;
        it.print(&t);
        num(1.0)
    });
    def(it, "psection", |it, _| {
        let s = it.cas()?;
        let t = it.psection(s)?;
        it.print(&t);
        num(1.0)
    });
    def(it, "pt3dclear", |it, _| {
        let s = it.cas()?;
        it.secs[s as usize].pt3d.clear();
        num(0.0)
    });
    def(it, "pt3dadd", |it, v| {
        let a = Args::new("pt3dadd", v);
        let p = [a.num(0)?, a.num(1)?, a.num(2)?, a.num(3)?];
        let s = it.cas()?;
        it.secs[s as usize].pt3d.push(p);
        it.apply_pt3d(s)?;
        num(1.0)
    });
    def(it, "n3d", |it, _| {
        let s = it.cas()?;
        num(it.secs[s as usize].pt3d.len() as f64)
    });
    for (name, k) in [("x3d", 0usize), ("y3d", 1), ("z3d", 2), ("diam3d", 3)] {
        let f: crate::interp::BFn = match k {
            0 => |it, v| pt3d_get(it, v, 0),
            1 => |it, v| pt3d_get(it, v, 1),
            2 => |it, v| pt3d_get(it, v, 2),
            _ => |it, v| pt3d_get(it, v, 3),
        };
        def(it, name, f);
    }
    def(it, "arc3d", |it, v| {
        let a = Args::new("arc3d", v);
        let s = it.cas()?;
        let i = a.num(0)? as usize;
        match it.arc3d(s).get(i) {
            Some(&d) => num(d),
            None => err(format!("arc3d: index {i} out of range")),
        }
    });
    def(it, "define_shape", |it, _| {
        define_shape(it)?;
        num(1.0)
    });
    def(it, "finitialize", |it, v| {
        let a = Args::new("finitialize", v);
        let r = if a.is_empty() {
            // Without an argument v keeps its values: initialise from the first node's v is
            // not what NEURON does, so refuse rather than guess.
            return err("finitialize() without v_init is not supported by rsnrn yet; pass the initial voltage");
        } else {
            let v0 = a.num(0)?;
            it.model.finitialize(v0)
        };
        r.or_else(rt_err)?;
        it.sync_recordings();
        num(1.0)
    });
    def(it, "fadvance", |it, _| {
        it.model.fadvance().or_else(rt_err)?;
        it.sync_recordings();
        num(0.0)
    });
    def(it, "fcurrent", |_, _| {
        err("fcurrent() is not available in rsnrn yet (the runtime has no separate current evaluation)")
    });
    def(it, "this_section", |it, _| {
        let s = it.cas()?;
        num(s as f64)
    });
    def(it, "nrn_load_dll", |it, v| {
        let a = Args::new("nrn_load_dll", v);
        let path = a.str(0)?;
        it.load_mechanisms(std::path::Path::new(&path))?;
        num(1.0)
    });
}

/// area(x) / ri(x) of the current section (x defaults to 0.5).
fn geometry_at(
    it: &mut Interp,
    v: Vec<Value>,
    f: fn(
        &mut rsnrn_runtime::CableModel,
        rsnrn_runtime::SectionId,
        f64,
    ) -> rsnrn_runtime::Result<f64>,
) -> Res<Value> {
    let a = Args::new("area", v);
    let s = it.cas()?;
    let rt = it.rt(s)?;
    let x = a.num_or(0, 0.5)?;
    f(&mut it.model, rt, x).map(Value::Num).or_else(rt_err)
}

fn pt3d_get(it: &mut Interp, v: Vec<Value>, k: usize) -> Res<Value> {
    let a = Args::new("pt3d", v);
    let s = it.cas()?;
    let i = a.num(0)? as usize;
    match it.secs[s as usize].pt3d.get(i) {
        Some(p) => num(p[k]),
        None => err(format!("3-d point index {i} out of range")),
    }
}

/// Gives sections without 3-D points a straight line along x: roots start at the origin
/// (placed one after another), children continue from their parent's connection point.
fn define_shape(it: &mut Interp) -> Res<()> {
    let secs = it.all_secs();
    let mut x_next = 0.0;
    let mut stack: Vec<SecId> = secs
        .iter()
        .copied()
        .filter(|&s| it.secs[s as usize].parent.is_none())
        .collect();
    stack.reverse();
    while let Some(s) = stack.pop() {
        if it.secs[s as usize].pt3d.is_empty() {
            let len = it.sec_prop(s, SecProp::L)?;
            let diam = it.range_get(s, 0.5, "diam")?;
            let start = match it.secs[s as usize].parent {
                Some((p, _, px)) => point_at(it, p, px),
                None => {
                    let o = [x_next, 0.0, 0.0];
                    x_next += len;
                    o
                }
            };
            it.secs[s as usize].pt3d = vec![
                [start[0], start[1], start[2], diam],
                [start[0] + len / 2.0, start[1], start[2], diam],
                [start[0] + len, start[1], start[2], diam],
            ];
        }
        let mut kids = it.secs[s as usize].children.clone();
        kids.reverse();
        stack.extend(kids);
    }
    Ok(())
}

/// The 3-D position at arc fraction x of a section with points.
fn point_at(it: &Interp, s: SecId, x: f64) -> [f64; 3] {
    let pts = &it.secs[s as usize].pt3d;
    let arcs = it.arc3d(s);
    let Some(&len) = arcs.last() else {
        return [0.0; 3];
    };
    let target = x * len;
    for i in 1..pts.len() {
        if arcs[i] >= target {
            let seg = arcs[i] - arcs[i - 1];
            let f = if seg > 0.0 {
                (target - arcs[i - 1]) / seg
            } else {
                0.0
            };
            return [0, 1, 2].map(|k| pts[i - 1][k] + f * (pts[i][k] - pts[i - 1][k]));
        }
    }
    pts.last().map_or([0.0; 3], |p| [p[0], p[1], p[2]])
}
