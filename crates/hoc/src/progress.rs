//! A progress line on a terminal for long runs: `continuerun` (stdrun.hoc) opens a run, each
//! `fadvance` reports its t, and once the run has taken more than a second of wall time a line
//! `run: t = 123.4 of 500.0 ms (25 %)` is kept up to date on stderr, a few times a second,
//! and erased when the run ends. Off unless the front end turns it on (rsnrniv does when stderr
//! is a terminal), so redirected output and tests never see it.

use std::io::Write;
use std::time::{Duration, Instant};

/// Wall time before the line first appears, and between updates.
const QUIET_FOR: Duration = Duration::from_secs(1);
const UPDATE_EVERY: Duration = Duration::from_millis(250);
/// Steps between looks at the clock.
const STEPS_PER_CHECK: u32 = 64;

#[derive(Default)]
pub struct RunProgress {
    enabled: bool,
    run: Option<Run>,
}

struct Run {
    start: Instant,
    last_shown: Option<Instant>,
    from: f64,
    tstop: f64,
    steps: u32,
}

impl RunProgress {
    pub fn new(enabled: bool) -> Self {
        RunProgress { enabled, run: None }
    }

    /// A run from `t` to `tstop` begins.
    pub fn begin(&mut self, t: f64, tstop: f64) {
        if self.enabled {
            self.run = Some(Run {
                start: Instant::now(),
                last_shown: None,
                from: t,
                tstop,
                steps: 0,
            });
        }
    }

    /// Whether a run's progress is shown at all (a terminal).
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// One step has reached `t`.
    pub fn step(&mut self, t: f64) {
        let Some(run) = &mut self.run else { return };
        run.steps += 1;
        if run.steps % STEPS_PER_CHECK == 0 {
            self.reached(t);
        }
    }

    /// The run has reached `t` (after several steps at once): the line is updated if due.
    pub fn reached(&mut self, t: f64) {
        let Some(run) = &mut self.run else { return };
        let now = Instant::now();
        let due = match run.last_shown {
            None => now - run.start >= QUIET_FOR,
            Some(last) => now - last >= UPDATE_EVERY,
        };
        if due {
            let span = run.tstop - run.from;
            let percent = if span > 0.0 {
                100.0 * (t - run.from) / span
            } else {
                100.0
            };
            eprint!(
                "\rrun: t = {t:.1} of {:.1} ms ({:.0} %)   ",
                run.tstop,
                percent.clamp(0.0, 100.0)
            );
            let _ = std::io::stderr().flush();
            run.last_shown = Some(now);
        }
    }

    /// The run has ended: the line, if shown, is erased.
    pub fn end(&mut self) {
        if let Some(Run {
            last_shown: Some(_),
            ..
        }) = self.run.take()
        {
            eprint!("\r{:60}\r", "");
            let _ = std::io::stderr().flush();
        }
    }
}
