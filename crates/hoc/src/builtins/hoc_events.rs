//! `cvode.event(t, "statement")` with the fixed-step method: the statement runs when the
//! simulation reaches `t`, with `t` set to the event time while it runs (as NEURON delivers
//! events). The runtime's queue cannot call back into hoc, so these events wait here: before
//! each fadvance every one whose time is at most t + dt/2 runs (NEURON delivers the events of
//! a step at its start up to that time), in time order and, at equal times, in the order
//! they were made. Relative to the runtime's own events of the same half step they come
//! first (the only difference to NEURON, which interleaves both by time). A statement runs
//! at the top level, or in the template instance whose code made the event, as NEURON runs
//! it. finitialize clears them with the queue and then runs those at t = 0.

use crate::error::{err, Res};
use crate::interp::Interp;
use crate::value::ObjRef;

struct Pending {
    time: f64,
    made: u64,
    statement: String,
    /// The template instance the statement runs in (None: the top level).
    context: Option<ObjRef>,
}

/// The pending statement events.
#[derive(Default)]
pub struct HocEvents {
    pending: Vec<Pending>,
    made: u64,
}

impl HocEvents {
    /// `cvode.event(t[, statement])`; without a statement the event only marks a time,
    /// which means nothing to fixed steps.
    pub fn add(
        &mut self,
        time: f64,
        statement: Option<String>,
        context: Option<ObjRef>,
        now: f64,
    ) -> Res<()> {
        if time.is_nan() {
            return err("cvode.event: the time is not a number");
        }
        if time < now {
            return err(format!(
                "cvode.event({time}) is earlier than the current time {now}"
            ));
        }
        if let Some(statement) = statement {
            self.made += 1;
            self.pending.push(Pending {
                time,
                made: self.made,
                statement,
                context,
            });
        }
        Ok(())
    }

    /// Drops every pending event (finitialize empties NEURON's queue).
    pub fn clear(&mut self) {
        self.pending.clear();
    }

    /// The earliest pending event at or before `until`, removed.
    fn next_due(&mut self, until: f64) -> Option<Pending> {
        let k = self
            .pending
            .iter()
            .enumerate()
            .filter(|(_, e)| e.time <= until)
            .min_by(|(_, a), (_, b)| a.time.total_cmp(&b.time).then(a.made.cmp(&b.made)))
            .map(|(k, _)| k)?;
        Some(self.pending.remove(k))
    }
}

/// Runs the statement events due by `until` (events they make are run too when due).
pub fn deliver(it: &mut Interp, until: f64) -> Res<()> {
    while let Some(event) = it.hoc_events.next_due(until) {
        // The statement sees the recordings up to now (psolve syncs them only at its end).
        it.sync_recordings();
        let now = it.model.t();
        it.model
            .set_global("t", event.time)
            .or_else(|e| err(e.to_string()))?;
        let src = it.cur_src.clone();
        let r = it.in_context(None, event.context, src, |it| {
            it.run_string_quietly("cvode.event", &event.statement)
        });
        it.model
            .set_global("t", now)
            .or_else(|e| err(e.to_string()))?;
        r?;
    }
    Ok(())
}
