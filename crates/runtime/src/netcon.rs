//! NetCons (NUMERICS §8): connections from a spike source to a target's NET_RECEIVE, with a
//! delay and a weight vector, and artificial cells (ARTIFICIAL_CELL): point processes without a
//! node. What happens to them during a run is in `delivery.rs`.

use rsnrn_abi::MechanismKind;

use crate::error::{Result, RuntimeError};
use crate::events::EventKind;
use crate::mechanisms::Owner;
use crate::model::CableModel;
use crate::point::{PointProcess, PointProcessId};
use crate::section::SectionId;

/// NEURON's defaults for a new NetCon.
const DEFAULT_DELAY: f64 = 1.0;
const DEFAULT_THRESHOLD: f64 = 10.0;

/// Where a front end stopped reading the spike-record journal
/// ([`CableModel::spike_records_gained_since`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JournalMark {
    epoch: u64,
    len: usize,
}

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
    /// Its owner let it go ([`CableModel::release_netcon`]) while it recorded: it only
    /// records now, as NEURON's PreSyn keeps doing.
    pub released: bool,
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
        self.construct_point(pid)?;
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
        if let Some(t) = target {
            self.events.targets.entry(t).or_default().push(id);
        }
        self.events.netcons.push(Some(NetCon {
            source,
            presyn,
            target,
            weight: vec![0.0; weights],
            delay: DEFAULT_DELAY,
            active: true,
            record: None,
            released: false,
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

    /// The owner of a NetCon let it go (hoc freed its object). In NEURON the spike recording
    /// belongs to the source (its PreSyn), which keeps recording into the Vector after the
    /// NetCon is gone, across later runs too: a recording NetCon stays as a recorder only
    /// (no target, inactive) until its source goes; any other NetCon is removed.
    pub fn release_netcon(&mut self, id: NetConId) -> Result<()> {
        let nc = self.nc(id)?;
        if nc.record.is_none() {
            return self.remove_netcon(id);
        }
        if let Some(list) = nc.target.and_then(|t| self.events.targets.get_mut(&t)) {
            list.retain(|&n| n != id);
        }
        let nc = self.nc_mut(id)?;
        nc.target = None;
        nc.active = false;
        nc.released = true;
        Ok(())
    }

    /// Deletes a NetCon; events it already queued are still delivered without it.
    pub fn remove_netcon(&mut self, id: NetConId) -> Result<()> {
        let nc = self.nc(id)?.clone();
        if let Some(k) = nc.presyn {
            self.events.presyns[k].netcons.retain(|&n| n != id);
        }
        if let Some(list) = nc.target.and_then(|t| self.events.targets.get_mut(&t)) {
            list.retain(|&n| n != id);
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

    /// Whether the NetCon delivers events (NetCon.active()).
    pub fn netcon_active(&self, id: NetConId) -> Result<bool> {
        Ok(self.nc(id)?.active)
    }

    /// NetCon.active: an inactive NetCon delivers nothing (its source still records).
    pub fn set_netcon_active(&mut self, id: NetConId, active: bool) -> Result<()> {
        self.nc_mut(id)?.active = active;
        Ok(())
    }

    /// NetCon.record: from now on (and from every finitialize) keep the source's spike times.
    /// A source records for one NetCon at a time (NEURON's PreSyn has one Vector): the other
    /// NetCons of the source stop recording; they are returned (released recorders among
    /// them are removed).
    pub fn netcon_record(&mut self, id: NetConId) -> Result<Vec<NetConId>> {
        self.nc(id)?;
        let mut ended = Vec::new();
        for other in self.source_netcons(id) {
            if other == id {
                continue;
            }
            let Ok(nc) = self.nc_mut(other) else { continue };
            if nc.record.take().is_some() {
                ended.push(other);
                if nc.released {
                    self.remove_netcon(other)?;
                }
            }
        }
        self.nc_mut(id)?.record = Some(Vec::new());
        self.events.records.restart();
        Ok(ended)
    }

    /// The NetCons sharing `id`'s source (itself included; only itself without a source).
    fn source_netcons(&self, id: NetConId) -> Vec<NetConId> {
        let Ok(nc) = self.nc(id) else {
            return Vec::new();
        };
        match (nc.source, nc.presyn) {
            (NetConSource::Voltage { .. }, Some(k)) => self.events.presyns[k].netcons.clone(),
            (NetConSource::Point(p), _) => self
                .events
                .point_sources
                .get(&p)
                .cloned()
                .unwrap_or_default(),
            _ => vec![id],
        }
    }

    /// The number of NetCons and the event queue's operations since the last finitialize.
    pub fn event_statistics(&self) -> (usize, crate::events::QueueStatistics) {
        // Recorders whose NetCon was released are NEURON's PreSyns, not NetCons.
        let netcons = self
            .events
            .netcons
            .iter()
            .flatten()
            .filter(|n| !n.released)
            .count();
        (netcons, self.events.stats)
    }

    /// A counter that moves whenever some NetCon's recorded spikes change (a new spike, or
    /// finitialize emptying them): nothing to copy while it stays put.
    pub fn spike_record_changes(&self) -> u64 {
        self.events.records.changes
    }

    /// The NetCons whose records gained a spike since a front end last looked (`mark`, None
    /// the first time), in order, or None when the records changed otherwise meanwhile (a
    /// NetCon started recording, or finitialize emptied them) and every recording must be
    /// looked at again. Moves `mark` to now.
    pub fn spike_records_gained_since(
        &self,
        mark: &mut Option<JournalMark>,
    ) -> Option<&[NetConId]> {
        let r = &self.events.records;
        let now = JournalMark {
            epoch: r.epoch,
            len: r.since_epoch.len(),
        };
        let since = match mark.replace(now) {
            Some(m) if m.epoch == now.epoch && m.len <= now.len => m.len,
            _ => return None,
        };
        Some(&r.since_epoch[since..])
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
}
