//! `fcurrent()`: every membrane current and the assigned variables of the BREAKPOINT blocks
//! evaluated at the present v and t, without advancing anything.
//!
//! NEURON's fcurrent brings the model up to date (topology, geometry), runs the TABLE checks
//! and then the matrix setup of a fixed step (NUMERICS §1 item 5) at the present t: ion totals
//! are zeroed and e_ion of "eadvance" ions recomputed, every current kernel runs (so `ina`,
//! `ik`, `i_pas`, IClamp `i` ... hold their values at v), and the axial terms are added. There
//! is no solve, v, states and t stay as they are, and BEFORE BREAKPOINT blocks do not run
//! (they belong to fadvance, not to the matrix setup).

use crate::error::Result;
use crate::fixed_step::{Phase, Rows};
use crate::model::CableModel;

impl CableModel {
    /// NEURON's `fcurrent()`: currents and BREAKPOINT-assigned variables at the present v.
    pub fn fcurrent(&mut self) -> Result<()> {
        self.prepare()?;
        let t = self.t;
        self.call_kernels(Phase::TableCheck, t)?;
        self.assemble_matrix(t, Rows::WithCurrents)
    }
}
