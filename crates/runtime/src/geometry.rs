//! Cylinder geometry (NUMERICS §2): segment areas, axial resistances and the matrix coupling
//! coefficients. 3-D points (§3) will add a second way to fill the same per-node arrays.

/// π as NEURON spells it (treeset.cpp); identical to `std::f64::consts::PI`.
pub const PI: f64 = std::f64::consts::PI;

/// Internal area (um2) of the zero-area nodes (x = 0 of a root section, x = 1 of every
/// section): with it the point-process factor 100/area is 1 there, so rhs is in nA and d in uS.
pub const ZERO_AREA_NODE_AREA: f64 = 100.0;

/// The diameter NEURON substitutes for diam <= 0.
const MIN_DIAM: f64 = 1e-6;

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
