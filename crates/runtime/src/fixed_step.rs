//! NEURON's fixed-step method (NUMERICS §1): `finitialize`, `fadvance`, `continuerun`.
//!
//! One step, t_n → t_{n+1}: table checks; t += dt/2; matrix setup with every current at
//! (v_n, t_n + dt/2); Hines solve for Δv; (secondorder 2: ion currents to mid-step); v += Δv
//! (2Δv for secondorder ≥ 1); t += dt/2; states with v_{n+1} at t_{n+1}; recording.
//! Event delivery, threshold detection and extracellular layers slot in where marked.

use rsnrn_abi::Kernel;

use crate::error::{Result, RuntimeError};
use crate::mechanisms::Registry;
use crate::model::CableModel;

/// Which kernel of the mechanism tables to call.
#[derive(Debug, Clone, Copy)]
enum Phase {
    TableCheck,
    Initialize,
    Current,
    State,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::TableCheck => "table_check",
            Phase::Initialize => "initialize",
            Phase::Current => "current",
            Phase::State => "state",
        }
    }
}

/// Index of the first NaN or infinite value. The common all-finite case is checked in
/// branch-free chunks so it stays cheap on every step.
fn first_non_finite(values: &[f64]) -> Option<usize> {
    const CHUNK: usize = 8;
    for (c, chunk) in values.chunks(CHUNK).enumerate() {
        let mut ok = true;
        for x in chunk {
            ok &= x.is_finite();
        }
        if !ok {
            return chunk
                .iter()
                .position(|x| !x.is_finite())
                .map(|k| c * CHUNK + k);
        }
    }
    None
}

impl CableModel {
    /// Calls one kernel of every mechanism that has instances, in registration order, with
    /// `ctx.t = t`. During initialization, e of written-concentration ions follows each
    /// writer's INITIAL (nrn_wrote_conc).
    fn call_kernels(&mut self, phase: Phase, t: f64) -> Result<()> {
        self.sync_ctx(t);
        let celsius = self.celsius;
        let Registry { mechs, ions, .. } = &mut self.reg;
        for m in mechs.iter_mut() {
            if m.store.count() == 0 {
                continue;
            }
            let kernel: Option<Kernel> = match phase {
                Phase::TableCheck => m.table.table_check,
                Phase::Initialize => m.table.initialize,
                Phase::Current => m.table.current,
                Phase::State => m.table.state,
            };
            let Some(kernel) = kernel else { continue };
            // SAFETY: the registrant promised the kernel honours the ABI; ctx and data point
            // at buffers of this model that were (re)bound for the current layout.
            let status = unsafe { kernel(&self.ctx, &mut m.store.data) };
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

    /// Matrix setup (NUMERICS §1 item 5) at time `t`: capacitance on the diagonal, ion totals
    /// zeroed, every mechanism's current added by its kernel, then the axial terms.
    fn setup_matrix(&mut self, t: f64) -> Result<()> {
        let cj = if self.secondorder > 0 {
            2.0 / self.dt
        } else {
            1.0 / self.dt
        };
        let cfac = 0.001 * cj;
        {
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
        self.call_kernels(Phase::Current, t)?;
        let l = &mut self.layout;
        l.matrix
            .add_axial(l.v.slice(), l.rhs.slice_mut(), l.d.slice_mut());
        Ok(())
    }

    /// `finitialize(v_init)`: t = 0, tables, v = v_init on every node, ion and mechanism
    /// INITIALs, one matrix setup at t = 0 without solve (so currents and assigned variables
    /// hold their values at v_init), then record row 0 (recordings are cleared first).
    pub fn finitialize(&mut self, v_init: f64) -> Result<()> {
        if !v_init.is_finite() {
            return Err(RuntimeError::InvalidValue {
                what: "v_init".into(),
                value: v_init,
                requirement: "it must be a finite number",
            });
        }
        self.prepare()?;
        self.t = 0.0;
        self.call_kernels(Phase::TableCheck, 0.0)?;
        // (Event queue clearing, Vector.play and FInitializeHandlers go here.)
        self.layout.v.slice_mut().fill(v_init);
        for ion in self.reg.ions.iter_mut() {
            ion.initialize(self.celsius);
        }
        self.call_kernels(Phase::Initialize, 0.0)?;
        // (NetCon init, AFTER_INITIAL, events at t <= 0 go here.)
        self.setup_matrix(0.0)?;
        for r in self.records.iter_mut().flatten() {
            r.samples.clear();
        }
        self.sample_records();
        Ok(())
    }

    /// `fadvance()`: one fixed step. A NaN or infinite membrane potential stops the run with an
    /// error naming the place and time (t has then advanced, states have not).
    pub fn fadvance(&mut self) -> Result<()> {
        self.prepare()?;
        self.call_kernels(Phase::TableCheck, self.t)?;
        // (Threshold detection and delivery of events <= t + dt/2 go here.)
        self.t += 0.5 * self.dt;
        self.setup_matrix(self.t)?;
        // A non-finite current spreads to every node in the solve; remember where it entered
        // so the error can name that place.
        let origin = first_non_finite(self.layout.rhs.slice());
        {
            let l = &mut self.layout;
            l.matrix.solve(l.d.slice_mut(), l.rhs.slice_mut());
        }
        if self.secondorder == 2 {
            let rhs = self.layout.rhs.slice();
            for ion in self.reg.ions.iter_mut() {
                ion.second_order_current(rhs);
            }
        }
        let bad = self.update_voltage();
        self.t += 0.5 * self.dt;
        if let Some(node) = bad {
            let node = origin.unwrap_or(node);
            let (sec, x) = self.layout.node_location(node);
            return Err(RuntimeError::NotFinite {
                section: self.sections[sec.index()].name.clone(),
                x,
                t: self.t,
                value: self.layout.v.get(node),
            });
        }
        self.call_kernels(Phase::State, self.t)?;
        self.sample_records();
        // (Delivery of events <= t_{n+1} goes here.)
        Ok(())
    }

    /// v += Δv (2Δv for secondorder ≥ 1) on every node, zero-area ones included. Returns the
    /// first node whose v is not finite afterwards.
    fn update_voltage(&mut self) -> Option<usize> {
        let l = &mut self.layout;
        let factor = if self.secondorder > 0 { 2.0 } else { 1.0 };
        let rhs = l.rhs.slice();
        let v = l.v.slice_mut();
        let mut all_finite = true;
        if factor == 1.0 {
            for (v, &dv) in v.iter_mut().zip(rhs) {
                *v += dv;
                all_finite &= v.is_finite();
            }
        } else {
            for (v, &dv) in v.iter_mut().zip(rhs) {
                *v += 2.0 * dv;
                all_finite &= v.is_finite();
            }
        }
        if all_finite {
            None
        } else {
            v.iter().position(|v| !v.is_finite())
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
        while self.t < tstop - self.dt / 2.0 {
            self.fadvance()?;
        }
        Ok(())
    }
}
