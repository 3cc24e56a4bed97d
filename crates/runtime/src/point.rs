//! Point processes: single mechanism instances placed at a location (IClamp, ExpSyn, ...).

use crate::mechanisms::MechanismId;
use crate::section::SectionId;

/// Handle of a point process in one [`crate::CableModel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PointProcessId(pub(crate) u32);

impl PointProcessId {
    /// Position in creation order.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct PointProcess {
    pub mech: MechanismId,
    /// None for an artificial cell (ARTIFICIAL_CELL), which has no node.
    pub section: Option<SectionId>,
    /// Location as given; the node is `node_exact(section, x)` of the current layout, so the
    /// process follows when nseg changes.
    pub x: f64,
    /// Instance in the mechanism's store.
    pub instance: u32,
}
