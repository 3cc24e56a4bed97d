//! Name resolution (locals, the template instance, `external`s, the top level, built-ins),
//! variable storage access and pointers.

use std::rc::Rc;

use crate::ast::{ProcDef, Sym};
use crate::error::{err, Res};
use crate::value::*;

use super::Interp;

/// A built-in function: evaluated arguments in, a value out.
pub type BFn = fn(&mut Interp, Vec<Value>) -> Res<Value>;

/// Section properties that are not range variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecProp {
    L,
    Ra,
    Nseg,
    Rallbranch,
}

/// What a name means when no user declaration has it.
#[derive(Clone)]
pub enum Builtin {
    Func(BFn),
    Class(ClassKind),
    Model(ModelVar),
    FloatEpsilon,
    SecProp(SecProp),
    /// A range variable of the current section (`v`, `diam`, `gnabar_hh`, `ena`).
    Range(Rc<str>),
    /// A mechanism global (`usetable_hh`) or an ion's `nai0_na_ion`.
    MechGlobal(Rc<str>),
    /// A point-process class (`IClamp`).
    Point(Rc<str>),
    /// A density mechanism name (`hh`, `pas`).
    Mech,
}

pub enum Resolved {
    Slot(ScopeRef, u32),
    /// A procedure of the template instance in context.
    Method(ObjRef, Rc<ProcDef>),
    Builtin(Builtin),
    Undefined,
}

/// Flat index of `subs` into an array of `dims`, with NEURON's messages.
/// (Every array access comes here: the messages are made out of line.)
#[inline]
pub fn flat_index(name: &str, dims: &[usize], subs: &[f64]) -> Res<usize> {
    if subs.len() == dims.len() {
        let mut flat = 0usize;
        // `s < d` is `(s as usize) < d` for s >= 0 (the index is truncated); NaN fails it.
        if subs
            .iter()
            .zip(dims)
            .all(|(&s, &d)| s >= 0.0 && s < d as f64)
        {
            for (&s, &d) in subs.iter().zip(dims) {
                flat = flat * d + s as usize;
            }
            return Ok(flat);
        }
    }
    flat_index_error(name, dims, subs)
}

#[cold]
#[inline(never)]
fn flat_index_error(name: &str, dims: &[usize], subs: &[f64]) -> Res<usize> {
    if subs.len() != dims.len() {
        return err(format!("wrong # of subscripts {name}"));
    }
    for (k, (&s, &d)) in subs.iter().zip(dims).enumerate() {
        if s.is_nan() || s < 0.0 || (s as usize) >= d {
            return err(format!(
                "subscript {k} index {} of {name} out of range {d}",
                crate::format::num8(s.trunc())
            ));
        }
    }
    err(format!("subscript of {name} out of range"))
}

impl Interp {
    pub fn lookup(&self, sym: Sym) -> Resolved {
        if let Some(obj) = &self.obj_ctx {
            if let ObjData::Hoc(scope) = &*obj.data.borrow() {
                if let Some(i) = scope.get(sym) {
                    return Resolved::Slot(ScopeRef::Obj(obj.clone()), i);
                }
            }
            if let Class::Template(t) = &obj.class {
                if let Some(p) = t.procs.get(&sym) {
                    return Resolved::Method(obj.clone(), p.clone());
                }
                if t.external.contains(&sym) {
                    if let Some(i) = self.top.get(sym) {
                        return Resolved::Slot(ScopeRef::Top, i);
                    }
                }
                if self.public_shadows_builtin(t, sym) {
                    return Resolved::Undefined;
                }
            }
            // Templates are global.
            if let Some(i) = self.top.get(sym) {
                if matches!(self.top.slots[i as usize], Slot::Template(_)) {
                    return Resolved::Slot(ScopeRef::Top, i);
                }
            }
        } else if let Some(i) = self.top.get(sym) {
            return Resolved::Slot(ScopeRef::Top, i);
        }
        if let Some(i) = self.consts.get(sym) {
            return Resolved::Slot(ScopeRef::Consts, i);
        }
        match self.builtins.get(&sym) {
            Some(b) => Resolved::Builtin(b.clone()),
            None => Resolved::Undefined,
        }
    }

    /// The user procedure a name calls, with the template instance it runs in.
    pub fn user_proc(&self, sym: Sym) -> Option<(Rc<ProcDef>, Option<ObjRef>)> {
        match self.lookup(sym) {
            Resolved::Slot(scope, slot) => {
                self.with_scope(&scope, |s| match &s.slots[slot as usize] {
                    Slot::Proc(p) => Some((p.clone(), None)),
                    _ => None,
                })
            }
            Resolved::Method(obj, p) => Some((p, Some(obj))),
            _ => None,
        }
    }

    /// The scope new names go to: the template instance in context, else the top level.
    pub fn cur_scope(&self) -> ScopeRef {
        match &self.obj_ctx {
            Some(o) => ScopeRef::Obj(o.clone()),
            None => ScopeRef::Top,
        }
    }

    pub fn with_scope<R>(&self, scope: &ScopeRef, f: impl FnOnce(&Scope) -> R) -> R {
        match scope {
            ScopeRef::Top => f(&self.top),
            ScopeRef::Consts => f(&self.consts),
            ScopeRef::Obj(o) => match &*o.data.borrow() {
                ObjData::Hoc(s) => f(s),
                _ => f(&Scope::default()),
            },
        }
    }

    pub fn with_scope_mut<R>(&mut self, scope: &ScopeRef, f: impl FnOnce(&mut Scope) -> R) -> R {
        match scope {
            ScopeRef::Top => f(&mut self.top),
            ScopeRef::Consts => f(&mut self.consts),
            ScopeRef::Obj(o) => match &mut *o.data.borrow_mut() {
                ObjData::Hoc(s) => f(s),
                _ => f(&mut Scope::default()),
            },
        }
    }

    /// Whether a template's `public` list makes a built-in variable its own: `public celsius`
    /// turns the instance's `celsius = 23.5` into a member and leaves the global alone (as in
    /// NEURON, where the STN template's celsius never reaches the mechanisms).
    fn public_shadows_builtin(&self, t: &Template, sym: Sym) -> bool {
        t.public.contains(&sym)
            && matches!(
                self.builtins.get(&sym),
                Some(Builtin::Model(_) | Builtin::MechGlobal(_) | Builtin::FloatEpsilon)
            )
    }

    /// Declares `sym` in the current scope, refusing names that belong to NEURON.
    pub fn declare(&mut self, sym: Sym, slot: Slot) -> Res<u32> {
        let shadowed = self.obj_ctx.as_ref().is_some_and(|o| match &o.class {
            Class::Template(t) => self.public_shadows_builtin(t, sym),
            _ => false,
        });
        if (self.builtins.contains_key(&sym) && !shadowed) || self.consts.get(sym).is_some() {
            let where_ = if self.obj_ctx.is_some() {
                "in a template"
            } else {
                "at top level"
            };
            return err(format!("{} : Redeclaring {where_}", self.name(sym)));
        }
        let scope = self.cur_scope();
        Ok(self.with_scope_mut(&scope, |s| s.set(sym, slot)))
    }

    // ---- cells ------------------------------------------------------------------------------

    pub fn read_cell_num(&self, c: &CellRef) -> Res<f64> {
        match c {
            CellRef::Local { frame, slot } => {
                match self.frames.get(*frame).map(|f| &f.locals[*slot]) {
                    Some(super::call::LocalVal::Num(v)) => Ok(*v),
                    _ => err("the local variable is not a number"),
                }
            }
            CellRef::Var { scope, slot, index } => {
                self.with_scope(scope, |s| match s.slots.get(*slot as usize) {
                    Some(Slot::Num { data, .. }) => data
                        .get(*index as usize)
                        .copied()
                        .ok_or(())
                        .or_else(|_| err("array element out of range")),
                    _ => err("the variable is not a number"),
                })
            }
        }
    }

    pub fn write_cell_num(&mut self, c: &CellRef, v: f64) -> Res<()> {
        match c {
            CellRef::Local { frame, slot } => {
                match self.frames.get_mut(*frame).map(|f| &mut f.locals[*slot]) {
                    Some(l @ super::call::LocalVal::Num(_)) => {
                        *l = super::call::LocalVal::Num(v);
                        Ok(())
                    }
                    _ => err("the local variable is not a number"),
                }
            }
            CellRef::Var { scope, slot, index } => {
                let (slot, index) = (*slot as usize, *index as usize);
                self.with_scope_mut(scope, |s| match s.slots.get_mut(slot) {
                    Some(Slot::Num { data, .. }) if index < data.len() => {
                        data[index] = v;
                        Ok(())
                    }
                    _ => err("the variable is not a number"),
                })
            }
        }
    }

    pub fn read_cell_obj(&self, c: &CellRef) -> Res<Option<ObjRef>> {
        match c {
            CellRef::Local { frame, slot } => {
                match self.frames.get(*frame).map(|f| &f.locals[*slot]) {
                    Some(super::call::LocalVal::Obj(o)) => Ok(o.clone()),
                    _ => err("the local variable is not an object reference"),
                }
            }
            CellRef::Var { scope, slot, index } => {
                self.with_scope(scope, |s| match s.slots.get(*slot as usize) {
                    Some(Slot::Obj { data, .. }) => {
                        Ok(data.get(*index as usize).cloned().flatten())
                    }
                    _ => err("the variable is not an object reference"),
                })
            }
        }
    }

    pub fn write_cell_obj(&mut self, c: &CellRef, o: Option<ObjRef>) -> Res<()> {
        match c {
            CellRef::Local { frame, slot } => {
                match self.frames.get_mut(*frame).map(|f| &mut f.locals[*slot]) {
                    Some(l @ super::call::LocalVal::Obj(_)) => {
                        *l = super::call::LocalVal::Obj(o);
                        Ok(())
                    }
                    _ => err("the local variable is not an object reference"),
                }
            }
            CellRef::Var { scope, slot, index } => {
                let (slot, index) = (*slot as usize, *index as usize);
                // Drop the old object after the borrow ends (its drop may touch other objects).
                let old = self.with_scope_mut(scope, |s| match s.slots.get_mut(slot) {
                    Some(Slot::Obj { data, .. }) if index < data.len() => {
                        Ok(std::mem::replace(&mut data[index], o))
                    }
                    _ => err("the variable is not an object reference"),
                })?;
                drop(old);
                Ok(())
            }
        }
    }

    // ---- pointers ---------------------------------------------------------------------------

    pub fn read_ptr(&mut self, p: &Ptr) -> Res<f64> {
        match p {
            Ptr::Cell(c) => self.read_cell_num(c),
            Ptr::Range { sec, x, name } => self.range_get(*sec, *x, name),
            Ptr::Point { obj, name } => crate::builtins::point::field_num(self, obj, name),
            Ptr::Model(m) => Ok(self.model_var(*m)),
            Ptr::MechGlobal(n) => self.model.get_global(n).or_else(|e| err(e.to_string())),
            Ptr::FloatEpsilon => Ok(self.float_epsilon),
            Ptr::VecElem(o, i) => match &*o.data.borrow() {
                ObjData::Vector(v) => v
                    .data
                    .get(*i)
                    .copied()
                    .ok_or(())
                    .or_else(|_| err("the Vector element no longer exists")),
                _ => err("not a Vector"),
            },
        }
    }

    pub fn write_ptr(&mut self, p: &Ptr, v: f64) -> Res<()> {
        match p {
            Ptr::Cell(c) => self.write_cell_num(c, v),
            Ptr::Range { sec, x, name } => self.range_set(*sec, Some(*x), name, v),
            Ptr::Point { obj, name } => crate::builtins::point::set_field(self, obj, name, v),
            Ptr::Model(m) => self.set_model_var(*m, v),
            Ptr::MechGlobal(n) => self.model.set_global(n, v).or_else(|e| err(e.to_string())),
            Ptr::FloatEpsilon => {
                self.float_epsilon = v;
                Ok(())
            }
            Ptr::VecElem(o, i) => match &mut *o.data.borrow_mut() {
                ObjData::Vector(d) if *i < d.data.len() => {
                    d.data[*i] = v;
                    Ok(())
                }
                _ => err("the Vector element no longer exists"),
            },
        }
    }

    pub fn model_var(&self, m: ModelVar) -> f64 {
        match m {
            ModelVar::T => self.model.t(),
            ModelVar::Dt => self.model.dt(),
            ModelVar::Celsius => self.model.celsius(),
            ModelVar::SecondOrder => self.model.secondorder() as f64,
        }
    }

    pub fn set_model_var(&mut self, m: ModelVar, v: f64) -> Res<()> {
        let r = match m {
            ModelVar::T => self.model.set_global("t", v),
            ModelVar::Dt => self.model.set_dt(v),
            ModelVar::Celsius => self.model.set_celsius(v),
            ModelVar::SecondOrder => self.model.set_secondorder(v as u8),
        };
        r.or_else(|e| err(e.to_string()))
    }
}
