//! `cvode.event(t, "statement")` with the fixed-step method: the statement runs when the
//! simulation reaches `t`, with `t` set to the event time while it runs (as NEURON delivers
//! events). The runtime's queue cannot call back into hoc, so these events wait here: before
//! each fadvance every one whose time is at most t + dt/2 runs (NEURON delivers the events of
//! a step at its start up to that time), in time order and, at equal times, in the order
//! they were made. Relative to the runtime's own events of the same half step they come
//! first (the only difference to NEURON, which interleaves both by time). finitialize clears
//! them with the queue and then runs those at t = 0.

use crate::error::{err, Res};
use crate::interp::Interp;

/// The pending statement events.
#[derive(Default)]
pub struct HocEvents {
    pending: Vec<(f64, u64, String)>,
    made: u64,
}

impl HocEvents {
    /// `cvode.event(t[, statement])`; without a statement the event only marks a time,
    /// which means nothing to fixed steps.
    pub fn add(&mut self, time: f64, statement: Option<String>, now: f64) -> Res<()> {
        if time.is_nan() {
            return err("cvode.event: the time is not a number");
        }
        if time < now {
            return err(format!(
                "cvode.event({time}) is earlier than the current time {now}"
            ));
        }
        if let Some(s) = statement {
            self.made += 1;
            self.pending.push((time, self.made, s));
        }
        Ok(())
    }

    /// Drops every pending event (finitialize empties NEURON's queue).
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// The earliest pending event at or before `until`, removed.
    fn next_due(&mut self, until: f64) -> Option<(f64, String)> {
        let k = self
            .pending
            .iter()
            .enumerate()
            .filter(|(_, e)| e.0 <= until)
            .min_by(|a, b| a.1 .0.total_cmp(&b.1 .0).then(a.1 .1.cmp(&b.1 .1)))
            .map(|(k, _)| k)?;
        let (t, _, s) = self.pending.remove(k);
        Some((t, s))
    }
}

/// Runs the statement events due by `until` (events they make are run too when due).
pub fn deliver(it: &mut Interp, until: f64) -> Res<()> {
    while let Some((time, statement)) = it.hoc_events.next_due(until) {
        let now = it.model.t();
        it.model
            .set_global("t", time)
            .or_else(|e| err(e.to_string()))?;
        let r = it.run_string_quietly("cvode.event", &statement);
        it.model
            .set_global("t", now)
            .or_else(|e| err(e.to_string()))?;
        r?;
    }
    Ok(())
}
