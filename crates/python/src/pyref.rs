//! `h.ref(value)`: a number or string hoc can change through an argument (`$&1 = 42`,
//! `$s1 = "changed"`); `r[0]` reads and writes it. The value lives in a hidden hoc variable.

use std::cell::Cell;

use pyo3::exceptions::{PyIndexError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyString;
use pyo3::IntoPyObjectExt;
use rsnrn_hoc::value::{new_str, CellRef, Ptr, ScopeRef, Slot, StrRef, Value};

use crate::{hoc_err, with_it};

thread_local! {
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

#[derive(Clone)]
enum Held {
    Num(Ptr),
    Str(StrRef),
}

#[pyclass(unsendable, module = "rsneuron", name = "HocRef")]
pub struct HocRef {
    held: Held,
}

impl HocRef {
    /// What hoc gets for it: a pointer to the number, or the shared string.
    pub(crate) fn value(&self) -> Value {
        match &self.held {
            Held::Num(p) => Value::Ptr(p.clone()),
            Held::Str(s) => Value::Str(s.clone()),
        }
    }
}

fn check_index(i: isize) -> PyResult<()> {
    if i == 0 {
        Ok(())
    } else {
        Err(PyIndexError::new_err("a hoc ref has only the element [0]"))
    }
}

#[pymethods]
impl HocRef {
    fn __getitem__(&self, py: Python<'_>, i: isize) -> PyResult<PyObject> {
        check_index(i)?;
        match &self.held {
            Held::Num(p) => with_it(py, |it| it.read_ptr(p).map_err(hoc_err))?.into_py_any(py),
            Held::Str(s) => s.borrow().clone().into_py_any(py),
        }
    }

    fn __setitem__(&self, py: Python<'_>, i: isize, value: &Bound<'_, PyAny>) -> PyResult<()> {
        check_index(i)?;
        match &self.held {
            Held::Num(p) => {
                let x: f64 = value.extract()?;
                with_it(py, |it| it.write_ptr(p, x).map_err(hoc_err))
            }
            Held::Str(s) => {
                *s.borrow_mut() = value.extract::<String>()?;
                Ok(())
            }
        }
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "<hoc ref {}>",
            self.__getitem__(py, 0)?.bind(py).repr()?
        ))
    }
}

/// `h.ref(x)`.
#[pyfunction]
#[pyo3(name = "ref")]
pub(crate) fn make_ref(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<HocRef> {
    if let Ok(s) = value.downcast::<PyString>() {
        return Ok(HocRef {
            held: Held::Str(new_str(s.extract::<String>()?)),
        });
    }
    let x: f64 = value
        .extract()
        .map_err(|_| PyTypeError::new_err("h.ref takes a number or a string"))?;
    let k = COUNT.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    let ptr = with_it(py, |it| {
        let sym = it.names.intern(&format!("_rsneuron_ref_{k}"));
        let slot = it.top.set(
            sym,
            Slot::Num {
                dims: vec![],
                data: vec![x],
            },
        );
        Ok(Ptr::Cell(CellRef::Var {
            scope: ScopeRef::Top,
            slot,
            index: 0,
        }))
    })?;
    Ok(HocRef {
        held: Held::Num(ptr),
    })
}
