//! NetCons (NUMERICS §8): connections from a spike source to a target's NET_RECEIVE, with a
//! delay and a weight vector; threshold detection, event delivery and the finitialize part of
//! events. Artificial cells (ARTIFICIAL_CELL) live here too: point processes without a node.
//!
//! Where the fixed step calls in (`fixed_step.rs`): at the start of a step, threshold detection
//! on v_n ([`CableModel::check_thresholds`]) and delivery of events at or before t_n + dt/2;
//! after recording, delivery of events at or before t_{n+1}.

use rsnrn_abi::MechanismKind;

use crate::error::{Result, RuntimeError};
use crate::events::{EventKind, Movable, Request, Watch};
use crate::mechanisms::Owner;
use crate::model::CableModel;
use crate::point::{PointProcess, PointProcessId};
use crate::section::SectionId;

/// NEURON's defaults for a new NetCon.
const DEFAULT_DELAY: f64 = 1.0;
const DEFAULT_THRESHOLD: f64 = 10.0;
/// A threshold crossing detected at the start of the step from t_n is a spike at t_n + 1e-10.
const THRESHOLD_SPIKE_OFFSET: f64 = 1e-10;

/// Handle of a NetCon in one [`CableModel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NetConId(pub(crate) u32);

impl NetConId {
    /// Position in creation order.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Where a NetCon's spikes come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NetConSource {
    /// No source: events only through [`CableModel::netcon_event`].
    None,
    /// The membrane potential at `section(x)` crossing the threshold upwards.
    Voltage { section: SectionId, x: f64 },
    /// A point process or artificial cell that calls `net_event` (NetStim, IntFire1, ...).
    Point(PointProcessId),
}

#[derive(Debug, Clone)]
pub(crate) struct NetCon {
    pub source: NetConSource,
    /// Index into `Events::presyns` for a voltage source.
    pub presyn: Option<usize>,
    pub target: Option<PointProcessId>,
    /// weight[0] is NetCon.weight; the rest are the other NET_RECEIVE arguments.
    pub weight: Vec<f64>,
    pub delay: f64,
    pub active: bool,
    /// Spike times of the source, when recording.
    pub record: Option<Vec<f64>>,
}

/// A watched membrane potential; the NetCons from it share its threshold (as in NEURON).
#[derive(Debug, Clone)]
pub(crate) struct PreSyn {
    pub section: SectionId,
    pub x: f64,
    pub threshold: f64,
    /// v was above threshold at the last check.
    pub above: bool,
    pub netcons: Vec<NetConId>,
}

impl CableModel {
    // ---- artificial cells and NetCons -------------------------------------------------------

    /// Creates an instance of artificial cell `name` (ARTIFICIAL_CELL: NetStim, IntFire1, ...),
    /// which has no location. Its parameters are set with `set_point`.
    pub fn add_artificial_cell(&mut self, name: &str) -> Result<PointProcessId> {
        let mech = self.reg.lookup(name)?;
        let m = &mut self.reg.mechs[mech.index()];
        if m.info.kind != MechanismKind::ArtificialCell {
            return Err(RuntimeError::WrongMechanismKind {
                name: name.to_string(),
                expected: "an artificial cell (ARTIFICIAL_CELL)",
            });
        }
        let pid = PointProcessId(self.points.len() as u32);
        let instance = m.store.append(&m.defaults, Owner::Point(pid));
        self.points.push(Some(PointProcess {
            mech,
            section: None,
            x: 0.5,
            instance,
        }));
        self.structure_dirty = true;
        Ok(pid)
    }

    /// Creates a NetCon from `source` to `target` (a point process or artificial cell with
    /// NET_RECEIVE, or none) with NEURON's defaults: weight 0, delay 1 ms, threshold 10 mV
    /// (a voltage source already watched by another NetCon keeps its threshold). The weight
    /// vector has as many elements as the target's NET_RECEIVE has arguments.
    pub fn add_netcon(
        &mut self,
        source: NetConSource,
        target: Option<PointProcessId>,
    ) -> Result<NetConId> {
        let weights = match target {
            None => 1,
            Some(t) => {
                let m = self.reg.mech(self.pp(t)?.mech);
                match (m.table.net_receive, m.info.net_receive_args) {
                    (Some(_), Some(n)) => (n as usize).max(1),
                    _ => {
                        return Err(RuntimeError::WrongMechanismKind {
                            name: m.info.name.clone(),
                            expected: "a NetCon target (it has no NET_RECEIVE block)",
                        })
                    }
                }
            }
        };
        let id = NetConId(self.events.netcons.len() as u32);
        let presyn = match source {
            NetConSource::None => None,
            NetConSource::Point(p) => {
                self.pp(p)?;
                self.events.point_sources.entry(p).or_default().push(id);
                None
            }
            NetConSource::Voltage { section, x } => {
                self.check_x(section, x)?;
                let found = self
                    .events
                    .presyns
                    .iter()
                    .position(|p| p.section == section && p.x == x);
                let k = found.unwrap_or_else(|| {
                    self.events.presyns.push(PreSyn {
                        section,
                        x,
                        threshold: DEFAULT_THRESHOLD,
                        above: false,
                        netcons: Vec::new(),
                    });
                    self.events.presyns.len() - 1
                });
                self.events.presyns[k].netcons.push(id);
                Some(k)
            }
        };
        self.events.netcons.push(Some(NetCon {
            source,
            presyn,
            target,
            weight: vec![0.0; weights],
            delay: DEFAULT_DELAY,
            active: true,
            record: None,
        }));
        Ok(id)
    }

    fn nc(&self, id: NetConId) -> Result<&NetCon> {
        self.events
            .netcons
            .get(id.index())
            .and_then(|n| n.as_ref())
            .ok_or(RuntimeError::UnknownNetCon { id: id.index() })
    }

    fn nc_mut(&mut self, id: NetConId) -> Result<&mut NetCon> {
        self.events
            .netcons
            .get_mut(id.index())
            .and_then(|n| n.as_mut())
            .ok_or(RuntimeError::UnknownNetCon { id: id.index() })
    }

    /// Deletes a NetCon; events it already queued are still delivered without it.
    pub fn remove_netcon(&mut self, id: NetConId) -> Result<()> {
        let nc = self.nc(id)?.clone();
        if let Some(k) = nc.presyn {
            self.events.presyns[k].netcons.retain(|&n| n != id);
        }
        if let NetConSource::Point(p) = nc.source {
            if let Some(list) = self.events.point_sources.get_mut(&p) {
                list.retain(|&n| n != id);
            }
        }
        self.events.netcons[id.index()] = None;
        Ok(())
    }

    pub fn netcon_source(&self, id: NetConId) -> Result<NetConSource> {
        Ok(self.nc(id)?.source)
    }

    pub fn netcon_target(&self, id: NetConId) -> Result<Option<PointProcessId>> {
        Ok(self.nc(id)?.target)
    }

    /// Length of the weight vector.
    pub fn netcon_weight_count(&self, id: NetConId) -> Result<usize> {
        Ok(self.nc(id)?.weight.len())
    }

    fn weight_index(nc: &NetCon, k: usize) -> Result<()> {
        if k < nc.weight.len() {
            Ok(())
        } else {
            Err(RuntimeError::IndexOutOfRange {
                name: "NetCon.weight".into(),
                index: k,
                size: nc.weight.len(),
            })
        }
    }

    pub fn netcon_weight(&self, id: NetConId, k: usize) -> Result<f64> {
        let nc = self.nc(id)?;
        Self::weight_index(nc, k)?;
        Ok(nc.weight[k])
    }

    pub fn set_netcon_weight(&mut self, id: NetConId, k: usize, value: f64) -> Result<()> {
        let nc = self.nc_mut(id)?;
        Self::weight_index(nc, k)?;
        nc.weight[k] = value;
        Ok(())
    }

    pub fn netcon_delay(&self, id: NetConId) -> Result<f64> {
        Ok(self.nc(id)?.delay)
    }

    /// Delay (ms), at least 0.
    pub fn set_netcon_delay(&mut self, id: NetConId, delay: f64) -> Result<()> {
        if !(delay >= 0.0 && delay.is_finite()) {
            return Err(RuntimeError::InvalidValue {
                what: "NetCon.delay".into(),
                value: delay,
                requirement: "it must be a finite number >= 0",
            });
        }
        self.nc_mut(id)?.delay = delay;
        Ok(())
    }

    /// Threshold (mV) of the NetCon's voltage source (shared by all NetCons watching the
    /// same place); NEURON's default for NetCons without one.
    pub fn netcon_threshold(&self, id: NetConId) -> Result<f64> {
        Ok(match self.nc(id)?.presyn {
            Some(k) => self.events.presyns[k].threshold,
            None => DEFAULT_THRESHOLD,
        })
    }

    /// Sets the threshold of the voltage source; ignored for other sources, as in NEURON.
    pub fn set_netcon_threshold(&mut self, id: NetConId, threshold: f64) -> Result<()> {
        if let Some(k) = self.nc(id)?.presyn {
            self.events.presyns[k].threshold = threshold;
        }
        Ok(())
    }

    /// NetCon.active: an inactive NetCon delivers nothing (its source still records).
    pub fn set_netcon_active(&mut self, id: NetConId, active: bool) -> Result<()> {
        self.nc_mut(id)?.active = active;
        Ok(())
    }

    /// NetCon.record: from now on (and from every finitialize) keep the source's spike times.
    pub fn netcon_record(&mut self, id: NetConId) -> Result<()> {
        self.nc_mut(id)?.record = Some(Vec::new());
        Ok(())
    }

    /// The spike times kept since [`netcon_record`](Self::netcon_record) (empty if not
    /// recording).
    pub fn netcon_spikes(&self, id: NetConId) -> Result<&[f64]> {
        Ok(self.nc(id)?.record.as_deref().unwrap_or(&[]))
    }

    /// NetCon.event(t): an event for the target at time `t` (no delay added), as if the
    /// NetCon had delivered it. Before the next finitialize it is cleared with the queue.
    pub fn netcon_event(&mut self, id: NetConId, time: f64) -> Result<()> {
        self.nc(id)?;
        if time.is_nan() || time < self.t {
            return Err(RuntimeError::Event {
                message: format!("NetCon.event({time}) is earlier than the current time"),
                t: self.t,
            });
        }
        self.events.push(time, EventKind::NetCon(id));
        Ok(())
    }

    // ---- during a simulation ----------------------------------------------------------------

    /// A spike at `time` of the source of the NetCons `from` (in creation order): each
    /// records it and, if it has an active target, queues an event at `time + delay`.
    fn spike(&mut self, from: &[NetConId], time: f64) {
        let events = &mut self.events;
        for &id in from {
            let Some(nc) = events.netcons[id.index()].as_mut() else {
                continue;
            };
            if let Some(r) = &mut nc.record {
                r.push(time);
            }
            if nc.active && nc.target.is_some() {
                let due = time + nc.delay;
                events.push(due, EventKind::NetCon(id));
            }
        }
    }

    /// Threshold detection and WATCH conditions on v_n at the start of a step (§1 item 2).
    pub(crate) fn check_thresholds(&mut self) -> Result<()> {
        let t = self.t;
        for k in 0..self.events.presyns.len() {
            let p = &self.events.presyns[k];
            let node = self.layout.sections[p.section.index()].node_exact(p.x);
            let value = self.layout.v.get(node as usize) - p.threshold;
            if value > 0.0 {
                if !p.above {
                    self.events.presyns[k].above = true;
                    let from = std::mem::take(&mut self.events.presyns[k].netcons);
                    self.spike(&from, t + THRESHOLD_SPIKE_OFFSET);
                    self.events.presyns[k].netcons = from;
                }
            } else {
                self.events.presyns[k].above = false;
            }
        }
        if !self.events.watches.is_empty() {
            self.sync_ctx(t);
            for k in 0..self.events.watches.len() {
                let w = self.events.watches[k];
                let holds = self.watch_holds(w.target, w.clause)?;
                if holds && !w.holds {
                    // WATCH events are sent at the grid time itself (checked against 9.0.2).
                    let kind = EventKind::SelfEvent {
                        target: w.target,
                        flag: w.flag,
                        weight: None,
                    };
                    self.events.push(t, kind);
                }
                self.events.watches[k].holds = holds;
            }
        }
        Ok(())
    }

    /// Condition `clause` of the WATCHes of point process `target`, with the context as
    /// synced.
    fn watch_holds(&mut self, target: PointProcessId, clause: u32) -> Result<bool> {
        let p = *self.pp(target)?;
        let m = &mut self.reg.mechs[p.mech.index()];
        let Some(cond) = m.table.watch_condition else {
            return Err(RuntimeError::Event {
                message: format!("{} armed a WATCH but has no WATCH conditions", m.info.name),
                t: self.t,
            });
        };
        // SAFETY: the kernel honours the ABI; ctx and data are bound to the current layout.
        let value = unsafe {
            cond(
                &self.ctx,
                &mut m.store.data,
                p.instance as u64,
                clause as u64,
            )
        };
        Ok(value > 0.0)
    }

    /// Delivers every queued event with time <= `tmax`, earliest first, each with `t` = its
    /// time (the model's `t` is unchanged afterwards).
    pub(crate) fn deliver_events(&mut self, tmax: f64) -> Result<()> {
        while let Some(ev) = self.events.pop_due(tmax) {
            let (target, flag, weight) = match ev.kind {
                EventKind::NetCon(id) => match self.events.netcons[id.index()].as_ref() {
                    Some(NetCon {
                        target: Some(t), ..
                    }) => (*t, 0.0, Some(id)),
                    // Deleted since it was queued, or no target (NetCon.event).
                    _ => continue,
                },
                EventKind::SelfEvent {
                    target,
                    flag,
                    weight,
                } => {
                    // The movable event is the last flag-1 self-event; once one is delivered
                    // there is none until the next net_send(.., 1), as in NEURON.
                    if flag == 1.0 {
                        self.events.movable.remove(&target);
                    }
                    (target, flag, weight)
                }
            };
            let Some(p) = self.points.get(target.index()).copied().flatten() else {
                continue; // the target was removed
            };
            self.sync_ctx(ev.time);
            let m = &mut self.reg.mechs[p.mech.index()];
            let kernel = m.table.net_receive.expect("targets have NET_RECEIVE");
            let nargs = m.info.net_receive_args.unwrap_or(0).max(1) as usize;
            let mut zeros;
            let wptr = match weight.and_then(|w| self.events.netcons[w.index()].as_mut()) {
                Some(nc) => nc.weight.as_mut_ptr(),
                None => {
                    zeros = vec![0.0; nargs];
                    zeros.as_mut_ptr()
                }
            };
            // SAFETY: the kernel honours the ABI; the weight vector has `nargs` elements.
            let status =
                unsafe { kernel(&self.ctx, &mut m.store.data, p.instance as u64, wptr, flag) };
            if status != 0 {
                return Err(RuntimeError::KernelFailed {
                    mechanism: m.info.name.clone(),
                    kernel: "net_receive",
                    status,
                    t: ev.time,
                });
            }
            self.process_requests(ev.time, weight)?;
        }
        Ok(())
    }

    /// Acts on what the event services were asked since the last call; `now` is the time the
    /// requests were made at and `weight` the weight vector of the event being handled.
    pub(crate) fn process_requests(&mut self, now: f64, weight: Option<NetConId>) -> Result<()> {
        for r in self.events.take_requests() {
            let (mech, inst) = match r {
                Request::Send { mech, inst, .. }
                | Request::Event { mech, inst, .. }
                | Request::Move { mech, inst, .. }
                | Request::Watch { mech, inst, .. }
                | Request::Unavailable { mech, inst, .. } => (mech, inst),
            };
            let m = &self.reg.mechs[mech as usize];
            if let Request::Unavailable { what, .. } = r {
                let feature = match what {
                    rsnrn_abi::UNAVAILABLE_RANDOM => {
                        "random numbers (exprand, normrand, unirand, poisrand, scop_random, set_seed)"
                    }
                    _ => "a feature this runtime does not know",
                };
                return Err(RuntimeError::Event {
                    message: format!(
                        "{} uses {feature}, which rsnrn does not provide yet",
                        m.info.name
                    ),
                    t: now,
                });
            }
            let Some(&Owner::Point(pid)) = m.store.owner.get(inst as usize) else {
                return Err(RuntimeError::Event {
                    message: format!(
                        "{} (not a point process or artificial cell) used an event statement",
                        m.info.name
                    ),
                    t: now,
                });
            };
            let name = m.info.name.clone();
            match r {
                Request::Send { time, flag, .. } => {
                    if time.is_nan() || time < now {
                        return Err(RuntimeError::Event {
                            message: format!("net_send from {name} with delay {} < 0", time - now),
                            t: now,
                        });
                    }
                    let kind = EventKind::SelfEvent {
                        target: pid,
                        flag,
                        weight,
                    };
                    let seq = self.events.push(time, kind);
                    // NEURON keeps only flag-1 self-events for net_move.
                    if flag == 1.0 {
                        let movable = Movable { seq, flag, weight };
                        self.events.movable.insert(pid, movable);
                    }
                }
                Request::Event { time, .. } => {
                    if let Some(from) = self.events.point_sources.remove(&pid) {
                        self.spike(&from, time);
                        self.events.point_sources.insert(pid, from);
                    }
                }
                Request::Move { time, .. } => {
                    let Some(mv) = self.events.movable.get(&pid).copied() else {
                        return Err(RuntimeError::Event {
                            message: format!(
                                "net_move in {name}: no pending self-event with flag 1"
                            ),
                            t: now,
                        });
                    };
                    if time.is_nan() || time < now {
                        return Err(RuntimeError::Event {
                            message: format!(
                                "net_move in {name} to {time}, before the current time"
                            ),
                            t: now,
                        });
                    }
                    self.events.cancelled.insert(mv.seq);
                    let kind = EventKind::SelfEvent {
                        target: pid,
                        flag: mv.flag,
                        weight: mv.weight,
                    };
                    let seq = self.events.push(time, kind);
                    self.events.movable.insert(pid, Movable { seq, ..mv });
                }
                Request::Unavailable { .. } => unreachable!("handled above"),
                Request::Watch {
                    clause,
                    first,
                    flag,
                    ..
                } => {
                    if first {
                        self.events.watches.retain(|w| w.target != pid);
                    }
                    self.sync_ctx(now);
                    // A condition that already holds when armed sends nothing until it has
                    // been false again (checked against 9.0.2).
                    let holds = self.watch_holds(pid, clause)?;
                    self.events.watches.push(Watch {
                        target: pid,
                        clause,
                        flag,
                        holds,
                    });
                }
            }
        }
        Ok(())
    }

    /// The NetCon part of finitialize, after the mechanisms' INITIAL blocks: NET_RECEIVE's
    /// INITIAL per NetCon (in creation order), or weight[1..] = 0 without one.
    pub(crate) fn initialize_netcons(&mut self) -> Result<()> {
        self.sync_ctx(0.0);
        for k in 0..self.events.netcons.len() {
            let Some(nc) = self.events.netcons[k].as_mut() else {
                continue;
            };
            let Some(target) = nc.target else { continue };
            let Some(p) = self.points.get(target.index()).copied().flatten() else {
                continue;
            };
            let m = &mut self.reg.mechs[p.mech.index()];
            match m.table.net_init {
                Some(init) => {
                    // SAFETY: the kernel honours the ABI; the weight vector is as long as the
                    // NET_RECEIVE argument list.
                    let status = unsafe {
                        init(
                            &self.ctx,
                            &mut m.store.data,
                            p.instance as u64,
                            nc.weight.as_mut_ptr(),
                        )
                    };
                    if status != 0 {
                        return Err(RuntimeError::KernelFailed {
                            mechanism: m.info.name.clone(),
                            kernel: "net_init",
                            status,
                            t: 0.0,
                        });
                    }
                    self.process_requests(0.0, Some(NetConId(k as u32)))?;
                }
                None => nc.weight[1..].fill(0.0),
            }
        }
        Ok(())
    }
}
