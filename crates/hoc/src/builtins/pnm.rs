//! `ParallelContext` on one host (rank 0 of 1): the gid bookkeeping network models use even
//! when they run serially (set_gid2node, cell, gid_exists, gid2cell, gid_connect,
//! spike_record, psolve), and `NetCon.record(tvec, idvec, id)`. Nothing is sent anywhere:
//! every gid lives here, `runworker()` returns at once (there are no workers) and `context()`
//! has nobody to run its statement.

use std::rc::{Rc, Weak};

use rsnrn_runtime::{NetConId, NetConSource, PointProcessId};

use super::{num, Args};
use crate::error::{err, Res};
use crate::interp::Interp;
use crate::symmap::IntMap;
use crate::value::*;

/// The gids of this host and the spike recordings that carry ids.
#[derive(Default)]
pub struct ParallelState {
    /// Every gid `set_gid2node`d to this host; its cell once `cell()` gave one.
    /// (A hash map: a network set-up asks for a gid several times per connection.)
    gids: IntMap<i64, Option<GidCell>>,
    id_recordings: Vec<IdRecording>,
    /// Every source ever given to an id recording (some may have left since): a source not
    /// in here needs no search of the recordings for an older pair of Vectors, so recording
    /// the gids one by one (`for pcitr() pnm.spike_record(gid)`) does not take n^2/2 steps.
    ever_recorded: IntMap<NetConId, ()>,
    /// Wall time spent in psolve (s), for step_time().
    step_seconds: f64,
    /// The runtime's spike-record counter at the last sync (nothing new while it stays).
    synced_changes: Option<u64>,
    /// The runtime's record journal (epoch, length) at the last sync.
    synced_journal: Option<rsnrn_runtime::JournalMark>,
    /// Where each source is in `id_recordings` (recording, position): built when a sync
    /// needs it, dropped whenever the recordings change.
    source_places: Option<IntMap<NetConId, Vec<(usize, usize)>>>,
}

struct GidCell {
    /// The NetCon given to `cell()`: its source is the gid's spike source.
    netcon: NetConId,
    source: NetConSource,
    /// The cell object, when the source is a point process or artificial cell.
    object: Option<ObjRef>,
    /// The NetCon's hoc object, kept so that freeing the caller's reference does not remove
    /// the runtime NetCon that stands for the gid's spike source (NEURON keeps only its
    /// PreSyn; rsnrn's spike recording and threshold go through this NetCon).
    _netcon_object: ObjRef,
}

/// Spike times of some NetCon sources into `tvec` and their ids into `idvec`, in time order.
struct IdRecording {
    tvec: Weak<Object>,
    idvec: Weak<Object>,
    sources: Vec<(NetConId, f64)>,
    /// How many spikes of each source are in the vectors already.
    seen: Vec<usize>,
}

fn rt<T>(r: rsnrn_runtime::Result<T>) -> Res<T> {
    r.or_else(|e| err(e.to_string()))
}

fn gid_of(a: &Args, i: usize) -> Res<i64> {
    let g = a.num(i)?;
    if g.fract() != 0.0 || !g.is_finite() {
        return err(format!("{}: gid {g} is not an integer", a.name));
    }
    Ok(g as i64)
}

fn vector_arg(a: &Args, i: usize) -> Res<ObjRef> {
    let v = a.some_obj(i)?;
    if !matches!(&*v.data.borrow(), ObjData::Vector(_)) {
        return err(format!("{}: argument {} must be a Vector", a.name, i + 1));
    }
    Ok(v)
}

pub fn method(it: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    match m {
        "id" | "id_world" | "id_bbs" => num(0.0),
        "nhost" | "nhost_world" | "nhost_bbs" => num(1.0),
        // nthread([n [, pinned]]): the number of threads, set first if n is given.
        "nthread" => {
            if !a.is_empty() {
                let n = a.num(0)?;
                if !(n >= 1.0 && n.is_finite()) {
                    return err(format!(
                        "ParallelContext.nthread({n}): needs at least 1 thread"
                    ));
                }
                it.model
                    .set_threads(n as usize)
                    .or_else(|e| err(e.to_string()))?;
            }
            num(it.model.threads() as f64)
        }
        "set_gid2node" => {
            let gid = gid_of(&a, 0)?;
            if a.num(1)? == 0.0 {
                it.parallel.gids.entry(gid).or_insert(None);
            }
            num(0.0)
        }
        "gid_exists" => {
            let gid = gid_of(&a, 0)?;
            num(match it.parallel.gids.get(&gid) {
                None => 0.0,
                Some(None) => 1.0,
                Some(Some(_)) => 3.0,
            })
        }
        "cell" => {
            let gid = gid_of(&a, 0)?;
            let nc = a.some_obj(1)?;
            let netcon = match &*nc.data.borrow() {
                ObjData::NetCon(n) => *n,
                _ => return err("ParallelContext.cell: argument 2 must be a NetCon"),
            };
            let source = rt(it.model.netcon_source(netcon))?;
            let object = match source {
                NetConSource::Point(p) => Some(point_object(it, p)?),
                NetConSource::Voltage { .. } => None,
                NetConSource::None => {
                    return err(format!(
                        "ParallelContext.cell: the NetCon for gid {gid} has no source"
                    ))
                }
            };
            match it.parallel.gids.get_mut(&gid) {
                None => err(format!(
                    "ParallelContext.cell: gid={gid} has not been set on rank 0 (set_gid2node first)"
                )),
                Some(Some(_)) => err(format!(
                    "ParallelContext.cell: gid={gid} already has a cell"
                )),
                Some(slot) => {
                    *slot = Some(GidCell {
                        netcon,
                        source,
                        object,
                        _netcon_object: nc.clone(),
                    });
                    num(0.0)
                }
            }
        }
        "gid2cell" | "gid2obj" => {
            let gid = gid_of(&a, 0)?;
            match it.parallel.gids.get(&gid) {
                Some(Some(GidCell {
                    object: Some(o), ..
                })) => Ok(Value::Obj(Some(o.clone()))),
                Some(Some(GidCell {
                    source: NetConSource::Voltage { section, .. },
                    ..
                })) => {
                    let section = *section;
                    Ok(Value::Obj(owner_of_section(it, section)))
                }
                Some(Some(_)) => Ok(Value::Obj(None)),
                _ => err(format!(
                    "ParallelContext.{m}: gid {gid} has no cell on this host"
                )),
            }
        }
        "gid_connect" => {
            let gid = gid_of(&a, 0)?;
            let target = super::point::pid(&a.some_obj(1)?)?;
            if a.len() > 2 {
                return err("ParallelContext.gid_connect: reusing a NetCon (third argument) is not available in rsnrn yet");
            }
            let Some(Some(cell)) = it.parallel.gids.get(&gid) else {
                return err(format!(
                    "ParallelContext.gid_connect: source gid {gid} has no cell yet (rsnrn runs on one host and needs pc.cell() before gid_connect)"
                ));
            };
            let source = cell.source;
            let nc = rt(it.model.add_netcon(source, Some(target)))?;
            if let NetConSource::Voltage { .. } = source {
                // The gid's spike detector, shared by all its connections, keeps its threshold.
                let threshold = rt(it.model.netcon_threshold(cell.netcon))?;
                rt(it.model.set_netcon_threshold(nc, threshold))?;
            }
            let obj = it
                .reg
                .new_object(Class::Builtin(ClassKind::NetCon), ObjData::NetCon(nc));
            Ok(Value::Obj(Some(obj)))
        }
        "spike_record" => {
            let gid = gid_of(&a, 0)?;
            let (tvec, idvec) = (vector_arg(&a, 1)?, vector_arg(&a, 2)?);
            let sources: Vec<(NetConId, f64)> = if gid == -1 {
                // In gid order, as the spikes of equal times are ordered by source.
                let mut all: Vec<(i64, NetConId)> = it
                    .parallel
                    .gids
                    .iter()
                    .filter_map(|(&g, c)| c.as_ref().map(|c| (g, c.netcon)))
                    .collect();
                all.sort_unstable_by_key(|&(g, _)| g);
                all.into_iter().map(|(g, nc)| (nc, g as f64)).collect()
            } else {
                match it.parallel.gids.get(&gid) {
                    Some(Some(c)) => vec![(c.netcon, gid as f64)],
                    _ => {
                        return err(format!(
                            "ParallelContext.spike_record: gid {gid} has no cell on this host"
                        ))
                    }
                }
            };
            record_with_ids(it, &tvec, &idvec, sources)?;
            num(0.0)
        }
        "psolve" => {
            let tstop = a.num(0)?;
            psolve(it, tstop)?;
            num(0.0)
        }
        "set_maxstep" => num(a.num(0)?),
        // Wall-clock seconds, as startsw().
        "time" => num(it.start.elapsed().as_secs_f64()),
        // One host: every reduction is the value itself.
        "allreduce" => num(a.num(0)?),
        "threshold" => {
            let gid = gid_of(&a, 0)?;
            let Some(Some(cell)) = it.parallel.gids.get(&gid) else {
                return err(format!(
                    "ParallelContext.threshold: gid {gid} has no cell on this host"
                ));
            };
            let netcon = cell.netcon;
            if a.len() > 1 {
                rt(it.model.set_netcon_threshold(netcon, a.num(1)?))?;
            }
            num(rt(it.model.netcon_threshold(netcon))?)
        }
        "step_time" => num(it.parallel.step_seconds),
        "wait_time" | "send_time" | "event_time" | "integ_time" | "vtransfer_time" => num(0.0),
        "runworker" | "done" | "barrier" | "context" => num(0.0),
        "max_histogram" => {
            // Spikes per exchange: one host exchanges nothing, so the histogram stays empty.
            vector_arg(&a, 0)?;
            num(0.0)
        }
        "spike_statistics" => {
            // One host sends and receives nothing.
            for i in 0..a.len() {
                if let Value::Ptr(p) = &a.v[i] {
                    it.write_ptr(p, 0.0)?;
                }
            }
            num(0.0)
        }
        _ => err(format!(
            "'{m}' not a public member of '{}' (rsnrn has one host)",
            o.class.name()
        )),
    }
}

/// The hoc object of a point process (the cell `gid2cell` returns).
fn point_object(it: &Interp, p: PointProcessId) -> Res<ObjRef> {
    let mech = rt(it.model.point_mechanism(p))?.to_string();
    // Newest first: a cell is registered (pc.cell) right after it was made, and searching
    // from the oldest made registering n cells cost n^2/2 steps.
    it.reg
        .instances
        .get(&mech)
        .into_iter()
        .flat_map(|l| l.iter().rev())
        .filter_map(Weak::upgrade)
        .find(|o| matches!(&*o.data.borrow(), ObjData::Point(q) if *q == p))
        .ok_or(())
        .or_else(|_| err(format!("the {mech} of this NetCon has no hoc object")))
}

/// Records the spikes of `sources` into `tvec` (times) and `idvec` (each source's id).
pub fn record_with_ids(
    it: &mut Interp,
    tvec: &ObjRef,
    idvec: &ObjRef,
    sources: Vec<(NetConId, f64)>,
) -> Res<()> {
    for v in [tvec, idvec] {
        match &mut *v.data.borrow_mut() {
            ObjData::Vector(d) => d.data.clear(),
            _ => return err("spike recording: the time and id arguments must be Vectors"),
        }
    }
    it.parallel.source_places = None;
    for &(nc, _) in &sources {
        // The source now records into these Vectors only (NEURON's PreSyn has one record).
        let ended = rt(it.model.netcon_record(nc))?;
        it.spike_recordings
            .retain(|(_, n)| *n != nc && !ended.contains(n));
    }
    // A source records into one pair of Vectors, the last one given (NEURON keeps the pair on
    // the spike source): `spike_record(-1, ...)` takes the gids recorded before.
    let seen_before = sources
        .iter()
        .any(|s| it.parallel.ever_recorded.contains_key(&s.0));
    it.parallel
        .ever_recorded
        .extend(sources.iter().map(|s| (s.0, ())));
    for r in it.parallel.id_recordings.iter_mut().filter(|_| seen_before) {
        let mut k = 0;
        while k < r.sources.len() {
            if sources.iter().any(|s| s.0 == r.sources[k].0) {
                r.sources.remove(k);
                r.seen.remove(k);
            } else {
                k += 1;
            }
        }
    }
    // Sources given the same Vectors share one recording, so their spikes merge in time order.
    let same = |r: &IdRecording| {
        r.tvec.upgrade().is_some_and(|t| Rc::ptr_eq(&t, tvec))
            && r.idvec.upgrade().is_some_and(|i| Rc::ptr_eq(&i, idvec))
    };
    if let Some(r) = it.parallel.id_recordings.iter_mut().find(|r| same(r)) {
        r.seen.extend(std::iter::repeat_n(0, sources.len()));
        r.sources.extend(sources);
        return Ok(());
    }
    it.parallel.id_recordings.push(IdRecording {
        tvec: Rc::downgrade(tvec),
        idvec: Rc::downgrade(idvec),
        seen: vec![0; sources.len()],
        sources,
    });
    Ok(())
}

/// Appends the spikes recorded since the last call, in time order (ties in source order);
/// after a finitialize emptied the sources the vectors start again.
pub fn sync(it: &mut Interp) {
    let changes = it.model.spike_record_changes();
    let state = &mut it.parallel;
    if state.synced_changes == Some(changes) {
        return;
    }
    state.synced_changes = Some(changes);
    let before = state.id_recordings.len();
    state
        .id_recordings
        .retain(|r| r.tvec.strong_count() > 0 && r.idvec.strong_count() > 0);
    if state.id_recordings.len() != before {
        state.source_places = None;
    }
    // In the same epoch the records only grew, and only those of the NetCons in the journal
    // since the last sync.
    let Some(gained) = it
        .model
        .spike_records_gained_since(&mut state.synced_journal)
    else {
        for r in state.id_recordings.iter_mut() {
            let all: Vec<usize> = (0..r.sources.len()).collect();
            copy_fresh(&it.model, r, &all);
        }
        return;
    };
    let places = state.source_places.get_or_insert_with(|| {
        let mut places: IntMap<NetConId, Vec<(usize, usize)>> = IntMap::default();
        for (r, recording) in state.id_recordings.iter().enumerate() {
            for (k, &(nc, _)) in recording.sources.iter().enumerate() {
                places.entry(nc).or_default().push((r, k));
            }
        }
        places
    });
    let mut touched: Vec<(usize, usize)> = gained
        .iter()
        .filter_map(|nc| places.get(nc))
        .flatten()
        .copied()
        .collect();
    touched.sort_unstable();
    touched.dedup();
    for group in touched.chunk_by(|a, b| a.0 == b.0) {
        let positions: Vec<usize> = group.iter().map(|&(_, k)| k).collect();
        copy_fresh(&it.model, &mut state.id_recordings[group[0].0], &positions);
    }
}

/// Appends to `r`'s vectors the spikes its sources at `positions` (ascending) recorded since
/// the last copy, in time order (ties in source order); when a source has fewer spikes than
/// copied (a finitialize emptied them) the vectors start again.
fn copy_fresh(model: &rsnrn_runtime::CableModel, r: &mut IdRecording, positions: &[usize]) {
    let (Some(tvec), Some(idvec)) = (r.tvec.upgrade(), r.idvec.upgrade()) else {
        return;
    };
    let mut restarted = false;
    let mut fresh: Vec<(f64, f64)> = Vec::new();
    for &k in positions {
        let (nc, id) = r.sources[k];
        let Ok(spikes) = model.netcon_spikes(nc) else {
            continue;
        };
        if spikes.len() < r.seen[k] {
            restarted = true;
            r.seen[k] = 0;
        }
        fresh.extend(spikes[r.seen[k]..].iter().map(|&t| (t, id)));
        r.seen[k] = spikes.len();
    }
    if fresh.is_empty() && !restarted {
        return;
    }
    fresh.sort_by(|a, b| a.0.total_cmp(&b.0));
    for (v, column) in [(&tvec, 0), (&idvec, 1)] {
        if let ObjData::Vector(d) = &mut *v.data.borrow_mut() {
            if restarted {
                d.data.clear();
            }
            d.data
                .extend(fresh.iter().map(|p| if column == 0 { p.0 } else { p.1 }));
        }
    }
}

/// `psolve(tstop)`: fixed steps while t < tstop - dt/2 (as continuerun).
fn psolve(it: &mut Interp, tstop: f64) -> Res<()> {
    if it.cvode_active {
        return err("ParallelContext.psolve: the variable step method is active (cvode.active(1)) and rsnrn has only the fixed-step method");
    }
    let start = std::time::Instant::now();
    // On threads with nothing to do between steps, the runtime integrates whole exchange
    // intervals (the minimum NetCon delay between groups of cells).
    match super::simhooks::run_in_one_piece(it, tstop) {
        Ok(true) => {
            it.parallel.step_seconds += start.elapsed().as_secs_f64();
            return Ok(());
        }
        Ok(false) => {}
        Err(e) => return Err(e),
    }
    it.progress.begin(it.model.t(), tstop);
    // Each step as fadvance() takes it: plays, recordings, hoc and Python events.
    let result = loop {
        let (t, dt) = (it.model.t(), it.model.dt());
        if t >= tstop - dt / 2.0 {
            break Ok(());
        }
        if let Err(e) = super::simhooks::fadvance(it) {
            break Err(e);
        }
        it.progress.step(it.model.t());
    };
    it.progress.end();
    it.parallel.step_seconds += start.elapsed().as_secs_f64();
    result
}

/// The template instance that created a section (NULLobject for a top-level section), as
/// NEURON's gid2cell answers for a cell whose spike source is a membrane potential.
fn owner_of_section(it: &Interp, section: rsnrn_runtime::SectionId) -> Option<ObjRef> {
    let sec = it.secs.iter().position(|s| s.alive && s.rt == section)? as SecId;
    it.reg.instances.values().flatten().find_map(|w| {
        let o = w.upgrade()?;
        let owns = match &*o.data.borrow() {
            ObjData::Hoc(scope) => scope
                .slots
                .iter()
                .any(|slot| matches!(slot, Slot::Sec { data, .. } if data.contains(&sec))),
            _ => false,
        };
        owns.then_some(o)
    })
}
