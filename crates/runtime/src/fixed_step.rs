//! NEURON's fixed-step method (NUMERICS §1): `finitialize`, `fadvance`, `continuerun`.
//!
//! One step, t_n → t_{n+1}: table checks; t += dt/2; matrix setup with every current at
//! (v_n, t_n + dt/2); Hines solve for Δv; (secondorder 2: ion currents to mid-step); v += Δv
//! (2Δv for secondorder ≥ 1); t += dt/2; states with v_{n+1} at t_{n+1}; recording.
//! Threshold detection and event delivery (`netcon.rs`) come at the start of the step and
//! after recording (NUMERICS §1 items 2, 3 and 12).

use std::time::Instant;

use rsnrn_abi::{HookKind, Kernel};

use crate::error::{Result, RuntimeError};
use crate::mechanisms::Registry;
use crate::model::CableModel;

/// Which kernel of the mechanism tables to call.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Phase {
    TableCheck,
    Initialize,
    Current,
    State,
    /// A BEFORE/AFTER block kind.
    Hook(HookKind),
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::TableCheck => "table_check",
            Phase::Initialize => "initialize",
            Phase::Current => "current",
            Phase::State => "state",
            Phase::Hook(kind) => kind.name(),
        }
    }
}

/// Where the wall time of fixed steps goes, summed over the steps since profiling was switched
/// on with [`CableModel::set_step_profiling`]. The runtime's own share is `matrix_setup_ns +
/// solve_ns + update_ns + record_ns`; the kernels are the mechanisms' share.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepProfile {
    pub steps: u64,
    /// Checks before the step and the mechanisms' TABLE checks.
    pub table_check_ns: u64,
    /// rhs and d initialised, ion totals zeroed, membrane/electrode split, axial terms.
    pub matrix_setup_ns: u64,
    /// The mechanisms' current kernels.
    pub current_kernels_ns: u64,
    /// Hines solve (block solve with extracellular).
    pub solve_ns: u64,
    /// Second-order ion correction, voltage (and vext) update, NaN check, fast i_membrane_.
    pub update_ns: u64,
    /// The mechanisms' state kernels.
    pub state_kernels_ns: u64,
    /// Vector.record sampling.
    pub record_ns: u64,
}

impl StepProfile {
    /// Each part's name and time (ns, summed over the steps), in the order of a step.
    pub fn parts(&self) -> [(&'static str, u64); 7] {
        [
            ("table checks", self.table_check_ns),
            ("matrix setup", self.matrix_setup_ns),
            ("current kernels", self.current_kernels_ns),
            ("solve", self.solve_ns),
            ("update", self.update_ns),
            ("state kernels", self.state_kernels_ns),
            ("record", self.record_ns),
        ]
    }
}

/// A part of [`StepProfile`].
#[derive(Debug, Clone, Copy)]
enum Part {
    TableCheck,
    MatrixSetup,
    CurrentKernels,
    Solve,
    Update,
    StateKernels,
    Record,
}

/// v += factor·Δv on every node (AVX2 lanes); whether every v is finite afterwards.
fn add_changes(v: &mut [f64], dv: &[f64], factor: f64) -> bool {
    crate::fused::avx2_lanes(|| add_changes_plain(v, dv, factor))
}

#[inline(always)]
fn add_changes_plain(v: &mut [f64], dv: &[f64], factor: f64) -> bool {
    let mut all_finite = true;
    for (v, &dv) in v.iter_mut().zip(dv) {
        *v += factor * dv;
        all_finite &= v.is_finite();
    }
    all_finite
}

/// Index of the first NaN or infinite value. The common all-finite case costs one
/// multiplication and one addition per value in independent lanes (x·0 is ±0 for a finite x
/// and NaN otherwise, and NaN stays in a sum), with no branch, so it stays cheap on every
/// step; only a non-finite value leads to the search.
pub(crate) fn first_non_finite(values: &[f64]) -> Option<usize> {
    crate::fused::avx2_lanes(|| first_non_finite_plain(values))
}

#[inline(always)]
fn first_non_finite_plain(values: &[f64]) -> Option<usize> {
    const LANES: usize = 8;
    let mut sums = [0.0f64; LANES];
    let chunks = values.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (sum, x) in sums.iter_mut().zip(chunk) {
            *sum += x * 0.0;
        }
    }
    let finite = sums.iter().all(|&s| s == 0.0) && rest.iter().all(|x| x.is_finite());
    if finite {
        None
    } else {
        values.iter().position(|x| !x.is_finite())
    }
}

/// What the matrix setup leaves in the rhs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rows {
    /// The currents, axial ones included, as NEURON has them (for fast i_membrane_ at
    /// finitialize, and fcurrent).
    WithCurrents,
    /// What the solve takes: the same, except with extracellular layers, whose block solve
    /// wants the rhs of the new potentials (split_rows.rs).
    ForSolve,
}

impl CableModel {
    /// Switches the per-part timing of [`fadvance`](Self::fadvance) on (clearing earlier
    /// figures) or off. It costs two clock reads per part and step.
    pub fn set_step_profiling(&mut self, on: bool) {
        self.profile = on.then(StepProfile::default);
    }

    /// The step timing gathered since [`set_step_profiling`](Self::set_step_profiling)(true).
    pub fn step_profile(&self) -> Option<StepProfile> {
        self.profile
    }

    /// Adds the time since the last lap to `part` (only inside a profiled fadvance).
    #[inline]
    fn lap(&mut self, part: Part) {
        let (Some(p), Some(t0)) = (&mut self.profile, &mut self.lap_start) else {
            return;
        };
        let now = Instant::now();
        let ns = now.duration_since(*t0).as_nanos() as u64;
        *t0 = now;
        let slot = match part {
            Part::TableCheck => &mut p.table_check_ns,
            Part::MatrixSetup => &mut p.matrix_setup_ns,
            Part::CurrentKernels => &mut p.current_kernels_ns,
            Part::Solve => &mut p.solve_ns,
            Part::Update => &mut p.update_ns,
            Part::StateKernels => &mut p.state_kernels_ns,
            Part::Record => &mut p.record_ns,
        };
        *slot += ns;
    }

    /// Calls one kernel of every mechanism that has instances, in NEURON's order
    /// (`Registry::kernel_order`), with `ctx.t = t`. During initialization, e of written-concentration ions follows each
    /// writer's INITIAL (nrn_wrote_conc).
    pub(crate) fn call_kernels(&mut self, phase: Phase, t: f64) -> Result<()> {
        self.sync_ctx(t);
        let celsius = self.celsius;
        // Electrode currents apart from the membrane's, seeing vi (NUMERICS §9).
        let split = self.split_membrane() && matches!(phase, Phase::Current | Phase::State);
        let order = self.reg.take_active_order(self.layout_builds);
        let result = self.call_in_order(&order, phase, t, split, celsius);
        self.reg.put_active_order(order);
        result?;
        // Event requests (net_send from INITIAL) and features a kernel found missing.
        if self.events.has_requests() {
            self.process_requests(t, None)?;
        }
        Ok(())
    }

    /// [`call_kernels`](Self::call_kernels) over `order` (the mechanisms with instances).
    fn call_in_order(
        &mut self,
        order: &[usize],
        phase: Phase,
        t: f64,
        split: bool,
        celsius: f64,
    ) -> Result<()> {
        let Registry { mechs, ions, .. } = &mut self.reg;
        for &k in order {
            let m = &mut mechs[k];
            let kernel: Option<Kernel> = match phase {
                Phase::TableCheck => m.table.table_check,
                Phase::Initialize => m.table.initialize,
                Phase::Current => m.table.current,
                Phase::State => m.table.state,
                Phase::Hook(kind) => m.table.hooks.get(kind),
            };
            let Some(kernel) = kernel else { continue };
            // SAFETY: the registrant promised the kernel honours the ABI; ctx and data point
            // at buffers of this model that were (re)bound for the current layout.
            let ctx = if split && m.info.electrode_current {
                &self.ctx_e
            } else {
                &self.ctx
            };
            let status = unsafe { kernel(ctx, &mut m.store.data) };
            let site = usize::try_from(status - rsnrn_abi::STATUS_FAILURE_SITE).ok();
            if let Some(message) = site.and_then(|k| m.info.failure_sites.get(k)) {
                return Err(RuntimeError::MechanismFailure {
                    mechanism: m.info.name.clone(),
                    message: message.clone(),
                    t,
                });
            }
            if status != 0 {
                return Err(RuntimeError::KernelFailed {
                    mechanism: m.info.name.clone(),
                    kernel: phase.name(),
                    status,
                    t,
                });
            }
            if matches!(phase, Phase::Initialize) {
                for &ion in &m.conc_writes {
                    let ion = &mut ions[ion.0 as usize];
                    for &node in &m.store.node_index {
                        if let Some(k) = ion.store.instance_at(node as usize) {
                            ion.wrote_conc(k, celsius);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether electrode currents must be kept apart from the membrane current: with
    /// extracellular layers (their rows see only the membrane) and for fast i_membrane_.
    fn split_membrane(&self) -> bool {
        self.layout.ext.active || self.use_fast_imem
    }

    /// 0.001·cj: capacitance (uF/cm2) to conductance (S/cm2) over the step.
    fn cfac(&self) -> f64 {
        let cj = if self.secondorder > 0 {
            2.0 / self.dt
        } else {
            1.0 / self.dt
        };
        0.001 * cj
    }

    /// vi = v + vext[0] at nodes with extracellular layers, v elsewhere.
    fn update_vi(&mut self) {
        let l = &mut self.layout;
        let (v, vi) = (l.v.slice(), l.vi.slice_mut());
        vi.copy_from_slice(v);
        if l.ext.active {
            for ((vi, &has), vext) in vi.iter_mut().zip(&l.ext.has).zip(&l.ext.vext) {
                if has {
                    *vi += vext[0];
                }
            }
        }
    }

    /// Matrix setup (NUMERICS §1 item 5) at time `t`: capacitance on the diagonal, ion totals
    /// zeroed, every mechanism's current added by its kernel, then the axial terms. With
    /// extracellular or fast i_membrane_ the membrane current and conductance are also kept
    /// apart from the electrodes' (`im`, `dm`), and with extracellular the axial currents flow
    /// between internal potentials vi. `rows` says whether a solve follows (see [`Rows`]).
    fn setup_matrix(&mut self, t: f64, rows: Rows) -> Result<()> {
        self.call_kernels(Phase::Hook(HookKind::BeforeBreakpoint), t)?;
        self.assemble_matrix(t, rows)
    }

    /// The matrix setup proper, without BEFORE BREAKPOINT blocks (fcurrent runs only this).
    pub(crate) fn assemble_matrix(&mut self, t: f64, rows: Rows) -> Result<()> {
        let cfac = self.cfac();
        let split = self.split_membrane();
        if split {
            self.layout.clear_split_rows(cfac);
        } else {
            let l = &mut self.layout;
            l.rhs.slice_mut().fill(0.0);
            // The capacitive term comes first on the diagonal, as NEURON adds it first.
            for (d, &cm) in l.d.slice_mut().iter_mut().zip(&l.cm) {
                *d = cfac * cm;
            }
        }
        for ion in self.reg.ions.iter_mut() {
            ion.current(self.celsius);
        }
        self.lap(Part::MatrixSetup);
        self.call_kernels(Phase::Current, t)?;
        self.lap(Part::CurrentKernels);
        let l = &mut self.layout;
        if split {
            l.finish_split_rows(rows == Rows::ForSolve);
            let electrodes = self.reg.mechs.iter().filter(|m| m.info.electrode_current);
            l.clear_electrode_rows(electrodes.flat_map(|m| m.store.node_index.iter().copied()));
        } else {
            l.matrix
                .add_axial(l.v.slice(), l.rhs.slice_mut(), l.d.slice_mut());
        }
        self.lap(Part::MatrixSetup);
        Ok(())
    }

    /// fast i_membrane_ (nA) per node: after the solve (D·Δv + I_m)·area·0.01 with Δv the
    /// membrane potential change of the solve (Δvi − Δvext[0] with extracellular; the half
    /// step for secondorder > 0); at finitialize (rhs + I_m)·area·0.01, i.e. the axial and
    /// electrode current. Zero-area nodes have area 100, so the factor is 1 there.
    fn fast_imem(&mut self, after_solve: bool) {
        let l = &mut self.layout;
        let n = l.node_count();
        let (rhs, area) = (&l.rhs.slice()[..n], &l.area.slice()[..n]);
        let (im, dm, imem) = (&l.im[..n], &l.dm[..n], &mut l.imem[..n]);
        for i in 0..n {
            let total = if after_solve {
                let mut dv = rhs[i];
                if l.ext.active && l.ext.has[i] {
                    dv -= l.ext.delta_ext(i)[0];
                }
                dm[i] * dv + im[i]
            } else {
                rhs[i] + im[i]
            };
            imem[i] = total * area[i] * 0.01;
        }
    }

    /// `finitialize(v_init)`: t = 0, tables, v = v_init on every node, ion and mechanism
    /// INITIALs, one matrix setup at t = 0 without solve (so currents and assigned variables
    /// hold their values at v_init), then record row 0 (recordings are cleared first).
    /// `None` keeps the present membrane potentials (`finitialize()` without argument).
    ///
    /// It is [`init_begin`](Self::init_begin), [`init_mechanisms`](Self::init_mechanisms) and
    /// [`init_finish`](Self::init_finish) in a row; a front end with FInitializeHandlers calls
    /// them one by one and runs its type 0, 1 and 2 handlers in between.
    pub fn finitialize(&mut self, v_init: impl Into<Option<f64>>) -> Result<()> {
        self.init_begin(v_init.into())?;
        self.init_mechanisms()?;
        self.init_finish()
    }

    /// First part of finitialize: t = 0, table checks, the event queue cleared, plays
    /// restarted with their events at t = 0, v = v_init. (FInitializeHandler type 0 follows.)
    pub fn init_begin(&mut self, v_init: Option<f64>) -> Result<()> {
        if let Some(v_init) = v_init.filter(|v| !v.is_finite()) {
            return Err(RuntimeError::InvalidValue {
                what: "v_init".into(),
                value: v_init,
                requirement: "it must be a finite number",
            });
        }
        self.prepare()?;
        self.t = 0.0;
        self.call_kernels(Phase::TableCheck, 0.0)?;
        self.events.reset();
        self.init_plays()?;
        if let Some(v_init) = v_init {
            self.layout.v.slice_mut().fill(v_init);
        }
        self.layout.ext.initialize();
        Ok(())
    }

    /// Second part of finitialize: BEFORE_INITIAL, ion and mechanism INITIALs, NetCons,
    /// AFTER_INITIAL. (FInitializeHandler type 1 follows.)
    pub fn init_mechanisms(&mut self) -> Result<()> {
        self.call_kernels(Phase::Hook(HookKind::BeforeInitial), 0.0)?;
        for ion in self.reg.ions.iter_mut() {
            ion.initialize(self.celsius);
        }
        self.call_kernels(Phase::Initialize, 0.0)?;
        self.initialize_netcons()?;
        self.call_kernels(Phase::Hook(HookKind::AfterInitial), 0.0)
    }

    /// Last part of finitialize: events at t = 0, the matrix setup at t = 0, record row 0.
    /// (FInitializeHandler type 2 follows.)
    pub fn init_finish(&mut self) -> Result<()> {
        self.deliver_events(0.0)?;
        self.setup_matrix(0.0, Rows::WithCurrents)?;
        if self.use_fast_imem {
            self.fast_imem(false);
        }
        self.call_kernels(Phase::Hook(HookKind::BeforeStep), 0.0)?;
        for r in self.records.iter_mut().flatten() {
            r.samples.clear();
        }
        self.sample_records();
        self.deliver_events(0.0)?;
        Ok(())
    }

    /// `fadvance()`: one fixed step. A NaN or infinite membrane potential stops the run with an
    /// error naming the place and time (t has then advanced, states have not).
    pub fn fadvance(&mut self) -> Result<()> {
        if self.profile.is_some() {
            self.lap_start = Some(Instant::now());
        }
        let result = self.step();
        if let Some(p) = &mut self.profile {
            p.steps += 1;
        }
        self.lap_start = None;
        result
    }

    fn step(&mut self) -> Result<()> {
        self.prepare()?;
        self.call_kernels(Phase::TableCheck, self.t)?;
        self.lap(Part::TableCheck);
        self.check_thresholds()?;
        self.deliver_events(self.t + 0.5 * self.dt)?;
        self.t += 0.5 * self.dt;
        self.play_continuous(self.t)?;
        if self.threaded_step()? {
            self.lap(Part::StateKernels);
            self.sample_records();
            self.lap(Part::Record);
            return self.deliver_events(self.t);
        }
        self.setup_matrix(self.t, Rows::ForSolve)?;
        // A non-finite current spreads to every node in the solve; remember where it entered
        // so the error can name that place.
        let origin = first_non_finite(self.layout.rhs.slice());
        {
            let cfac = self.cfac();
            let l = &mut self.layout;
            if l.ext.active {
                let rows = crate::extracellular::StepRows {
                    cfac,
                    v: l.v.slice(),
                    d: l.d.slice(),
                    rhs: l.rhs.slice(),
                    im: &l.im,
                    dm: &l.dm,
                };
                l.ext.solve(&l.matrix, rows);
            } else {
                l.matrix.solve(l.d.slice_mut(), l.rhs.slice_mut());
            }
        }
        self.lap(Part::Solve);
        let bad = self.update_voltage();
        if self.secondorder == 2 {
            let rhs = self.layout.rhs.slice();
            for ion in self.reg.ions.iter_mut() {
                ion.second_order_current(rhs);
            }
        }
        if self.use_fast_imem {
            self.fast_imem(true);
        }
        self.lap(Part::Update);
        self.t += 0.5 * self.dt;
        if let Some(node) = bad {
            return Err(self.not_finite_at(origin.unwrap_or(node)));
        }
        // The voltage update made vi; a play may have moved v or vext since.
        if self.play_continuous(self.t)? && self.layout.ext.active {
            self.update_vi();
        }
        self.call_kernels(Phase::State, self.t)?;
        self.longitudinal_diffusion();
        self.call_kernels(Phase::Hook(HookKind::AfterSolve), self.t)?;
        self.call_kernels(Phase::Hook(HookKind::BeforeStep), self.t)?;
        self.lap(Part::StateKernels);
        self.sample_records();
        self.lap(Part::Record);
        self.deliver_events(self.t)?;
        Ok(())
    }

    /// v += Δv (2Δv for secondorder ≥ 1) on every node, zero-area ones included; with
    /// extracellular layers v += Δvi·(1 or 2) − Δvext[0], vext += Δvext and i_membrane =
    /// D·(Δvi − Δvext[0]) + I_m, vi = v + vext[0] and (where read later) rhs = Δvi. Returns the
    /// first node whose v is not finite afterwards.
    fn update_voltage(&mut self) -> Option<usize> {
        let l = &mut self.layout;
        let factor = if self.secondorder > 0 { 2.0 } else { 1.0 };
        let all_finite = if l.ext.active {
            let nodes = crate::extracellular::UpdatedNodes {
                v: l.v.slice_mut(),
                vi: l.vi.slice_mut(),
                // Δvi is read after the update only by fast i_membrane_ and by the
                // secondorder = 2 ion currents.
                dvi: (self.use_fast_imem || self.secondorder == 2).then(|| l.rhs.slice_mut()),
            };
            l.ext.update(nodes, factor, &l.im, &l.dm)
        } else {
            add_changes(l.v.slice_mut(), l.rhs.slice(), factor)
        };
        if all_finite {
            None
        } else {
            l.v.slice().iter().position(|v| !v.is_finite())
        }
    }

    fn sample_records(&mut self) {
        for k in 0..self.records.len() {
            let Some(loc) = self.records[k].as_ref().and_then(|r| r.loc) else {
                continue;
            };
            let value = self.read_loc(loc);
            if let Some(r) = self.records[k].as_mut() {
                r.samples.push(value);
            }
        }
    }

    /// The error of a run whose v became NaN or infinite at `node` (at the current t).
    pub(crate) fn not_finite_at(&self, node: usize) -> RuntimeError {
        let (sec, x) = self.layout.node_location(node);
        RuntimeError::NotFinite {
            section: self.sections[sec.index()].name.clone(),
            x,
            t: self.t,
            value: self.layout.v.get(node),
        }
    }

    /// stdrun's `continuerun(tstop)`: fadvance while t < tstop − dt/2, i.e. round(tstop/dt)
    /// steps from t = 0 with t accumulated by half steps as NEURON does.
    pub fn continuerun(&mut self, tstop: f64) -> Result<()> {
        if !tstop.is_finite() {
            return Err(RuntimeError::InvalidValue {
                what: "tstop".into(),
                value: tstop,
                requirement: "it must be a finite number",
            });
        }
        let steps = ((tstop - self.t) / self.dt).ceil().max(0.0) as usize + 1;
        for r in self.records.iter_mut().flatten() {
            r.samples.reserve(steps);
        }
        // On threads, groups of cells run whole exchange intervals (threads_interval.rs).
        if self.run_intervals(tstop)? {
            return Ok(());
        }
        while self.t < tstop - self.dt / 2.0 {
            self.fadvance()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::first_non_finite;

    #[test]
    fn first_non_finite_finds_the_first_bad_value_anywhere() {
        for n in [0, 1, 7, 8, 9, 31, 100] {
            let values: Vec<f64> = (0..n).map(|i| i as f64 * 1e300 - 3.0).collect();
            assert_eq!(first_non_finite(&values), None, "all finite, {n} values");
            for at in 0..n {
                for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                    let mut with_bad = values.clone();
                    with_bad[at] = bad;
                    if at + 1 < n {
                        with_bad[n - 1] = f64::NAN;
                    }
                    assert_eq!(
                        first_non_finite(&with_bad),
                        Some(at),
                        "{bad} at {at} of {n}"
                    );
                }
            }
        }
    }
}
