//! Python objects inside hoc, and hoc calling Python back.
//!
//! A Python object hoc has no type for (a function, a list, ...) becomes a hoc object of class
//! `PythonObject` that holds it; it comes back to Python as the same object. When hoc calls one
//! (an FInitializeHandler, a `cvode.event` action) the interpreter is in the middle of a call
//! made through [`crate::with_it`], so the callback's own uses of `h` must reach the same
//! interpreter: [`host_call`] leaves a pointer to it in [`NESTED`] while Python runs, and
//! `with_it` uses that instead of the (borrowed) thread-local cell.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use pyo3::prelude::*;
use pyo3::types::PyTuple;
use rsnrn_hoc::builtins::simhooks::{HostHooks, HostUse};
use rsnrn_hoc::error::{err, Res};
use rsnrn_hoc::interp::Output;
use rsnrn_hoc::value::{Class, ClassKind, ObjData, ObjRef, Object, Value};
use rsnrn_hoc::Interp;

use crate::convert::{from_py, to_py};

thread_local! {
    /// The interpreter that is calling Python right now (null when none is).
    pub(crate) static NESTED: Cell<*mut Interp> = const { Cell::new(std::ptr::null_mut()) };
    /// How many PythonObjects were made (their instance numbers).
    static COUNT: RefCell<usize> = const { RefCell::new(0) };
}

/// `obj` as a hoc `PythonObject`.
pub(crate) fn wrap(obj: &Bound<'_, PyAny>) -> Value {
    let index = COUNT.with(|c| {
        let mut c = c.borrow_mut();
        *c += 1;
        *c - 1
    });
    let data = ObjData::Host(Box::new(obj.clone().unbind()));
    Value::Obj(Some(Rc::new(Object {
        class: Class::Builtin(ClassKind::PythonObject),
        index,
        data: RefCell::new(data),
        on_free: None,
    })))
}

/// The Python object a hoc `PythonObject` holds.
pub(crate) fn unwrap(py: Python<'_>, o: &ObjRef) -> Option<PyObject> {
    match &*o.data.borrow() {
        ObjData::Host(b) => b.downcast_ref::<PyObject>().map(|p| p.clone_ref(py)),
        _ => None,
    }
}

/// Writes what hoc printed so far to `sys.stdout` (so it comes before the callback's output).
pub(crate) fn flush_to_python(py: Python<'_>, it: &mut Interp) -> PyResult<()> {
    let out = match &mut it.out {
        Output::Buffer(b) => std::mem::take(b),
        Output::Stdout(_) => return Ok(()),
    };
    if !out.is_empty() {
        let text = String::from_utf8_lossy(&out);
        py.import("sys")?
            .getattr("stdout")?
            .call_method1("write", (text,))?;
    }
    Ok(())
}

/// The hooks rsnrn-hoc uses for Python objects.
pub(crate) const HOOKS: HostHooks = HostHooks {
    access: host_access,
    exec: host_exec,
    main: host_main,
};

/// Runs `f` with the interpreter reachable from Python (for the callback's own uses of `h`)
/// after writing out what hoc printed so far.
fn with_python<R>(it: &mut Interp, f: impl FnOnce(Python<'_>) -> Res<R>) -> Res<R> {
    Python::with_gil(|py| {
        if let Err(e) = flush_to_python(py, it) {
            return err(format!("writing hoc's output: {e}"));
        }
        let previous = NESTED.with(|n| n.replace(it as *mut Interp));
        let r = f(py);
        NESTED.with(|n| n.set(previous));
        r
    })
}

/// A Python exception as a hoc error (Python prints the traceback, as NEURON does).
fn py_failed(py: Python<'_>, e: PyErr) -> rsnrn_hoc::Flow {
    let text = e.to_string();
    e.print(py);
    match err::<()>(format!("Python callback failed: {text}")) {
        Err(f) => f,
        Ok(()) => unreachable!("err gives an error"),
    }
}

fn to_hoc(v: &Bound<'_, PyAny>) -> Res<Value> {
    if v.is_none() {
        return Ok(Value::Num(0.0));
    }
    if let Ok(b) = v.downcast::<pyo3::types::PyBool>() {
        return Ok(Value::Num(if b.is_true() { 1.0 } else { 0.0 }));
    }
    from_py(v).or_else(|e| err(e.to_string()))
}

fn args_to_py(py: Python<'_>, args: Vec<Value>) -> Res<Bound<'_, PyTuple>> {
    let mut out = Vec::with_capacity(args.len());
    for a in args {
        match to_py(py, a) {
            Ok(v) => out.push(v),
            Err(e) => return err(e.to_string()),
        }
    }
    PyTuple::new(py, out).or_else(|e| err(e.to_string()))
}

/// [`HostHooks::access`]: calls Python object `o`, reads or calls an attribute, or indexes it.
fn host_access(it: &mut Interp, o: &ObjRef, how: HostUse) -> Res<Value> {
    with_python(it, |py| {
        let Some(obj) = unwrap(py, o) else {
            return err(format!("{} is not a Python object", o.name()));
        };
        let obj = obj.bind(py);
        let r = match how {
            HostUse::Call(args) => obj.call1(args_to_py(py, args)?),
            HostUse::Get(name) => obj.getattr(name),
            HostUse::Method(name, args) => {
                let args = args_to_py(py, args)?;
                obj.getattr(name).and_then(|m| m.call1(args))
            }
            HostUse::Index(name, idx) => {
                let base = if name == "_" {
                    Ok(obj.clone())
                } else {
                    obj.getattr(name)
                };
                base.and_then(|b| idx.iter().try_fold(b, |b, &i| b.get_item(i as i64)))
            }
        };
        match r {
            Ok(v) => to_hoc(&v),
            Err(e) => Err(py_failed(py, e)),
        }
    })
}

/// [`HostHooks::exec`]: `nrnpython("code")` in `__main__`.
fn host_exec(it: &mut Interp, code: &str) -> Res<bool> {
    with_python(it, |py| {
        let code = match std::ffi::CString::new(code) {
            Ok(c) => c,
            Err(_) => return err("nrnpython: the code contains a NUL character"),
        };
        let main = py.import("__main__").or_else(|e| err(e.to_string()))?;
        let globals = main.dict();
        match py.run(&code, Some(&globals), None) {
            Ok(()) => Ok(true),
            Err(e) => {
                e.print(py);
                Ok(false)
            }
        }
    })
}

/// [`HostHooks::main`]: `new PythonObject()` is Python's `__main__` module.
fn host_main(it: &mut Interp) -> Res<ObjRef> {
    with_python(it, |py| {
        let main = py.import("__main__").or_else(|e| err(e.to_string()))?;
        match wrap(main.as_any()) {
            Value::Obj(Some(o)) => Ok(o),
            _ => err("PythonObject: could not wrap __main__"),
        }
    })
}
