//! Built-in functions and classes, and the dispatch of object members to them.

pub mod file;
mod funcs;
mod gui;
mod list;
mod matrix;
mod netcon;
mod parallel;
pub mod point;
pub mod random;
mod secref;
mod simfuncs;
mod strfun;
pub(crate) mod vector;

use std::rc::Rc;

use crate::error::{err, Res};
use crate::interp::{Builtin, Interp};
use crate::value::*;

pub use funcs::LIBRARY;
pub use vector::record_target;

/// Argument access for built-ins, with messages naming the function.
pub struct Args<'a> {
    pub name: &'a str,
    pub v: Vec<Value>,
}

impl<'a> Args<'a> {
    pub fn new(name: &'a str, v: Vec<Value>) -> Self {
        Args { name, v }
    }

    pub fn len(&self) -> usize {
        self.v.len()
    }

    pub fn is_empty(&self) -> bool {
        self.v.is_empty()
    }

    fn missing<T>(&self, i: usize) -> Res<T> {
        err(format!("{}: argument {} is missing", self.name, i + 1))
    }

    pub fn num(&self, i: usize) -> Res<f64> {
        match self.v.get(i) {
            Some(Value::Num(n)) => Ok(*n),
            Some(other) => err(format!(
                "{}: argument {} must be a number, not {}",
                self.name,
                i + 1,
                other.type_name()
            )),
            None => self.missing(i),
        }
    }

    pub fn num_or(&self, i: usize, default: f64) -> Res<f64> {
        if i < self.v.len() {
            self.num(i)
        } else {
            Ok(default)
        }
    }

    pub fn is_num(&self, i: usize) -> bool {
        matches!(self.v.get(i), Some(Value::Num(_)))
    }

    pub fn is_str(&self, i: usize) -> bool {
        matches!(self.v.get(i), Some(Value::Str(_)))
    }

    pub fn is_obj(&self, i: usize) -> bool {
        matches!(self.v.get(i), Some(Value::Obj(_) | Value::ObjCell(..)))
    }

    pub fn strref(&self, i: usize) -> Res<StrRef> {
        match self.v.get(i) {
            Some(Value::Str(s)) => Ok(s.clone()),
            Some(_) => err("Expecting string argument"),
            None => self.missing(i),
        }
    }

    pub fn str(&self, i: usize) -> Res<String> {
        Ok(self.strref(i)?.borrow().clone())
    }

    pub fn obj(&self, i: usize) -> Res<Option<ObjRef>> {
        match self.v.get(i) {
            Some(Value::Obj(o) | Value::ObjCell(_, o)) => Ok(o.clone()),
            Some(other) => err(format!(
                "{}: argument {} must be an object, not {}",
                self.name,
                i + 1,
                other.type_name()
            )),
            None => self.missing(i),
        }
    }

    /// An object argument that must not be NULLobject.
    pub fn some_obj(&self, i: usize) -> Res<ObjRef> {
        match self.obj(i)? {
            Some(o) => Ok(o),
            None => err(format!("{}: argument {} is NULLobject", self.name, i + 1)),
        }
    }

    pub fn ptr(&self, i: usize) -> Res<Ptr> {
        match self.v.get(i) {
            Some(Value::Ptr(p)) => Ok(p.clone()),
            Some(other) => err(format!(
                "{}: argument {} must be a pointer (&var), not {}",
                self.name,
                i + 1,
                other.type_name()
            )),
            None => self.missing(i),
        }
    }

    /// Arguments `from..` as printf arguments.
    pub fn fmt_args(&self, from: usize) -> Res<Vec<crate::format::FmtArg>> {
        self.v[from.min(self.v.len())..]
            .iter()
            .map(|v| match v {
                Value::Num(n) => Ok(crate::format::FmtArg::Num(*n)),
                Value::Str(s) => Ok(crate::format::FmtArg::Str(s.borrow().clone())),
                Value::Obj(o) | Value::ObjCell(_, o) => {
                    Ok(crate::format::FmtArg::Str(crate::interp::obj_name(o)))
                }
                other => err(format!(
                    "{}: cannot format {}",
                    self.name,
                    other.type_name()
                )),
            })
            .collect()
    }

    /// The exact number of arguments `n`.
    pub fn expect(&self, n: usize) -> Res<()> {
        if self.v.len() == n {
            Ok(())
        } else {
            err(format!(
                "{} takes {n} argument{}, not {}",
                self.name,
                if n == 1 { "" } else { "s" },
                self.v.len()
            ))
        }
    }
}

pub fn num(v: f64) -> Res<Value> {
    Ok(Value::Num(v))
}

pub fn bool_num(b: bool) -> Res<Value> {
    num(if b { 1.0 } else { 0.0 })
}

pub fn obj_value(o: ObjRef) -> Res<Value> {
    Ok(Value::Obj(Some(o)))
}

/// Registers the built-in names.
pub fn install(it: &mut Interp) {
    funcs::install(it);
    simfuncs::install(it);
    gui::install(it);
    random::install(it);
    for k in [
        ClassKind::Vector,
        ClassKind::List,
        ClassKind::File,
        ClassKind::StringFunctions,
        ClassKind::SectionRef,
        ClassKind::SectionList,
        ClassKind::Matrix,
        ClassKind::Timer,
        ClassKind::CVode,
        ClassKind::Random,
        ClassKind::NetCon,
        ClassKind::ParallelContext,
    ] {
        it.define_builtin(k.name(), Builtin::Class(k));
    }
    for m in [
        "NetStim",
        "ExpSyn",
        "Exp2Syn",
        "AlphaSynapse",
        "APCount",
        "VClamp",
        "IntFire1",
        "IntFire2",
        "IntFire4",
        "PointProcessMark",
        "FInitializeHandler",
        "Impedance",
        "LinearMechanism",
    ] {
        it.define_builtin(m, Builtin::Class(ClassKind::Missing(m)));
    }
    use crate::value::ModelVar::*;
    for (n, m) in [
        ("t", T),
        ("dt", Dt),
        ("celsius", Celsius),
        ("secondorder", SecondOrder),
    ] {
        it.define_builtin(n, Builtin::Model(m));
    }
    it.define_builtin("float_epsilon", Builtin::FloatEpsilon);
    use crate::interp::sec_prop_named as sp;
    for n in ["L", "Ra", "nseg", "rallbranch"] {
        if let Some(p) = sp(n) {
            it.define_builtin(n, Builtin::SecProp(p));
        }
    }
    for n in ["v", "diam", "cm"] {
        it.define_builtin(n, Builtin::Range(Rc::from(n)));
    }
    // Built-in constants: ordinary variables visible everywhere (scripts reassign PI).
    for (n, v) in [
        ("PI", std::f64::consts::PI),
        ("E", std::f64::consts::E),
        ("GAMMA", 0.577_215_664_901_532_9),
        ("DEG", 57.295_779_513_082_32),
        ("PHI", 1.618_033_988_749_895),
        ("FARADAY", rsnrn_runtime::ions::FARADAY),
        ("R", rsnrn_runtime::ions::GAS_CONSTANT),
        ("hoc_ac_", 0.0),
    ] {
        let s = it.names.intern(n);
        it.consts.set(
            s,
            Slot::Num {
                dims: vec![],
                data: vec![v],
            },
        );
    }
}

/// `new Class(args)` for the built-in classes.
pub fn construct(it: &mut Interp, k: ClassKind, args: Vec<Value>) -> Res<ObjRef> {
    let a = Args::new(k.name(), args);
    let data = match k {
        ClassKind::Vector => vector::construct(it, &a)?,
        ClassKind::List => list::construct(it, &a)?,
        ClassKind::File => file::construct(&a)?,
        ClassKind::StringFunctions | ClassKind::CVode | ClassKind::ParallelContext => {
            ObjData::Plain
        }
        ClassKind::SectionRef => ObjData::SectionRef(it.cas()?),
        ClassKind::SectionList => ObjData::SectionList(Vec::new()),
        ClassKind::Matrix => matrix::construct(&a)?,
        ClassKind::Timer => ObjData::Timer(std::time::Instant::now()),
        ClassKind::Random => random::construct(&a)?,
        ClassKind::NetCon => netcon::construct(it, &a)?,
        ClassKind::Gui(name) => {
            it.gui_notice(name);
            ObjData::Plain
        }
        ClassKind::Missing(name) => return err(format!("{name} is not available in rsnrn yet")),
    };
    Ok(it.reg.new_object(Class::Builtin(k), data))
}

fn not_member<T>(o: &ObjRef, m: &str) -> Res<T> {
    err(format!("'{m}' not a public member of '{}'", o.class.name()))
}

/// `o.m(args)` or `o.m` for built-in classes and point processes.
pub fn call_method(
    it: &mut Interp,
    o: &ObjRef,
    m: &str,
    args: Vec<Value>,
    _called: bool,
) -> Res<Value> {
    let a = Args::new(m, args);
    match &o.class {
        Class::Builtin(k) => match k {
            ClassKind::Vector => vector::method(it, o, m, a),
            ClassKind::List => list::method(it, o, m, a),
            ClassKind::File => file::method(it, o, m, a),
            ClassKind::StringFunctions => strfun::method(it, o, m, a),
            ClassKind::SectionRef => secref::sectionref_method(it, o, m, a),
            ClassKind::SectionList => secref::sectionlist_method(it, o, m, a),
            ClassKind::Matrix => matrix::method(it, o, m, a),
            ClassKind::Timer => match (m, &*o.data.borrow()) {
                ("start", _) => num(0.0),
                ("stop", ObjData::Timer(t)) => num(t.elapsed().as_secs_f64()),
                _ => not_member(o, m),
            },
            ClassKind::CVode => gui::cvode_method(it, o, m, a),
            ClassKind::ParallelContext => parallel::method(it, o, m, a),
            ClassKind::Random => random::method(o, m, a),
            ClassKind::NetCon => netcon::method(it, o, m, a),
            ClassKind::Gui(_) => gui::gui_method(it, o, m, a),
            ClassKind::Missing(_) => not_member(o, m),
        },
        Class::Point(_) => point::method(it, o, m, a),
        Class::Template(_) => not_member(o, m),
    }
}

/// `o.m[i]...` for built-in classes.
pub fn index_member(it: &mut Interp, o: &ObjRef, m: &str, idx: &[f64]) -> Res<Value> {
    match (&o.class, m) {
        (Class::Builtin(ClassKind::Vector), "x") => vector::get(o, idx),
        (Class::Builtin(ClassKind::Matrix), "x") => matrix::get(o, idx),
        (Class::Builtin(ClassKind::SectionRef), "child") => secref::child(it, o, idx),
        (Class::Builtin(ClassKind::NetCon), _) => netcon::get_indexed(it, o, m, idx),
        (Class::Point(_), _) => point::get_field(it, o, &crate::interp::indexed_name(m, idx)),
        _ => not_member(o, m),
    }
}

/// `o.m = v` / `o.m[i] = v` for built-in classes and point processes.
pub fn set_member(it: &mut Interp, o: &ObjRef, m: &str, idx: Option<&[f64]>, v: f64) -> Res<()> {
    match (&o.class, m, idx) {
        (Class::Builtin(ClassKind::Vector), "x", Some(idx)) => vector::set(o, idx, v),
        (Class::Builtin(ClassKind::Matrix), "x", Some(idx)) => matrix::set(o, idx, v),
        (Class::Builtin(ClassKind::NetCon), _, _) => netcon::set(it, o, m, idx, v),
        (Class::Point(_), _, _) => {
            let name = match idx {
                Some(i) => crate::interp::indexed_name(m, i),
                None => m.to_string(),
            };
            point::set_field(it, o, &name, v)
        }
        (Class::Builtin(ClassKind::SectionRef), "sec", None) => {
            err("SectionRef.sec cannot be assigned")
        }
        _ => not_member(o, m),
    }
}

/// `&o.m` / `&o.m[i]`.
pub fn member_ptr(it: &mut Interp, o: &ObjRef, m: &str, idx: Option<&[f64]>) -> Res<Ptr> {
    match (&o.class, m, idx) {
        (Class::Builtin(ClassKind::Vector), "x", Some(idx)) => {
            let i = vector::index_of(o, idx)?;
            Ok(Ptr::VecElem(o.clone(), i))
        }
        (Class::Point(_), _, _) => {
            let name = match idx {
                Some(i) => crate::interp::indexed_name(m, i),
                None => m.to_string(),
            };
            point::get_field(it, o, &name)?;
            Ok(Ptr::Point {
                obj: o.clone(),
                name: Rc::from(name.as_str()),
            })
        }
        _ => not_member(o, m),
    }
}
