//! Events during a simulation (NUMERICS §1, §8): threshold detection and WATCH conditions at
//! the start of a step, delivery of due events (each with `t` = its time), the requests of the
//! event services, and the NetCon part of finitialize.
//!
//! Where the fixed step calls in (`fixed_step.rs`): at the start of a step, threshold detection
//! on v_n ([`CableModel::check_thresholds`]) and delivery of events at or before t_n + dt/2;
//! after recording, delivery of events at or before t_{n+1}.

use crate::error::{Result, RuntimeError};
use crate::events::{EventKind, Movable, Request, Watch};
use crate::mechanisms::{Owner, RegisteredMechanism};
use crate::model::CableModel;
use crate::netcon::{NetCon, NetConId};
use crate::point::PointProcessId;

/// A threshold crossing detected at the start of the step from t_n is a spike at t_n + 1e-10.
const THRESHOLD_SPIKE_OFFSET: f64 = 1e-10;

/// The error for a nonzero kernel status: a failure the generated code described
/// ([`rsnrn_abi::STATUS_FAILURE_SITE`]) or a bare status.
fn kernel_error(
    m: &RegisteredMechanism,
    kernel: &'static str,
    status: i32,
    t: f64,
) -> RuntimeError {
    let site = usize::try_from(status - rsnrn_abi::STATUS_FAILURE_SITE).ok();
    match site.and_then(|k| m.info.failure_sites.get(k)) {
        Some(message) => RuntimeError::MechanismFailure {
            mechanism: m.info.name.clone(),
            message: message.clone(),
            t,
        },
        None => RuntimeError::KernelFailed {
            mechanism: m.info.name.clone(),
            kernel,
            status,
            t,
        },
    }
}

impl CableModel {
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
                events.records.gained(id);
            }
            if nc.active && nc.target.is_some() {
                let due = time + nc.delay;
                let weights = nc.weight.as_ptr();
                events.push(due, EventKind::NetCon(id));
                // The delivery reads the weights, a heap block of their own: a spike fans
                // out to NetCons all over memory, and without this each delivery waited for
                // a cache miss there (a fifth of a 320000-NetCon network's run).
                prefetch(weights);
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
            // Watches of deleted point processes go with them.
            let points = &self.points;
            self.events
                .watches
                .retain(|w| matches!(points.get(w.target.index()), Some(Some(_))));
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
        // In a step, the delivery at t_{n+1} (tmax = t) comes after recording; the one at
        // t_n + dt/2 before it.
        self.deliver_plays(tmax, tmax <= self.t && self.t > 0.0)?;
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
            if self.reg.mechs[p.mech.index()].info.for_netcons {
                self.events.expose_targets(target);
            }
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
                return Err(kernel_error(m, "net_receive", status, ev.time));
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
                | Request::Watch { mech, inst, .. } => (mech, inst),
            };
            let m = &self.reg.mechs[mech as usize];
            let Some(&Owner::Point(pid)) = m.store.owner.get(inst as usize) else {
                return Err(RuntimeError::Event {
                    message: format!(
                        "{} (not a point process or artificial cell) used an event statement",
                        m.info.name
                    ),
                    t: now,
                });
            };
            // For the error messages (a clone per request would be an allocation per
            // net_send and net_move).
            let name = |this: &Self| this.reg.mechs[mech as usize].info.name.clone();
            match r {
                Request::Send { time, flag, .. } => {
                    if time.is_nan() || time < now {
                        return Err(RuntimeError::Event {
                            message: format!(
                                "net_send from {} with delay {} < 0",
                                name(self),
                                time - now
                            ),
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
                                "net_move in {}: no pending self-event with flag 1",
                                name(self)
                            ),
                            t: now,
                        });
                    };
                    if time.is_nan() || time < now {
                        return Err(RuntimeError::Event {
                            message: format!(
                                "net_move in {} to {time}, before the current time",
                                name(self)
                            ),
                            t: now,
                        });
                    }
                    self.events.cancel(mv.seq);
                    let kind = EventKind::SelfEvent {
                        target: pid,
                        flag: mv.flag,
                        weight: mv.weight,
                    };
                    let seq = self.events.push_moved(time, kind);
                    self.events.movable.insert(pid, Movable { seq, ..mv });
                }
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
                        return Err(kernel_error(m, "net_init", status, 0.0));
                    }
                    self.process_requests(0.0, Some(NetConId(k as u32)))?;
                }
                None => nc.weight[1..].fill(0.0),
            }
        }
        Ok(())
    }
}

/// Asks the processor to bring the cache line at `p` closer (a hint: no effect on results).
#[inline(always)]
fn prefetch(p: *const f64) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: prefetching reads nothing architecturally and never faults.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
