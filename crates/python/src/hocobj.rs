//! `h` (the hoc top level), hoc objects, their methods, classes, arrays and pointers.

use pyo3::exceptions::{
    PyAttributeError, PyIndexError, PyLookupError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PySlice, PyTuple};
use pyo3::IntoPyObjectExt;
use rsnrn_hoc::ast::{Expr, ExprKind, Sym};
use rsnrn_hoc::interp::{Builtin, Resolved};
use rsnrn_hoc::value::{
    Class, ClassKind, ModelVar, ObjData, ObjRef, Ptr, ScopeRef, SecId, Slot, Value, VecData,
};
use rsnrn_hoc::Interp;

use crate::convert::{from_py, to_py};
use crate::section::{all_sections, new_section, Section, Segment};
use crate::{arg_exprs, eval_with, ex, hoc_err, run_hoc, with_it};

/// What a name of a scope is, seen from Python.
enum View {
    Value(Value),
    /// A number Python sees as int (`h.secondorder`).
    Int(i64),
    Array(ScopeRef, u32, Sym),
    Method(Target),
    Class(String),
}

/// Classifies declared name `sym` of `scope` (`obj` for a template instance's methods).
fn slot_view(it: &mut Interp, scope: &ScopeRef, slot: u32, sym: Sym) -> PyResult<View> {
    enum K {
        Scalar,
        Array,
        Proc,
        Template,
    }
    let k = it.with_scope(scope, |s| match &s.slots[slot as usize] {
        Slot::Num { dims, .. }
        | Slot::Str { dims, .. }
        | Slot::Obj { dims, .. }
        | Slot::Sec { dims, .. } => {
            if dims.is_empty() {
                K::Scalar
            } else {
                K::Array
            }
        }
        Slot::Proc(_) => K::Proc,
        Slot::Template(_) => K::Template,
    });
    let name = it.name(sym).to_string();
    Ok(match k {
        K::Scalar => View::Value(it.slot_value(scope, slot, sym, &[]).map_err(hoc_err)?),
        K::Array => View::Array(scope.clone(), slot, sym),
        K::Proc => View::Method(Target::Top(name)),
        K::Template => View::Class(name),
    })
}

fn view_to_py(py: Python<'_>, it_name: &str, owner: String, v: View) -> PyResult<PyObject> {
    match v {
        View::Value(v) => to_py(py, v),
        View::Int(n) => n.into_py_any(py),
        View::Array(scope, slot, sym) => HocArray {
            scope,
            slot,
            sym,
            name: format!("{owner}{it_name}"),
            prefix: Vec::new(),
        }
        .into_py_any(py),
        View::Method(t) => HocMethod { target: t }.into_py_any(py),
        View::Class(name) => HocClass { name }.into_py_any(py),
    }
}

/// `h`: the hoc top level.
#[pyclass(unsendable, module = "rsneuron")]
pub struct HocTop {}

#[pymethods]
impl HocTop {
    /// `h("hoc statements")`: True, or False after printing the hoc error on stderr.
    fn __call__(&self, py: Python<'_>, code: &str) -> PyResult<bool> {
        with_it(py, |it| run_hoc(it, code))
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<PyObject> {
        match name {
            "Section" => return Ok(wrap_pyfunction!(new_section, py)?.into_any().unbind()),
            "allsec" => return Ok(wrap_pyfunction!(allsec, py)?.into_any().unbind()),
            "cas" => {
                return HocMethod {
                    target: Target::Top("cas".to_string()),
                }
                .into_py_any(py)
            }
            "ref" => {
                return Ok(wrap_pyfunction!(crate::pyref::make_ref, py)?
                    .into_any()
                    .unbind())
            }
            "setpointer" => {
                return Ok(wrap_pyfunction!(crate::setpointer, py)?.into_any().unbind())
            }
            "load_mechanisms" => {
                return Ok(wrap_pyfunction!(crate::load_mechanisms, py)?
                    .into_any()
                    .unbind())
            }
            _ => {}
        }
        if let Some(var) = name.strip_prefix("_ref_") {
            let ptr = with_it(py, |it| {
                let sym = it.names.intern(var);
                if matches!(it.lookup(sym), Resolved::Undefined) {
                    return Err(PyAttributeError::new_err(format!(
                        "'hoc.HocObject' object has no attribute '{name}'"
                    )));
                }
                it.make_ptr(&ex(ExprKind::Name(sym))).map_err(hoc_err)
            })?;
            return Pointer { ptr }.into_py_any(py);
        }
        let view = with_it(py, |it| {
            let sym = it.names.intern(name);
            match it.lookup(sym) {
                Resolved::Slot(scope, slot) => slot_view(it, &scope, slot, sym),
                Resolved::Method(..) => Ok(View::Method(Target::Top(name.to_string()))),
                Resolved::Builtin(Builtin::Func(_)) => {
                    Ok(View::Method(Target::Top(name.to_string())))
                }
                Resolved::Builtin(Builtin::Class(_) | Builtin::Point(_)) => {
                    Ok(View::Class(name.to_string()))
                }
                Resolved::Builtin(Builtin::Mech) | Resolved::Undefined => {
                    Err(PyAttributeError::new_err(format!(
                        "'hoc.HocObject' object has no attribute '{name}'"
                    )))
                }
                Resolved::Builtin(Builtin::Model(ModelVar::SecondOrder)) => {
                    Ok(View::Int(it.model_var(ModelVar::SecondOrder) as i64))
                }
                Resolved::Builtin(_) => Ok(View::Value(eval_with(
                    it,
                    vec![],
                    None,
                    &ex(ExprKind::Name(sym)),
                )?)),
            }
        })?;
        view_to_py(py, name, String::new(), view)
    }

    fn __setattr__(&self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let v = from_py(value)?;
        with_it(py, |it| {
            let sym = it.names.intern(name);
            let resolved = it.lookup(sym);
            match &resolved {
                Resolved::Undefined => {
                    return Err(PyLookupError::new_err(format!(
                        "'{name}' is not a defined hoc variable name"
                    )))
                }
                Resolved::Slot(scope, slot) => {
                    let bad = it.with_scope(scope, |s| match (&s.slots[*slot as usize], &v) {
                        (Slot::Num { .. }, Value::Num(_)) => false,
                        (Slot::Num { .. }, _) => true,
                        (Slot::Str { .. }, Value::Str(_)) => false,
                        (Slot::Str { .. }, _) => true,
                        _ => false,
                    });
                    if bad {
                        return Err(PyTypeError::new_err(format!(
                            "{name}: wrong type ({}) for this hoc variable",
                            v.type_name()
                        )));
                    }
                }
                Resolved::Builtin(_) if !matches!(v, Value::Num(_)) => {
                    return Err(PyTypeError::new_err(format!("{name} must be a number")));
                }
                _ => {}
            }
            let lhs = ex(ExprKind::Name(sym));
            set_through_frame(it, v, None, &lhs)
        })
    }

    fn __dir__(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        with_it(py, |it| {
            let mut names: Vec<String> = it
                .top
                .names
                .keys()
                .chain(it.builtins.keys())
                .map(|s| it.name(*s).to_string())
                .collect();
            names.sort();
            names.dedup();
            Ok(names)
        })
    }
}

/// `lhs = $1` with `v` as `$1`.
fn set_through_frame(it: &mut Interp, v: Value, obj: Option<ObjRef>, lhs: &Expr) -> PyResult<()> {
    let mut args = vec![v];
    if let Some(o) = obj {
        args.push(Value::Obj(Some(o)));
    }
    let e = ex(ExprKind::Assign(
        rsnrn_hoc::ast::AssignOp::Set,
        Box::new(lhs.clone()),
        Box::new(ex(ExprKind::Arg(1))),
    ));
    eval_with(it, args, None, &e).map(|_| ())
}

/// `h.allsec()`: every section, in creation order.
#[pyfunction]
fn allsec(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    all_sections(py)
}

/// What a callable calls.
#[derive(Clone)]
pub(crate) enum Target {
    /// A top-level function, procedure or built-in.
    Top(String),
    /// A method of an object.
    Obj(ObjRef, String),
    /// A built-in with this section accessed (`sec.n3d()`).
    Sec(SecId, String),
    /// A built-in of x with this section accessed (`seg.area()`).
    Seg(SecId, f64, String),
}

/// Section and arguments of a call: `sec=` and a segment as the first argument.
fn call_args(
    args: &Bound<'_, PyTuple>,
    kwargs: Option<&Bound<'_, PyDict>>,
) -> PyResult<(Vec<Value>, Option<SecId>)> {
    let mut sec = None;
    if let Some(kw) = kwargs {
        for (k, v) in kw.iter() {
            let k: String = k.extract()?;
            if k != "sec" {
                return Err(PyTypeError::new_err(format!(
                    "unexpected keyword argument '{k}'"
                )));
            }
            if let Ok(s) = v.downcast::<Section>() {
                sec = Some(s.borrow().checked()?);
            } else if let Ok(s) = v.downcast::<Segment>() {
                sec = Some(s.borrow().id);
            } else {
                return Err(PyTypeError::new_err("sec= needs a Section"));
            }
        }
    }
    let mut vals = Vec::with_capacity(args.len());
    for a in args.iter() {
        // A segment stands for its x, with its section accessed (`h.IClamp(seg)`,
        // `h.distance(0, seg)`, `h.area(seg)`).
        if let Ok(seg) = a.downcast::<Segment>() {
            let seg = seg.borrow();
            if sec.is_some_and(|s| s != seg.id) {
                return Err(PyTypeError::new_err(
                    "segments of two sections (or a segment and sec=) in one call",
                ));
            }
            sec = Some(seg.id);
            vals.push(Value::Num(seg.x));
            continue;
        }
        vals.push(from_py(&a)?);
    }
    Ok((vals, sec))
}

/// Python's type for some results NEURON returns as int or bool.
fn typed_result(py: Python<'_>, name: &str, v: Value) -> PyResult<PyObject> {
    match (name, &v) {
        (
            "size" | "max_ind" | "min_ind" | "indwhere" | "buffer_size" | "printf" | "n3d"
            | "count" | "index" | "unique",
            Value::Num(n),
        ) => (*n as i64).into_py_any(py),
        ("nchild", Value::Num(n)) => (*n as i64).into_py_any(py),
        (
            "contains" | "has_parent" | "has_trueparent" | "exists" | "is_cas" | "active" | "valid",
            Value::Num(n),
        ) => (*n != 0.0).into_py_any(py),
        _ => to_py(py, v),
    }
}

/// A hoc function or method, callable from Python.
#[pyclass(unsendable, module = "rsneuron")]
pub struct HocMethod {
    pub(crate) target: Target,
}

#[pymethods]
impl HocMethod {
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyObject> {
        if let Target::Top(name) = &self.target {
            match name.as_str() {
                "distance" if args.len() == 2 => {
                    let a = args.get_item(0)?;
                    let b = args.get_item(1)?;
                    if let (Ok(a), Ok(b)) = (a.downcast::<Segment>(), b.downcast::<Segment>()) {
                        let (a, b) = (a.borrow(), b.borrow());
                        let d = with_it(py, |it| {
                            if it.root_of(a.id) != it.root_of(b.id) {
                                // NEURON's value for sections in different trees
                                return Ok(1e20);
                            }
                            it.distance_between((a.id, a.x), (b.id, b.x))
                                .map_err(hoc_err)
                        })?;
                        return d.into_py_any(py);
                    }
                }
                "cas" if args.is_empty() => {
                    let s = with_it(py, |it| it.cas().map_err(hoc_err))?;
                    return Ok(crate::section::section_object(py, s)?.into_any().unbind());
                }
                _ => {}
            }
        }
        let (mut vals, mut sec) = call_args(args, kwargs)?;
        let target = self.target.clone();
        // A List holds a Python section as a Python object (as NEURON's PythonObject).
        if let Target::Obj(o, m) = &target {
            if matches!(o.class, Class::Builtin(ClassKind::List)) && m == "append" {
                if let (Some(Value::Sec(_)), Ok(a)) = (vals.first(), args.get_item(0)) {
                    vals[0] = crate::callbacks::wrap(&a);
                }
            }
        }
        // SectionList methods take the section as hoc's currently accessed one:
        // `sl.append(sec)` is `sl.append(sec=sec)`.
        if let Target::Obj(o, _) = &target {
            if matches!(o.class, Class::Builtin(ClassKind::SectionList)) && sec.is_none() {
                if let [Value::Sec(s)] = vals.as_slice() {
                    sec = Some(*s);
                    vals.clear();
                }
            }
        }
        let (name, v) = with_it(py, |it| {
            let n = vals.len();
            Ok(match &target {
                Target::Top(name) => {
                    let sym = it.names.intern(name);
                    let e = ex(ExprKind::Call(
                        Box::new(ex(ExprKind::Name(sym))),
                        arg_exprs(1, n),
                    ));
                    (name.clone(), eval_with(it, vals, sec, &e)?)
                }
                Target::Obj(o, name) => {
                    let sym = it.names.intern(name);
                    vals.insert(0, Value::Obj(Some(o.clone())));
                    let base = ex(ExprKind::Member(Box::new(ex(ExprKind::Arg(1))), sym));
                    let e = ex(ExprKind::Call(Box::new(base), arg_exprs(2, n)));
                    let v = eval_with(it, vals, sec, &e).map_err(|e| {
                        let msg = e.to_string();
                        if msg.contains("not a public member") {
                            let msg = msg.strip_prefix("RuntimeError: ").unwrap_or(&msg);
                            PyAttributeError::new_err(msg.to_string())
                        } else {
                            e
                        }
                    })?;
                    (name.clone(), v)
                }
                Target::Sec(s, name) => {
                    let sym = it.names.intern(name);
                    let e = ex(ExprKind::Call(
                        Box::new(ex(ExprKind::Name(sym))),
                        arg_exprs(1, n),
                    ));
                    // NEURON raises a plain Exception for errors of section methods
                    // (`sec.x3d(10)`).
                    let v = eval_with(it, vals, Some(*s), &e).map_err(|e| {
                        let msg = e.to_string();
                        let msg = msg.strip_prefix("RuntimeError: ").unwrap_or(&msg);
                        pyo3::exceptions::PyException::new_err(msg.to_string())
                    })?;
                    (name.clone(), v)
                }
                Target::Seg(s, x, name) => {
                    let sym = it.names.intern(name);
                    let e = ex(ExprKind::Call(
                        Box::new(ex(ExprKind::Name(sym))),
                        arg_exprs(1, 1),
                    ));
                    (
                        name.clone(),
                        eval_with(it, vec![Value::Num(*x)], Some(*s), &e)?,
                    )
                }
            })
        })?;
        // hoc's n3d() is a number; the section method gives an int.
        if matches!(self.target, Target::Top(_)) && name == "n3d" {
            return to_py(py, v);
        }
        typed_result(py, &name, v)
    }

    fn __repr__(&self) -> String {
        match &self.target {
            Target::Top(n) | Target::Sec(_, n) | Target::Seg(_, _, n) => {
                format!("<hoc function {n}>")
            }
            Target::Obj(o, n) => format!("<hoc method {}.{n}>", o.name()),
        }
    }
}

/// A hoc class (built-in, point process or template): calling it makes an instance.
#[pyclass(unsendable, module = "rsneuron")]
pub struct HocClass {
    name: String,
}

/// The numbers of a Python iterable (list, tuple, range, generator, numpy array).
fn numbers_of(v: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    let mut out = Vec::new();
    for item in v.try_iter()? {
        let item = item?;
        out.push(
            item.extract::<f64>()
                .map_err(|_| PyRuntimeError::new_err("Vector: every element must be a number"))?,
        );
    }
    Ok(out)
}

pub(crate) fn new_vector(it: &mut Interp, data: Vec<f64>) -> ObjRef {
    it.reg.new_object(
        Class::Builtin(ClassKind::Vector),
        ObjData::Vector(VecData { data, rec: None }),
    )
}

#[pymethods]
impl HocClass {
    /// Makes an instance: `h.Vector(...)`, `h.IClamp(seg)`, `h.Cell(...)`.
    #[pyo3(signature = (*args, **kwargs))]
    fn __call__(
        &self,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyObject> {
        let obj = self.instantiate(args, kwargs)?;
        HocObject { obj }.into_py_any(args.py())
    }

    fn __repr__(&self) -> String {
        format!("<hoc class {}>", self.name)
    }

    fn __str__(&self) -> String {
        self.name.clone()
    }
}

impl HocClass {
    /// The hoc object `h.<name>(*args, **kwargs)` makes; also the base of `hclass` subclasses.
    fn instantiate(
        &self,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<ObjRef> {
        let py = args.py();
        if self.name == "Vector" && args.len() == 1 {
            let a = args.get_item(0)?;
            let is_plain = a.extract::<f64>().is_ok() || a.downcast::<HocObject>().is_ok();
            if !is_plain && a.try_iter().is_ok() {
                let data = numbers_of(&a)?;
                return with_it(py, |it| Ok(new_vector(it, data)));
            }
        }
        if self.name == "SectionList" && args.len() == 1 {
            // h.SectionList([sec, ...])
            let secs = args
                .get_item(0)?
                .try_iter()?
                .map(|s| s?.downcast::<Section>()?.borrow().checked())
                .collect::<PyResult<Vec<SecId>>>()?;
            let o = with_it(py, |it| {
                let sym = it.names.intern("SectionList");
                let o = it.new_object(sym, vec![]).map_err(hoc_err)?;
                if let ObjData::SectionList(l) = &mut *o.data.borrow_mut() {
                    l.extend(secs);
                }
                Ok(o)
            })?;
            return Ok(o);
        }
        let (vals, sec) = call_args(args, kwargs)?;
        let name = self.name.clone();
        with_it(py, |it| {
            let sym = it.names.intern(&name);
            let depth = it.sec_stack.len();
            if let Some(s) = sec {
                it.push_sec(s);
            }
            let r = it.new_object(sym, vals);
            it.sec_stack.truncate(depth);
            r.map_err(hoc_err)
        })
    }
}

fn vec_data(o: &ObjRef) -> Option<Vec<f64>> {
    match &*o.data.borrow() {
        ObjData::Vector(v) => Some(v.data.clone()),
        _ => None,
    }
}

fn is_vector(o: &ObjRef) -> bool {
    matches!(o.class, Class::Builtin(ClassKind::Vector))
}

/// Index `i` (negative from the end) into a sequence of length `n`.
fn norm_index(i: isize, n: usize) -> PyResult<usize> {
    let j = if i < 0 { i + n as isize } else { i };
    if j < 0 || j as usize >= n {
        return Err(PyIndexError::new_err("index out of range"));
    }
    Ok(j as usize)
}

/// Methods of point processes that are not fields.
const POINT_METHODS: &[&str] = &["get_loc", "has_loc", "loc", "get_segment"];

/// Whether `name` is a PROCEDURE or FUNCTION of the point process's mechanism (`syn.f(x)`).
fn point_function(py: Python<'_>, o: &ObjRef, name: &str) -> bool {
    with_it(py, |it| {
        let known = rsnrn_hoc::builtins::point::pid(o).ok().and_then(|p| {
            let mech = it.model.point_mechanism(p).ok()?;
            let functions = it.model.mechanism_functions(mech).ok()?;
            Some(functions.iter().any(|f| f.name == name))
        });
        Ok(known.unwrap_or(false))
    })
    .unwrap_or(false)
}

/// A hoc object (Vector, List, a point process, a template instance, ...).
/// Python classes may derive from it: that is what `rsneuron.hclass(h.Vector)` returns.
#[pyclass(unsendable, subclass, module = "rsneuron")]
pub struct HocObject {
    pub(crate) obj: ObjRef,
}

#[pymethods]
impl HocObject {
    /// `HocObject(h.Vector, *args)`: an instance of the hoc class, as `h.Vector(*args)`. Only
    /// `hclass` subclasses call it (through their `__new__`).
    #[new]
    #[pyo3(signature = (hoc_class, *args, **kwargs))]
    fn py_new(
        hoc_class: &Bound<'_, HocClass>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let obj = hoc_class.borrow().instantiate(args, kwargs)?;
        Ok(HocObject { obj })
    }

    fn __str__(&self) -> String {
        self.obj.name()
    }

    fn __repr__(&self) -> String {
        self.obj.name()
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .downcast::<HocObject>()
            .is_ok_and(|o| std::rc::Rc::ptr_eq(&o.borrow().obj, &self.obj))
    }

    fn __hash__(&self) -> u64 {
        std::rc::Rc::as_ptr(&self.obj) as usize as u64
    }

    fn hname(&self) -> String {
        self.obj.name()
    }

    /// Python's `dir()`: for a point process its fields (with `delay` for `del`).
    fn __dir__(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        let mut names: Vec<String> = ["hname", "same"].iter().map(|s| s.to_string()).collect();
        if let Class::Point(_) = &self.obj.class {
            let o = self.obj.clone();
            let fields = with_it(py, |it| {
                let p = rsnrn_hoc::builtins::point::pid(&o).map_err(hoc_err)?;
                let mech = it.model.point_mechanism(p).unwrap_or_default().to_string();
                Ok(crate::section::visible_fields(it, &mech))
            })?;
            names.extend(
                fields
                    .into_iter()
                    .map(|f| if f == "del" { "delay".to_string() } else { f }),
            );
            names.extend(POINT_METHODS.iter().map(|s| s.to_string()));
        }
        names.sort();
        Ok(names)
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<PyObject> {
        let o = self.obj.clone();
        let cls = o.class.name().to_string();
        let no_attr =
            || PyAttributeError::new_err(format!("'{cls}' object has no attribute '{name}'"));
        if let Some(var) = name.strip_prefix("_ref_") {
            let var = if var == "delay" { "del" } else { var };
            let ptr = with_it(py, |it| {
                rsnrn_hoc::builtins::member_ptr(it, &o, var, None).map_err(|_| no_attr())
            })?;
            return Pointer { ptr }.into_py_any(py);
        }
        match &o.class {
            Class::Point(_) => {
                if name == "get_segment" {
                    return self.get_segment(py);
                }
                let noise = cls == "NetStim" && name.starts_with("noiseFromRandom");
                if POINT_METHODS.contains(&name)
                    || (name == "record" && cls == "APCount")
                    || noise
                    || point_function(py, &o, name)
                {
                    return HocMethod {
                        target: Target::Obj(o.clone(), name.to_string()),
                    }
                    .into_py_any(py);
                }
                let field = if name == "delay" { "del" } else { name };
                let array = with_it(py, |it| Ok(crate::point_array::size(it, &o, field)))?;
                if let Some(len) = array {
                    return crate::point_array::PointArray {
                        obj: o.clone(),
                        name: field.to_string(),
                        len,
                    }
                    .into_py_any(py);
                }
                let v = with_it(py, |it| {
                    match rsnrn_hoc::builtins::point::get_field(it, &o, field) {
                        Ok(v) => Ok(v),
                        Err(e) => {
                            let msg = match &e {
                                rsnrn_hoc::Flow::Error(h) => h.msg.clone(),
                                _ => String::new(),
                            };
                            if msg.contains("not located") || msg.contains("no location") {
                                Err(PyTypeError::new_err(msg))
                            } else {
                                Err(no_attr())
                            }
                        }
                    }
                })?;
                to_py(py, v)
            }
            Class::Template(t) => {
                let t = t.clone();
                let view = with_it(py, |it| {
                    let sym = it.names.intern(name);
                    if t.procs.contains_key(&sym) {
                        return Ok(View::Method(Target::Obj(o.clone(), name.to_string())));
                    }
                    let slot = match &*o.data.borrow() {
                        ObjData::Hoc(s) => s.get(sym),
                        _ => None,
                    };
                    match slot {
                        Some(slot) => {
                            let v = slot_view(it, &ScopeRef::Obj(o.clone()), slot, sym)?;
                            Ok(match v {
                                View::Method(_) => {
                                    View::Method(Target::Obj(o.clone(), name.to_string()))
                                }
                                v => v,
                            })
                        }
                        None => Err(no_attr()),
                    }
                })?;
                view_to_py(py, name, format!("{}.", o.name()), view)
            }
            Class::Builtin(k) => {
                if let Some(r) = crate::netcon::getattr(py, &o, name) {
                    return r;
                }
                let member = matches!(
                    (k, name),
                    (
                        ClassKind::SectionRef,
                        "sec" | "parent" | "root" | "trueparent"
                    )
                );
                if member {
                    let v = with_it(py, |it| {
                        let sym = it.names.intern(name);
                        let e = ex(ExprKind::Member(Box::new(ex(ExprKind::Arg(1))), sym));
                        eval_with(it, vec![Value::Obj(Some(o.clone()))], None, &e)
                    })?;
                    return to_py(py, v);
                }
                if *k == ClassKind::SectionRef && name == "child" {
                    let secs = with_it(py, |it| {
                        let mut out = Vec::new();
                        let mut i = 0.0;
                        while let Ok(Value::Sec(s)) =
                            rsnrn_hoc::builtins::index_member(it, &o, "child", &[i])
                        {
                            out.push(s);
                            i += 1.0;
                        }
                        Ok(out)
                    })?;
                    let objs = secs
                        .into_iter()
                        .map(|s| crate::section::section_object(py, s))
                        .collect::<PyResult<Vec<_>>>()?;
                    return Ok(PyList::new(py, objs)?.into_any().unbind());
                }
                if *k == ClassKind::Vector && name == "x" {
                    return HocObject { obj: o.clone() }.into_py_any(py);
                }
                if name.starts_with("__") {
                    return Err(no_attr());
                }
                HocMethod {
                    target: Target::Obj(o.clone(), name.to_string()),
                }
                .into_py_any(py)
            }
        }
    }

    fn __setattr__(&self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let o = self.obj.clone();
        if let Some(r) = crate::netcon::setattr(py, &o, name, value) {
            return r;
        }
        let v = from_py(value)?;
        let cls = o.class.name().to_string();
        let lookup_err =
            || PyLookupError::new_err(format!("'{cls}' object has no attribute '{name}'"));
        with_it(py, |it| match &o.class {
            Class::Point(_) => {
                let field = if name == "delay" { "del" } else { name };
                if rsnrn_hoc::builtins::point::get_field(it, &o, field).is_err() {
                    return Err(lookup_err());
                }
                let Value::Num(x) = v else {
                    return Err(PyTypeError::new_err(format!("{name} must be a number")));
                };
                rsnrn_hoc::builtins::set_member(it, &o, field, None, x).map_err(hoc_err)
            }
            Class::Template(_) => {
                let sym = it.names.intern(name);
                let has = match &*o.data.borrow() {
                    ObjData::Hoc(s) => s.get(sym).is_some(),
                    _ => false,
                };
                if !has {
                    return Err(lookup_err());
                }
                let lhs = ex(ExprKind::Member(Box::new(ex(ExprKind::Arg(2))), sym));
                set_through_frame(it, v, Some(o.clone()), &lhs)
            }
            Class::Builtin(_) => Err(lookup_err()),
        })
    }

    fn __len__(&self) -> PyResult<usize> {
        match &*self.obj.data.borrow() {
            ObjData::Vector(v) => Ok(v.data.len()),
            ObjData::List(l) => Ok(l.len()),
            ObjData::SectionList(l) => Ok(l.len()),
            _ => Err(PyTypeError::new_err(format!(
                "object of type '{}' has no len()",
                self.obj.class.name()
            ))),
        }
    }

    fn __getitem__(&self, py: Python<'_>, index: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        if let Ok(slice) = index.downcast::<PySlice>() {
            let Some(data) = vec_data(&self.obj) else {
                return Err(PyTypeError::new_err("only a Vector can be sliced"));
            };
            let ind = slice.indices(data.len() as isize)?;
            let mut out = Vec::with_capacity(ind.slicelength);
            let mut i = ind.start;
            for _ in 0..ind.slicelength {
                out.push(data[i as usize]);
                i += ind.step;
            }
            let o = with_it(py, |it| Ok(new_vector(it, out)))?;
            return HocObject { obj: o }.into_py_any(py);
        }
        let i: isize = index.extract()?;
        let item = match &*self.obj.data.borrow() {
            ObjData::Vector(v) => Value::Num(v.data[norm_index(i, v.data.len())?]),
            ObjData::List(l) => Value::Obj(Some(l[norm_index(i, l.len())?].clone())),
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "'{}' object is not subscriptable",
                    self.obj.class.name()
                )))
            }
        };
        to_py(py, item)
    }

    fn __setitem__(&self, index: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut data = self.obj.data.borrow_mut();
        let ObjData::Vector(v) = &mut *data else {
            return Err(PyTypeError::new_err("only Vector elements can be assigned"));
        };
        if let Ok(slice) = index.downcast::<PySlice>() {
            let ind = slice.indices(v.data.len() as isize)?;
            let vals = numbers_of(value)?;
            if vals.len() != ind.slicelength {
                return Err(PyIndexError::new_err(
                    "slice assignment needs as many values as the slice has elements",
                ));
            }
            let mut i = ind.start;
            for x in vals {
                v.data[i as usize] = x;
                i += ind.step;
            }
            return Ok(());
        }
        let i: isize = index.extract()?;
        let x: f64 = value.extract()?;
        let j = norm_index(i, v.data.len())?;
        v.data[j] = x;
        Ok(())
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<PyObject> {
        let items: Vec<PyObject> = match &*self.obj.data.borrow() {
            ObjData::Vector(v) => v
                .data
                .iter()
                .map(|x| x.into_py_any(py))
                .collect::<PyResult<_>>()?,
            ObjData::List(l) => l
                .iter()
                .map(|o| to_py(py, Value::Obj(Some(o.clone()))))
                .collect::<PyResult<_>>()?,
            ObjData::SectionList(l) => l
                .iter()
                .map(|&s| Ok(crate::section::section_object(py, s)?.into_any().unbind()))
                .collect::<PyResult<_>>()?,
            _ => {
                return Err(PyTypeError::new_err(format!(
                    "'{}' object is not iterable",
                    self.obj.class.name()
                )))
            }
        };
        Ok(PyList::new(py, items)?.try_iter()?.into_any().unbind())
    }

    fn __float__(&self) -> PyResult<f64> {
        Err(PyTypeError::new_err(format!(
            "{} cannot be converted to a number",
            self.obj.name()
        )))
    }

    /// `np.array(vec)` (a copy).
    #[pyo3(signature = (dtype = None, copy = None))]
    fn __array__(
        &self,
        py: Python<'_>,
        dtype: Option<PyObject>,
        copy: Option<PyObject>,
    ) -> PyResult<PyObject> {
        let _ = copy;
        let data = self.vector_data()?;
        let np = py.import("numpy")?;
        let kw = PyDict::new(py);
        if let Some(d) = dtype {
            kw.set_item("dtype", d)?;
        }
        Ok(np.call_method("array", (data,), Some(&kw))?.unbind())
    }

    /// A numpy array sharing the Vector's memory, as NEURON's: valid until the Vector
    /// changes size (the array keeps the Vector alive).
    fn as_numpy(slf: &Bound<'_, Self>) -> PyResult<PyObject> {
        let py = slf.py();
        let (addr, n) = match &mut *slf.borrow().obj.data.borrow_mut() {
            ObjData::Vector(v) => (v.data.as_mut_ptr() as usize, v.data.len()),
            _ => return Err(PyTypeError::new_err("as_numpy needs a Vector")),
        };
        let np = py.import("numpy")?;
        if n == 0 {
            return Ok(np.call_method1("zeros", (0,))?.unbind());
        }
        let array_type = py
            .import("ctypes")?
            .getattr("c_double")?
            .call_method1("__mul__", (n,))?;
        let buf = array_type.call_method1("from_address", (addr,))?;
        buf.setattr("_rsneuron_vector", slf)?;
        Ok(np
            .getattr("ctypeslib")?
            .call_method1("as_array", (buf,))?
            .unbind())
    }

    /// The values as a new list, or written into `dest` (a list or numpy array of the
    /// Vector's size), which is returned.
    #[pyo3(signature = (dest = None))]
    fn to_python(&self, py: Python<'_>, dest: Option<Bound<'_, PyAny>>) -> PyResult<PyObject> {
        let data = self.vector_data()?;
        let Some(dest) = dest else {
            return Ok(PyList::new(py, data)?.into_any().unbind());
        };
        if dest.len()? != data.len() {
            return Err(PyRuntimeError::new_err(format!(
                "to_python: the destination has {} elements, {} has {}",
                dest.len()?,
                self.obj.name(),
                data.len()
            )));
        }
        for (i, x) in data.into_iter().enumerate() {
            dest.set_item(i, x)?;
        }
        Ok(dest.unbind())
    }

    /// Replaces the values with those of a Python sequence; returns the Vector.
    fn from_python(slf: &Bound<'_, Self>, src: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        let vals = numbers_of(src)?;
        let this = slf.borrow();
        match &mut *this.obj.data.borrow_mut() {
            ObjData::Vector(v) => v.data = vals,
            _ => return Err(PyTypeError::new_err("from_python needs a Vector")),
        }
        Ok(slf.clone().into_any().unbind())
    }

    /// `a.same(b)`: the same hoc object.
    fn same(&self, other: &Bound<'_, PyAny>) -> bool {
        self.__eq__(other)
    }

    fn get_segment(&self, py: Python<'_>) -> PyResult<PyObject> {
        let o = self.obj.clone();
        let (sec, x) = with_it(py, |it| {
            let get = rsnrn_hoc::builtins::call_method(it, &o, "get_loc", vec![], true);
            // Without a location (artificial cells) NEURON has no get_segment at all.
            let get = get.map_err(|_| {
                PyAttributeError::new_err(format!(
                    "'{}' object has no attribute 'get_segment'",
                    o.class.name()
                ))
            });
            let x = match get? {
                Value::Num(x) => x,
                _ => return Err(PyRuntimeError::new_err("get_loc gave no location")),
            };
            let s = it.cas().map_err(hoc_err)?;
            it.pop_sec();
            Ok((s, x))
        })?;
        let sec_obj = crate::section::section_object(py, sec)?;
        Segment {
            sec: sec_obj.unbind(),
            id: sec,
            x,
        }
        .into_py_any(py)
    }

    fn __add__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        self.arith(py, other, |a, b| a + b, false)
    }
    fn __radd__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        self.arith(py, other, |a, b| a + b, true)
    }
    fn __sub__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        self.arith(py, other, |a, b| a - b, false)
    }
    fn __rsub__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        self.arith(py, other, |a, b| a - b, true)
    }
    fn __mul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        self.arith(py, other, |a, b| a * b, false)
    }
    fn __rmul__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        self.arith(py, other, |a, b| a * b, true)
    }
    fn __truediv__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        self.arith(py, other, |a, b| a / b, false)
    }
    fn __rtruediv__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<PyObject> {
        self.arith(py, other, |a, b| a / b, true)
    }
    fn __neg__(&self, py: Python<'_>) -> PyResult<PyObject> {
        let data: Vec<f64> = self.vector_data()?.iter().map(|x| -x).collect();
        let o = with_it(py, |it| Ok(new_vector(it, data)))?;
        HocObject { obj: o }.into_py_any(py)
    }
}

impl HocObject {
    fn vector_data(&self) -> PyResult<Vec<f64>> {
        vec_data(&self.obj)
            .ok_or_else(|| PyTypeError::new_err(format!("{} is not a Vector", self.obj.name())))
    }

    /// `v op w` / `v op x` (`reflected`: `x op v`) as a new Vector.
    fn arith(
        &self,
        py: Python<'_>,
        other: &Bound<'_, PyAny>,
        f: fn(f64, f64) -> f64,
        reflected: bool,
    ) -> PyResult<PyObject> {
        if !is_vector(&self.obj) {
            return Ok(py.NotImplemented());
        }
        let a = self.vector_data()?;
        let b: Vec<f64> = if let Ok(o) = other.downcast::<HocObject>() {
            let b = o.borrow().vector_data()?;
            if b.len() != a.len() {
                return Err(PyValueError::new_err("Vectors of different sizes"));
            }
            b
        } else if let Ok(x) = other.extract::<f64>() {
            vec![x; a.len()]
        } else {
            return Ok(py.NotImplemented());
        };
        let data: Vec<f64> = a
            .iter()
            .zip(&b)
            .map(|(&x, &y)| if reflected { f(y, x) } else { f(x, y) })
            .collect();
        let o = with_it(py, |it| Ok(new_vector(it, data)))?;
        HocObject { obj: o }.into_py_any(py)
    }
}

/// A hoc array (`double x[3]`, a template's `dend[5]`): indexing, `len()`, iteration.
#[pyclass(unsendable, module = "rsneuron")]
pub struct HocArray {
    scope: ScopeRef,
    slot: u32,
    sym: Sym,
    name: String,
    /// Subscripts already given (`m[1]` of `double m[2][3]`).
    prefix: Vec<usize>,
}

impl HocArray {
    fn dims(&self, it: &Interp) -> Vec<usize> {
        it.with_scope(&self.scope, |s| match &s.slots[self.slot as usize] {
            Slot::Num { dims, .. }
            | Slot::Str { dims, .. }
            | Slot::Obj { dims, .. }
            | Slot::Sec { dims, .. } => dims.clone(),
            _ => Vec::new(),
        })
    }

    fn len_in(&self, it: &Interp) -> usize {
        self.dims(it).get(self.prefix.len()).copied().unwrap_or(0)
    }

    /// Flat index of element `j` of this (sub)array, if it is a last-level element.
    fn flat(&self, it: &Interp, j: usize) -> Option<usize> {
        let dims = self.dims(it);
        if self.prefix.len() + 1 != dims.len() {
            return None;
        }
        let mut flat = 0;
        for (k, &d) in dims.iter().enumerate() {
            let i = if k < self.prefix.len() {
                self.prefix[k]
            } else {
                j
            };
            flat = flat * d + i;
        }
        Some(flat)
    }
}

#[pymethods]
impl HocArray {
    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        with_it(py, |it| Ok(self.len_in(it)))
    }

    fn __str__(&self) -> String {
        let given: String = self.prefix.iter().map(|i| format!("[{i}]")).collect();
        format!("{}{given}[?]", self.name)
    }

    fn __repr__(&self) -> String {
        self.__str__()
    }

    fn __getitem__(&self, py: Python<'_>, i: isize) -> PyResult<PyObject> {
        enum Got {
            Value(Value),
            Sub(usize),
        }
        let got = with_it(py, |it| {
            let j = norm_index(i, self.len_in(it))?;
            if self.flat(it, j).is_none() {
                return Ok(Got::Sub(j));
            }
            let subs: Vec<f64> = self
                .prefix
                .iter()
                .map(|&k| k as f64)
                .chain([j as f64])
                .collect();
            it.slot_value(&self.scope, self.slot, self.sym, &subs)
                .map(Got::Value)
                .map_err(|e| PyIndexError::new_err(hoc_err(e).to_string()))
        })?;
        match got {
            Got::Value(v) => to_py(py, v),
            Got::Sub(j) => {
                let mut prefix = self.prefix.clone();
                prefix.push(j);
                HocArray {
                    scope: self.scope.clone(),
                    slot: self.slot,
                    sym: self.sym,
                    name: self.name.clone(),
                    prefix,
                }
                .into_py_any(py)
            }
        }
    }

    fn __setitem__(&self, py: Python<'_>, i: isize, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let v = from_py(value)?;
        with_it(py, |it| {
            let j = norm_index(i, self.len_in(it))?;
            let Some(flat) = self.flat(it, j) else {
                return Err(PyTypeError::new_err(format!(
                    "{} needs more subscripts",
                    self.__str__()
                )));
            };
            it.with_scope_mut(&self.scope, |s| {
                match (&mut s.slots[self.slot as usize], v) {
                    (Slot::Num { data, .. }, Value::Num(x)) => {
                        data[flat] = x;
                        Ok(())
                    }
                    (Slot::Obj { data, .. }, Value::Obj(o)) => {
                        data[flat] = o;
                        Ok(())
                    }
                    (Slot::Str { data, .. }, Value::Str(x)) => {
                        let x = x.borrow().clone();
                        *data[flat].borrow_mut() = x;
                        Ok(())
                    }
                    (_, v) => Err(PyTypeError::new_err(format!(
                        "cannot assign {} to an element of {}",
                        v.type_name(),
                        self.__str__()
                    ))),
                }
            })
        })
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<PyObject> {
        let n = with_it(py, |it| Ok(self.len_in(it)))?;
        let items = (0..n as isize)
            .map(|i| self.__getitem__(py, i))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.try_iter()?.into_any().unbind())
    }
}

/// A `_ref_` pointer: `p[0]` reads and writes the variable.
#[pyclass(unsendable, module = "rsneuron")]
pub struct Pointer {
    pub(crate) ptr: Ptr,
}

#[pymethods]
impl Pointer {
    fn __getitem__(&self, py: Python<'_>, i: isize) -> PyResult<f64> {
        if i != 0 {
            return Err(PyIndexError::new_err("a scalar pointer has only index 0"));
        }
        with_it(py, |it| it.read_ptr(&self.ptr).map_err(hoc_err))
    }

    fn __setitem__(&self, py: Python<'_>, i: isize, v: f64) -> PyResult<()> {
        if i != 0 {
            return Err(PyIndexError::new_err("a scalar pointer has only index 0"));
        }
        with_it(py, |it| it.write_ptr(&self.ptr, v).map_err(hoc_err))
    }

    fn __repr__(&self) -> String {
        match &self.ptr {
            Ptr::Model(ModelVar::T) => "<pointer to hoc scalar t>".into(),
            Ptr::Range { name, x, .. } => format!("<pointer to {name}({x})>"),
            _ => "<hoc pointer>".into(),
        }
    }
}
