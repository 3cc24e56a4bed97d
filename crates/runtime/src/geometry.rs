//! Segment geometry: cylinders (NUMERICS §2) and frusta between 3-D points (§3), giving the
//! per-node areas, axial resistances and diameters, and the matrix coupling coefficients.

use crate::section::Pt3d;

/// π as NEURON spells it (treeset.cpp); identical to `std::f64::consts::PI`.
pub const PI: f64 = std::f64::consts::PI;

/// Internal area (um2) of the zero-area nodes (x = 0 of a root section, x = 1 of every
/// section): with it the point-process factor 100/area is 1 there, so rhs is in nA and d in uS.
pub const ZERO_AREA_NODE_AREA: f64 = 100.0;

/// The diameter NEURON substitutes for diam <= 0.
const MIN_DIAM: f64 = 1e-6;

/// L of a section whose 3-D points have zero total length.
pub const MIN_PT3D_LENGTH: f64 = 1e-9;

/// A stored segment diameter is replaced by the one computed from 3-D points only when they
/// differ by more than this (um).
pub const DIAM_CHANGE_TOLERANCE: f64 = 1e-9;

/// Lateral area (um2) of a cylinder segment of diameter `diam` and length `dx` (um).
pub fn cylinder_area(diam: f64, dx: f64) -> f64 {
    PI * diam * dx
}

/// Resistance (MOhm) of half a cylinder segment: 0.01·Ra·(dx/2)/(π·diam²/4).
pub fn half_segment_resistance(ra: f64, diam: f64, dx: f64) -> f64 {
    1e-2 * ra * (dx / 2.0) / (PI * diam * diam / 4.0)
}

/// Fills area (um2) and rinv = 1/ri (uS) for the nodes of one cylindrical section in arc order:
/// `diam_arc.len()` segment nodes followed by the x = 1 node. The first node's ri is only its own
/// left half (a child never includes resistance of its parent section); an interior node adds the
/// right half of the previous segment; the x = 1 node gets the right half of the last segment.
pub fn fill_cylinder_section(
    length: f64,
    ra: f64,
    diam_arc: &[f64],
    area: &mut [f64],
    rinv: &mut [f64],
) {
    let nseg = diam_arc.len();
    debug_assert!(area.len() == nseg + 1 && rinv.len() == nseg + 1);
    let dx = length / nseg as f64;
    let mut rright = 0.0;
    for (k, &d) in diam_arc.iter().enumerate() {
        let diam = if d <= 0.0 { MIN_DIAM } else { d };
        area[k] = cylinder_area(diam, dx);
        let rleft = half_segment_resistance(ra, diam, dx);
        rinv[k] = 1.0 / (rleft + rright);
        rright = rleft;
    }
    area[nseg] = ZERO_AREA_NODE_AREA;
    rinv[nseg] = 1.0 / rright;
}

/// Off-diagonal coefficients (S/cm2) between node i and its parent (`connection_coef`):
/// a = −100·rallbranch·rinv/area(parent) (row parent), b = −100·rinv/area(i) (row i).
pub fn coupling_a(rinv: f64, parent_area: f64, rallbranch: f64) -> f64 {
    -1.0e2 * rallbranch * rinv / parent_area
}

pub fn coupling_b(rinv: f64, area: f64) -> f64 {
    -1.0e2 * rinv / area
}

/// Arc length of every point from point 0: coordinate differences in single precision, their
/// squares and the sums in double (NEURON's arithmetic).
pub(crate) fn compute_arcs(points: &mut [Pt3d]) {
    let mut arc = 0.0;
    let mut prev: Option<Pt3d> = None;
    for p in points.iter_mut() {
        if let Some(q) = prev {
            let dx = f64::from(p.x - q.x);
            let dy = f64::from(p.y - q.y);
            let dz = f64::from(p.z - q.z);
            arc += (dx * dx + dy * dy + dz * dz).sqrt();
        }
        p.arc = arc;
        prev = Some(*p);
    }
}

/// L of a section with 3-D points: the arc length of the last point, floored at
/// [`MIN_PT3D_LENGTH`]. None without points.
pub(crate) fn pt3d_length(points: &[Pt3d]) -> Option<f64> {
    points.last().map(|p| p.arc.max(MIN_PT3D_LENGTH))
}

/// Walks the 3-D points along the arc, integrating frusta between consecutive boundaries.
struct FrustumWalk<'a> {
    points: &'a [Pt3d],
    /// First point not yet passed.
    next: usize,
    /// Arc position and |diameter| where the walk stands.
    s: f64,
    d: f64,
}

/// Sums of one stretch of arc: Σ(d1+d2)·slant (area), Σδ/(d1·d2) (resistance), Σ(d1+d2)·δ
/// (diameter).
#[derive(Debug, Default, Clone, Copy)]
struct FrustumSums {
    area: f64,
    resistance: f64,
    diam: f64,
}

impl FrustumSums {
    fn add_piece(&mut self, d1: f64, d2: f64, length: f64) {
        let half_dd = (d2 - d1) / 2.0;
        self.area += (d1 + d2) * (length * length + half_dd * half_dd).sqrt();
        self.resistance += length / (d1 * d2);
        self.diam += (d1 + d2) * length;
    }
}

impl<'a> FrustumWalk<'a> {
    fn new(points: &'a [Pt3d]) -> Self {
        FrustumWalk {
            points,
            next: 0,
            s: 0.0,
            d: f64::from(points[0].d.abs()),
        }
    }

    /// Integrates from the current position to arc `end`: every point at or before `end` closes
    /// a piece (so coincident points add the annulus between their diameters), then a last piece
    /// reaches `end` with the diameter interpolated linearly in arc between its neighbours.
    fn advance_to(&mut self, end: f64) -> FrustumSums {
        let mut sums = FrustumSums::default();
        let pts = self.points;
        while let Some(p) = pts.get(self.next).filter(|p| p.arc <= end) {
            let d = f64::from(p.d.abs());
            sums.add_piece(self.d, d, p.arc - self.s);
            self.s = p.arc;
            self.d = d;
            self.next += 1;
        }
        let d_end = match (self.next.checked_sub(1), pts.get(self.next)) {
            (Some(i), Some(b)) => {
                let a = &pts[i];
                let (da, db) = (f64::from(a.d.abs()), f64::from(b.d.abs()));
                da + (db - da) * (end - a.arc) / (b.arc - a.arc)
            }
            _ => self.d,
        };
        sums.add_piece(self.d, d_end, end - self.s);
        self.s = end;
        self.d = d_end;
        sums
    }
}

/// Geometry of one section from its 3-D points (at least two), in arc order: `area` and `rinv`
/// get `nseg` segment nodes then the free-end node, `diam` the `nseg` segment diameters.
/// Segment a spans [a·ds, (a+1)·ds] with ds = L/nseg, split into halves; node a's ri is the
/// right half of segment a−1 plus the left half of segment a.
pub(crate) fn fill_pt3d_section(
    points: &[Pt3d],
    ra: f64,
    area: &mut [f64],
    rinv: &mut [f64],
    diam: &mut [f64],
) {
    let nseg = diam.len();
    debug_assert!(points.len() >= 2 && area.len() == nseg + 1 && rinv.len() == nseg + 1);
    let length = pt3d_length(points).unwrap_or(MIN_PT3D_LENGTH);
    let ds = length / nseg as f64;
    let rfac = ra * 4.0 * 0.01 / PI;
    let mut walk = FrustumWalk::new(points);
    let mut rright = 0.0;
    for a in 0..nseg {
        let mid = (a as f64 + 0.5) * ds;
        let end = if a + 1 == nseg {
            length
        } else {
            (a + 1) as f64 * ds
        };
        let left = walk.advance_to(mid);
        let right = walk.advance_to(end);
        area[a] = (left.area + right.area) * PI / 2.0;
        diam[a] = (left.diam + right.diam) / (2.0 * ds);
        let rleft = left.resistance * rfac;
        rinv[a] = 1.0 / (rleft + rright);
        rright = right.resistance * rfac;
    }
    area[nseg] = ZERO_AREA_NODE_AREA;
    rinv[nseg] = 1.0 / rright;
}

/// Segment diameters (arc order) of a section with 3-D points.
pub(crate) fn pt3d_diams(points: &[Pt3d], nseg: usize) -> Vec<f64> {
    let mut area = vec![0.0; nseg + 1];
    let mut rinv = vec![0.0; nseg + 1];
    let mut diam = vec![0.0; nseg];
    fill_pt3d_section(points, 1.0, &mut area, &mut rinv, &mut diam);
    diam
}

/// Arc-order segment containing arc position `s` of a section of length `length`.
pub(crate) fn arc_segment(s: f64, length: f64, nseg: usize) -> usize {
    let k = (s / (length / nseg as f64)).max(0.0);
    (k as usize).min(nseg - 1)
}
