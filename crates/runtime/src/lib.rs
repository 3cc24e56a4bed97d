//! rsnrn's simulator core: NEURON 9.0.2's cable model and fixed-step integrator.
//!
//! A [`CableModel`] holds sections (cables with L, diam, nseg, Ra, cm), their connections,
//! inserted density mechanisms, point processes and ions, and runs NEURON's fixed-step method
//! on them (`finitialize`, `fadvance`, `continuerun`). Mechanisms come from outside as
//! [`rsnrn_abi::MechanismTable`]s (compiled NMODL) and are registered with
//! [`CableModel::register_mechanism`]; variables are addressed by NEURON's names
//! (`v`, `gnabar_hh`, `ena`, `usetable_hh`, `i` of an IClamp).
//!
//! ```no_run
//! # use rsnrn_runtime::*;
//! # fn demo(model: &mut CableModel) -> Result<()> {
//! // (pas and IClamp registered before)
//! let soma = model.create_section("soma")?;
//! model.set_length(soma, 20.0)?;
//! model.set_diam(soma, 20.0)?;
//! model.insert(soma, "pas")?;
//! model.set_range_all(soma, "g_pas", 5e-5)?;
//! let stim = model.add_point_process(soma, 0.5, "IClamp")?;
//! model.set_point(stim, "amp", 0.1)?;
//! let v = model.record(RecordTarget::range(soma, 0.5, "v"))?;
//! model.finitialize(-65.0)?;
//! model.continuerun(50.0)?;
//! println!("{:?}", model.recording(v)?);
//! # Ok(()) }
//! ```
//!
//! # What the runtime does around the kernels
//!
//! * Kernels are called per mechanism in registration order, only for mechanisms with
//!   instances; ions (handled natively) come before all of them.
//! * Matrix setup: rhs = 0, d = 0.001·cj·cm, ion totals and di/dv zeroed (e recomputed by
//!   Nernst where the ion style has eadvance), `current` kernels (which add to rhs, d and the
//!   ion slots themselves), then the axial terms. `ctx.t` is t_n + dt/2 (0 in finitialize).
//! * After a mechanism's `initialize`, if it writes an ion concentration, the runtime recomputes
//!   e of that ion at its instances where the ion style has einit (NEURON's nrn_wrote_conc), so
//!   kernels need not do it.
//! * `state` runs with v = v_{n+1}, `ctx.t` = t_{n+1}; `table_check` at the start of every step
//!   and of finitialize.
//! * Range columns, globals and slot pointers stay valid until the next structure change;
//!   instances of a mechanism are sorted by node.
//! * With `extracellular` in some section or fast i_membrane_ on, electrode kernels (IClamp,
//!   SEClamp: `electrode_current`) get a context of their own whose rhs/d are separate arrays
//!   and whose v is the internal potential vi = v + vext[0]; the runtime then has the membrane
//!   current and conductance without electrodes, which the extracellular rows and i_membrane_
//!   need (NUMERICS §9), and adds the electrode part back.
//!
//! # Morphology
//!
//! Sections are cylinders (L, diam per segment) or carry 3-D points (`pt3dadd` ...; stored in
//! single precision), from which L, the segment diameters, areas and axial resistances follow
//! as NEURON computes them from frusta (NUMERICS §3); `define_shape` lays out sections without
//! points. `distance`, `children`, `root_section`, `trueparent` answer tree questions.
//!
//! # Layout, solvers
//!
//! Structure edits mark the model; `layout.rs` numbers the nodes (roots first, parents before
//! children) and the mechanisms' structure-of-arrays are compacted and sorted by node before
//! the next simulation call. Without extracellular the step solves the scalar tree matrix
//! (`hines.rs`); with it, a 3×3 block per node (vi and two layers) eliminated along the same
//! tree (`extracellular.rs`). The step is in `fixed_step.rs`.
//!
//! # Events
//!
//! `events.rs` holds the queue (ordered by time, then insertion: FIFO for equal times) and the
//! event services generated code calls (`net_send`, `net_event`, `net_move`, WATCH), which only
//! record requests; `netcon.rs` the NetCon API and artificial cells; `delivery.rs` threshold
//! detection, WATCH checks, delivery and the requests' effects, where NEURON does them in a
//! step (NUMERICS §1, §8).

mod access;
mod buf;
pub mod cformat;
mod delivery;
mod error;
mod events;
#[cfg(target_arch = "x86_64")]
mod ext_avx2;
mod ext_block;
mod ext_contract;
mod ext_schedule;
mod extracellular;
mod fcurrent;
mod fixed_step;
mod function_tables;
mod functions;
mod fused;
pub mod geometry;
mod group_queue;
mod hines;
pub mod int_hash;
mod ion_style;
pub mod ions;
mod layout;
mod longitudinal;
mod mechanisms;
mod model;
mod morphology;
mod netcon;
mod play;
mod point;
mod pointers;
pub mod random;
mod rebuild;
mod record;
mod section;
mod services;
mod small_lu;
mod sparse;
mod split_rows;
mod threads;
mod threads_interval;
pub mod trace_io;

pub use error::{Result, RuntimeError};
pub use events::QueueStatistics;
pub use extracellular::{EXT_NAMES, NLAYER};
pub use fixed_step::StepProfile;
pub use function_tables::{Axis, FunctionTable};
pub use ion_style::IonStyleSetting;
pub use mechanisms::MechanismId;
pub use model::CableModel;
pub use morphology::{Pt3dField, DISTANCE_UNCONNECTED};
pub use netcon::{JournalMark, NetConId, NetConSource};
pub use play::{ExternalPlay, PlayId, PlayTarget, PlayTimes};
pub use point::PointProcessId;
pub use record::{RecordId, RecordTarget, VarRef};
pub use section::SectionId;
pub use services::SERVICES;
