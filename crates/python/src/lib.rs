//! `rsneuron`: NEURON's Python interface over rsnrn's hoc interpreter.
//!
//! There is one [`Interp`] per process (in a thread-local: hoc objects are reference counted
//! with `Rc`, so every Python class here is `unsendable`). `h` is a view on it: names read
//! through `h` are looked up in hoc, calls are evaluated as hoc expressions whose arguments
//! are the Python values (bound as `$1`, `$2`, ... of a frame made for the call), and hoc's
//! output is collected and written to Python's `sys.stdout` after every call so the two
//! interleave in program order.

mod callbacks;
mod convert;
mod hocobj;
mod netcon;
mod point_array;
mod pyref;
mod section;

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::rc::Rc;

use pyo3::exceptions::{PyRuntimeError, PySystemExit};
use pyo3::prelude::*;
use rsnrn_hoc::ast::{Expr, ExprKind, ProcDef, ProcKind};
use rsnrn_hoc::interp::{Frame, Output};
use rsnrn_hoc::value::{SecId, Value};
use rsnrn_hoc::{Flow, Interp, Source};

thread_local! {
    static INTERP: RefCell<Option<Interp>> = const { RefCell::new(None) };
}

/// Runs `f` on the interpreter (made on first use), then writes what hoc printed to
/// `sys.stdout`. A re-entrant call and a Rust panic become `RuntimeError`s.
pub(crate) fn with_it<R>(
    py: Python<'_>,
    f: impl FnOnce(&mut Interp) -> PyResult<R>,
) -> PyResult<R> {
    let nested = callbacks::NESTED.with(|n| n.get());
    if !nested.is_null() {
        // SAFETY: `callbacks::with_python` set this from the `&mut Interp` of the call that is now running
        // Python (on this thread); that call does not touch the interpreter until Python
        // returns, and the pointer is cleared before it does.
        let it = unsafe { &mut *nested };
        let r = run_guarded(it, f);
        callbacks::flush_to_python(py, it)?;
        return r;
    }
    let (r, out) = INTERP.with(|cell| -> PyResult<(PyResult<R>, Vec<u8>)> {
        let mut guard = cell.try_borrow_mut().map_err(|_| {
            PyRuntimeError::new_err(
                "rsneuron: the hoc interpreter is already running (re-entrant call)",
            )
        })?;
        if guard.is_none() {
            let mut it = Interp::new("NEURON").map_err(PyRuntimeError::new_err)?;
            it.out = Output::Buffer(Vec::new());
            it.hooks.host = Some(callbacks::HOOKS);
            *guard = Some(it);
        }
        let Some(it) = guard.as_mut() else {
            return Err(PyRuntimeError::new_err("rsneuron: no interpreter"));
        };
        section::delete_dropped(py, it);
        let r = run_guarded(it, f);
        let out = match &mut it.out {
            Output::Buffer(b) => std::mem::take(b),
            Output::Stdout(_) => Vec::new(),
        };
        Ok((r, out))
    })?;
    if !out.is_empty() {
        let text = String::from_utf8_lossy(&out);
        py.import("sys")?
            .getattr("stdout")?
            .call_method1("write", (text,))?;
    }
    r
}

/// Runs `f`; a Rust panic becomes a `RuntimeError`.
fn run_guarded<R>(it: &mut Interp, f: impl FnOnce(&mut Interp) -> PyResult<R>) -> PyResult<R> {
    std::panic::catch_unwind(AssertUnwindSafe(|| f(it))).unwrap_or_else(|p| {
        let msg = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        Err(PyRuntimeError::new_err(format!(
            "rsneuron internal error: {msg}"
        )))
    })
}

/// A hoc error as a Python exception: `RuntimeError` with hoc's message; `quit()` exits.
pub(crate) fn hoc_err(f: Flow) -> PyErr {
    match f {
        Flow::Error(e) => PyRuntimeError::new_err(e.msg),
        Flow::Quit(code) => PySystemExit::new_err(code),
        other => PyRuntimeError::new_err(format!("hoc control flow escaped a call: {other:?}")),
    }
}

pub(crate) fn ex(kind: ExprKind) -> Expr {
    Expr { kind, pos: 0 }
}

/// `$1..$n` for `n` arguments.
pub(crate) fn arg_exprs(from: u32, n: usize) -> Vec<Expr> {
    (0..n as u32).map(|i| ex(ExprKind::Arg(from + i))).collect()
}

/// Evaluates `e` in a frame whose arguments (`$1`, ...) are `args`, with `sec` (if any) as
/// the currently accessed section.
pub(crate) fn eval_with(
    it: &mut Interp,
    args: Vec<Value>,
    sec: Option<SecId>,
    e: &Expr,
) -> PyResult<Value> {
    let src = Rc::new(Source::new("python", None, ""));
    let name = it.names.intern("python");
    let proc = Rc::new(ProcDef {
        name,
        kind: ProcKind::Func,
        locals: Vec::new(),
        body: Vec::new(),
        source: src.clone(),
        pos: 0,
    });
    it.frames.push(Frame {
        proc,
        args,
        locals: Vec::new(),
        iter_body: None,
    });
    let depth = it.sec_stack.len();
    if let Some(s) = sec {
        it.push_sec(s);
    }
    let frame = Some(it.frames.len() - 1);
    let r = it.in_context(frame, None, src, |it| it.eval(e));
    if sec.is_some() {
        it.sec_stack.truncate(depth);
    }
    it.frames.pop();
    r.map_err(hoc_err)
}

/// `h("hoc code")`: True, or False with the error on stderr (as NEURON).
fn run_hoc(it: &mut Interp, code: &str) -> PyResult<bool> {
    match it.run_string("python", code) {
        Ok(()) => Ok(true),
        Err(Flow::Error(e)) => {
            let msg = it.render_error(&e);
            it.eprint(&msg);
            Ok(false)
        }
        Err(Flow::Quit(code)) => Err(PySystemExit::new_err(code)),
        Err(_) => Ok(true),
    }
}

/// `h.setpointer(ref, name, obj)`: POINTER `name` of point process `obj` refers to `ref`
/// (`sec(0.5)._ref_v`, `other._ref_g`, ...), as hoc's `setpointer obj.name, ...`.
#[pyfunction]
fn setpointer(
    py: Python<'_>,
    reference: PyRef<'_, hocobj::Pointer>,
    name: &str,
    obj: PyRef<'_, hocobj::HocObject>,
) -> PyResult<()> {
    with_it(py, |it| {
        let target =
            rsnrn_hoc::builtins::record_target(it, &reference.ptr, "setpointer can point at")
                .map_err(hoc_err)?;
        let pid = rsnrn_hoc::builtins::point::pid(&obj.obj).map_err(hoc_err)?;
        it.model
            .set_point_pointer(pid, name, target)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    })
}

/// `rsneuron.load_mechanisms(path)`: a library built by rsnrnivmodl, a `.mod` file, or a
/// folder whose `.mod` files are compiled here.
#[pyfunction]
fn load_mechanisms(py: Python<'_>, path: std::path::PathBuf) -> PyResult<bool> {
    let mut files = Vec::new();
    if path.is_dir() {
        let entries = std::fs::read_dir(&path)
            .map_err(|e| PyRuntimeError::new_err(format!("{}: {e}", path.display())))?;
        for entry in entries.flatten() {
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "mod") {
                files.push(p);
            }
        }
        files.sort();
        if files.is_empty() {
            return Err(PyRuntimeError::new_err(format!(
                "{}: no .mod files there",
                path.display()
            )));
        }
    } else {
        files.push(path);
    }
    with_it(py, |it| {
        for f in &files {
            it.load_mechanisms(f).map_err(hoc_err)?;
        }
        Ok(true)
    })
}

#[pymodule]
fn _rsneuron(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<hocobj::HocTop>()?;
    m.add_class::<hocobj::HocObject>()?;
    m.add_class::<hocobj::HocMethod>()?;
    m.add_class::<hocobj::HocClass>()?;
    m.add_class::<hocobj::HocArray>()?;
    m.add_class::<hocobj::Pointer>()?;
    m.add_class::<section::Section>()?;
    m.add_class::<section::Segment>()?;
    m.add_class::<section::MechView>()?;
    m.add("h", Py::new(m.py(), hocobj::HocTop {})?)?;
    m.add_function(wrap_pyfunction!(load_mechanisms, m)?)?;
    Ok(())
}
