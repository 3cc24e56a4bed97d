//! `ParallelContext` on one process (nhost() = 1, id() = 0), as NEURON runs a parallel model
//! without MPI: gids name spike sources (`set_gid2node`, `cell(gid, netcon)`), `gid_connect`
//! makes NetCons from them, `spike_record` collects (t, gid) in time order, `psolve(tstop)`
//! integrates with the fixed step. Exchange methods (barrier, allreduce, ...) return what one
//! process gives. The gid tables are global: every ParallelContext object shares them, as in
//! NEURON.

use std::collections::HashMap;
use std::rc::{Rc, Weak};

use rsnrn_runtime::{NetConId, NetConSource};

use super::{num, obj_value, Args};
use crate::error::{err, Res};
use crate::interp::Interp;
use crate::value::*;

/// What the gid tables hold.
#[derive(Default)]
pub struct ParallelState {
    gids: HashMap<i64, Gid>,
    /// Output cells in the order `cell()` registered them (ties in spike times keep this
    /// order), with the number of their spikes already copied into the sinks.
    outputs: Vec<Output>,
    /// `spike_record(-1, ...)`: every output gid goes here, replacing per-gid records.
    all: Option<SpikeSink>,
    per_gid: HashMap<i64, SpikeSink>,
}

struct Output {
    gid: i64,
    netcon: NetConId,
    consumed: usize,
}

struct Gid {
    /// The NetCon given to `cell()`: its source is the gid's spike source.
    netcon: Option<NetConId>,
}

#[derive(Clone)]
struct SpikeSink {
    times: Weak<Object>,
    ids: Weak<Object>,
}

fn rt<T>(r: rsnrn_runtime::Result<T>) -> Res<T> {
    r.or_else(|e| err(e.to_string()))
}

pub fn method(it: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    match m {
        "nhost" | "nhost_world" | "nhost_bbs" | "nthread" => num(1.0),
        "id" | "id_world" | "id_bbs" => num(0.0),
        "barrier" | "done" | "runworker" | "wait_time" | "send_time" | "event_time"
        | "integ_time" | "vtransfer_time" | "spike_compress" | "timeout" | "max_histogram"
        | "setup_transfer" | "multisplit" | "set_gid2node" => {
            if m == "set_gid2node" {
                set_gid2node(it, &a)?;
            }
            num(0.0)
        }
        "time" => num(it.start.elapsed().as_secs_f64()),
        "allreduce" => num(a.num(0)?),
        "set_maxstep" => num(a.num(0)?),
        "gid_exists" => num(gid_exists(it, a.num(0)? as i64)),
        "cell" => {
            cell(it, &a)?;
            num(0.0)
        }
        "outputcell" => {
            let gid = a.num(0)? as i64;
            match it.parallel.gids.get(&gid) {
                Some(Gid { netcon: Some(_) }) => num(0.0),
                _ => err(format!(
                    "outputcell: gid {gid} has no cell (call pc.cell(gid, netcon) first)"
                )),
            }
        }
        "threshold" => threshold(it, &a),
        "gid_connect" => gid_connect(it, &a),
        "gid2cell" | "gid2obj" => gid2cell(it, a.num(0)? as i64),
        "spike_record" => {
            spike_record(it, &a)?;
            num(0.0)
        }
        "psolve" => {
            psolve(it, a.num(0)?)?;
            num(0.0)
        }
        _ => err(format!("'{m}' not a public member of '{}'", o.class.name())),
    }
}

fn set_gid2node(it: &mut Interp, a: &Args) -> Res<()> {
    let (gid, host) = (a.num(0)? as i64, a.num(1)?);
    // One process: only host 0 exists; other hosts' gids are simply not here.
    if host == 0.0 && !it.parallel.gids.contains_key(&gid) {
        it.parallel.gids.insert(gid, Gid { netcon: None });
    }
    Ok(())
}

/// 0: not on this host; 1: set_gid2node only; 3: a cell with a spike source (an output cell).
fn gid_exists(it: &Interp, gid: i64) -> f64 {
    match it.parallel.gids.get(&gid) {
        None => 0.0,
        Some(Gid { netcon: None }) => 1.0,
        Some(Gid { netcon: Some(_) }) => 3.0,
    }
}

fn netcon_of(o: &ObjRef) -> Res<NetConId> {
    match &*o.data.borrow() {
        ObjData::NetCon(n) => Ok(*n),
        _ => err(format!("{} is not a NetCon", o.name())),
    }
}

fn cell(it: &mut Interp, a: &Args) -> Res<()> {
    let gid = a.num(0)? as i64;
    let nc = netcon_of(&a.some_obj(1)?)?;
    let Some(entry) = it.parallel.gids.get_mut(&gid) else {
        return err(format!(
            "gid={gid} has not been set on rank 0 (call pc.set_gid2node({gid}, pc.id()) first)"
        ));
    };
    if entry.netcon.is_some() {
        return err(format!("gid={gid} already exists as an output cell"));
    }
    entry.netcon = Some(nc);
    it.parallel.outputs.push(Output {
        gid,
        netcon: nc,
        consumed: 0,
    });
    rt(it.model.netcon_record(nc))?;
    Ok(())
}

fn source_netcon(it: &Interp, gid: i64) -> Res<NetConId> {
    match it.parallel.gids.get(&gid) {
        Some(Gid { netcon: Some(nc) }) => Ok(*nc),
        _ => err(format!(
            "gid {gid} has no spike source on this process (pc.cell({gid}, netcon) was not called; rsnrn runs one process)"
        )),
    }
}

fn threshold(it: &mut Interp, a: &Args) -> Res<Value> {
    let nc = source_netcon(it, a.num(0)? as i64)?;
    if a.len() > 1 {
        rt(it.model.set_netcon_threshold(nc, a.num(1)?))?;
    }
    num(rt(it.model.netcon_threshold(nc))?)
}

/// `gid_connect(srcgid, target)`: a NetCon from the gid's source to the target (a point
/// process or NULLobject), with the source's threshold.
fn gid_connect(it: &mut Interp, a: &Args) -> Res<Value> {
    let source_nc = source_netcon(it, a.num(0)? as i64)?;
    let source = rt(it.model.netcon_source(source_nc))?;
    let target = match a.obj(1)? {
        None => None,
        Some(o) => Some(super::point::pid(&o)?),
    };
    let threshold = rt(it.model.netcon_threshold(source_nc))?;
    let nc = rt(it.model.add_netcon(source, target))?;
    rt(it.model.set_netcon_threshold(nc, threshold))?;
    let o = it
        .reg
        .new_object(Class::Builtin(ClassKind::NetCon), ObjData::NetCon(nc));
    obj_value(o)
}

/// The object of a gid's spike source: the artificial cell or point process, else NULLobject.
fn gid2cell(it: &mut Interp, gid: i64) -> Res<Value> {
    let nc = source_netcon(it, gid)?;
    let NetConSource::Point(pid) = rt(it.model.netcon_source(nc))? else {
        return Ok(Value::Obj(None));
    };
    let found = it.reg.instances.values().flatten().find_map(|w| {
        let o = w.upgrade()?;
        let is_it = matches!(&*o.data.borrow(), ObjData::Point(p) if *p == pid);
        is_it.then_some(o)
    });
    Ok(Value::Obj(found))
}

fn spike_record(it: &mut Interp, a: &Args) -> Res<()> {
    let gid = a.num(0)? as i64;
    let vector = |i: usize| -> Res<Weak<Object>> {
        let o = a.some_obj(i)?;
        if !matches!(&*o.data.borrow(), ObjData::Vector(_)) {
            return err("spike_record: the second and third arguments must be Vectors");
        }
        Ok(Rc::downgrade(&o))
    };
    let sink = SpikeSink {
        times: vector(1)?,
        ids: vector(2)?,
    };
    if gid == -1 {
        it.parallel.all = Some(sink);
    } else {
        source_netcon(it, gid)?;
        it.parallel.per_gid.insert(gid, sink);
    }
    Ok(())
}

fn psolve(it: &mut Interp, tstop: f64) -> Res<()> {
    let start = it.model.t();
    it.progress.begin(start, tstop);
    let r = (|| {
        while it.model.t() < tstop - 0.5 * it.model.dt() {
            it.flush();
            it.model.fadvance().or_else(|e| err::<()>(e.to_string()))?;
            it.sync_recordings();
            it.progress.step(it.model.t());
        }
        Ok(())
    })();
    it.progress.end();
    r
}

impl Interp {
    /// Copies the new spikes of the registered gids into the spike_record Vectors, in time
    /// order (called with the other recordings after finitialize and every step).
    pub fn sync_parallel_spikes(&mut self) {
        if self.parallel.all.is_none() && self.parallel.per_gid.is_empty() {
            return;
        }
        let mut fresh: Vec<(f64, i64)> = Vec::new();
        let mut restarted = false;
        for out in &mut self.parallel.outputs {
            let Ok(spikes) = self.model.netcon_spikes(out.netcon) else {
                continue;
            };
            if spikes.len() < out.consumed {
                // finitialize cleared the spikes: so are the record Vectors.
                out.consumed = 0;
                restarted = true;
            }
            fresh.extend(spikes[out.consumed..].iter().map(|&t| (t, out.gid)));
            out.consumed = spikes.len();
        }
        // A stable sort keeps registration order among equal times.
        fresh.sort_by(|x, y| x.0.total_cmp(&y.0));
        let p = &self.parallel;
        let sink_of = |gid: i64| p.all.as_ref().or_else(|| p.per_gid.get(&gid));
        if restarted {
            for sink in p.all.iter().chain(p.per_gid.values()) {
                for w in [&sink.times, &sink.ids] {
                    if let Some(o) = w.upgrade() {
                        if let ObjData::Vector(v) = &mut *o.data.borrow_mut() {
                            v.data.clear();
                        }
                    }
                }
            }
        }
        for (t, gid) in fresh {
            let Some(sink) = sink_of(gid) else { continue };
            for (w, value) in [(&sink.times, t), (&sink.ids, gid as f64)] {
                if let Some(o) = w.upgrade() {
                    if let ObjData::Vector(v) = &mut *o.data.borrow_mut() {
                        v.data.push(value);
                    }
                }
            }
        }
    }
}
