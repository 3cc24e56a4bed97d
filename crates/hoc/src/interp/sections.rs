//! Sections as hoc sees them: names (`dend[2]`, `Cell[0].soma`), the section stack and the
//! default section, tree bookkeeping in NEURON's child order, range variables and section
//! properties through the runtime, 3-D points, distance, topology and psection.

use rsnrn_runtime::SectionId;

use crate::ast::{Expr, ExprKind};
use crate::error::{err, Res};
use crate::format::num8;
use crate::value::*;

use super::lookup::SecProp;
use super::Interp;

pub struct HocSection {
    pub rt: SectionId,
    pub name: String,
    pub alive: bool,
    /// (parent, child end 0/1, x on the parent).
    pub parent: Option<(SecId, f64, f64)>,
    /// NEURON's order: by x on this section ascending, the newest first among equal x.
    pub children: Vec<SecId>,
}

impl Interp {
    /// The currently accessed section.
    pub fn cas(&self) -> Res<SecId> {
        let s = self
            .sec_stack
            .last()
            .copied()
            .or(self.default_sec)
            .filter(|&s| self.secs[s as usize].alive);
        match s {
            Some(s) => Ok(s),
            None => err("Section access unspecified"),
        }
    }

    pub fn push_sec(&mut self, s: SecId) {
        self.sec_stack.push(s);
    }

    pub fn pop_sec(&mut self) {
        self.sec_stack.pop();
    }

    pub fn sec(&self, s: SecId) -> Res<&HocSection> {
        match self.secs.get(s as usize) {
            Some(h) if h.alive => Ok(h),
            Some(h) => err(format!("section {} was deleted", h.name)),
            None => err("no such section"),
        }
    }

    pub fn rt(&self, s: SecId) -> Res<SectionId> {
        Ok(self.sec(s)?.rt)
    }

    pub fn sec_name(&self, s: SecId) -> String {
        self.secs
            .get(s as usize)
            .map_or_else(|| "?".into(), |h| h.name.clone())
    }

    /// Live sections in creation order.
    pub fn all_secs(&self) -> Vec<SecId> {
        (0..self.secs.len() as u32)
            .filter(|&s| self.secs[s as usize].alive)
            .collect()
    }

    /// Creates one section named `name` (the runtime gets a unique name if a deleted
    /// section had it).
    pub fn create_section(&mut self, name: String) -> Res<SecId> {
        let mut rt_name = name.clone();
        let mut k = 1;
        while self.model.section_id(&rt_name).is_some() {
            k += 1;
            rt_name = format!("{name}#{k}");
        }
        let rt = self
            .model
            .create_section(&rt_name)
            .or_else(|e| err(e.to_string()))?;
        let id = self.secs.len() as SecId;
        self.secs.push(HocSection {
            rt,
            name,
            alive: true,
            parent: None,
            children: Vec::new(),
        });
        if self
            .default_sec
            .is_none_or(|d| !self.secs[d as usize].alive)
        {
            self.default_sec = Some(id);
        }
        Ok(id)
    }

    /// Deletes a section: it leaves the tree, loses its mechanisms and is no longer listed.
    /// (The runtime has no deletion; the emptied section stays there as an isolated cable.)
    pub fn delete_section(&mut self, s: SecId) -> Res<()> {
        let rt = self.rt(s)?;
        self.disconnect(s)?;
        for c in self.secs[s as usize].children.clone() {
            self.disconnect(c)?;
        }
        for m in self.mechs.density_order.clone() {
            let _ = self.model.uninsert(rt, &m);
        }
        let _ = self.model.remove_kept_ions(rt);
        self.secs[s as usize].alive = false;
        self.sec_stack.retain(|&x| x != s);
        Ok(())
    }

    pub fn disconnect(&mut self, child: SecId) -> Res<()> {
        if let Some((p, _, _)) = self.secs[child as usize].parent.take() {
            self.secs[p as usize].children.retain(|&c| c != child);
            let rt = self.secs[child as usize].rt;
            self.model.disconnect(rt).or_else(|e| err(e.to_string()))?;
        }
        Ok(())
    }

    /// `connect child(child_end), parent(parent_x)`; an existing parent is replaced.
    pub fn connect(&mut self, child: SecId, child_end: f64, parent: SecId, px: f64) -> Res<()> {
        let (crt, prt) = (self.rt(child)?, self.rt(parent)?);
        self.disconnect(child)?;
        self.model
            .connect(crt, child_end, prt, px)
            .or_else(|e| err(e.to_string()))?;
        self.secs[child as usize].parent = Some((parent, child_end, px));
        let kids = self.secs[parent as usize].children.clone();
        let at = kids
            .iter()
            .position(|&c| self.secs[c as usize].parent.map_or(0.0, |p| p.2) >= px)
            .unwrap_or(kids.len());
        self.secs[parent as usize].children.insert(at, child);
        Ok(())
    }

    /// `setpointer pointer, target`: `pointer` is `pp.name` (a point process's POINTER) or
    /// `[sec.]name_suffix(x)` (a density mechanism's); `target` is what `&target` would name.
    pub fn set_pointer(&mut self, pointer: &Expr, target: &Expr) -> Res<()> {
        let p = self.make_ptr(target)?;
        let target = crate::builtins::record_target(self, &p, "setpointer can point at")?;
        let result = match &pointer.kind {
            ExprKind::Member(obj, m) => {
                let obj = match self.eval(obj)? {
                    Value::Obj(Some(o)) => o,
                    _ => return err("setpointer: expected a point process before the dot"),
                };
                let pid = crate::builtins::point::pid(&obj)?;
                let name = self.name(*m).to_string();
                self.model.set_point_pointer(pid, &name, target)
            }
            ExprKind::Call(f, args) if args.len() == 1 => {
                let x = self.eval_num(&args[0])?;
                let (sec, name) = match &f.kind {
                    ExprKind::Name(sym) => (self.cas()?, self.name(*sym).to_string()),
                    ExprKind::Member(sec, m) => (self.eval_sec(sec)?, self.name(*m).to_string()),
                    _ => return err("setpointer: expected section.name_suffix(x)"),
                };
                let rt = self.rt(sec)?;
                self.model.set_range_pointer(rt, x, &name, target)
            }
            _ => return err("setpointer needs a POINTER first: pp.name or section.name_suffix(x)"),
        };
        result.or_else(|e| err(e.to_string()))
    }

    pub fn root_of(&self, mut s: SecId) -> SecId {
        while let Some((p, _, _)) = self.secs[s as usize].parent {
            s = p;
        }
        s
    }

    // ---- properties and range variables ------------------------------------------------

    pub fn sec_prop(&mut self, s: SecId, p: SecProp) -> Res<f64> {
        let rt = self.rt(s)?;
        let r = match p {
            SecProp::L => self.model.length(rt),
            SecProp::Ra => self.model.ra(rt),
            SecProp::Nseg => self.model.nseg(rt).map(|n| n as f64),
            SecProp::Rallbranch => Ok(1.0),
        };
        r.or_else(|e| err(e.to_string()))
    }

    pub fn set_sec_prop(&mut self, s: SecId, p: SecProp, v: f64) -> Res<()> {
        let rt = self.rt(s)?;
        let r = match p {
            // With 3-D points the runtime scales them, as NEURON does.
            SecProp::L => self.model.set_length(rt, v),
            SecProp::Ra => self.model.set_ra(rt, v),
            SecProp::Nseg => {
                if v < 1.0 {
                    return err("nseg  must be positive");
                }
                self.model.set_nseg(rt, v as i64)
            }
            SecProp::Rallbranch => {
                if v == 1.0 {
                    Ok(())
                } else {
                    return err("rallbranch other than 1 is not supported by rsnrn yet");
                }
            }
        };
        r.or_else(|e| err(e.to_string()))
    }

    /// Validates a range variable reference (for `&` and Vector.record).
    pub fn check_range(&mut self, s: SecId, x: f64, name: &str) -> Res<()> {
        let rt = self.rt(s)?;
        self.model
            .check_range(rt, x, name)
            .or_else(|e| err(e.to_string()))
    }

    pub fn range_get(&mut self, s: SecId, x: f64, name: &str) -> Res<f64> {
        let rt = self.rt(s)?;
        self.model
            .get_range(rt, x, name)
            .or_else(|e| err(e.to_string()))
    }

    /// Sets a range variable at x, or in every segment when x is None.
    pub fn range_set(&mut self, s: SecId, x: Option<f64>, name: &str, v: f64) -> Res<()> {
        let rt = self.rt(s)?;
        let r = match (x, name) {
            (None, "diam") => self.model.set_diam(rt, v),
            (None, "cm") => self.model.set_cm(rt, v),
            // v of a whole section includes its end nodes (x = 0 is the parent's node).
            (None, "v") => self
                .model
                .set_range_all(rt, name, v)
                .and_then(|()| self.model.set_range(rt, 0.0, name, v))
                .and_then(|()| self.model.set_range(rt, 1.0, name, v)),
            (None, _) => self.model.set_range_all(rt, name, v),
            (Some(x), _) => self.model.set_range(rt, x, name, v),
        };
        r.or_else(|e| err(e.to_string()))
    }

    /// `sec.name` / `sec.name(x)` read: section properties or range variables.
    pub fn sec_member_get(&mut self, s: SecId, name: &str, x: Option<f64>) -> Res<Value> {
        if let Some(p) = sec_prop_named(name) {
            return Ok(Value::Num(self.sec_prop(s, p)?));
        }
        Ok(Value::Num(self.range_get(s, x.unwrap_or(0.5), name)?))
    }

    pub fn sec_member_set(&mut self, s: SecId, name: &str, x: Option<f64>, v: f64) -> Res<()> {
        if let Some(p) = sec_prop_named(name) {
            return self.set_sec_prop(s, p, v);
        }
        self.range_set(s, x, name, v)
    }

    /// `for (x)` locations: 0, the segment centres, 1 (`ends` false: centres only).
    pub fn seg_locations(&mut self, s: SecId, ends: bool) -> Res<Vec<f64>> {
        let n = self.sec_prop(s, SecProp::Nseg)? as usize;
        let mut xs = Vec::with_capacity(n + 2);
        if ends {
            xs.push(0.0);
        }
        xs.extend((0..n).map(|j| (j as f64 + 0.5) / n as f64));
        if ends {
            xs.push(1.0);
        }
        Ok(xs)
    }

    /// Path length (um) between two points of the same tree; 1e20 across trees.
    pub fn distance_between(&mut self, a: (SecId, f64), b: (SecId, f64)) -> Res<f64> {
        let (ra, rb) = (self.rt(a.0)?, self.rt(b.0)?);
        self.model
            .distance_between((ra, a.1), (rb, b.1))
            .or_else(|e| err(e.to_string()))
    }

    /// `topology()`: the tree as NEURON draws it.
    pub fn topology(&mut self) -> Res<String> {
        let mut out = String::from("\n");
        for s in self.all_secs() {
            if self.secs[s as usize].parent.is_none() {
                self.topo_line(s, 0, &mut out)?;
            }
        }
        out.push('\n');
        Ok(out)
    }

    fn topo_line(&mut self, s: SecId, indent: usize, out: &mut String) -> Res<()> {
        let n = self.sec_prop(s, SecProp::Nseg)? as usize;
        let h = &self.secs[s as usize];
        let root = h.parent.is_none();
        let reversed = h.parent.is_some_and(|p| p.1 == 1.0);
        let body = if root {
            format!("|{}|", "-".repeat(n))
        } else {
            format!("`{}|", "-".repeat(n.saturating_sub(1)))
        };
        let ends = if reversed { "(1-0)" } else { "(0-1)" };
        out.push_str(&format!(
            "{}{body}       {}{ends}\n",
            " ".repeat(indent),
            h.name
        ));
        let mut kids = h.children.clone();
        kids.reverse();
        for c in kids {
            let px = self.secs[c as usize].parent.map_or(0.0, |p| p.2);
            let x = if reversed { 1.0 - px } else { px };
            let col = if root {
                if x <= 0.0 {
                    indent
                } else if x >= 1.0 {
                    indent + n + 1
                } else {
                    indent + 1 + ((x * n as f64) as usize).min(n - 1)
                }
            } else if x >= 1.0 {
                indent + n
            } else {
                indent + ((x * n as f64) as usize).min(n - 1)
            };
            self.topo_line(c, col + 1, out)?;
        }
        Ok(())
    }

    /// `psection()`: NEURON's summary of the current section.
    pub fn psection(&mut self, s: SecId) -> Res<String> {
        let rt = self.rt(s)?;
        let (n, len, ra) = (
            self.sec_prop(s, SecProp::Nseg)?,
            self.sec_prop(s, SecProp::L)?,
            self.sec_prop(s, SecProp::Ra)?,
        );
        let h = &self.secs[s as usize];
        let mut out = format!(
            "{} {{ nseg={}  L={}  Ra={}\n",
            h.name,
            num8(n),
            num8(len),
            num8(ra)
        );
        match h.parent {
            None => {
                let root_index = self
                    .all_secs()
                    .into_iter()
                    .filter(|&r| self.secs[r as usize].parent.is_none())
                    .position(|r| r == s)
                    .unwrap_or(0);
                out.push_str(&format!("\t/*location 0 attached to cell {root_index}*/\n"));
            }
            Some((p, end, px)) => out.push_str(&format!(
                "\t{} connect {} ({}), {}\n",
                self.secs[p as usize].name,
                h.name,
                num8(end),
                num8(px)
            )),
        }
        out.push_str("\t/* First segment only */\n");
        let x0 = 0.5 / n;
        let diam = self.range_get(s, x0, "diam")?;
        let cm = self.range_get(s, x0, "cm")?;
        out.push_str(&format!("\tinsert morphology {{ diam={}}}\n", num8(diam)));
        out.push_str(&format!("\tinsert capacitance {{ cm={}}}\n", num8(cm)));
        for m in self.mechs.density_order.clone() {
            if !self.model.has_mechanism(rt, &m).unwrap_or(false) {
                continue;
            }
            let Ok(id) = self.model.mechanism_id(&m) else {
                continue;
            };
            let Some(info) = self.model.mechanism_info(id).cloned() else {
                continue;
            };
            let mut parts = Vec::new();
            for f in &info.range {
                if f.visible && f.role == rsnrn_abi::FieldRole::Parameter {
                    let name = format!("{}_{}", f.name, m);
                    if let Ok(v) = self.range_get(s, x0, &name) {
                        parts.push(format!("{name}={}", num8(v)));
                    }
                }
            }
            out.push_str(&format!("\tinsert {m} {{ {}}}\n", parts.join(" ")));
        }
        out.push_str("}\n");
        Ok(out)
    }
}

pub fn sec_prop_named(name: &str) -> Option<SecProp> {
    match name {
        "L" => Some(SecProp::L),
        "Ra" => Some(SecProp::Ra),
        "nseg" => Some(SecProp::Nseg),
        "rallbranch" => Some(SecProp::Rallbranch),
        _ => None,
    }
}
