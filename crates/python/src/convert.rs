//! Values between hoc and Python.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};
use pyo3::IntoPyObjectExt;
use rsnrn_hoc::value::{new_str, Value};

use crate::hocobj::{HocObject, Pointer};
use crate::section::{section_object, Section, Segment};

/// A hoc value as a Python object (numbers are floats, as in NEURON).
pub(crate) fn to_py(py: Python<'_>, v: Value) -> PyResult<PyObject> {
    match v {
        Value::Num(n) => n.into_py_any(py),
        Value::Str(s) => {
            let s = s.borrow().clone();
            s.into_py_any(py)
        }
        Value::Obj(None) | Value::ObjCell(_, None) => Ok(py.None()),
        Value::Obj(Some(o)) | Value::ObjCell(_, Some(o)) => {
            match crate::callbacks::unwrap(py, &o) {
                Some(p) => Ok(p),
                None => HocObject { obj: o }.into_py_any(py),
            }
        }
        Value::Sec(s) => Ok(section_object(py, s)?.into_any().unbind()),
        Value::Ptr(p) => Pointer { ptr: p }.into_py_any(py),
        Value::Void => 0.0f64.into_py_any(py),
    }
}

/// A Python argument as a hoc value.
pub(crate) fn from_py(v: &Bound<'_, PyAny>) -> PyResult<Value> {
    if v.is_none() {
        return Ok(Value::Obj(None));
    }
    if v.is_instance_of::<PyBool>() || v.is_instance_of::<PyFloat>() || v.is_instance_of::<PyInt>()
    {
        return Ok(Value::Num(v.extract::<f64>()?));
    }
    if let Ok(s) = v.downcast::<PyString>() {
        return Ok(Value::Str(new_str(s.extract::<String>()?)));
    }
    if let Ok(o) = v.downcast::<HocObject>() {
        return Ok(Value::Obj(Some(o.borrow().obj.clone())));
    }
    if let Ok(s) = v.downcast::<Section>() {
        return Ok(Value::Sec(s.borrow().checked()?));
    }
    if let Ok(r) = v.downcast::<crate::pyref::HocRef>() {
        return Ok(r.borrow().value());
    }
    if let Ok(p) = v.downcast::<Pointer>() {
        return Ok(Value::Ptr(p.borrow().ptr.clone()));
    }
    if v.downcast::<Segment>().is_ok() {
        return Err(PyTypeError::new_err(
            "a segment cannot be passed to hoc here; pass its x with sec=",
        ));
    }
    // numpy scalars and other numbers
    if !v.is_callable() {
        if let Ok(x) = v.extract::<f64>() {
            return Ok(Value::Num(x));
        }
    }
    // Anything else (functions, lists, ...) is a PythonObject in hoc.
    Ok(crate::callbacks::wrap(v))
}
