//! What the front end does around the runtime's finitialize and fadvance: FInitializeHandler
//! (types 3, 0, 1, 2), `cvode.event(t, action)`, Vector.play (the runtime plays; values for
//! hoc variables come back here) and calls of host callables (Python functions).
//!
//! Timing as nrniv 9.0.2 shows it (crates/cli/tests/hoc/finitialize_handler.hoc,
//! cvode_event.hoc): type 3 handlers run first, while t still has its old value; then t = 0,
//! the event queue is cleared, plays start, v = v_init, type 0; mechanism INITIALs, type 1 (the
//! default); the rest of finitialize, type 2. A `cvode.event` callback runs after the step
//! that reaches its time (see `run_due_events`), seeing that step's t.

use std::collections::HashMap;
use std::rc::{Rc, Weak};

use super::{obj_value, Args};
use crate::error::{err, Res};
use crate::interp::Interp;
use crate::value::*;
use rsnrn_runtime::{PlayId, PlayTarget, PlayTimes};

/// Something the simulation calls back: a hoc statement (run in the context of an object, if
/// given) or a host callable wrapped as a hoc object (a Python function).
#[derive(Clone)]
pub enum Callback {
    Stmt { code: String, ctx: Option<ObjRef> },
    Host(ObjRef),
}

/// How a host object is used from hoc.
pub enum HostUse<'a> {
    /// `o(args)`: the object called.
    Call(Vec<Value>),
    /// `o.name`.
    Get(&'a str),
    /// `o.name(args)`.
    Method(&'a str, Vec<Value>),
    /// `o.name[i]` (`o._[i]` indexes the object itself).
    Index(&'a str, Vec<f64>),
}

/// What the embedding front end (Python) provides for host objects.
#[derive(Clone, Copy)]
pub struct HostHooks {
    /// Uses a host object.
    pub access: fn(&mut Interp, &ObjRef, HostUse) -> Res<Value>,
    /// `nrnpython("code")`: runs host code, telling whether it ran without error.
    pub exec: fn(&mut Interp, &str) -> Res<bool>,
    /// `new PythonObject()`: the host's top-level namespace.
    pub main: fn(&mut Interp) -> Res<ObjRef>,
}

struct Handler {
    obj: Weak<Object>,
    kind: u8,
    action: Callback,
}

struct Pending {
    time: f64,
    seq: u64,
    action: Callback,
}

/// A Vector playing: the runtime's play, the vectors it was made from (their values are
/// handed to the runtime again at finitialize) and the hoc variable it writes, if any.
struct PlayLink {
    id: PlayId,
    vec: Weak<Object>,
    times: PlaySource,
    key: Option<u64>,
}

enum PlaySource {
    Interval(f64),
    Vector(Weak<Object>),
}

#[derive(Default)]
pub struct SimHooks {
    handlers: Vec<Handler>,
    pending: Vec<Pending>,
    seq: u64,
    plays: Vec<PlayLink>,
    /// Hoc variables played into, by the key the runtime knows them by.
    external: HashMap<u64, Ptr>,
    next_key: u64,
    /// `NetCon.record(tvec, idvec, id)`: the id vectors.
    spike_ids: Vec<(Weak<Object>, rsnrn_runtime::NetConId, f64)>,
    /// `APCount.record(vec)`: the vector, the APCount and the count already recorded.
    apcount_records: Vec<(Weak<Object>, ObjRef, f64)>,
    /// Labels of Vectors (`vec.label("volts")`), kept beside the Vectors' data.
    pub(crate) vector_labels: Vec<(Weak<Object>, String)>,
    /// Recordings the front end samples (hoc variables, records at given times).
    pub(crate) records: Vec<super::front_record::FrontRecord>,
    /// How host objects are used (None: there are none, as in rsnrniv).
    pub host: Option<HostHooks>,
    /// Sections the host made with a plain name (Python's `h.Section(name=...)`): hoc's
    /// `secname()` shows them as `_pysec.<name>`, as NEURON does.
    pub host_sections: std::collections::HashSet<SecId>,
    /// Runs handed to the runtime in one piece ([`run_in_one_piece`]): what tests observe.
    pub one_piece_runs: u64,
}

fn rt_err<T>(e: rsnrn_runtime::RuntimeError) -> Res<T> {
    err(e.to_string())
}

/// Whether `o` wraps a host callable.
pub fn is_host(o: &ObjRef) -> bool {
    matches!(&*o.data.borrow(), ObjData::Host(_))
}

fn callback_arg(a: &Args, i: usize, what: &str) -> Res<Callback> {
    if a.is_str(i) {
        let ctx = if a.len() > i + 1 { a.obj(i + 1)? } else { None };
        return Ok(Callback::Stmt {
            code: a.str(i)?,
            ctx,
        });
    }
    if a.is_obj(i) {
        if let Some(o) = a.obj(i)? {
            if is_host(&o) {
                return Ok(Callback::Host(o));
            }
        }
    }
    err(format!(
        "{what}: argument {} must be a statement string or a callable",
        i + 1
    ))
}

/// Runs a callback (errors propagate: they stop the simulation call that ran it).
pub fn run_callback(it: &mut Interp, cb: &Callback, args: Vec<Value>) -> Res<()> {
    match cb {
        Callback::Stmt { code, ctx } => it.execute_in(code, ctx.clone()),
        Callback::Host(o) => host_access(it, o, HostUse::Call(args)).map(|_| ()),
    }
}

fn host(it: &Interp) -> Res<HostHooks> {
    match it.hooks.host {
        Some(h) => Ok(h),
        None => err("PythonObject: rsnrniv's hoc has no Python (use rsneuron from Python)"),
    }
}

/// Uses host object `o` (calls it, reads or calls a member, indexes it).
pub fn host_access(it: &mut Interp, o: &ObjRef, how: HostUse) -> Res<Value> {
    let h = host(it)?;
    it.flush();
    (h.access)(it, o, how)
}

/// `new PythonObject()`.
pub fn host_main(it: &mut Interp) -> Res<ObjRef> {
    let h = host(it)?;
    (h.main)(it)
}

pub fn install(it: &mut Interp) {
    it.define_builtin(
        "nrnpython",
        crate::interp::Builtin::Func(|it, v| {
            let a = Args::new("nrnpython", v);
            let code = a.str(0)?;
            let h = host(it)?;
            it.flush();
            super::bool_num((h.exec)(it, &code)?)
        }),
    );
}

/// `new FInitializeHandler([type,] "stmt" [, obj])` or with a callable.
pub fn construct_fih(it: &mut Interp, a: &Args, obj: &ObjRef) -> Res<()> {
    let (kind, at) = if a.is_num(0) {
        (a.num(0)?, 1)
    } else {
        (1.0, 0)
    };
    if !(0.0..=3.0).contains(&kind) || kind.fract() != 0.0 {
        return err(format!(
            "FInitializeHandler: type {kind} is not 0, 1, 2 or 3"
        ));
    }
    let action = callback_arg(a, at, "FInitializeHandler")?;
    it.hooks.handlers.push(Handler {
        obj: Rc::downgrade(obj),
        kind: kind as u8,
        action,
    });
    Ok(())
}

fn run_handlers(it: &mut Interp, kind: u8) -> Res<()> {
    it.hooks.handlers.retain(|h| h.obj.strong_count() > 0);
    let due: Vec<Callback> = it
        .hooks
        .handlers
        .iter()
        .filter(|h| h.kind == kind)
        .map(|h| h.action.clone())
        .collect();
    for cb in &due {
        run_callback(it, cb, Vec::new())?;
    }
    Ok(())
}

/// `cvode.event(t [, action])`: without an action only a step boundary, which the fixed step
/// does not need.
pub fn cvode_event(it: &mut Interp, a: &Args) -> Res<Value> {
    let time = a.num(0)?;
    if a.len() > 1 {
        // A statement runs in the template instance that made the event, as in NEURON.
        let action = match callback_arg(a, 1, "CVode.event")? {
            Callback::Stmt { code, ctx: None } => Callback::Stmt {
                code,
                ctx: it.obj_ctx.clone(),
            },
            other => other,
        };
        it.hooks.seq += 1;
        let seq = it.hooks.seq;
        it.hooks.pending.push(Pending { time, seq, action });
    }
    super::num(0.0)
}

/// Runs the callbacks whose time has come, earliest first. nrniv counts an event as come
/// when its time is ≤ t + 1e-6·dt (probed: with dt 0.025 an event at t + 2.4e-8 runs in the
/// step, one at t + 2.6e-8 in the next; with dt 0.1 the bound is 1e-7), which absorbs the
/// round-off of t accumulated by half steps.
fn run_due_events(it: &mut Interp) -> Res<()> {
    let t = it.model_var(ModelVar::T) + 1e-6 * it.model_var(ModelVar::Dt);
    loop {
        let next = it
            .hooks
            .pending
            .iter()
            .enumerate()
            .filter(|(_, p)| p.time <= t)
            .min_by(|(_, a), (_, b)| a.time.total_cmp(&b.time).then(a.seq.cmp(&b.seq)))
            .map(|(k, _)| k);
        let Some(k) = next else { return Ok(()) };
        let p = it.hooks.pending.remove(k);
        run_callback(it, &p.action, Vec::new())?;
    }
}

/// Writes the values the runtime played into hoc variables, with the front end's recordings
/// sampled between those set before and after the runtime recorded (`init`: finitialize's
/// first recording, which empties them).
fn apply_external_plays(it: &mut Interp, init: bool) -> Res<()> {
    let plays = it.model.take_external_plays();
    for p in plays.iter().filter(|p| !p.after_record) {
        if let Some(ptr) = it.hooks.external.get(&p.key).cloned() {
            it.write_ptr(&ptr, p.value)?;
        }
    }
    super::front_record::sample(it, init)?;
    for p in plays.iter().filter(|p| p.after_record) {
        if let Some(ptr) = it.hooks.external.get(&p.key).cloned() {
            it.write_ptr(&ptr, p.value)?;
        }
    }
    Ok(())
}

/// Writes the values played into hoc variables at the start of finitialize.
fn apply_initial_plays(it: &mut Interp) -> Res<()> {
    for p in it.model.take_external_plays() {
        if let Some(ptr) = it.hooks.external.get(&p.key).cloned() {
            it.write_ptr(&ptr, p.value)?;
        }
    }
    Ok(())
}

fn vector_data(o: &ObjRef) -> Vec<f64> {
    match &*o.data.borrow() {
        ObjData::Vector(v) => v.data.clone(),
        _ => Vec::new(),
    }
}

/// Hands the present contents of every playing Vector to the runtime; plays whose Vector
/// was destroyed end, as in NEURON.
fn refresh_plays(it: &mut Interp) -> Res<()> {
    let links = std::mem::take(&mut it.hooks.plays);
    for link in links {
        let vec = link.vec.upgrade();
        let times = match &link.times {
            PlaySource::Interval(dt) => Some(PlayTimes::Interval(*dt)),
            PlaySource::Vector(w) => w.upgrade().map(|t| PlayTimes::Times(vector_data(&t))),
        };
        match (vec, times) {
            (Some(vec), Some(times)) => {
                it.model
                    .set_play_data(link.id, vector_data(&vec), times)
                    .or_else(rt_err)?;
                it.hooks.plays.push(link);
            }
            _ => end_play(it, link),
        }
    }
    Ok(())
}

fn end_play(it: &mut Interp, link: PlayLink) {
    let _ = it.model.remove_play(link.id);
    if let Some(key) = link.key {
        it.hooks.external.remove(&key);
    }
}

/// Ends the play of Vector `o`, if it has one.
fn remove_play_of(it: &mut Interp, o: &ObjRef) {
    let (gone, kept): (Vec<PlayLink>, Vec<PlayLink>) = std::mem::take(&mut it.hooks.plays)
        .into_iter()
        .partition(|l| l.vec.upgrade().is_some_and(|v| Rc::ptr_eq(&v, o)));
    it.hooks.plays = kept;
    for link in gone {
        end_play(it, link);
    }
}

/// `vec.play(&var, Dt | tvec [, continuous])`, also with a point process first
/// (`play(pp, &var, ...)`, which only tells NEURON's threads where the variable is).
pub fn vector_play(it: &mut Interp, o: &ObjRef, a: &Args) -> Res<Value> {
    let at = if a.is_obj(0) && matches!(a.v.get(1), Some(Value::Ptr(_))) {
        1
    } else {
        0
    };
    if a.is_str(at) {
        return err("Vector.play(\"statement\", ...) is not available in rsnrn yet; play into a variable (&var)");
    }
    if a.len() == 1 && a.is_num(0) {
        return err("Vector.play(index) is not available in rsnrn yet");
    }
    let ptr = a.ptr(at)?;
    let times = if a.is_num(at + 1) {
        PlaySource::Interval(a.num(at + 1)?)
    } else {
        let t = a.some_obj(at + 1)?;
        if !matches!(&*t.data.borrow(), ObjData::Vector(_)) {
            return err("Vector.play: the times must be a Vector or a number (Dt)");
        }
        PlaySource::Vector(Rc::downgrade(&t))
    };
    let continuous = a.num_or(at + 2, 0.0)? != 0.0;
    if a.len() > at + 3 {
        return err("Vector.play with discontinuity indices is not available in rsnrn yet");
    }
    remove_play_of(it, o);
    let (target, key) = match super::record_target(it, &ptr, "") {
        Ok(t) => (PlayTarget::Var(t), None),
        Err(_) => {
            it.hooks.next_key += 1;
            let key = it.hooks.next_key;
            it.hooks.external.insert(key, ptr);
            (PlayTarget::External(key), Some(key))
        }
    };
    let values = vector_data(o);
    let play_times = match &times {
        PlaySource::Interval(dt) => PlayTimes::Interval(*dt),
        PlaySource::Vector(w) => {
            PlayTimes::Times(w.upgrade().map_or_else(Vec::new, |t| vector_data(&t)))
        }
    };
    let id = it
        .model
        .add_play(target, values, play_times, continuous)
        .or_else(rt_err)?;
    it.hooks.plays.push(PlayLink {
        id,
        vec: Rc::downgrade(o),
        times,
        key,
    });
    obj_value(o.clone())
}

/// `vec.play_remove()`.
pub fn vector_play_remove(it: &mut Interp, o: &ObjRef) -> Res<Value> {
    remove_play_of(it, o);
    obj_value(o.clone())
}

/// Fills `ids` with `id` for each spike time NetCon `nc` records.
pub fn record_spike_ids(
    it: &mut Interp,
    ids: &ObjRef,
    nc: rsnrn_runtime::NetConId,
    id: f64,
) -> Res<()> {
    match &mut *ids.data.borrow_mut() {
        ObjData::Vector(v) => v.data.clear(),
        _ => return err("NetCon.record: the id vector must be a Vector"),
    }
    it.hooks.spike_ids.retain(|(_, n, _)| *n != nc);
    it.hooks.spike_ids.push((Rc::downgrade(ids), nc, id));
    Ok(())
}

/// `apc.record(vec)`: `vec` gets the time of every threshold crossing APCount counts (its
/// `time` when `n` goes up; it counts at most one crossing per step).
pub fn apcount_record(it: &mut Interp, apc: &ObjRef, vec: &ObjRef) -> Res<()> {
    match &mut *vec.data.borrow_mut() {
        ObjData::Vector(v) => v.data.clear(),
        _ => return err("APCount.record: the argument must be a Vector"),
    }
    it.hooks
        .apcount_records
        .retain(|(_, a, _)| !Rc::ptr_eq(a, apc));
    let n = super::point::field_num(it, apc, "n")?;
    it.hooks
        .apcount_records
        .push((Rc::downgrade(vec), apc.clone(), n));
    Ok(())
}

fn sync_apcount_records(it: &mut Interp, init: bool) -> Res<()> {
    it.hooks
        .apcount_records
        .retain(|(w, _, _)| w.strong_count() > 0);
    for k in 0..it.hooks.apcount_records.len() {
        let (w, apc, seen) = it.hooks.apcount_records[k].clone();
        let Some(vec) = w.upgrade() else { continue };
        let n = super::point::field_num(it, &apc, "n")?;
        if init {
            if let ObjData::Vector(v) = &mut *vec.data.borrow_mut() {
                v.data.clear();
            }
        } else if n > seen {
            let time = super::point::field_num(it, &apc, "time")?;
            if let ObjData::Vector(v) = &mut *vec.data.borrow_mut() {
                v.data.push(time);
            }
        }
        it.hooks.apcount_records[k].2 = n;
    }
    Ok(())
}

fn sync_spike_ids(it: &mut Interp) {
    it.hooks.spike_ids.retain(|(w, _, _)| w.strong_count() > 0);
    for (w, nc, id) in &it.hooks.spike_ids {
        let (Some(o), Ok(spikes)) = (w.upgrade(), it.model.netcon_spikes(*nc)) else {
            continue;
        };
        if let ObjData::Vector(v) = &mut *o.data.borrow_mut() {
            v.data.resize(spikes.len(), *id);
        };
    }
}

/// `finitialize([v_init])` with the handlers and plays around the runtime's parts.
pub fn finitialize(it: &mut Interp, v_init: Option<f64>) -> Res<()> {
    // NMODL printf writes to stdout directly: what hoc printed before comes first.
    it.flush();
    it.release_freed_objects()?;
    run_handlers(it, 3)?;
    refresh_plays(it)?;
    it.model.init_begin(v_init).or_else(rt_err)?;
    it.hooks.pending.clear();
    apply_initial_plays(it)?;
    run_handlers(it, 0)?;
    it.flush();
    it.model.init_mechanisms().or_else(rt_err)?;
    run_handlers(it, 1)?;
    it.flush();
    it.model.init_finish().or_else(rt_err)?;
    apply_external_plays(it, true)?;
    it.sync_recordings();
    sync_spike_ids(it);
    sync_apcount_records(it, true)?;
    run_handlers(it, 2)?;
    run_due_events(it)
}

/// Runs to `tstop` (while t < tstop − dt/2) in one call of the runtime's `continuerun` when
/// that gives the same result as stepping with [`fadvance`]: nothing of hoc's or Python's has
/// to happen between steps (no hoc variables played or sampled, no pending cvode events, no
/// APCount records, no plays whose Vector went), and on threads the cells can integrate whole
/// exchange intervals (threads_interval.rs). On one thread it spares every step the
/// interpreter's round trip through stdrun's step() and advance(). Returns false, having
/// done nothing, otherwise.
pub fn run_in_one_piece(it: &mut Interp, tstop: f64) -> Res<bool> {
    let hooks = &it.hooks;
    let front_end_work = !hooks.plays.is_empty()
        || !hooks.pending.is_empty()
        || !hooks.apcount_records.is_empty()
        || !hooks.records.is_empty()
        || !hooks.external.is_empty();
    if front_end_work {
        return Ok(false);
    }
    it.flush();
    it.release_freed_objects()?;
    if it.model.threads_interval_reason().is_some() {
        return Ok(false);
    }
    let result = if it.progress.is_enabled() && it.model.threads() < 2 {
        run_showing_progress(it, tstop)
    } else {
        it.model.continuerun(tstop).or_else(rt_err)
    };
    it.hooks.one_piece_runs += 1;
    it.sync_recordings();
    sync_spike_ids(it);
    result.map(|()| true)
}

/// [`run_in_one_piece`] on one thread with a terminal's progress line: the runtime steps in
/// chunks of [`PROGRESS_CHUNK`] steps and the line is brought up to date between them (the
/// same steps as one call; on threads the runtime's intervals go on without the line).
fn run_showing_progress(it: &mut Interp, tstop: f64) -> Res<()> {
    loop {
        let (t, dt) = (it.model.t(), it.model.dt());
        // (A NaN t ends the loop too.)
        if t.is_nan() || t >= tstop - dt / 2.0 {
            return Ok(());
        }
        let until = (t + PROGRESS_CHUNK * dt).min(tstop);
        it.model.continuerun(until).or_else(rt_err)?;
        if it.model.t() == t {
            // No step was made (cannot happen with the bounds above; never loop forever).
            return Ok(());
        }
        it.progress.reached(it.model.t());
    }
}

/// Steps between two looks at the progress line in [`run_showing_progress`].
const PROGRESS_CHUNK: f64 = 250.0;

/// `fadvance()`: one step, then hoc variables played into and the callbacks now due.
pub fn fadvance(it: &mut Interp) -> Res<()> {
    it.flush();
    it.release_freed_objects()?;
    if it.hooks.plays.iter().any(|l| l.vec.strong_count() == 0) {
        refresh_plays(it)?;
    }
    it.model.fadvance().or_else(rt_err)?;
    apply_external_plays(it, false)?;
    it.sync_recordings();
    sync_spike_ids(it);
    if !it.hooks.apcount_records.is_empty() {
        sync_apcount_records(it, false)?;
    }
    if !it.hooks.pending.is_empty() {
        run_due_events(it)?;
    }
    Ok(())
}
