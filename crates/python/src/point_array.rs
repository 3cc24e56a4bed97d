//! Array fields of point processes (`vc.dur`, `vc.amp` of VClamp): `vc.dur[0] = 1`,
//! `vc.amp[1]`, `len(vc.dur)`, iteration, as NEURON's Python gives them.

use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyList;
use pyo3::IntoPyObjectExt;
use rsnrn_hoc::value::{ObjRef, Value};
use rsnrn_hoc::Interp;

use crate::convert::{from_py, to_py};
use crate::{hoc_err, with_it};

/// The array size of field `name` of point process `o`; None for a scalar (or an unknown name).
pub(crate) fn size(it: &Interp, o: &ObjRef, name: &str) -> Option<usize> {
    let p = rsnrn_hoc::builtins::point::pid(o).ok()?;
    let mech = it.model.point_mechanism(p).ok()?;
    let id = it.model.mechanism_id(mech).ok()?;
    let info = it.model.mechanism_info(id)?;
    let field = info.range.iter().find(|f| f.visible && f.name == name)?;
    (field.size > 1).then_some(field.size as usize)
}

/// `pp.name` for an array field: a view whose elements are the field's.
#[pyclass(unsendable, module = "rsneuron")]
pub struct PointArray {
    pub(crate) obj: ObjRef,
    pub(crate) name: String,
    pub(crate) len: usize,
}

impl PointArray {
    /// NEURON refuses negative indices here (unlike a Python list).
    fn index(&self, i: isize) -> PyResult<f64> {
        if i < 0 || i as usize >= self.len {
            return Err(PyIndexError::new_err(format!(
                "{}.{} has {} elements; index {i} is out of range",
                self.obj.name(),
                self.name,
                self.len
            )));
        }
        Ok(i as f64)
    }
}

#[pymethods]
impl PointArray {
    fn __len__(&self) -> usize {
        self.len
    }

    fn __str__(&self) -> String {
        format!("{}.{}[{}]", self.obj.name(), self.name, self.len)
    }

    fn __repr__(&self) -> String {
        self.__str__()
    }

    fn __getitem__(&self, py: Python<'_>, i: isize) -> PyResult<PyObject> {
        let j = self.index(i)?;
        let v = with_it(py, |it| {
            rsnrn_hoc::builtins::index_member(it, &self.obj, &self.name, &[j]).map_err(hoc_err)
        })?;
        to_py(py, v)
    }

    fn __setitem__(&self, py: Python<'_>, i: isize, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let j = self.index(i)?;
        let Value::Num(x) = from_py(value)? else {
            return Err(PyTypeError::new_err(format!(
                "{}.{}[{i}] must be a number",
                self.obj.name(),
                self.name
            )));
        };
        with_it(py, |it| {
            rsnrn_hoc::builtins::set_member(it, &self.obj, &self.name, Some(&[j]), x)
                .map_err(hoc_err)
        })
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<PyObject> {
        let items = (0..self.len as isize)
            .map(|i| self.__getitem__(py, i))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)?
            .into_any()
            .try_iter()?
            .into_py_any(py)
    }
}
