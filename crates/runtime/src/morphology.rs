//! Morphology API of [`CableModel`]: 3-D points (NUMERICS §3), `define_shape`, tree queries
//! (parent, children, root) and path distances.
//!
//! 3-D points are kept per section in arc order (point 0 at the connected end) in single
//! precision. Like NEURON, the segment diameters follow the points lazily: edits only mark the
//! section, and the next geometry read or simulation call brings `diam` up to date
//! (`Section::settle_shape`).

use crate::error::{Result, RuntimeError};
use crate::geometry::compute_arcs;
use crate::model::CableModel;
use crate::section::{segment_center, segment_containing, Pt3d, SectionId};

/// Distance NEURON reports between locations in different trees.
pub const DISTANCE_UNCONNECTED: f64 = 1e20;

/// Angle (rad) between the outermost of several children that `define_shape` lays out from one
/// location, halved: they fan out over ±0.4 rad.
const FAN_HALF_ANGLE: f64 = 0.4;

/// `define_shape` puts root sections without points at z = this × (section index).
const ROOT_Z_SPACING: f64 = 100.0;

/// Which coordinate of a 3-D point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pt3dField {
    X,
    Y,
    Z,
    Diam,
    Arc,
}

impl CableModel {
    // ---- lazy geometry --------------------------------------------------------------------------

    /// Marks a section whose points changed: diam and the per-node geometry follow later.
    pub(crate) fn mark_shape(&mut self, id: SectionId) {
        self.sections[id.index()].shape_pending = true;
        self.shape_dirty = true;
        self.geometry_dirty = true;
    }

    /// After a diam assignment: with 3-D points the points take it over at the next update.
    pub(crate) fn diam_assigned(&mut self, id: SectionId) {
        let sec = &mut self.sections[id.index()];
        if sec.has_shape() {
            sec.diam_pending = true;
            self.shape_dirty = true;
        }
        self.geometry_dirty = true;
    }

    pub(crate) fn settle_section(&mut self, id: SectionId) {
        if self.sections[id.index()].settle_shape() {
            self.geometry_dirty = true;
        }
    }

    pub(crate) fn settle_all(&mut self) {
        for s in self.sections.iter_mut() {
            if s.settle_shape() {
                self.geometry_dirty = true;
            }
        }
        self.shape_dirty = false;
    }

    // ---- 3-D points -----------------------------------------------------------------------------

    fn check_point(&self, id: SectionId, what: &str, values: [f64; 4]) -> Result<Pt3d> {
        if let Some(v) = values.iter().find(|v| !v.is_finite()) {
            return Err(self.invalid(what, id, *v, "3-D coordinates and diameters must be finite"));
        }
        let [x, y, z, d] = values;
        Ok(Pt3d {
            x: x as f32,
            y: y as f32,
            z: z as f32,
            d: d as f32,
            arc: 0.0,
        })
    }

    fn check_index(&self, id: SectionId, what: &str, i: usize, len: usize) -> Result<()> {
        if i < len {
            Ok(())
        } else {
            Err(RuntimeError::IndexOutOfRange {
                name: format!("{what} of section {}", self.sections[id.index()].name),
                index: i,
                size: len,
            })
        }
    }

    /// Applies an edit to the points of a section (after any pending update), then recomputes
    /// arcs and L.
    fn edit_points(&mut self, id: SectionId, edit: impl FnOnce(&mut Vec<Pt3d>)) -> Result<()> {
        self.sec(id)?;
        self.settle_section(id);
        let sec = &mut self.sections[id.index()];
        edit(&mut sec.pt3d);
        sec.points_changed();
        self.mark_shape(id);
        Ok(())
    }

    /// `pt3dadd(x, y, z, diam)`: appends a 3-D point (um). With points, L is their arc length and
    /// segment areas, resistances and diameters come from the frusta between them.
    pub fn pt3dadd(&mut self, id: SectionId, x: f64, y: f64, z: f64, diam: f64) -> Result<()> {
        self.sec(id)?;
        let p = self.check_point(id, "pt3dadd", [x, y, z, diam])?;
        self.edit_points(id, |pts| pts.push(p))
    }

    /// `pt3dinsert(i, x, y, z, diam)`: inserts a point before point i (i = n3d appends).
    pub fn pt3dinsert(
        &mut self,
        id: SectionId,
        i: usize,
        x: f64,
        y: f64,
        z: f64,
        diam: f64,
    ) -> Result<()> {
        self.place_point(id, "pt3dinsert", i, [x, y, z, diam], true)
    }

    /// pt3dinsert (`insert`) or pt3dchange: point i checked and put in place.
    fn place_point(
        &mut self,
        id: SectionId,
        what: &str,
        i: usize,
        values: [f64; 4],
        insert: bool,
    ) -> Result<()> {
        let n = self.sec(id)?.pt3d.len();
        let limit = if insert { n + 1 } else { n };
        self.check_index(id, &format!("{what} index"), i, limit)?;
        let p = self.check_point(id, what, values)?;
        self.edit_points(id, |pts| if insert { pts.insert(i, p) } else { pts[i] = p })
    }

    /// `pt3dremove(i)`: removes point i.
    pub fn pt3dremove(&mut self, id: SectionId, i: usize) -> Result<()> {
        let n = self.sec(id)?.pt3d.len();
        self.check_index(id, "pt3dremove index", i, n)?;
        self.edit_points(id, |pts| {
            pts.remove(i);
        })
    }

    /// `pt3dchange(i, x, y, z, diam)`: replaces point i.
    pub fn pt3dchange(
        &mut self,
        id: SectionId,
        i: usize,
        x: f64,
        y: f64,
        z: f64,
        diam: f64,
    ) -> Result<()> {
        self.place_point(id, "pt3dchange", i, [x, y, z, diam], false)
    }

    /// `pt3dchange(i, diam)`: changes the diameter of point i only.
    pub fn pt3dchange_diam(&mut self, id: SectionId, i: usize, diam: f64) -> Result<()> {
        let n = self.sec(id)?.pt3d.len();
        self.check_index(id, "pt3dchange index", i, n)?;
        let d = self.check_point(id, "pt3dchange", [0.0, 0.0, 0.0, diam])?.d;
        self.edit_points(id, |pts| pts[i].d = d)
    }

    /// `pt3dclear()`: removes all points. L and the segment diameters keep their last values and
    /// the section is a chain of cylinders again.
    pub fn pt3dclear(&mut self, id: SectionId) -> Result<()> {
        self.edit_points(id, Vec::clear)
    }

    /// `n3d()`: number of 3-D points.
    pub fn n3d(&mut self, id: SectionId) -> Result<usize> {
        self.sec(id)?;
        self.settle_section(id);
        Ok(self.sections[id.index()].pt3d.len())
    }

    /// One field of point i: `x3d(i)`, `y3d(i)`, `z3d(i)`, `diam3d(i)` (the stored single
    /// precision values) or `arc3d(i)` (um from point 0).
    pub fn pt3d_value(&mut self, id: SectionId, i: usize, field: Pt3dField) -> Result<f64> {
        let n = self.n3d(id)?;
        let what = match field {
            Pt3dField::X => "x3d index",
            Pt3dField::Y => "y3d index",
            Pt3dField::Z => "z3d index",
            Pt3dField::Diam => "diam3d index",
            Pt3dField::Arc => "arc3d index",
        };
        self.check_index(id, what, i, n)?;
        let p = self.sections[id.index()].pt3d[i];
        Ok(match field {
            Pt3dField::X => f64::from(p.x),
            Pt3dField::Y => f64::from(p.y),
            Pt3dField::Z => f64::from(p.z),
            Pt3dField::Diam => f64::from(p.d),
            Pt3dField::Arc => p.arc,
        })
    }

    pub fn x3d(&mut self, id: SectionId, i: usize) -> Result<f64> {
        self.pt3d_value(id, i, Pt3dField::X)
    }

    pub fn y3d(&mut self, id: SectionId, i: usize) -> Result<f64> {
        self.pt3d_value(id, i, Pt3dField::Y)
    }

    pub fn z3d(&mut self, id: SectionId, i: usize) -> Result<f64> {
        self.pt3d_value(id, i, Pt3dField::Z)
    }

    pub fn diam3d(&mut self, id: SectionId, i: usize) -> Result<f64> {
        self.pt3d_value(id, i, Pt3dField::Diam)
    }

    pub fn arc3d(&mut self, id: SectionId, i: usize) -> Result<f64> {
        self.pt3d_value(id, i, Pt3dField::Arc)
    }

    // ---- define_shape -------------------------------------------------------------------------

    /// Sections in tree order: roots in creation order, then children (in connection order)
    /// after their parents.
    pub(crate) fn tree_order(&self) -> Vec<SectionId> {
        let mut order: Vec<SectionId> = self
            .sections()
            .filter(|s| self.sections[s.index()].parent.is_none())
            .collect();
        let mut i = 0;
        while i < order.len() {
            let s = order[i];
            order.extend(self.sections[s.index()].children.iter().copied());
            i += 1;
        }
        order
    }

    /// `define_shape()`: gives every section without 3-D points a straight shape built from L and
    /// its segment diameters (points at both ends and at every segment centre; the ends take the
    /// diameter of their segment), starting where it is connected, and moves sections that have
    /// points so that their first point is there. Roots without points start at
    /// (0, 0, 100·index) along +x. Children leave their parent in the x-y plane: in the parent's
    /// direction (first to last point) at its far end, backwards at its near end, at −90° before
    /// and +90° from the middle on; several children at one location fan out over ±0.4 rad. As
    /// in NEURON, the new points then define diam (which changes where diam varied), while L stays.
    pub fn define_shape(&mut self) -> Result<()> {
        self.settle_all();
        // A root's z is 100 × its position when the trees are listed one after another.
        let mut grouped_position = vec![0usize; self.sections.len()];
        let mut count = 0;
        for root in self
            .sections()
            .filter(|s| self.sections[s.index()].parent.is_none())
        {
            grouped_position[root.index()] = count;
            count += self.subtree_size(root);
        }
        for id in self.tree_order() {
            let sec = &self.sections[id.index()];
            let placement = match sec.parent {
                None if !sec.pt3d.is_empty() => continue,
                None => {
                    let z = ROOT_Z_SPACING * grouped_position[id.index()] as f64;
                    ([0.0, 0.0, z as f32], 0.0)
                }
                Some(c) => {
                    let p = &self.sections[c.parent.index()];
                    let (Some(first), Some(last)) = (p.pt3d.first(), p.pt3d.last()) else {
                        continue; // unreachable: parents are shaped first
                    };
                    let f = p.arc_fraction(c.parent_x);
                    let lerp =
                        |a: f32, b: f32| (f64::from(a) + f * (f64::from(b) - f64::from(a))) as f32;
                    let at = [
                        lerp(first.x, last.x),
                        lerp(first.y, last.y),
                        lerp(first.z, last.z),
                    ];
                    if !sec.pt3d.is_empty() {
                        self.translate_shape(id, at);
                        continue;
                    }
                    // The parent's direction: the angle it was laid out at, else from its
                    // first to its last point.
                    let dir = p.layout_angle.map_or_else(
                        || f64::from(last.y - first.y).atan2(f64::from(last.x - first.x)),
                        f64::from,
                    );
                    // NEURON's arithmetic, checked bit for bit against NEURON 9.0.2's points:
                    // single-precision pi, the base direction wrapped below pi, the fan added
                    // in double, the angle rounded to single precision.
                    let pi = f64::from(std::f32::consts::PI);
                    let mut base = if f == 1.0 {
                        dir
                    } else if f == 0.0 {
                        dir + pi
                    } else if f < 0.5 {
                        dir - pi / 2.0
                    } else {
                        dir + pi / 2.0
                    };
                    if base >= pi {
                        base -= 2.0 * pi;
                    }
                    let group: Vec<SectionId> = p
                        .children
                        .iter()
                        .copied()
                        .filter(|ch| {
                            self.sections[ch.index()]
                                .parent
                                .is_some_and(|cc| cc.parent_x == c.parent_x)
                        })
                        .collect();
                    let n = group.len();
                    let k = group.iter().position(|&ch| ch == id).unwrap_or(0);
                    let fan = if n > 1 {
                        FAN_HALF_ANGLE - k as f64 * 2.0 * FAN_HALF_ANGLE / (n - 1) as f64
                    } else {
                        0.0
                    };
                    (at, base + fan)
                }
            };
            self.lay_out_straight(id, placement.0, placement.1);
        }
        Ok(())
    }

    /// Points of a section without any: start, segment centres, end along angle `theta` in the
    /// x-y plane from `start`. The last arc is set to L exactly so L does not change.
    fn lay_out_straight(&mut self, id: SectionId, start: [f32; 3], theta: f64) {
        let sec = &mut self.sections[id.index()];
        let nseg = sec.nseg();
        let length = sec.length;
        let theta = theta as f32;
        sec.layout_angle = Some(theta);
        let (cos, sin) = (f64::from(theta.cos()), f64::from(theta.sin()));
        let (x0, y0) = (f64::from(start[0]), f64::from(start[1]));
        let (x1, y1) = (
            f64::from((x0 + length * cos) as f32),
            f64::from((y0 + length * sin) as f32),
        );
        let mut arcs = Vec::with_capacity(nseg + 2);
        arcs.push((0.0, sec.diam[sec.seg_of_arc(0)]));
        for a in 0..nseg {
            arcs.push((
                segment_center(a, nseg) * length,
                sec.diam[sec.seg_of_arc(a)],
            ));
        }
        arcs.push((length, sec.diam[sec.seg_of_arc(nseg - 1)]));
        sec.pt3d = arcs
            .iter()
            .map(|&(s, d)| Pt3d {
                x: (x0 + s / length * (x1 - x0)) as f32,
                y: (y0 + s / length * (y1 - y0)) as f32,
                z: start[2],
                d: d as f32,
                arc: 0.0,
            })
            .collect();
        compute_arcs(&mut sec.pt3d);
        if let Some(last) = sec.pt3d.last_mut() {
            last.arc = length;
        }
        self.mark_shape(id);
    }

    /// Moves a section's points so that point 0 is at `to` (single-precision arithmetic).
    fn translate_shape(&mut self, id: SectionId, to: [f32; 3]) {
        let sec = &mut self.sections[id.index()];
        let p0 = sec.pt3d[0];
        let (dx, dy, dz) = (to[0] - p0.x, to[1] - p0.y, to[2] - p0.z);
        if dx == 0.0 && dy == 0.0 && dz == 0.0 {
            return;
        }
        for p in sec.pt3d.iter_mut() {
            p.x += dx;
            p.y += dy;
            p.z += dz;
        }
        self.mark_shape(id);
    }

    // ---- tree queries -------------------------------------------------------------------------

    /// Number of sections in the subtree of `id`, itself included.
    fn subtree_size(&self, id: SectionId) -> usize {
        let mut n = 0;
        let mut stack = vec![id];
        while let Some(s) = stack.pop() {
            n += 1;
            stack.extend(self.sections[s.index()].children.iter().copied());
        }
        n
    }

    /// Children in NEURON's order (`SectionRef.child`, `sec.children()`): by the x they are
    /// attached at, later connections first among equal x.
    pub fn children(&self, id: SectionId) -> Result<Vec<SectionId>> {
        let sec = self.sec(id)?;
        let mut kids: Vec<(f64, usize, SectionId)> = sec
            .children
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                let x = self.sections[c.index()].parent.map_or(0.0, |c| c.parent_x);
                (x, k, c)
            })
            .collect();
        kids.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
        Ok(kids.into_iter().map(|k| k.2).collect())
    }

    /// The root section of the tree the section belongs to.
    pub fn root_section(&self, id: SectionId) -> Result<SectionId> {
        let mut s = id;
        while let Some(c) = self.sec(s)?.parent {
            s = c.parent;
        }
        Ok(s)
    }

    /// Which end of the section is connected (hoc `section_orientation()`): 0 or 1; 0 for roots.
    pub fn section_orientation(&self, id: SectionId) -> Result<f64> {
        Ok(self.sec(id)?.parent.map_or(0.0, |c| c.child_end))
    }

    /// The section and x where the section's nodes really attach (hoc `trueparentseg`): like
    /// [`parent`](Self::parent), but a connection to the connected end of a non-root parent is
    /// followed up to that parent's own attachment; None for a root section and for one that
    /// ends up at the x = 0 node of a root.
    pub fn trueparent(&self, id: SectionId) -> Result<Option<(SectionId, f64)>> {
        let Some(mut c) = self.sec(id)?.parent else {
            return Ok(None);
        };
        loop {
            let p = &self.sections[c.parent.index()];
            let at_near_end = p.arc_fraction(c.parent_x) == 0.0;
            match p.parent {
                Some(pc) if at_near_end => c = pc,
                // The x = 0 node of a root section is no segment of it.
                None if at_near_end => return Ok(None),
                _ => return Ok(Some((c.parent, c.parent_x))),
            }
        }
    }

    // ---- distance -----------------------------------------------------------------------------

    /// Arc position (um from the connected end) of the node `distance` uses for section(x): the
    /// centre of the segment containing x, or the end itself at x = 0 and 1.
    fn node_arc(&self, id: SectionId, x: f64) -> f64 {
        let sec = &self.sections[id.index()];
        let xs = if x <= 0.0 || x >= 1.0 {
            x.clamp(0.0, 1.0)
        } else {
            segment_center(segment_containing(x, sec.nseg()), sec.nseg())
        };
        sec.arc_fraction(xs) * sec.length
    }

    /// (section, node arc) from the location up to its root section.
    fn path_to_root(&self, id: SectionId, x: f64) -> Vec<(SectionId, f64)> {
        let mut path = vec![(id, self.node_arc(id, x))];
        let mut s = id;
        while let Some(c) = self.sections[s.index()].parent {
            path.push((c.parent, self.node_arc(c.parent, c.parent_x)));
            s = c.parent;
        }
        path
    }

    /// Path length (um) along the tree between the nodes of two locations, as hoc's
    /// `distance(seg1, seg2)`: interior x are taken at the centre of their segment, x = 0 and 1
    /// at the section ends. Locations in different trees are [`DISTANCE_UNCONNECTED`] apart.
    pub fn distance_between(&mut self, a: (SectionId, f64), b: (SectionId, f64)) -> Result<f64> {
        self.check_x(a.0, a.1)?;
        self.check_x(b.0, b.1)?;
        self.settle_all();
        let pa = self.path_to_root(a.0, a.1);
        let pb = self.path_to_root(b.0, b.1);
        for (i, &(sa, arc_a)) in pa.iter().enumerate() {
            if let Some(j) = pb.iter().position(|&(sb, _)| sb == sa) {
                let up_a: f64 = pa[..i].iter().map(|p| p.1).sum();
                let up_b: f64 = pb[..j].iter().map(|p| p.1).sum();
                return Ok(up_a + up_b + (arc_a - pb[j].1).abs());
            }
        }
        Ok(DISTANCE_UNCONNECTED)
    }

    /// Sets the origin of [`distance`](Self::distance) (hoc `distance(0, x)` in a section;
    /// `distance()` is x = 0).
    pub fn set_distance_origin(&mut self, id: SectionId, x: f64) -> Result<()> {
        self.check_x(id, x)?;
        self.distance_origin = Some((id, x));
        Ok(())
    }

    /// Distance from the origin to section(x) (hoc `distance(1, x)`, `distance(seg)`).
    pub fn distance(&mut self, id: SectionId, x: f64) -> Result<f64> {
        let origin = self
            .distance_origin
            .ok_or(RuntimeError::DistanceOriginUnset)?;
        self.distance_between(origin, (id, x))
    }
}
