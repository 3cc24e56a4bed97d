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

impl crate::model::CableModel {
    /// The Random123 stream of a point process's RANDOM variable number `var` (declaration
    /// order), e.g. for NetStim's `noiseFromRandom`.
    pub fn point_random_stream(
        &mut self,
        id: PointProcessId,
        var: usize,
    ) -> crate::error::Result<&mut crate::random::Random123Stream> {
        let p = *self.pp(id)?;
        let m = &mut self.reg.mechs[p.mech.index()];
        let count = m.store.randoms.len();
        let name = m.info.name.clone();
        m.store
            .randoms
            .get_mut(var)
            .and_then(|streams| streams.get_mut(p.instance as usize))
            .ok_or(crate::error::RuntimeError::IndexOutOfRange {
                name: format!("RANDOM variable of {name}"),
                index: var,
                size: count,
            })
    }
}
