//! Vectors given to `NetCon.record(vec)`: they hold the spike times of the NetCons' sources.
//!
//! In NEURON a source (PreSyn) appends each spike time to its Vector when it detects the
//! spike, so several NetCons recording into one Vector (`rec.record(spikes)` for every cell,
//! a common idiom) fill it with all of their sources' spikes in time order. The runtime keeps
//! each NetCon's spikes apart; here each Vector gets the new spikes of its NetCons appended,
//! by time and at equal times in the order the NetCons were made (the order in which the
//! sources are checked).

use super::Interp;
use crate::value::{ObjData, ObjRef};
use rsnrn_runtime::NetConId;
use std::collections::HashMap;
use std::rc::Rc;

impl Interp {
    /// Copies the recorded spike times into their Vectors when the runtime's spike records
    /// changed since the last call: only the NetCons whose records gained spikes since then
    /// (the runtime's journal), or every recording after the records were emptied or a
    /// NetCon started recording (a new epoch of the journal).
    pub(super) fn sync_spike_recordings(&mut self) {
        self.spike_recordings.retain(|(w, _)| w.strong_count() > 0);
        let changes = self.model.spike_record_changes();
        if self.spike_records_synced == Some(changes) {
            return;
        }
        self.spike_records_synced = Some(changes);
        let Some(gained) = self
            .model
            .spike_records_gained_since(&mut self.spike_journal_synced)
        else {
            self.copy_all_spike_recordings();
            return;
        };
        // In one epoch the records only grow: the Vectors of the NetCons in the journal since
        // the last copy are the only ones with anything new.
        let mut gained: Vec<NetConId> = gained.to_vec();
        gained.sort_by_key(|nc| nc.index());
        gained.dedup();
        let mut slot_of: HashMap<*const crate::value::Object, usize> = HashMap::new();
        let mut groups: Vec<(ObjRef, Vec<NetConId>)> = Vec::new();
        for nc in gained {
            let Some(vectors) = self.spike_record_vectors.get(&nc) else {
                continue;
            };
            for w in vectors {
                let Some(obj) = w.upgrade() else { continue };
                let k = *slot_of.entry(Rc::as_ptr(&obj)).or_insert_with(|| {
                    groups.push((obj.clone(), Vec::new()));
                    groups.len() - 1
                });
                groups[k].1.push(nc);
            }
        }
        for (obj, netcons) in groups {
            self.append_fresh_spikes(&obj, &netcons);
        }
    }

    /// Every recording Vector gets the spikes its NetCons recorded since the last copy;
    /// when one of them has fewer than copied (a finitialize emptied them) the Vector starts
    /// again. Also notes which Vectors each NetCon records into.
    fn copy_all_spike_recordings(&mut self) {
        // The NetCons recording into each Vector, Vectors in order of first appearance.
        let mut slot_of: HashMap<*const crate::value::Object, usize> = HashMap::new();
        let mut groups: Vec<(ObjRef, Vec<NetConId>)> = Vec::new();
        self.spike_record_vectors.clear();
        for (w, nc) in &self.spike_recordings {
            let Some(obj) = w.upgrade() else { continue };
            let k = *slot_of.entry(Rc::as_ptr(&obj)).or_insert_with(|| {
                groups.push((obj.clone(), Vec::new()));
                groups.len() - 1
            });
            groups[k].1.push(*nc);
            self.spike_record_vectors
                .entry(*nc)
                .or_default()
                .push(w.clone());
        }
        for (obj, mut netcons) in groups {
            netcons.sort_by_key(|nc| nc.index());
            // A source's spikes only grow during a run; fewer than already copied means a
            // finitialize cleared them: the Vector starts again.
            // (A NetCon gone from the model leaves the Vector as it is.)
            let restarted = netcons.iter().any(|nc| {
                let done = self.spike_merged.get(nc).copied().unwrap_or(0);
                self.model
                    .netcon_spikes(*nc)
                    .is_ok_and(|spikes| spikes.len() < done)
            });
            if restarted {
                if let ObjData::Vector(v) = &mut *obj.data.borrow_mut() {
                    v.data.clear();
                }
                for nc in &netcons {
                    self.spike_merged.insert(*nc, 0);
                }
            }
            self.append_fresh_spikes(&obj, &netcons);
        }
    }

    /// Appends to Vector `obj` the spikes `netcons` (ascending) recorded since the last copy,
    /// by time and then by NetCon (the order in which the sources are checked).
    fn append_fresh_spikes(&mut self, obj: &ObjRef, netcons: &[NetConId]) {
        let mut data = obj.data.borrow_mut();
        let ObjData::Vector(v) = &mut *data else {
            return;
        };
        let mut fresh: Vec<(f64, usize)> = Vec::new();
        for (order, nc) in netcons.iter().enumerate() {
            let Ok(spikes) = self.model.netcon_spikes(*nc) else {
                continue;
            };
            let done = self.spike_merged.entry(*nc).or_insert(0);
            fresh.extend(spikes[*done..].iter().map(|&t| (t, order)));
            *done = spikes.len();
        }
        fresh.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        v.data.extend(fresh.into_iter().map(|(t, _)| t));
    }
}
