//! Built-in functions about sections and the simulation: secname, the section stack,
//! section_exists/issection/ismembrane, area/ri/distance, 3-D points, topology/psection,
//! finitialize/fadvance.

use super::{bool_num, num, Args};
use crate::error::{err, Res};
use crate::interp::{Builtin, Interp};
use crate::value::*;
use rsnrn_runtime::Pt3dField;

fn def(it: &mut Interp, name: &str, f: crate::interp::BFn) {
    it.define_builtin(name, Builtin::Func(f));
}

fn rt_err<T>(e: rsnrn_runtime::RuntimeError) -> Res<T> {
    err(e.to_string())
}

pub fn install(it: &mut Interp) {
    def(it, "secname", |it, _| {
        let s = it.cas()?;
        let name = it.sec_name(s);
        if it.hooks.host_sections.contains(&s) {
            return Ok(Value::str(format!("_pysec.{name}")));
        }
        Ok(Value::str(name))
    });
    // The x on the parent where the accessed section attaches, and its own end there
    // (0 for a root section).
    def(it, "parent_connection", |it, _| {
        let s = it.cas()?;
        num(it.sec(s)?.parent.map_or(0.0, |(_, _, x)| x))
    });
    def(it, "section_orientation", |it, _| {
        let s = it.cas()?;
        num(it.sec(s)?.parent.map_or(0.0, |(_, end, _)| end))
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
            return bool_num(it.model.has_ion(rt, ion).unwrap_or(false));
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
        let rt = cas_rt(it)?;
        it.model.pt3dclear(rt).or_else(rt_err)?;
        num(0.0)
    });
    def(it, "pt3dadd", |it, v| {
        let a = Args::new("pt3dadd", v);
        let (x, y, z, d) = (a.num(0)?, a.num(1)?, a.num(2)?, a.num(3)?);
        let rt = cas_rt(it)?;
        it.model.pt3dadd(rt, x, y, z, d).or_else(rt_err)?;
        num(1.0)
    });
    def(it, "pt3dinsert", |it, v| {
        let a = Args::new("pt3dinsert", v);
        let i = a.num(0)? as usize;
        let (x, y, z, d) = (a.num(1)?, a.num(2)?, a.num(3)?, a.num(4)?);
        let rt = cas_rt(it)?;
        it.model.pt3dinsert(rt, i, x, y, z, d).or_else(rt_err)?;
        num(1.0)
    });
    def(it, "pt3dremove", |it, v| {
        let a = Args::new("pt3dremove", v);
        let i = a.num(0)? as usize;
        let rt = cas_rt(it)?;
        it.model.pt3dremove(rt, i).or_else(rt_err)?;
        num(1.0)
    });
    def(it, "pt3dchange", |it, v| {
        let a = Args::new("pt3dchange", v);
        let i = a.num(0)? as usize;
        let rt = cas_rt(it)?;
        if a.len() == 2 {
            let d = a.num(1)?;
            it.model.pt3dchange_diam(rt, i, d).or_else(rt_err)?;
        } else {
            let (x, y, z, d) = (a.num(1)?, a.num(2)?, a.num(3)?, a.num(4)?);
            it.model.pt3dchange(rt, i, x, y, z, d).or_else(rt_err)?;
        }
        num(1.0)
    });
    def(it, "n3d", |it, _| {
        let rt = cas_rt(it)?;
        num(it.model.n3d(rt).or_else(rt_err)? as f64)
    });
    for (name, field) in [
        ("x3d", Pt3dField::X),
        ("y3d", Pt3dField::Y),
        ("z3d", Pt3dField::Z),
        ("diam3d", Pt3dField::Diam),
        ("arc3d", Pt3dField::Arc),
    ] {
        let f: crate::interp::BFn = match field {
            Pt3dField::X => |it, v| pt3d_get(it, v, Pt3dField::X),
            Pt3dField::Y => |it, v| pt3d_get(it, v, Pt3dField::Y),
            Pt3dField::Z => |it, v| pt3d_get(it, v, Pt3dField::Z),
            Pt3dField::Diam => |it, v| pt3d_get(it, v, Pt3dField::Diam),
            Pt3dField::Arc => |it, v| pt3d_get(it, v, Pt3dField::Arc),
        };
        def(it, name, f);
    }
    def(it, "define_shape", |it, _| {
        it.model.define_shape().or_else(rt_err)?;
        num(1.0)
    });
    def(it, "finitialize", |it, v| {
        let a = Args::new("finitialize", v);
        let v_init = if a.is_empty() { None } else { Some(a.num(0)?) };
        super::simhooks::finitialize(it, v_init)?;
        num(1.0)
    });
    def(it, "fadvance", |it, _| {
        if it.cvode_active {
            return err("fadvance: the variable step method is active (cvode.active(1)) and rsnrn has only the fixed-step method; call cvode.active(0)");
        }
        super::simhooks::fadvance(it)?;
        it.progress.step(it.model.t());
        num(1.0)
    });
    // stdrun.hoc's continuerun opens and closes a run for the progress line.
    def(it, "rsnrn_run_begin_", |it, v| {
        let tstop = Args::new("rsnrn_run_begin_", v).num(0)?;
        it.progress.begin(it.model.t(), tstop);
        num(0.0)
    });
    // stdrun.hoc's continuerun asks first whether the run can go in one piece: with stdrun's
    // own step()/advance()/Plot() (one fadvance per step, nothing between) and nothing of
    // hoc's to do between steps. 1: the run is done.
    def(it, "rsnrn_run_in_one_piece_", |it, v| {
        let a = Args::new("rsnrn_run_in_one_piece_", v);
        let (tstop, steps_per_step) = (a.num(0)?, a.num(1)?);
        let own = |it: &mut Interp, name: &str| {
            let sym = it.names.intern(name);
            it.user_proc(sym).is_some_and(|(p, obj)| {
                obj.is_none()
                    && p.source.path.is_none()
                    && super::funcs::LIBRARY
                        .iter()
                        .any(|(n, _)| *n == p.source.name)
            })
        };
        if steps_per_step != 1.0 || it.obj_ctx.is_some() {
            return num(0.0);
        }
        if !["step", "advance", "Plot"].into_iter().all(|n| own(it, n)) {
            return num(0.0);
        }
        let done = super::simhooks::run_in_one_piece(it, tstop)?;
        num(if done { 1.0 } else { 0.0 })
    });
    def(it, "rsnrn_run_end_", |it, _| {
        it.progress.end();
        num(0.0)
    });
    def(it, "fcurrent", |it, _| {
        it.model.fcurrent().or_else(rt_err)?;
        num(1.0)
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

fn cas_rt(it: &mut Interp) -> Res<rsnrn_runtime::SectionId> {
    let s = it.cas()?;
    it.rt(s)
}

fn pt3d_get(it: &mut Interp, v: Vec<Value>, field: Pt3dField) -> Res<Value> {
    let a = Args::new("pt3d", v);
    let i = a.num(0)? as usize;
    let rt = cas_rt(it)?;
    it.model
        .pt3d_value(rt, i, field)
        .map(Value::Num)
        .or_else(rt_err)
}
