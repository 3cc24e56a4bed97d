//! Sections: unbranched cables with their own length, Ra, per-segment diam/cm and inserted
//! density mechanisms. The node layout derived from them lives in [`crate::layout`].

use crate::geometry::{arc_segment, compute_arcs, pt3d_diams, pt3d_length, DIAM_CHANGE_TOLERANCE};
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

/// One 3-D point as NEURON stores it: coordinates and diameter in single precision, arc length
/// (um, double) from the first point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Pt3d {
    pub x: f32,
    pub y: f32,
    pub z: f32,
    pub d: f32,
    pub arc: f64,
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
    /// 3-D points in arc order: point 0 is at the connected end (x = 0, or x = 1 when the
    /// section hangs by its 1 end).
    pub pt3d: Vec<Pt3d>,
    /// Points were edited (or nseg changed) since diam was last computed from them.
    pub shape_pending: bool,
    /// diam was assigned while the section has 3-D points: at the next geometry update every
    /// point takes the diam of the segment it lies in, then diam is recomputed from the points.
    pub diam_pending: bool,
    /// The angle (x-y plane) `define_shape` laid the section out at; its own children leave
    /// from it. None for points given by the user.
    pub layout_angle: Option<f32>,
    /// `insert extracellular`: its parameters per segment (x order) in `ext_params` (empty
    /// without it), vext and i_membrane per node in the layout.
    pub extracellular: bool,
    pub ext_params: Vec<crate::extracellular::ExtParams>,
    /// `ion_style` settings of this section (see `ion_style.rs`).
    pub ion_styles: Vec<(crate::ions::IonId, crate::ion_style::IonStyleSetting)>,
    /// Ions that mechanisms since uninserted brought into the section, with the style they
    /// had. NEURON inserts an ion's own mechanism beside the first mechanism that uses it and
    /// leaves it there when that mechanism goes (`uninsert hh` keeps na_ion and k_ion, their
    /// values and `ena`), so the ion stays present on the section's segments.
    pub kept_ions: Vec<(crate::ions::IonId, crate::ions::IonStyle)>,
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
            pt3d: Vec::new(),
            shape_pending: false,
            diam_pending: false,
            layout_angle: None,
            extracellular: false,
            ext_params: Vec::new(),
            ion_styles: Vec::new(),
            kept_ions: Vec::new(),
        }
    }

    /// Whether geometry comes from 3-D points (two or more; a single point only sets L).
    pub fn has_shape(&self) -> bool {
        self.pt3d.len() >= 2
    }

    /// NEURON's lazy geometry update of a section with 3-D points: a pending diam assignment
    /// first gives every point the diam of the segment it lies in, then the segment diameters
    /// are recomputed from the points (kept when within [`DIAM_CHANGE_TOLERANCE`]). Returns
    /// whether anything was pending.
    pub fn settle_shape(&mut self) -> bool {
        if !(self.shape_pending || self.diam_pending) {
            return false;
        }
        if self.has_shape() {
            let nseg = self.nseg();
            if self.diam_pending {
                let length = pt3d_length(&self.pt3d).unwrap_or(0.0);
                for k in 0..self.pt3d.len() {
                    let a = arc_segment(self.pt3d[k].arc, length, nseg);
                    self.pt3d[k].d = self.diam[self.seg_of_arc(a)] as f32;
                }
            }
            for (a, d) in pt3d_diams(&self.pt3d, nseg).into_iter().enumerate() {
                let j = self.seg_of_arc(a);
                if (d - self.diam[j]).abs() > DIAM_CHANGE_TOLERANCE {
                    self.diam[j] = d;
                }
            }
        }
        self.shape_pending = false;
        self.diam_pending = false;
        true
    }

    /// After the points changed: arcs recomputed, L follows them.
    pub fn points_changed(&mut self) {
        self.layout_angle = None;
        compute_arcs(&mut self.pt3d);
        if let Some(length) = pt3d_length(&self.pt3d) {
            self.length = length;
        }
        self.shape_pending = true;
    }

    /// `L = length` on a section with 3-D points: coordinates scaled about the first point.
    pub fn scale_shape(&mut self, length: f64) {
        let Some(old) = pt3d_length(&self.pt3d) else {
            return;
        };
        let ratio = length / old;
        let p0 = self.pt3d[0];
        let scale = |v: f32, v0: f32| (f64::from(v0) + f64::from(v - v0) * ratio) as f32;
        // NEURON scales the arcs with the coordinates instead of measuring them again.
        for p in self.pt3d.iter_mut() {
            p.x = scale(p.x, p0.x);
            p.y = scale(p.y, p0.y);
            p.z = scale(p.z, p0.z);
            p.arc *= ratio;
        }
        if let Some(length) = pt3d_length(&self.pt3d) {
            self.length = length;
        }
        self.shape_pending = true;
    }

    /// x-order index of the segment that is `a`-th in arc order.
    pub fn seg_of_arc(&self, a: usize) -> usize {
        if self.reversed() {
            self.nseg() - 1 - a
        } else {
            a
        }
    }

    /// Fraction of the arc (0 at the connected end) at location x.
    pub fn arc_fraction(&self, x: f64) -> f64 {
        if self.reversed() {
            1.0 - x
        } else {
            x
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
