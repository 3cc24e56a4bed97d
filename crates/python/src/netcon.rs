//! NetCon's Python attributes: `weight` (a sequence: `nc.weight[0] = w`), `delay` and
//! `threshold` (numbers), and `preseg()` / `postseg()` (the segments of the source voltage
//! and of the target, or None).

use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;
use rsnrn_hoc::builtins::{call_method, index_member, set_member};
use rsnrn_hoc::value::{ClassKind, ObjRef, Value};
use rsnrn_hoc::Interp;
use rsnrn_runtime::NetConSource;

use crate::section::{section_object, Segment};
use crate::{hoc_err, with_it};

fn is_netcon(o: &ObjRef) -> bool {
    matches!(o.class, rsnrn_hoc::value::Class::Builtin(ClassKind::NetCon))
}

fn number(it: &mut Interp, o: &ObjRef, name: &str) -> PyResult<f64> {
    match call_method(it, o, name, vec![], false).map_err(hoc_err)? {
        Value::Num(x) => Ok(x),
        _ => Err(PyTypeError::new_err(format!(
            "NetCon.{name} is not a number"
        ))),
    }
}

/// `nc.name` for the attributes NetCon has in Python (None: not one of them).
pub(crate) fn getattr(py: Python<'_>, o: &ObjRef, name: &str) -> Option<PyResult<PyObject>> {
    if !is_netcon(o) {
        return None;
    }
    Some(match name {
        "weight" => NetConWeight { obj: o.clone() }.into_py_any(py),
        "delay" | "threshold" => {
            with_it(py, |it| number(it, o, name)).and_then(|x| x.into_py_any(py))
        }
        "preseg" | "postseg" => NetConSegment {
            obj: o.clone(),
            post: name == "postseg",
        }
        .into_py_any(py),
        _ => return None,
    })
}

/// `nc.name = value` (None: not a NetCon attribute).
pub(crate) fn setattr(
    py: Python<'_>,
    o: &ObjRef,
    name: &str,
    value: &Bound<'_, PyAny>,
) -> Option<PyResult<()>> {
    if !is_netcon(o) || !matches!(name, "weight" | "delay" | "threshold") {
        return None;
    }
    Some(
        value
            .extract::<f64>()
            .and_then(|x| with_it(py, |it| set_member(it, o, name, None, x).map_err(hoc_err))),
    )
}

/// `nc.weight`: the weight vector.
#[pyclass(unsendable, module = "rsneuron")]
pub struct NetConWeight {
    obj: ObjRef,
}

impl NetConWeight {
    fn len(&self, py: Python<'_>) -> PyResult<usize> {
        with_it(py, |it| number(it, &self.obj, "wcnt")).map(|n| n as usize)
    }

    fn index(&self, py: Python<'_>, i: isize) -> PyResult<f64> {
        let n = self.len(py)? as isize;
        let k = if i < 0 { i + n } else { i };
        if k < 0 || k >= n {
            return Err(PyIndexError::new_err("NetCon.weight index out of range"));
        }
        Ok(k as f64)
    }
}

#[pymethods]
impl NetConWeight {
    fn __repr__(&self) -> String {
        format!("{}.weight[?]", self.obj.name())
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        self.len(py)
    }

    fn __getitem__(&self, py: Python<'_>, i: isize) -> PyResult<f64> {
        let k = self.index(py, i)?;
        with_it(py, |it| match index_member(it, &self.obj, "weight", &[k]) {
            Ok(Value::Num(x)) => Ok(x),
            Ok(_) => Err(PyTypeError::new_err("NetCon.weight is not a number")),
            Err(e) => Err(hoc_err(e)),
        })
    }

    fn __setitem__(&self, py: Python<'_>, i: isize, value: f64) -> PyResult<()> {
        let k = self.index(py, i)?;
        with_it(py, |it| {
            set_member(it, &self.obj, "weight", Some(&[k]), value).map_err(hoc_err)
        })
    }
}

/// `nc.preseg` / `nc.postseg`, called.
#[pyclass(unsendable, module = "rsneuron")]
pub struct NetConSegment {
    obj: ObjRef,
    post: bool,
}

#[pymethods]
impl NetConSegment {
    fn __call__(&self, py: Python<'_>) -> PyResult<PyObject> {
        let o = self.obj.clone();
        let post = self.post;
        let at = with_it(py, |it| {
            let nc = match &*o.data.borrow() {
                rsnrn_hoc::value::ObjData::NetCon(n) => *n,
                _ => return Ok(None),
            };
            let point = if post {
                it.model.netcon_target(nc).ok().flatten()
            } else {
                match it.model.netcon_source(nc) {
                    Ok(NetConSource::Voltage { section, x }) => {
                        let sec = it
                            .secs
                            .iter()
                            .position(|s| s.alive && s.rt == section)
                            .map(|s| (s as u32, x));
                        return Ok(sec);
                    }
                    Ok(NetConSource::Point(p)) => Some(p),
                    _ => None,
                }
            };
            let Some(pp) = point.and_then(|p| rsnrn_hoc::builtins::netcon::point_object(it, p))
            else {
                return Ok(None);
            };
            let depth = it.sec_stack.len();
            let x = match call_method(it, &pp, "get_loc", vec![], true) {
                Ok(Value::Num(x)) => x,
                _ => {
                    it.sec_stack.truncate(depth);
                    return Ok(None);
                }
            };
            let s = it.cas().map_err(hoc_err)?;
            it.sec_stack.truncate(depth);
            Ok(Some((s, x)))
        })?;
        match at {
            None => Ok(py.None()),
            Some((id, x)) => {
                let sec = section_object(py, id)?;
                Segment {
                    sec: sec.unbind(),
                    id,
                    x,
                }
                .into_py_any(py)
            }
        }
    }
}
