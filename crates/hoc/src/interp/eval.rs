//! Expression evaluation: arithmetic with hoc's rules (float_epsilon comparisons, no
//! short-circuit, floored `%`), names, arrays, members, calls, assignment and pointers.

use std::rc::Rc;

use crate::ast::*;
use crate::error::{err, Res};
use crate::format::num8;
use crate::value::*;

use super::call::{obj_name, LocalVal};
use super::lookup::{flat_index, Builtin, Resolved};
use super::Interp;

/// Subscripts kept without a heap allocation (hoc arrays rarely have more dimensions).
const INLINE_SUBSCRIPTS: usize = 4;

/// The evaluated subscripts of one `a[i][j]`. Every array or `Vector.x[i]` access makes one,
/// so the common case lives on the stack: in a loop body allocating them was as costly as
/// the arithmetic.
enum Subscripts {
    Inline([f64; INLINE_SUBSCRIPTS], usize),
    Heap(Vec<f64>),
}

impl Subscripts {
    fn push(&mut self, v: f64) {
        match self {
            Subscripts::Inline(a, n) if *n < INLINE_SUBSCRIPTS => {
                a[*n] = v;
                *n += 1;
            }
            Subscripts::Inline(a, n) => {
                let mut heap = a[..*n].to_vec();
                heap.push(v);
                *self = Subscripts::Heap(heap);
            }
            Subscripts::Heap(h) => h.push(v),
        }
    }
}

impl std::ops::Deref for Subscripts {
    type Target = [f64];

    fn deref(&self) -> &[f64] {
        match self {
            Subscripts::Inline(a, n) => &a[..*n],
            Subscripts::Heap(h) => h,
        }
    }
}

/// Element `subs` of a declared name's storage.
fn slot_element(slot: &Slot, name: &str, subs: &[f64]) -> Res<Value> {
    match slot {
        Slot::Num { dims, data } => Ok(Value::Num(data[flat_index(name, dims, subs)?])),
        Slot::Str { dims, data } => Ok(Value::Str(data[flat_index(name, dims, subs)?].clone())),
        Slot::Obj { dims, data } => Ok(Value::Obj(data[flat_index(name, dims, subs)?].clone())),
        Slot::Sec { dims, data } => Ok(Value::Sec(data[flat_index(name, dims, subs)?])),
        Slot::Proc(_) | Slot::Template(_) => not_an_element(slot, name),
    }
}

#[cold]
#[inline(never)]
fn not_an_element(slot: &Slot, name: &str) -> Res<Value> {
    if let Slot::Proc(_) = slot {
        err(format!("{name} is a procedure; call it with ()"))
    } else {
        err(format!("{name} is a template; use new {name}()"))
    }
}

pub fn to_num(v: &Value) -> Res<f64> {
    match v {
        Value::Num(n) => Ok(*n),
        other => err(format!("a number was expected, not {}", other.type_name())),
    }
}

impl Interp {
    pub fn eval_num(&mut self, e: &Expr) -> Res<f64> {
        match &e.kind {
            ExprKind::Num(n) => Ok(*n),
            ExprKind::Local(i) => match self.local(*i) {
                LocalVal::Num(v) => Ok(*v),
                LocalVal::Obj(_) => err("a number was expected, not an object"),
            },
            ExprKind::Arg(n) => to_num(self.arg(*n)?),
            ExprKind::Binary(op, a, b) => self.binary(*op, a, b, e.pos),
            ExprKind::Unary(UnOp::Neg, a) => Ok(-self.eval_num(a)?),
            ExprKind::Unary(UnOp::Not, a) => Ok(if self.eval_num(a)? == 0.0 { 1.0 } else { 0.0 }),
            ExprKind::Paren(a) => self.eval_num(a),
            _ => {
                let v = self.eval(e)?;
                to_num(&v)
            }
        }
    }

    pub fn eval_str(&mut self, e: &Expr) -> Res<String> {
        match self.eval(e)? {
            Value::Str(s) => Ok(s.borrow().clone()),
            other => err(format!(
                "Expecting string argument (got {})",
                other.type_name()
            )),
        }
    }

    pub fn eval_obj(&mut self, e: &Expr) -> Res<Option<ObjRef>> {
        match self.eval(e)? {
            Value::Obj(o) | Value::ObjCell(_, o) => Ok(o),
            other => err(format!("an object was expected, not {}", other.type_name())),
        }
    }

    pub fn eval_sec(&mut self, e: &Expr) -> Res<SecId> {
        match self.eval(e)? {
            Value::Sec(s) => Ok(s),
            _ => {
                let what = match &e.kind {
                    ExprKind::Name(s) => self.name(*s).to_string(),
                    _ => "the expression".into(),
                };
                err(format!("{what} is not a section"))
            }
        }
    }

    fn binary(&mut self, op: BinOp, a: &Expr, b: &Expr, pos: usize) -> Res<f64> {
        let eps = self.float_epsilon;
        let bool_ = |c: bool| Ok(if c { 1.0 } else { 0.0 });
        if matches!(op, BinOp::Eq | BinOp::Ne) {
            let (x, y) = (self.eval(a)?, self.eval(b)?);
            let same = match (&x, &y) {
                (Value::Obj(p) | Value::ObjCell(_, p), Value::Obj(q) | Value::ObjCell(_, q)) => {
                    match (p, q) {
                        (Some(p), Some(q)) => Rc::ptr_eq(p, q),
                        (None, None) => true,
                        _ => false,
                    }
                }
                (Value::Str(s), Value::Str(t)) => *s.borrow() == *t.borrow(),
                (Value::Sec(s), Value::Sec(t)) => s == t,
                _ => (to_num(&x)? - to_num(&y)?).abs() <= eps,
            };
            return bool_(if op == BinOp::Eq { same } else { !same });
        }
        let x = self.eval_num(a)?;
        let y = self.eval_num(b)?;
        match op {
            BinOp::Add => Ok(x + y),
            BinOp::Sub => Ok(x - y),
            BinOp::Mul => Ok(x * y),
            BinOp::Div => {
                if y == 0.0 {
                    let src = self.cur_src.clone();
                    return err("division by zero").map_err(|f| f.locate(&src, pos));
                }
                Ok(x / y)
            }
            BinOp::Mod => {
                if y <= 0.0 {
                    return err("a%b, b<=0");
                }
                Ok(x - y * (x / y).floor())
            }
            BinOp::Pow => {
                let r = x.powf(y);
                if r.is_nan() && !x.is_nan() && !y.is_nan() {
                    return err(format!(
                        "exponentiation: {}^{} is out of domain",
                        num8(x),
                        num8(y)
                    ));
                }
                Ok(r)
            }
            BinOp::Lt => bool_(x < y - eps),
            BinOp::Le => bool_(x <= y + eps),
            BinOp::Gt => bool_(x > y + eps),
            BinOp::Ge => bool_(x >= y - eps),
            BinOp::And => bool_(x != 0.0 && y != 0.0),
            BinOp::Or => bool_(x != 0.0 || y != 0.0),
            BinOp::Eq | BinOp::Ne => unreachable!("handled above"),
        }
    }

    /// Evaluates any expression.
    pub fn eval(&mut self, e: &Expr) -> Res<Value> {
        match &e.kind {
            ExprKind::Num(n) => Ok(Value::Num(*n)),
            ExprKind::Str(s) => Ok(Value::str(&**s)),
            ExprKind::Name(sym) => self.read_name(*sym),
            ExprKind::Local(i) => Ok(match self.local(*i) {
                LocalVal::Num(v) => Value::Num(*v),
                LocalVal::Obj(o) => Value::Obj(o.clone()),
            }),
            ExprKind::Index(base, subs) => {
                // The location is added on an error only (cur_src is restored by then).
                self.eval_index(base, subs)
                    .map_err(|f| f.locate(&self.cur_src, e.pos))
            }
            ExprKind::Member(base, m) => self.eval_member(base, *m),
            ExprKind::Call(target, args) => {
                // The location is added on an error only (cur_src is restored by then).
                self.eval_call(target, args)
                    .map_err(|f| f.locate(&self.cur_src, e.pos))
            }
            ExprKind::RangeLoc(..) => err("x0:x1 is only allowed in `name(x0:x1) = v0:v1`"),
            ExprKind::Arg(n) => Ok(self.arg(*n)?.clone()),
            ExprKind::StrArg(n) => match self.arg(*n)? {
                Value::Str(s) => Ok(Value::Str(s.clone())),
                _ => err("Expecting string argument"),
            },
            ExprKind::ObjArg(n) => match self.arg(*n)? {
                Value::Obj(o) => Ok(Value::Obj(o.clone())),
                Value::ObjCell(c, _) => {
                    let c = c.clone();
                    Ok(Value::Obj(self.read_cell_obj(&c)?))
                }
                _ => err("Expecting object argument"),
            },
            ExprKind::PtrArg(n) => match self.arg(*n)?.clone() {
                Value::Ptr(p) => Ok(Value::Num(self.read_ptr(&p)?)),
                _ => err("Expecting pointer argument"),
            },
            ExprKind::DynArg(var) => {
                let n = self.eval_num(var)?;
                Ok(self.arg(n as u32)?.clone())
            }
            ExprKind::Addr(target) => Ok(Value::Ptr(self.make_ptr(target)?)),
            ExprKind::New(name, args) => {
                let args = self.eval_args(args)?;
                let o = self
                    .new_object(*name, args)
                    .map_err(|f| f.locate(&self.cur_src, e.pos))?;
                Ok(Value::Obj(Some(o)))
            }
            ExprKind::Assign(op, lhs, rhs) => {
                // The location is added on an error only (cur_src is restored by then).
                self.assign(*op, lhs, rhs)
                    .map_err(|f| f.locate(&self.cur_src, e.pos))
            }
            ExprKind::Paren(a) => self.eval(a),
            ExprKind::Unary(..) | ExprKind::Binary(..) => Ok(Value::Num(self.eval_num(e)?)),
        }
    }

    fn read_name(&mut self, sym: Sym) -> Res<Value> {
        match self.lookup(sym) {
            Resolved::Slot(scope, slot) => self.slot_value(&scope, slot, sym, &[]),
            Resolved::Method(..) => err(format!(
                "{} is a procedure; call it with ()",
                self.name(sym)
            )),
            Resolved::Builtin(b) => self.builtin_value(sym, b, None),
            Resolved::Undefined => err(format!("undefined variable {}", self.name(sym))),
        }
    }

    /// Value of a built-in name used as a variable (`t`, `L`, `v`, `v(0.3)`).
    fn builtin_value(&mut self, sym: Sym, b: Builtin, x: Option<f64>) -> Res<Value> {
        match b {
            Builtin::Model(m) => Ok(Value::Num(self.model_var(m))),
            Builtin::FloatEpsilon => Ok(Value::Num(self.float_epsilon)),
            Builtin::SecProp(p) => {
                let sec = self.cas()?;
                Ok(Value::Num(self.sec_prop(sec, p)?))
            }
            Builtin::Range(name) => {
                let sec = self.cas()?;
                match x {
                    Some(x) => self.range_get_at(sec, sym, x),
                    None => Ok(Value::Num(self.range_get(sec, 0.5, &name)?)),
                }
            }
            Builtin::MechGlobal(name) => self
                .model
                .get_global(&name)
                .map(Value::Num)
                .or_else(|e| err(e.to_string())),
            _ => err(format!(
                "{} is not a variable (call it with ())",
                self.name(sym)
            )),
        }
    }

    /// Reads element `subs` of a declared name.
    pub fn slot_value(&self, scope: &ScopeRef, slot: u32, sym: Sym, subs: &[f64]) -> Res<Value> {
        let name = self.name(sym);
        self.with_scope(scope, |s| slot_element(&s.slots[slot as usize], name, subs))
    }

    fn subscripts(&mut self, subs: &[Expr]) -> Res<Subscripts> {
        let mut out = Subscripts::Inline([0.0; INLINE_SUBSCRIPTS], 0);
        for s in subs {
            let v = self.eval_num(s)?;
            out.push(v);
        }
        Ok(out)
    }

    fn eval_index(&mut self, base: &Expr, subs: &[Expr]) -> Res<Value> {
        let idx = self.subscripts(subs)?;
        match &base.kind {
            ExprKind::Name(sym) => match self.lookup(*sym) {
                Resolved::Slot(scope, slot) => self.slot_value(&scope, slot, *sym, &idx),
                Resolved::Builtin(Builtin::Range(name)) => {
                    let sec = self.cas()?;
                    let full = indexed_name(&name, &idx);
                    Ok(Value::Num(self.range_get(sec, 0.5, &full)?))
                }
                Resolved::Builtin(Builtin::MechGlobal(name)) => {
                    let full = indexed_name(&name, &idx);
                    self.model
                        .get_global(&full)
                        .map(Value::Num)
                        .or_else(|e| err(e.to_string()))
                }
                Resolved::Undefined => err(format!("undefined variable {}", self.name(*sym))),
                // `IClamp[0]`: a live instance by its name.
                Resolved::Builtin(Builtin::Class(_) | Builtin::Point(_)) => {
                    let class = self.name(*sym).to_string();
                    let found = match &*idx {
                        [i] if *i >= 0.0 => self
                            .reg
                            .live(&class)
                            .into_iter()
                            .find(|o| o.index == *i as usize),
                        _ => None,
                    };
                    match found {
                        Some(o) => Ok(Value::Obj(Some(o))),
                        None => err(format!("{} is not an object", indexed_name(&class, &idx))),
                    }
                }
                _ => err(format!("{} is not an array", self.name(*sym))),
            },
            ExprKind::Member(obj, m) => {
                let target = self.eval(obj)?;
                self.member_index(target, *m, &idx)
            }
            _ => err("this expression cannot be indexed"),
        }
    }

    /// `o.m[i]`: Vector.x, Matrix.x, public arrays, SectionRef.child, ...
    fn member_index(&mut self, target: Value, m: Sym, idx: &[f64]) -> Res<Value> {
        // The commonest cases first, without copying the member's name: a template's public
        // array (`cell.s[k]`, read under one borrow of the instance) and `Vector.x[i]`.
        if let Value::Obj(Some(o)) | Value::ObjCell(_, Some(o)) = &target {
            match &o.class {
                Class::Template(t) => {
                    self.check_public(o, t, m)?;
                    let found = match &*o.data.borrow() {
                        ObjData::Hoc(s) => s
                            .get(m)
                            .map(|slot| slot_element(&s.slots[slot as usize], self.name(m), idx)),
                        _ => None,
                    };
                    return match found {
                        Some(v) => v,
                        None => err(format!("{} is not an array of {}", self.name(m), o.name())),
                    };
                }
                Class::Builtin(ClassKind::Vector) if m == self.sym.x => {
                    return crate::builtins::vector::get(o, idx);
                }
                _ => {}
            }
        }
        let name = self.names.rc(m);
        match target {
            Value::Obj(Some(o)) | Value::ObjCell(_, Some(o)) => {
                crate::builtins::index_member(self, &o, &name, idx)
            }
            Value::Obj(None) | Value::ObjCell(_, None) => {
                err(format!("'{name}' object prefix is nullptr"))
            }
            Value::Sec(sec) => {
                let full = indexed_name(&name, idx);
                Ok(Value::Num(self.range_get(sec, 0.5, &full)?))
            }
            other => err(format!(
                "{name}[...] needs an object, not {}",
                other.type_name()
            )),
        }
    }

    pub fn check_public(&self, o: &ObjRef, t: &Rc<Template>, m: Sym) -> Res<()> {
        if t.public.contains(&m) {
            Ok(())
        } else {
            err(format!(
                "'{}' not a public member of '{}'",
                self.name(m),
                o.class.name()
            ))
        }
    }

    fn eval_member(&mut self, base: &Expr, m: Sym) -> Res<Value> {
        let target = self.eval(base)?;
        self.member_value(target, m, None)
    }

    /// `o.m` or `o.m(args)` (args None: no parentheses).
    fn member_value(&mut self, target: Value, m: Sym, args: Option<Vec<Value>>) -> Res<Value> {
        let name = self.names.rc(m);
        match target {
            Value::Obj(Some(o)) | Value::ObjCell(_, Some(o)) => {
                if let Class::Template(t) = &o.class {
                    let t = t.clone();
                    self.check_public(&o, &t, m)?;
                    if let Some(p) = t.procs.get(&m) {
                        let args = args.unwrap_or_default();
                        let v = self.call_user(p, args, Some(o.clone()), None)?;
                        // A method without a value gives 0 (and echoes it).
                        return Ok(match v {
                            Value::Void => Value::Num(0.0),
                            v => v,
                        });
                    }
                    let slot = match &*o.data.borrow() {
                        ObjData::Hoc(s) => s.get(m),
                        _ => None,
                    };
                    return match slot {
                        Some(slot) => {
                            if args.is_some() {
                                return err(format!("{name} of {} is not a method", o.name()));
                            }
                            self.slot_value(&ScopeRef::Obj(o.clone()), slot, m, &[])
                        }
                        None => Ok(Value::Num(0.0)),
                    };
                }
                let called = args.is_some();
                crate::builtins::call_method(self, &o, &name, args.unwrap_or_default(), called)
            }
            Value::Obj(None) | Value::ObjCell(_, None) => {
                err(format!("'{name}' object prefix is nullptr"))
            }
            Value::Sec(sec) => {
                let x = match args.as_deref() {
                    None | Some([]) => None,
                    Some([Value::Num(x)]) => Some(*x),
                    Some(_) => return err(format!("{name}(x) takes one number")),
                };
                match x {
                    Some(x) => self.range_get_at(sec, m, x),
                    None => self.sec_member_get(sec, &name, None),
                }
            }
            other => err(format!(
                "'{name}' needs an object before the dot, not {}",
                other.type_name()
            )),
        }
    }

    /// Arguments for built-ins: values, object variables dereferenced.
    pub fn eval_args(&mut self, args: &[Expr]) -> Res<Vec<Value>> {
        let mut out = Vec::with_capacity(args.len());
        for a in args {
            out.push(match self.eval(a)? {
                Value::ObjCell(_, o) => Value::Obj(o),
                v => v,
            });
        }
        Ok(out)
    }

    /// Arguments for user procedures: object variables are passed by reference so that
    /// `$o1 = ...` changes the caller's variable.
    pub fn eval_user_args(&mut self, args: &[Expr]) -> Res<Vec<Value>> {
        let mut out = self.spare.args();
        for a in args {
            let cell = match &a.kind {
                ExprKind::Local(i) => match self.local(*i) {
                    LocalVal::Obj(_) => Some(CellRef::Local {
                        frame: self.cur_frame.expect("locals are in a frame"),
                        slot: *i,
                    }),
                    LocalVal::Num(_) => None,
                },
                ExprKind::Name(sym) => match self.lookup(*sym) {
                    Resolved::Slot(scope, slot) => {
                        let is_obj = self.with_scope(&scope, |s| {
                            matches!(&s.slots[slot as usize], Slot::Obj { dims, .. } if dims.is_empty())
                        });
                        if !is_obj {
                            // Its value, without looking the name up a second time.
                            out.push(self.slot_value(&scope, slot, *sym, &[])?);
                            continue;
                        }
                        Some(CellRef::Var {
                            scope,
                            slot,
                            index: 0,
                        })
                    }
                    _ => None,
                },
                ExprKind::ObjArg(n) => match self.arg(*n)? {
                    Value::ObjCell(c, _) => Some(c.clone()),
                    _ => None,
                },
                _ => None,
            };
            out.push(match cell {
                Some(c) => {
                    let o = self.read_cell_obj(&c)?;
                    Value::ObjCell(c, o)
                }
                None => self.eval(a)?,
            });
        }
        Ok(out)
    }

    fn eval_call(&mut self, target: &Expr, args: &[Expr]) -> Res<Value> {
        match &target.kind {
            ExprKind::Name(sym) => match self.lookup(*sym) {
                // (What user_proc() answers, from the one look-up.)
                Resolved::Slot(scope, slot) => {
                    let p = self.with_scope(&scope, |s| match &s.slots[slot as usize] {
                        Slot::Proc(p) => Some(p.clone()),
                        _ => None,
                    });
                    match p {
                        Some(p) => {
                            let args = self.eval_user_args(args)?;
                            self.call_user(&p, args, None, None)
                        }
                        None => err(format!("{} is not a function", self.name(*sym))),
                    }
                }
                Resolved::Method(obj, p) => {
                    let args = self.eval_user_args(args)?;
                    self.call_user(&p, args, Some(obj), None)
                }
                Resolved::Builtin(Builtin::Func(f)) => {
                    let args = self.eval_args(args)?;
                    f(self, args)
                }
                Resolved::Builtin(b @ Builtin::Range(_)) => {
                    let x = self.one_x(*sym, args)?;
                    self.builtin_value(*sym, b, Some(x))
                }
                Resolved::Builtin(_) => err(format!("{} is not a function", self.name(*sym))),
                Resolved::Undefined => {
                    let name = self.name(*sym).to_string();
                    match self.call_mechanism_name(&name, args) {
                        Some(result) => result,
                        None => match self.call_function_table_name(&name, args) {
                            Some(result) => result,
                            None => err(format!("{name} undefined function")),
                        },
                    }
                }
            },
            ExprKind::Member(obj, m) => {
                let o = self.eval(obj)?;
                let is_template = matches!(&o, Value::Obj(Some(o)) | Value::ObjCell(_, Some(o)) if matches!(o.class, Class::Template(_)));
                let args = if is_template {
                    self.eval_user_args(args)?
                } else {
                    self.eval_args(args)?
                };
                self.member_value(o, *m, Some(args))
            }
            ExprKind::Index(base, subs) => {
                // `ca_cadifus[3](0.5)`, `sec.name[k](x)`
                let (sec, name) = self.indexed_range(base, subs)?;
                let x = match args {
                    [a] => self.eval_num(a)?,
                    _ => return err("a range variable takes one location (x)"),
                };
                Ok(Value::Num(self.range_get(sec, x, &name)?))
            }
            _ => err("this expression cannot be called"),
        }
    }

    /// `name[k]` of `name[k](x)`: the section (the current one, or `sec.name[k]`) and the
    /// runtime's name of the array element.
    fn indexed_range(&mut self, base: &Expr, subs: &[Expr]) -> Res<(SecId, String)> {
        let idx = self.subscripts(subs)?;
        let (sec, name) = match &base.kind {
            ExprKind::Name(sym) => match self.lookup(*sym) {
                Resolved::Builtin(Builtin::Range(name)) => (self.cas()?, name),
                _ => {
                    return err(format!(
                        "{}[...](x) is not a range variable",
                        self.name(*sym)
                    ))
                }
            },
            ExprKind::Member(obj, m) => {
                let Value::Sec(sec) = self.eval(obj)? else {
                    return err("only range variables of sections take [index](x)");
                };
                (sec, self.names.rc(*m))
            }
            _ => return err("only range variables take [index](x)"),
        };
        Ok((sec, indexed_name(&name, &idx)))
    }

    fn one_x(&mut self, sym: Sym, args: &[Expr]) -> Res<f64> {
        match args {
            [a] => self.eval_num(a),
            _ => err(format!(
                "{}(x) takes one location between 0 and 1",
                self.name(sym)
            )),
        }
    }

    // ---- assignment -------------------------------------------------------------------------

    pub fn assign(&mut self, op: AssignOp, lhs: &Expr, rhs: &Expr) -> Res<Value> {
        let v = if op == AssignOp::Set {
            match self.eval(rhs)? {
                Value::ObjCell(_, o) => Value::Obj(o),
                Value::Void => {
                    return err("the right side of = has no value (a proc call)");
                }
                v => v,
            }
        } else {
            // An undefined name in a compound assignment starts at 0 (`n += 1`).
            let undefined = matches!(&lhs.kind, ExprKind::Name(sym) if matches!(self.lookup(*sym), Resolved::Undefined));
            let old = if undefined { 0.0 } else { self.eval_num(lhs)? };
            let r = self.eval_num(rhs)?;
            Value::Num(match op {
                AssignOp::Add => old + r,
                AssignOp::Sub => old - r,
                AssignOp::Mul => old * r,
                AssignOp::Div => {
                    if r == 0.0 {
                        return err("division by zero");
                    }
                    old / r
                }
                AssignOp::Set => unreachable!("handled above"),
            })
        };
        self.store(lhs, v.clone())?;
        Ok(v)
    }

    /// Stores `v` into the place `lhs` names.
    pub fn store(&mut self, lhs: &Expr, v: Value) -> Res<()> {
        match &lhs.kind {
            ExprKind::Name(sym) => self.store_name(*sym, &[], v),
            ExprKind::Local(i) => {
                let new = match (self.local(*i), v) {
                    (LocalVal::Num(_), Value::Num(n)) => LocalVal::Num(n),
                    (LocalVal::Obj(_), Value::Obj(o)) => LocalVal::Obj(o),
                    (LocalVal::Num(_), other) => {
                        return err(format!(
                            "cannot assign {} to a local number",
                            other.type_name()
                        ))
                    }
                    (LocalVal::Obj(_), other) => {
                        return err(format!("cannot assign {} to a localobj", other.type_name()))
                    }
                };
                self.set_local(*i, new);
                Ok(())
            }
            ExprKind::Index(base, subs) => {
                let idx = self.subscripts(subs)?;
                match &base.kind {
                    ExprKind::Name(sym) => self.store_name(*sym, &idx, v),
                    ExprKind::Member(obj, m) => {
                        let target = self.eval(obj)?;
                        self.store_member(target, *m, Some(&idx), None, v)
                    }
                    _ => err("this expression cannot be assigned"),
                }
            }
            ExprKind::Member(obj, m) => {
                let target = self.eval(obj)?;
                self.store_member(target, *m, None, None, v)
            }
            ExprKind::Call(target, args) => {
                let x = match args.as_slice() {
                    [a] => self.eval_num(a)?,
                    _ => return err("only a range variable with one location (x) can be assigned"),
                };
                let n = to_num(&v)?;
                match &target.kind {
                    ExprKind::Name(sym) => match self.lookup(*sym) {
                        Resolved::Builtin(Builtin::Range(_)) => {
                            let sec = self.cas()?;
                            self.range_set_at(sec, *sym, x, n)
                        }
                        _ => err(format!(
                            "{}(x) is not a range variable and cannot be assigned",
                            self.name(*sym)
                        )),
                    },
                    ExprKind::Member(obj, m) => {
                        let target = self.eval(obj)?;
                        self.store_member(target, *m, None, Some(x), v)
                    }
                    ExprKind::Index(base, subs) => {
                        let (sec, name) = self.indexed_range(base, subs)?;
                        self.range_set(sec, Some(x), &name, n)
                    }
                    _ => err("this expression cannot be assigned"),
                }
            }
            ExprKind::Arg(n) => self.set_arg(*n, v),
            ExprKind::DynArg(var) => {
                let n = self.eval_num(var)?;
                self.set_arg(n as u32, v)
            }
            ExprKind::StrArg(n) => match (self.arg(*n)?.clone(), v) {
                (Value::Str(cell), Value::Str(s)) => {
                    let s = s.borrow().clone();
                    *cell.borrow_mut() = s;
                    Ok(())
                }
                (Value::Str(_), other) => {
                    err(format!("cannot assign {} to a string", other.type_name()))
                }
                _ => err("Expecting string argument"),
            },
            ExprKind::ObjArg(n) => {
                let Value::Obj(o) = v else {
                    return err(format!("cannot assign {} to $o{n}", v.type_name()));
                };
                match self.arg(*n)?.clone() {
                    Value::ObjCell(c, _) => {
                        self.write_cell_obj(&c, o.clone())?;
                        self.set_arg(*n, Value::ObjCell(c, o))
                    }
                    Value::Obj(_) => self.set_arg(*n, Value::Obj(o)),
                    _ => err("Expecting object argument"),
                }
            }
            ExprKind::PtrArg(n) => match self.arg(*n)?.clone() {
                Value::Ptr(p) => self.write_ptr(&p, to_num(&v)?),
                _ => err("Expecting pointer argument"),
            },
            _ => err("this expression cannot be assigned"),
        }
    }

    fn store_name(&mut self, sym: Sym, idx: &[f64], v: Value) -> Res<()> {
        match self.lookup(sym) {
            Resolved::Slot(scope, slot) => self.store_slot(&scope, slot, sym, idx, v),
            Resolved::Builtin(b) => {
                if !idx.is_empty() {
                    return match b {
                        Builtin::Range(name) => {
                            let sec = self.cas()?;
                            self.range_set(sec, None, &indexed_name(&name, idx), to_num(&v)?)
                        }
                        Builtin::MechGlobal(name) => self
                            .model
                            .set_global(&indexed_name(&name, idx), to_num(&v)?)
                            .or_else(|e| err(e.to_string())),
                        _ => err(format!("{} is not an array", self.name(sym))),
                    };
                }
                let n = match v {
                    Value::Num(n) => n,
                    other => {
                        return err(format!(
                            "cannot assign {} to {}",
                            other.type_name(),
                            self.name(sym)
                        ))
                    }
                };
                match b {
                    Builtin::Model(m) => self.set_model_var(m, n),
                    Builtin::FloatEpsilon => {
                        self.float_epsilon = n;
                        Ok(())
                    }
                    Builtin::SecProp(p) => {
                        let sec = self.cas()?;
                        self.set_sec_prop(sec, p, n)
                    }
                    Builtin::Range(name) => {
                        let sec = self.cas()?;
                        self.range_set(sec, None, &name, n)
                    }
                    Builtin::MechGlobal(name) => self
                        .model
                        .set_global(&name, n)
                        .or_else(|e| err(e.to_string())),
                    _ => err(format!("{} cannot be assigned", self.name(sym))),
                }
            }
            Resolved::Method(..) => err(format!(
                "{} is a procedure and cannot be assigned",
                self.name(sym)
            )),
            Resolved::Undefined => {
                if !idx.is_empty() {
                    return err(format!("{} is not an array", self.name(sym)));
                }
                match v {
                    Value::Num(n) => {
                        self.declare(
                            sym,
                            Slot::Num {
                                dims: vec![],
                                data: vec![n],
                            },
                        )?;
                        Ok(())
                    }
                    other => err(format!(
                        "{} is not declared; cannot assign {} to it (declare it with {} first)",
                        self.name(sym),
                        other.type_name(),
                        if matches!(other, Value::Str(_)) {
                            "strdef"
                        } else {
                            "objref"
                        }
                    )),
                }
            }
        }
    }

    pub fn store_slot(
        &mut self,
        scope: &ScopeRef,
        slot: u32,
        sym: Sym,
        idx: &[f64],
        v: Value,
    ) -> Res<()> {
        let name = self.name(sym).to_string();
        let mut dropped = None;
        let r = self.with_scope_mut(scope, |s| match (&mut s.slots[slot as usize], v) {
            (Slot::Num { dims, data }, Value::Num(n)) => {
                let i = flat_index(&name, dims, idx)?;
                data[i] = n;
                Ok(())
            }
            (Slot::Str { dims, data }, Value::Str(s)) => {
                let i = flat_index(&name, dims, idx)?;
                let text = s.borrow().clone();
                *data[i].borrow_mut() = text;
                Ok(())
            }
            (Slot::Obj { dims, data }, Value::Obj(o)) => {
                let i = flat_index(&name, dims, idx)?;
                dropped = std::mem::replace(&mut data[i], o);
                Ok(())
            }
            (Slot::Num { .. }, other) => err(format!(
                "cannot assign {} to the number variable {name}",
                other.type_name()
            )),
            (Slot::Str { .. }, other) => err(format!(
                "cannot assign {} to the string {name}",
                other.type_name()
            )),
            (Slot::Obj { .. }, other) => err(format!(
                "cannot assign {} to the object reference {name}",
                other.type_name()
            )),
            (Slot::Sec { .. }, _) => err(format!("{name} is a section and cannot be assigned")),
            (Slot::Proc(_), _) => err(format!("{name} is a procedure and cannot be assigned")),
            (Slot::Template(_), _) => err(format!("{name} is a template and cannot be assigned")),
        });
        drop(dropped);
        r
    }

    /// `o.m = v`, `o.m[i] = v`, `sec.m(x) = v`.
    fn store_member(
        &mut self,
        target: Value,
        m: Sym,
        idx: Option<&[f64]>,
        x: Option<f64>,
        v: Value,
    ) -> Res<()> {
        let name = self.names.rc(m);
        match target {
            Value::Obj(Some(o)) | Value::ObjCell(_, Some(o)) => {
                if let Class::Template(t) = &o.class {
                    self.check_public(&o, t, m)?;
                    let scope = ScopeRef::Obj(o.clone());
                    let slot = self.with_scope(&scope, |s| s.get(m));
                    return match slot {
                        Some(slot) => self.store_slot(&scope, slot, m, idx.unwrap_or(&[]), v),
                        None => {
                            let Value::Num(n) = v else {
                                return err(format!("{name} of {} is not declared", o.name()));
                            };
                            self.with_scope_mut(&scope, |s| {
                                s.set(
                                    m,
                                    Slot::Num {
                                        dims: vec![],
                                        data: vec![n],
                                    },
                                )
                            });
                            Ok(())
                        }
                    };
                }
                crate::builtins::set_member(self, &o, &name, idx, to_num(&v)?)
            }
            Value::Obj(None) | Value::ObjCell(_, None) => {
                err(format!("'{name}' object prefix is nullptr"))
            }
            Value::Sec(sec) => {
                let n = to_num(&v)?;
                match (idx, x) {
                    (Some(i), _) => self.sec_member_set(sec, &indexed_name(&name, i), x, n),
                    (None, Some(x)) => self.range_set_at(sec, m, x, n),
                    (None, None) => self.sec_member_set(sec, &name, None, n),
                }
            }
            other => err(format!(
                "'{name}' needs an object before the dot, not {}",
                other.type_name()
            )),
        }
    }

    // ---- pointers ---------------------------------------------------------------------------

    pub fn make_ptr(&mut self, e: &Expr) -> Res<Ptr> {
        match &e.kind {
            ExprKind::Name(sym) => self.name_ptr(*sym, &[]),
            ExprKind::Local(i) => match self.local(*i) {
                LocalVal::Num(_) => Ok(Ptr::Cell(CellRef::Local {
                    frame: self.cur_frame.expect("locals are in a frame"),
                    slot: *i,
                })),
                LocalVal::Obj(_) => err("& of an object reference"),
            },
            ExprKind::Index(base, subs) => {
                let idx = self.subscripts(subs)?;
                match &base.kind {
                    ExprKind::Name(sym) => self.name_ptr(*sym, &idx),
                    ExprKind::Member(obj, m) => {
                        let target = self.eval(obj)?;
                        self.member_ptr(target, *m, Some(&idx), None)
                    }
                    _ => err("& needs a variable"),
                }
            }
            ExprKind::Member(obj, m) => {
                let target = self.eval(obj)?;
                self.member_ptr(target, *m, None, None)
            }
            ExprKind::Call(target, args) => {
                let x = match args.as_slice() {
                    [a] => self.eval_num(a)?,
                    _ => return err("& needs a variable or a range variable with (x)"),
                };
                match &target.kind {
                    ExprKind::Name(sym) => match self.lookup(*sym) {
                        Resolved::Builtin(Builtin::Range(name)) => {
                            let sec = self.cas()?;
                            self.check_range(sec, x, &name)?;
                            Ok(Ptr::Range { sec, x, name })
                        }
                        _ => err(format!("& of {}(x): not a range variable", self.name(*sym))),
                    },
                    ExprKind::Member(obj, m) => {
                        let target = self.eval(obj)?;
                        self.member_ptr(target, *m, None, Some(x))
                    }
                    ExprKind::Index(base, subs) => {
                        let (sec, name) = self.indexed_range(base, subs)?;
                        let name: Rc<str> = Rc::from(name.as_str());
                        self.check_range(sec, x, &name)?;
                        Ok(Ptr::Range { sec, x, name })
                    }
                    _ => err("& needs a variable"),
                }
            }
            ExprKind::PtrArg(n) => match self.arg(*n)? {
                Value::Ptr(p) => Ok(p.clone()),
                _ => err("Expecting pointer argument"),
            },
            ExprKind::Paren(a) => self.make_ptr(a),
            _ => err("& needs a variable"),
        }
    }

    fn name_ptr(&mut self, sym: Sym, idx: &[f64]) -> Res<Ptr> {
        match self.lookup(sym) {
            Resolved::Slot(scope, slot) => {
                let name = self.name(sym).to_string();
                let index = self.with_scope(&scope, |s| match &s.slots[slot as usize] {
                    Slot::Num { dims, .. } => flat_index(&name, dims, idx),
                    _ => err(format!("{name} is not a number variable")),
                })?;
                Ok(Ptr::Cell(CellRef::Var {
                    scope,
                    slot,
                    index: index as u32,
                }))
            }
            Resolved::Builtin(Builtin::Model(m)) => Ok(Ptr::Model(m)),
            Resolved::Builtin(Builtin::FloatEpsilon) => Ok(Ptr::FloatEpsilon),
            Resolved::Builtin(Builtin::Range(name)) => {
                let sec = self.cas()?;
                let name: Rc<str> = if idx.is_empty() {
                    name
                } else {
                    Rc::from(indexed_name(&name, idx).as_str())
                };
                self.check_range(sec, 0.5, &name)?;
                Ok(Ptr::Range { sec, x: 0.5, name })
            }
            Resolved::Builtin(Builtin::MechGlobal(name)) => Ok(Ptr::MechGlobal(name)),
            Resolved::Undefined => err(format!("undefined variable {}", self.name(sym))),
            _ => err(format!("& of {}: not a variable", self.name(sym))),
        }
    }

    fn member_ptr(
        &mut self,
        target: Value,
        m: Sym,
        idx: Option<&[f64]>,
        x: Option<f64>,
    ) -> Res<Ptr> {
        let name = self.names.rc(m);
        match target {
            Value::Obj(Some(o)) | Value::ObjCell(_, Some(o)) => {
                if let Class::Template(t) = &o.class {
                    self.check_public(&o, t, m)?;
                    let scope = ScopeRef::Obj(o.clone());
                    let index = self.with_scope(&scope, |s| match s.get(m) {
                        Some(slot) => match &s.slots[slot as usize] {
                            Slot::Num { dims, .. } => flat_index(&name, dims, idx.unwrap_or(&[]))
                                .map(|i| (slot, i as u32)),
                            _ => err(format!("{name} is not a number variable")),
                        },
                        None => err(format!("{name} of {} is not declared", o.name())),
                    })?;
                    return Ok(Ptr::Cell(CellRef::Var {
                        scope,
                        slot: index.0,
                        index: index.1,
                    }));
                }
                crate::builtins::member_ptr(self, &o, &name, idx)
            }
            Value::Obj(None) | Value::ObjCell(_, None) => {
                err(format!("'{name}' object prefix is nullptr"))
            }
            Value::Sec(sec) => {
                let full: Rc<str> = match idx {
                    Some(i) => Rc::from(indexed_name(&name, i).as_str()),
                    None => name,
                };
                let x = x.unwrap_or(0.5);
                self.check_range(sec, x, &full)?;
                Ok(Ptr::Range { sec, x, name: full })
            }
            other => err(format!("& of .{name} on {}", other.type_name())),
        }
    }

    // ---- top-level echo ---------------------------------------------------------------------

    /// Runs a top-level expression statement and prints its value as NEURON does: numbers and
    /// objects as `\t%g`, a string without the tab; assignments and proc calls print nothing.
    pub fn echo(&mut self, e: &Expr) -> Res<()> {
        if let ExprKind::Assign(op, lhs, rhs) = &e.kind {
            // The location is added on an error only (cur_src is restored by then).
            self.assign(*op, lhs, rhs)
                .map_err(|f| f.locate(&self.cur_src, e.pos))?;
            return Ok(());
        }
        let v = self.eval(e)?;
        let text = match v {
            Value::Num(n) => format!("\t{} \n", num8(n)),
            Value::Str(s) => format!("{}\n", s.borrow()),
            Value::Obj(o) | Value::ObjCell(_, o) => format!("\t{} \n", obj_name(&o)),
            Value::Void | Value::Sec(_) | Value::Ptr(_) => return Ok(()),
        };
        self.print(&text);
        Ok(())
    }
}

/// `name[i][j]` as the runtime spells array elements.
pub fn indexed_name(name: &str, idx: &[f64]) -> String {
    let mut s = name.to_string();
    for i in idx {
        s.push_str(&format!("[{}]", *i as i64));
    }
    s
}
