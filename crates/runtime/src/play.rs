//! Vector.play: values driven into a variable at given times, as NEURON's fixed step does it.
//!
//! What nrniv 9.0.2 does (probed with hoc scripts, see crates/cli/tests/hoc/vector_play*.hoc):
//!
//! * Discrete play (`play(&var, tvec)`, `play(&var, Dt)`): value `y[i]` is an event at time
//!   `t[i]` (or `i·Dt`). Events are delivered where the fixed step delivers events: in
//!   finitialize those at t ≤ 0 come before v is set to v_init; in a step, those at
//!   ≤ t_n + dt/2 before the matrix setup and those at ≤ t_{n+1} after recording.
//! * Continuous play (`play(&var, tvec, 1)`): the value is interpolated in t at t_n + dt/2
//!   (before the matrix setup) and at t_{n+1} (before the states are updated), and
//!   nothing happens in finitialize apart from events. Each time point is also an event, and
//!   interpolation never looks past the last time point whose event has come: beyond it the
//!   last segment is extrapolated (or `y[0]` is held before the first event). An event at
//!   `t[i]` moves that bound to `i + 1` and sets the interpolated value at `t[i]`. Between equal
//!   times (a step in the played function) the value is the mean of the two.
//!
//! A play target is a model variable ([`RecordTarget`]) or an external variable the front end
//! owns (a hoc variable): values for those are queued and taken with
//! [`CableModel::take_external_plays`].

use crate::error::{Result, RuntimeError};
use crate::model::CableModel;
use crate::record::{RecordTarget, VarLoc};

/// Handle of a play in one [`CableModel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlayId(u32);

impl PlayId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What a play writes into.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayTarget {
    /// A variable of the model.
    Var(RecordTarget),
    /// A variable of the front end, named by its key; the values are queued for it.
    External(u64),
}

/// When the values of a play apply.
#[derive(Debug, Clone, PartialEq)]
pub enum PlayTimes {
    /// Value `i` at `i·interval`.
    Interval(f64),
    /// Value `i` at `times[i]` (the shorter of the two vectors counts).
    Times(Vec<f64>),
}

#[derive(Debug, Clone)]
pub(crate) struct Play {
    target: PlayTarget,
    values: Vec<f64>,
    times: PlayTimes,
    continuous: bool,
    /// Index of the next event.
    next: usize,
    /// Continuous play: the last time point interpolation may use.
    bound: usize,
    /// Resolved target and the layout generation it belongs to.
    loc: Option<(u64, VarLoc)>,
}

impl Play {
    fn len(&self) -> usize {
        match &self.times {
            PlayTimes::Interval(_) => self.values.len(),
            PlayTimes::Times(t) => t.len().min(self.values.len()),
        }
    }

    fn time(&self, i: usize) -> f64 {
        match &self.times {
            PlayTimes::Interval(dt) => i as f64 * dt,
            PlayTimes::Times(t) => t[i],
        }
    }

    /// The next event if its time is ≤ `tmax`: the value it sets (moving past it).
    fn take_event(&mut self, tmax: f64) -> Option<f64> {
        let i = self.next;
        if i >= self.len() || self.time(i) > tmax {
            return None;
        }
        self.next += 1;
        Some(if self.continuous {
            self.bound = (i + 1).min(self.len() - 1);
            self.interpolate(self.time(i))
        } else {
            self.values[i]
        })
    }

    /// The interpolated value at `tt` (continuous play), bounded by `self.bound`.
    fn interpolate(&self, tt: f64) -> f64 {
        let y = &self.values;
        let ub = self.bound;
        let segment = |a: usize, b: usize| {
            let (ta, tb) = (self.time(a), self.time(b));
            if ta == tb {
                (y[a] + y[b]) / 2.0
            } else {
                y[a] + (y[b] - y[a]) * (tt - ta) / (tb - ta)
            }
        };
        if tt >= self.time(ub) {
            if ub == 0 {
                y[0]
            } else {
                segment(ub - 1, ub)
            }
        } else if tt <= self.time(0) {
            y[0]
        } else {
            // The first time point after tt (there is one: tt < time(ub)).
            let i = (1..=ub).find(|&i| tt < self.time(i)).unwrap_or(ub);
            segment(i - 1, i)
        }
    }
}

/// A value played into an external target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExternalPlay {
    pub key: u64,
    pub value: f64,
    /// Set after the step's (or finitialize's) recording: a recording of the variable must
    /// not see it yet.
    pub after_record: bool,
}

/// The plays of a model and the values queued for external targets.
#[derive(Debug, Default)]
pub(crate) struct Plays {
    pub(crate) list: Vec<Option<Play>>,
    external: Vec<ExternalPlay>,
}

impl CableModel {
    /// Starts playing `values` into `target` at `times`, discretely or (`continuous`)
    /// interpolated. The values take effect from the next finitialize on.
    pub fn add_play(
        &mut self,
        target: PlayTarget,
        values: Vec<f64>,
        times: PlayTimes,
        continuous: bool,
    ) -> Result<PlayId> {
        check_times(&times)?;
        let play = Play {
            target,
            values,
            times,
            continuous,
            next: usize::MAX,
            bound: 0,
            loc: None,
        };
        let slot = self.plays.list.iter().position(Option::is_none);
        let k = match slot {
            Some(k) => {
                self.plays.list[k] = Some(play);
                k
            }
            None => {
                self.plays.list.push(Some(play));
                self.plays.list.len() - 1
            }
        };
        Ok(PlayId(k as u32))
    }

    /// New values and times of a play (the vectors changed); its events restart at the next
    /// finitialize.
    pub fn set_play_data(&mut self, id: PlayId, values: Vec<f64>, times: PlayTimes) -> Result<()> {
        check_times(&times)?;
        let p = self.play_mut(id)?;
        if p.values != values || p.times != times {
            p.values = values;
            p.times = times;
            p.next = usize::MAX;
        }
        Ok(())
    }

    /// `play_remove()`: the variable keeps its last value.
    pub fn remove_play(&mut self, id: PlayId) -> Result<()> {
        self.play_mut(id)?;
        self.plays.list[id.index()] = None;
        Ok(())
    }

    /// Values played into external targets since the last call, in the order they were set.
    pub fn take_external_plays(&mut self) -> Vec<ExternalPlay> {
        std::mem::take(&mut self.plays.external)
    }

    fn play_mut(&mut self, id: PlayId) -> Result<&mut Play> {
        self.plays
            .list
            .get_mut(id.index())
            .and_then(Option::as_mut)
            .ok_or_else(|| RuntimeError::Event {
                message: format!("no play {} (removed?)", id.index()),
                t: self.t,
            })
    }

    /// finitialize: every play starts over and its events at t ≤ 0 are delivered.
    pub(crate) fn init_plays(&mut self) -> Result<()> {
        for p in self.plays.list.iter_mut().flatten() {
            p.next = 0;
            p.bound = 0;
        }
        self.deliver_plays(0.0, false)
    }

    /// Delivers the play events at time ≤ `tmax`; `after_record` tells whether the step
    /// has recorded already (the delivery at its end).
    pub(crate) fn deliver_plays(&mut self, tmax: f64, after_record: bool) -> Result<()> {
        for k in 0..self.plays.list.len() {
            while let Some(value) = self.plays.list[k].as_mut().and_then(|p| p.take_event(tmax)) {
                self.play_write(k, value, after_record)?;
            }
        }
        Ok(())
    }

    /// Some continuous play is active (it writes values inside the step).
    pub(crate) fn has_continuous_plays(&self) -> bool {
        self.plays
            .list
            .iter()
            .flatten()
            .any(|p| p.continuous && p.len() > 0)
    }

    /// Continuous plays take their value at `tt`; whether one wrote a value.
    pub(crate) fn play_continuous(&mut self, tt: f64) -> Result<bool> {
        let mut wrote = false;
        for k in 0..self.plays.list.len() {
            let Some(p) = self.plays.list[k].as_ref() else {
                continue;
            };
            if !p.continuous || p.len() == 0 || p.next == usize::MAX {
                continue;
            }
            let value = p.interpolate(tt);
            self.play_write(k, value, false)?;
            wrote = true;
        }
        Ok(wrote)
    }

    fn play_write(&mut self, k: usize, value: f64, after_record: bool) -> Result<()> {
        let generation = self.layout.generation;
        let p = self.plays.list[k].as_ref().expect("live play");
        let target = match &p.target {
            PlayTarget::External(key) => {
                self.plays.external.push(ExternalPlay {
                    key: *key,
                    value,
                    after_record,
                });
                return Ok(());
            }
            PlayTarget::Var(target) => target,
        };
        let loc = match p.loc {
            Some((g, loc)) if g == generation || !loc.depends_on_layout() => loc,
            _ => {
                let target = target.clone();
                let loc = self.resolve(&target)?;
                if let Some(p) = self.plays.list[k].as_mut() {
                    p.loc = Some((generation, loc));
                }
                loc
            }
        };
        self.write_loc(loc, value)
    }
}

fn check_times(times: &PlayTimes) -> Result<()> {
    match times {
        PlayTimes::Interval(dt) if !(dt.is_finite() && *dt > 0.0) => {
            Err(RuntimeError::InvalidValue {
                what: "Vector.play interval".into(),
                value: *dt,
                requirement: "it must be a positive number",
            })
        }
        PlayTimes::Times(t) => match t.iter().find(|x| !x.is_finite()) {
            Some(&bad) => Err(RuntimeError::InvalidValue {
                what: "Vector.play time".into(),
                value: bad,
                requirement: "it must be finite",
            }),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn continuous(times: &[f64], values: &[f64]) -> Play {
        Play {
            target: PlayTarget::External(0),
            values: values.to_vec(),
            times: PlayTimes::Times(times.to_vec()),
            continuous: true,
            next: 0,
            bound: 0,
            loc: None,
        }
    }

    /// Takes the events up to `tmax`, returning the value the last one set.
    fn events_until(p: &mut Play, tmax: f64) -> Option<f64> {
        let mut last = None;
        while let Some(v) = p.take_event(tmax) {
            last = Some(v);
        }
        last
    }

    // The values nrniv 9.0.2 gives for `y.play(&x, t, 1)` with t = 0, .25, .25, .5, .75, .75
    // and y = 0, 1, 3, 4, 5, 9, dt = 0.125 (crates/cli/tests/hoc/vector_play.hoc): a step at
    // 0.25 (the later value once its events came), the mean of the two values at the end.
    #[test]
    fn continuous_play_steps_and_ends_as_nrniv() {
        let mut p = continuous(
            &[0.0, 0.25, 0.25, 0.5, 0.75, 0.75],
            &[0.0, 1.0, 3.0, 4.0, 5.0, 9.0],
        );
        assert_eq!(events_until(&mut p, 0.0), Some(0.0));
        let mut seen = Vec::new();
        for n in 1..=8 {
            let t = n as f64 * 0.125;
            let mut x = p.interpolate(t);
            if let Some(v) = events_until(&mut p, t) {
                x = v;
            }
            seen.push(x);
        }
        assert_eq!(seen, [0.5, 3.0, 3.5, 4.0, 4.5, 7.0, 7.0, 7.0]);
    }

    // tvec 0.05, 0.07, y 100, 200 (nrniv: 100 before the first time, 225 recorded at t 0.075
    // by extrapolation, then 200 when the event at 0.07 comes, 350 at t 0.1).
    #[test]
    fn continuous_play_extrapolates_up_to_the_next_event() {
        let mut p = continuous(&[0.05, 0.07], &[100.0, 200.0]);
        assert_eq!(p.interpolate(0.025), 100.0);
        assert_eq!(events_until(&mut p, 0.05), Some(100.0));
        assert!((p.interpolate(0.075) - 225.0).abs() < 1e-9);
        assert_eq!(events_until(&mut p, 0.075), Some(200.0));
        assert!((p.interpolate(0.1) - 350.0).abs() < 1e-9);
    }

    #[test]
    fn bad_times_are_refused() {
        assert!(check_times(&PlayTimes::Interval(0.0)).is_err());
        assert!(check_times(&PlayTimes::Times(vec![0.0, f64::NAN])).is_err());
        assert!(check_times(&PlayTimes::Interval(0.1)).is_ok());
    }
}
