//! Resolved range variables by use: `sec.name(x)` reads and writes go through a
//! [`VarRef`] remembered per (section, x, name) instead of resolving the name in the runtime
//! every time. A hoc loop such as the DBS scenario's `stn.s[k].sec.e_extracellular(0.5) = ...`
//! (509 sections before each of 2000 steps) spent a fifth of its time on that resolution.
//!
//! Validity: the runtime refuses a reference once the model's structure changed (insert,
//! nseg, connect, ... : [`RuntimeError::StaleReference`]); such an entry is dropped and the
//! name resolved again. References are only made when the layout is built
//! ([`rsnrn_runtime::CableModel::range_ref_if_built`]), so a set-up loop that alternates
//! structure edits and assignments does not rebuild the layout early. A deleted section
//! never reaches the cache (its references would point at reused storage).
//! Section properties (L, nseg, Ra) are not range variables and are never cached; `diam` is
//! not cached for reads because reading it may first derive it from the 3-D points.

use rsnrn_runtime::{RuntimeError, VarRef};

use crate::ast::Sym;
use crate::error::{err, Res};
use crate::symmap::IntMap;
use crate::value::{SecId, Value};

use super::Interp;

/// Entries kept at most; the table starts again when full (a set-up touching every segment
/// once must not keep a reference for each).
const CAPACITY: usize = 1 << 16;

#[derive(Default)]
pub struct RangeRefs {
    refs: IntMap<(SecId, u64, Sym), VarRef>,
}

impl Interp {
    /// `sec.name(x) = v` for a name that is not a section property.
    pub(super) fn range_set_at(&mut self, sec: SecId, name: Sym, x: f64, v: f64) -> Res<()> {
        let key = (sec, x.to_bits(), name);
        if let Some(r) = self.range_refs.refs.get(&key).copied() {
            if self.secs[sec as usize].alive {
                match self.model.write(&r, v) {
                    Ok(()) => return Ok(()),
                    Err(RuntimeError::StaleReference) => {
                        self.range_refs.refs.remove(&key);
                    }
                    Err(e) => return err(e.to_string()),
                }
            }
        }
        let text = self.names.rc(name);
        self.sec_member_set(sec, &text, Some(x), v)?;
        self.remember_range(key, &text);
        Ok(())
    }

    /// `sec.name = v` over the whole section for a range variable whose whole-section form
    /// is the same value in every segment (not `v`, `diam` or `cm`, which also touch the
    /// section's ends or its geometry): each segment centre through its remembered
    /// reference. Python's `sec.e_extracellular = x` on every section before each step
    /// (the tutorial's DBS loop) goes this way.
    pub fn range_set_segments(&mut self, sec: SecId, name: &str, v: f64) -> Res<()> {
        debug_assert!(!matches!(name, "v" | "diam" | "cm"));
        let n = self.sec_prop(sec, super::lookup::SecProp::Nseg)? as usize;
        let sym = self.names.intern(name);
        for j in 0..n {
            self.range_set_at(sec, sym, (j as f64 + 0.5) / n as f64, v)?;
        }
        Ok(())
    }

    /// `sec.name(x)` read for a name that is not a section property.
    pub(super) fn range_get_at(&mut self, sec: SecId, name: Sym, x: f64) -> Res<Value> {
        let key = (sec, x.to_bits(), name);
        if let Some(r) = self.range_refs.refs.get(&key).copied() {
            if self.secs[sec as usize].alive {
                match self.model.read(&r) {
                    Ok(n) => return Ok(Value::Num(n)),
                    Err(_) => {
                        self.range_refs.refs.remove(&key);
                    }
                }
            }
        }
        let text = self.names.rc(name);
        let value = self.sec_member_get(sec, &text, Some(x))?;
        if &*text != "diam" {
            self.remember_range(key, &text);
        }
        Ok(value)
    }

    fn remember_range(&mut self, key: (SecId, u64, Sym), name: &str) {
        if super::sections::sec_prop_named(name).is_some() {
            return;
        }
        let Ok(rt) = self.rt(key.0) else { return };
        let x = f64::from_bits(key.1);
        if let Some(r) = self.model.range_ref_if_built(rt, x, name) {
            if self.range_refs.refs.len() >= CAPACITY {
                self.range_refs.refs.clear();
            }
            self.range_refs.refs.insert(key, r);
        }
    }
}
