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

/// [`rsnrn_hoc::builtins::simhooks::HostCall`]: calls the Python object `o` with `args`.
/// A Python exception becomes a hoc error with its text (it stops the simulation call, which
/// then raises RuntimeError in Python).
pub(crate) fn host_call(it: &mut Interp, o: &ObjRef, args: Vec<Value>) -> Res<Value> {
    Python::with_gil(|py| {
        let Some(callable) = unwrap(py, o) else {
            return err(format!("{} is not a Python object", o.name()));
        };
        if let Err(e) = flush_to_python(py, it) {
            return err(format!("writing hoc's output: {e}"));
        }
        let mut pyargs = Vec::with_capacity(args.len());
        for a in args {
            match to_py(py, a) {
                Ok(v) => pyargs.push(v),
                Err(e) => return err(e.to_string()),
            }
        }
        let previous = NESTED.with(|n| n.replace(it as *mut Interp));
        let result = PyTuple::new(py, pyargs).and_then(|t| callable.call1(py, t));
        NESTED.with(|n| n.set(previous));
        match result {
            Ok(v) => {
                let v = v.bind(py);
                if v.is_none() {
                    Ok(Value::Num(0.0))
                } else {
                    from_py(v).or_else(|e| err(e.to_string()))
                }
            }
            Err(e) => {
                let text = e.to_string();
                // Python shows the traceback as NEURON does; hoc gets the message.
                e.print(py);
                err(format!("Python callback failed: {text}"))
            }
        }
    })
}
