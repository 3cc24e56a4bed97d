//! Sections: unbranched cables with their own length, Ra, per-segment diam/cm and inserted
//! density mechanisms. The node layout derived from them lives in [`crate::layout`].

use crate::mechanisms::MechanismId;

/// Handle of a section in one [`crate::CableModel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionId(pub(crate) u32);

impl SectionId {
    /// Position in creation order (0, 1, ...).
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// `connect child(child_end), parent(parent_x)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Connection {
    pub parent: SectionId,
    pub parent_x: f64,
    /// 0: the child's x = 0 end touches the parent (normal); 1: its x = 1 end does, so the
    /// child's arc runs from x = 1 to x = 0.
    pub child_end: f64,
}

/// Instances of one density mechanism in one section: one per segment, in x order.
#[derive(Debug, Clone)]
pub(crate) struct DensityInstances {
    pub mech: MechanismId,
    pub instances: Vec<u32>,
}

#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub name: String,
    /// L (um).
    pub length: f64,
    /// Ra (ohm cm).
    pub ra: f64,
    /// diam per segment (um), x order; its length is nseg.
    pub diam: Vec<f64>,
    /// cm per segment (uF/cm2), x order.
    pub cm: Vec<f64>,
    pub parent: Option<Connection>,
    /// Children in connection order (the order their nodes are numbered in).
    pub children: Vec<SectionId>,
    pub mechs: Vec<DensityInstances>,
}

/// NEURON's defaults (membdef.h).
pub(crate) const DEFAULT_L: f64 = 100.0;
pub(crate) const DEFAULT_DIAM: f64 = 500.0;
pub(crate) const DEFAULT_RA: f64 = 35.4;
pub(crate) const DEFAULT_CM: f64 = 1.0;

impl Section {
    pub fn new(name: &str) -> Self {
        Section {
            name: name.to_string(),
            length: DEFAULT_L,
            ra: DEFAULT_RA,
            diam: vec![DEFAULT_DIAM],
            cm: vec![DEFAULT_CM],
            parent: None,
            children: Vec::new(),
            mechs: Vec::new(),
        }
    }

    pub fn nseg(&self) -> usize {
        self.diam.len()
    }

    /// True when connected by its x = 1 end, i.e. the arc from the parent runs towards x = 0.
    pub fn reversed(&self) -> bool {
        self.parent.is_some_and(|c| c.child_end == 1.0)
    }

    pub fn density(&self, mech: MechanismId) -> Option<&DensityInstances> {
        self.mechs.iter().find(|m| m.mech == mech)
    }

    pub fn density_mut(&mut self, mech: MechanismId) -> Option<&mut DensityInstances> {
        self.mechs.iter_mut().find(|m| m.mech == mech)
    }
}

/// Index (x order) of the segment containing x in [0, 1]; x = 1 belongs to the last segment.
pub(crate) fn segment_containing(x: f64, nseg: usize) -> usize {
    ((x * nseg as f64) as usize).min(nseg - 1)
}

/// x of the centre of segment `j`.
pub(crate) fn segment_center(j: usize, nseg: usize) -> f64 {
    (j as f64 + 0.5) / nseg as f64
}

/// For a new segment `j` of `new_nseg`, the old segment (of `old_nseg`) containing its centre:
/// where its values come from when nseg changes.
pub(crate) fn old_segment_for(j: usize, new_nseg: usize, old_nseg: usize) -> usize {
    segment_containing(segment_center(j, new_nseg), old_nseg)
}
