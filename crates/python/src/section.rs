//! `Section`, `Segment` (`sec(x)`) and `MechView` (`seg.hh`).

use std::cell::RefCell;
use std::collections::HashMap;

use pyo3::exceptions::{
    PyAttributeError, PyReferenceError, PyRuntimeError, PyTypeError, PyValueError,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};
use pyo3::IntoPyObjectExt;
use rsnrn_abi::FieldRole;
use rsnrn_hoc::ast::StmtKind;
use rsnrn_hoc::interp::{sec_prop_named, Builtin, Resolved};
use rsnrn_hoc::value::{Ptr, SecId};
use rsnrn_hoc::Interp;

use crate::hocobj::{HocMethod, Pointer, Target};
use crate::{hoc_err, with_it};

thread_local! {
    /// One Python object per section, so `sec(0.5).sec is sec`.
    static SECTIONS: RefCell<HashMap<SecId, Py<Section>>> = RefCell::new(HashMap::new());
    /// Sections made by `h.Section()`: they belong to their Python object and are deleted
    /// once nothing but [`SECTIONS`] refers to it (as NEURON deletes them with the object).
    static OWNED: RefCell<Vec<SecId>> = const { RefCell::new(Vec::new()) };
    static UNNAMED: RefCell<u64> = const { RefCell::new(0) };
    /// The `cell=` object of sections made by `h.Section(cell=...)`.
    static CELLS: RefCell<HashMap<SecId, PyObject>> = RefCell::new(HashMap::new());
}

/// The Python object of section `s` (made on first use).
pub(crate) fn section_object(py: Python<'_>, s: SecId) -> PyResult<Bound<'_, Section>> {
    if let Some(o) = SECTIONS.with(|m| m.borrow().get(&s).map(|o| o.clone_ref(py))) {
        return Ok(o.into_bound(py));
    }
    let o = Py::new(py, Section { id: s })?;
    SECTIONS.with(|m| m.borrow_mut().insert(s, o.clone_ref(py)));
    Ok(o.into_bound(py))
}

/// Deletes the Python-made sections Python no longer refers to.
pub(crate) fn delete_dropped(py: Python<'_>, it: &mut Interp) {
    if OWNED.with(|o| o.borrow().is_empty()) {
        return;
    }
    let dropped: Vec<SecId> = SECTIONS.with(|m| {
        let m = m.borrow();
        OWNED.with(|o| {
            o.borrow()
                .iter()
                .copied()
                .filter(|id| m.get(id).is_some_and(|s| s.get_refcnt(py) <= 1))
                .collect()
        })
    });
    if dropped.is_empty() {
        return;
    }
    OWNED.with(|o| o.borrow_mut().retain(|id| !dropped.contains(id)));
    for id in dropped {
        let gone = SECTIONS.with(|m| m.borrow_mut().remove(&id));
        let cell = CELLS.with(|m| m.borrow_mut().remove(&id));
        it.hooks.host_sections.remove(&id);
        if it.secs.get(id as usize).is_some_and(|s| s.alive) {
            // A failure leaves the section in hoc; there is no caller to report it to.
            let _ = it.delete_section(id);
        }
        drop((gone, cell));
    }
}

/// `h.Section(name=None, cell=None)`.
#[pyfunction]
#[pyo3(name = "Section", signature = (name = None, cell = None))]
pub(crate) fn new_section<'py>(
    py: Python<'py>,
    name: Option<String>,
    cell: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, Section>> {
    let plain = name.is_some() && cell.as_ref().is_none_or(|c| c.is_none());
    let base = match name {
        Some(n) => n,
        None => UNNAMED.with(|c| {
            let mut c = c.borrow_mut();
            *c += 1;
            format!("__nrnsec_0x{:x}", 0x5500_0000_0000u64 + *c * 0x100)
        }),
    };
    let full = match &cell {
        Some(c) if !c.is_none() => format!("{}.{base}", c.str()?),
        _ => base,
    };
    let id = with_it(py, |it| {
        let id = it.create_section(full).map_err(hoc_err)?;
        if plain {
            it.hooks.host_sections.insert(id);
        }
        Ok(id)
    })?;
    if let Some(c) = cell.filter(|c| !c.is_none()) {
        CELLS.with(|m| m.borrow_mut().insert(id, c.unbind()));
    }
    OWNED.with(|o| o.borrow_mut().push(id));
    section_object(py, id)
}

/// Formats x as NEURON does in `sec(x)` names (`%g`).
fn fmt_x(x: f64) -> String {
    rsnrn_hoc::format::fmt_g(x, 6, false, false)
}

fn attr_err(what: &str, name: &str) -> PyErr {
    PyAttributeError::new_err(format!("'{what}' object has no attribute '{name}'"))
}

/// Is `name` a density mechanism (`hh`, `pas`)?
fn is_mech(it: &mut Interp, name: &str) -> bool {
    it.mechs.density.contains_key(name)
}

fn has_mech(it: &mut Interp, s: SecId, mech: &str) -> PyResult<bool> {
    let rt = it.rt(s).map_err(hoc_err)?;
    it.model
        .has_mechanism(rt, mech)
        .map_err(|e| PyValueError::new_err(e.to_string()))
}

/// Is `name` a hoc built-in function (`n3d`, `area`)?
fn is_hoc_func(it: &mut Interp, name: &str) -> bool {
    let sym = it.names.intern(name);
    matches!(it.lookup(sym), Resolved::Builtin(Builtin::Func(_)))
}

#[pyclass(unsendable, module = "rsneuron")]
pub struct Section {
    pub(crate) id: SecId,
}

impl Section {
    pub(crate) fn checked(&self) -> PyResult<SecId> {
        Ok(self.id)
    }
}

fn alive(it: &Interp, s: SecId) -> PyResult<()> {
    match it.secs.get(s as usize) {
        Some(h) if h.alive => Ok(()),
        _ => Err(PyReferenceError::new_err("can't access a deleted section")),
    }
}

fn seg_index(it: &mut Interp, s: SecId, x: f64) -> PyResult<i64> {
    let n = it.sec_member_get(s, "nseg", None).map_err(hoc_err)?;
    let n = match n {
        rsnrn_hoc::value::Value::Num(n) => n as i64,
        _ => 1,
    };
    Ok(if x <= 0.0 {
        -1
    } else if x >= 1.0 {
        n
    } else {
        ((x * n as f64) as i64).min(n - 1)
    })
}

#[pymethods]
impl Section {
    fn __call__(slf: &Bound<'_, Self>, x: f64) -> PyResult<Segment> {
        if !(0.0..=1.0).contains(&x) {
            return Err(PyValueError::new_err(format!(
                "x = {x} is not in 0 <= x <= 1"
            )));
        }
        let id = slf.borrow().id;
        with_it(slf.py(), |it| alive(it, id))?;
        Ok(Segment {
            sec: slf.clone().unbind(),
            id,
            x,
        })
    }

    fn name(&self, py: Python<'_>) -> PyResult<String> {
        with_it(py, |it| {
            alive(it, self.id)?;
            Ok(it.sec_name(self.id))
        })
    }

    fn hname(&self, py: Python<'_>) -> PyResult<String> {
        self.name(py)
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        with_it(py, |it| {
            Ok(match alive(it, self.id) {
                Ok(()) => it.sec_name(self.id),
                Err(_) => "<deleted section>".to_string(),
            })
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.__str__(py)
    }

    fn __getattr__(slf: &Bound<'_, Self>, name: &str) -> PyResult<PyObject> {
        let py = slf.py();
        let id = slf.borrow().id;
        if let Some(var) = name.strip_prefix("_ref_") {
            let var = var.to_string();
            let ptr = with_it(py, |it| {
                alive(it, id)?;
                it.check_range(id, 0.5, &var)
                    .map_err(|_| attr_err("nrn.Section", name))?;
                Ok(Ptr::Range {
                    sec: id,
                    x: 0.5,
                    name: var.as_str().into(),
                })
            })?;
            return Pointer { ptr }.into_py_any(py);
        }
        enum Got {
            Num(f64),
            Int(i64),
            Func,
        }
        let got = with_it(py, |it| {
            alive(it, id)?;
            if name == "nseg" {
                return match it.sec_member_get(id, name, None).map_err(hoc_err)? {
                    rsnrn_hoc::value::Value::Num(n) => Ok(Got::Int(n as i64)),
                    _ => Err(attr_err("nrn.Section", name)),
                };
            }
            if sec_prop_named(name).is_some() || !is_hoc_func(it, name) {
                return match it.sec_member_get(id, name, None) {
                    Ok(rsnrn_hoc::value::Value::Num(n)) => Ok(Got::Num(n)),
                    _ => Err(attr_err("nrn.Section", name)),
                };
            }
            Ok(Got::Func)
        })?;
        match got {
            Got::Num(n) => n.into_py_any(py),
            Got::Int(n) => n.into_py_any(py),
            Got::Func => HocMethod {
                target: Target::Sec(id, name.to_string()),
            }
            .into_py_any(py),
        }
    }

    fn __setattr__(&self, py: Python<'_>, name: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let v: f64 = value
            .extract()
            .map_err(|_| PyValueError::new_err(format!("{name} must be a number")))?;
        with_it(py, |it| {
            alive(it, self.id)?;
            match name {
                "nseg" if v < 1.0 => {
                    return Err(PyValueError::new_err("nseg must be positive"));
                }
                "L" | "diam" | "Ra" if v <= 0.0 && name == "L" => {
                    return Err(PyValueError::new_err(format!("{name} must be positive")));
                }
                _ => {}
            }
            let is_range_var = sec_prop_named(name).is_none();
            if is_range_var && !matches!(name, "v" | "diam" | "cm") {
                // The common case first: a name already resolved for these segments.
                return match it.range_set_segments(self.id, name, v) {
                    Ok(()) => Ok(()),
                    Err(_) if it.range_get(self.id, 0.5, name).is_err() => {
                        Err(attr_err("nrn.Section", name))
                    }
                    Err(e) => Err(hoc_err(e)),
                };
            }
            if is_range_var && it.range_get(self.id, 0.5, name).is_err() {
                return Err(attr_err("nrn.Section", name));
            }
            it.sec_member_set(self.id, name, None, v).map_err(hoc_err)
        })
    }

    fn insert<'py>(slf: &Bound<'py, Self>, mech: &Bound<'py, PyAny>) -> PyResult<Bound<'py, Self>> {
        let mech: String = mech
            .extract()
            .map_err(|_| PyTypeError::new_err("insert takes a mechanism name (str)"))?;
        let id = slf.borrow().id;
        with_it(slf.py(), |it| {
            alive(it, id)?;
            if !is_mech(it, &mech) {
                return Err(PyValueError::new_err(format!(
                    "argument not a density mechanism name: {mech}"
                )));
            }
            let sym = it.names.intern(&mech);
            sec_stmt(it, id, StmtKind::Insert(sym))
        })?;
        Ok(slf.clone())
    }

    fn uninsert<'py>(slf: &Bound<'py, Self>, mech: &str) -> PyResult<Bound<'py, Self>> {
        let id = slf.borrow().id;
        with_it(slf.py(), |it| {
            alive(it, id)?;
            if !is_mech(it, mech) {
                return Err(PyValueError::new_err(format!(
                    "argument not a density mechanism name: {mech}"
                )));
            }
            if has_mech(it, id, mech)? {
                let sym = it.names.intern(mech);
                sec_stmt(it, id, StmtKind::Uninsert(sym))?;
            }
            Ok(())
        })?;
        Ok(slf.clone())
    }

    fn has_membrane(&self, py: Python<'_>, mech: &str) -> PyResult<bool> {
        with_it(py, |it| {
            alive(it, self.id)?;
            if !is_mech(it, mech) {
                return Ok(false);
            }
            has_mech(it, self.id, mech)
        })
    }

    /// `child.connect(parent(x)[, childend])` or `child.connect(parent[, x[, childend]])`.
    #[pyo3(signature = (parent, x = None, childend = None))]
    fn connect<'py>(
        slf: &Bound<'py, Self>,
        parent: &Bound<'py, PyAny>,
        x: Option<f64>,
        childend: Option<f64>,
    ) -> PyResult<Bound<'py, Self>> {
        let (pid, px, cend) = if let Ok(seg) = parent.downcast::<Segment>() {
            let seg = seg.borrow();
            (seg.id, seg.x, x.or(childend).unwrap_or(0.0))
        } else if let Ok(sec) = parent.downcast::<Section>() {
            (sec.borrow().id, x.unwrap_or(1.0), childend.unwrap_or(0.0))
        } else {
            return Err(PyTypeError::new_err(
                "connect: the parent must be a section or a segment",
            ));
        };
        if cend != 0.0 && cend != 1.0 {
            return Err(PyValueError::new_err("child connection end must be 0 or 1"));
        }
        if !(0.0..=1.0).contains(&px) {
            return Err(PyValueError::new_err("parent x must be in 0 <= x <= 1"));
        }
        let id = slf.borrow().id;
        with_it(slf.py(), |it| {
            alive(it, id)?;
            alive(it, pid)?;
            if it.root_of(pid) == id {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(format!(
                    "{} connection to {} would make a loop",
                    it.sec_name(id),
                    it.sec_name(pid)
                )));
            }
            it.connect(id, cend, pid, px).map_err(hoc_err)
        })?;
        Ok(slf.clone())
    }

    fn push<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        let id = slf.borrow().id;
        with_it(slf.py(), |it| {
            alive(it, id)?;
            it.push_sec(id);
            Ok(())
        })?;
        Ok(slf.clone())
    }

    fn children<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let ids = with_it(py, |it| {
            alive(it, self.id)?;
            Ok(it.secs[self.id as usize].children.clone())
        })?;
        sections_list(py, ids)
    }

    /// This section and everything connected below it, depth first in `children()` order.
    fn subtree<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let ids = with_it(py, |it| {
            alive(it, self.id)?;
            Ok(below(it, self.id))
        })?;
        sections_list(py, ids)
    }

    /// The whole tree this section is in, from its root.
    fn wholetree<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let ids = with_it(py, |it| {
            alive(it, self.id)?;
            let root = it.root_of(self.id);
            Ok(below(it, root))
        })?;
        sections_list(py, ids)
    }

    /// The `cell=` object the section was made with, or None.
    /// For a section of a template instance, that instance.
    fn cell(&self, py: Python<'_>) -> PyResult<PyObject> {
        if let Some(c) = CELLS.with(|m| m.borrow().get(&self.id).map(|c| c.clone_ref(py))) {
            return Ok(c);
        }
        let owner = with_it(py, |it| Ok(template_owner(it, self.id)))?;
        match owner {
            Some(o) => crate::hocobj::HocObject { obj: o }.into_py_any(py),
            None => Ok(py.None()),
        }
    }

    /// The end (0 or 1) of this section that connects to its parent.
    fn orientation(&self, py: Python<'_>) -> PyResult<f64> {
        with_it(py, |it| {
            alive(it, self.id)?;
            Ok(it.secs[self.id as usize].parent.map_or(0.0, |p| p.1))
        })
    }

    /// Detaches the section from its parent.
    fn disconnect(&self, py: Python<'_>) -> PyResult<()> {
        with_it(py, |it| {
            alive(it, self.id)?;
            it.disconnect(self.id).map_err(hoc_err)
        })
    }

    /// The parent segment, skipping parents attached at their 0 end (their 0 end is the
    /// same node as their own parent's connection point).
    fn trueparentseg(&self, py: Python<'_>) -> PyResult<Option<Segment>> {
        let found = with_it(py, |it| {
            alive(it, self.id)?;
            Ok(true_parent(it, self.id))
        })?;
        match found {
            None => Ok(None),
            Some((p, x)) => Ok(Some(Segment {
                sec: section_object(py, p)?.unbind(),
                id: p,
                x,
            })),
        }
    }

    fn parentseg(&self, py: Python<'_>) -> PyResult<Option<Segment>> {
        let parent = with_it(py, |it| {
            alive(it, self.id)?;
            Ok(it.secs[self.id as usize].parent)
        })?;
        match parent {
            None => Ok(None),
            Some((p, _, x)) => Ok(Some(Segment {
                sec: section_object(py, p)?.unbind(),
                id: p,
                x,
            })),
        }
    }

    /// The segments (their centres), as `for seg in sec`.
    fn __iter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        segments(slf, false)
    }

    /// The segments with the 0 and 1 ends.
    fn allseg<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        segments(slf, true)
    }

    /// `sec.psection()`: NEURON's dict of the section's name, geometry, topology,
    /// mechanisms (with their values per segment), ions and point processes.
    fn psection<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyDict>> {
        let py = slf.py();
        let id = slf.borrow().id;
        let p = with_it(py, |it| psection_data(it, id))?;
        let d = PyDict::new(py);
        d.set_item("name", p.name)?;
        d.set_item("nseg", p.nseg)?;
        d.set_item("Ra", p.ra)?;
        d.set_item("cm", p.cm)?;
        d.set_item("cell", slf.borrow().cell(py)?)?;
        d.set_item("hoc_internal_name", format!("__nrnsec_{id}"))?;
        let morph = PyDict::new(py);
        morph.set_item("L", p.l)?;
        morph.set_item("diam", p.diam)?;
        let seg_or_none = |s: Option<(SecId, f64)>| -> PyResult<PyObject> {
            match s {
                Some((s, x)) => Segment {
                    sec: section_object(py, s)?.unbind(),
                    id: s,
                    x,
                }
                .into_py_any(py),
                None => Ok(py.None()),
            }
        };
        morph.set_item("parent", seg_or_none(p.parent)?)?;
        morph.set_item("trueparent", seg_or_none(p.trueparent)?)?;
        let pts: Vec<(f64, f64, f64, f64)> =
            p.pts3d.iter().map(|q| (q[0], q[1], q[2], q[3])).collect();
        morph.set_item("pts3d", pts)?;
        d.set_item("morphology", morph)?;
        d.set_item("density_mechs", nested_dict(py, p.mechs)?)?;
        d.set_item("ions", nested_dict(py, p.ions)?)?;
        let pps = PyDict::new(py);
        for (class, objs) in p.points {
            let set = pyo3::types::PySet::empty(py)?;
            for o in objs {
                set.add(crate::hocobj::HocObject { obj: o })?;
            }
            pps.set_item(class, set)?;
        }
        d.set_item("point_processes", pps)?;
        d.set_item("regions", pyo3::types::PySet::empty(py)?)?;
        d.set_item("species", pyo3::types::PySet::empty(py)?)?;
        Ok(d)
    }
}

/// The template instance that declares section `s`, if any.
fn template_owner(it: &Interp, s: SecId) -> Option<rsnrn_hoc::value::ObjRef> {
    use rsnrn_hoc::value::{ObjData, Slot};
    it.reg
        .instances
        .keys()
        .flat_map(|class| it.reg.live(class))
        .find(|o| match &*o.data.borrow() {
            ObjData::Hoc(scope) => scope
                .slots
                .iter()
                .any(|slot| matches!(slot, Slot::Sec { data, .. } if data.contains(&s))),
            _ => false,
        })
}

/// Variables and their values at every segment.
type VarValues = Vec<(String, Vec<f64>)>;

/// What `psection()` reports, read from the interpreter.
struct PsectionData {
    name: String,
    nseg: i64,
    l: f64,
    ra: f64,
    cm: Vec<f64>,
    diam: Vec<f64>,
    parent: Option<(SecId, f64)>,
    trueparent: Option<(SecId, f64)>,
    pts3d: Vec<[f64; 4]>,
    mechs: Vec<(String, VarValues)>,
    ions: Vec<(String, VarValues)>,
    points: Vec<(String, Vec<rsnrn_hoc::value::ObjRef>)>,
}

fn num_prop(it: &mut Interp, s: SecId, name: &str) -> PyResult<f64> {
    match it.sec_member_get(s, name, None).map_err(hoc_err)? {
        rsnrn_hoc::value::Value::Num(v) => Ok(v),
        _ => Ok(0.0),
    }
}

/// The parent connection skipping parents attached at the end that is their own parent's
/// connection node.
fn true_parent(it: &Interp, s: SecId) -> Option<(SecId, f64)> {
    let mut cur = it.secs[s as usize].parent.map(|(p, _, x)| (p, x));
    while let Some((p, x)) = cur {
        match it.secs[p as usize].parent {
            Some((gp, end, gx)) if x == end => cur = Some((gp, gx)),
            _ => break,
        }
    }
    cur
}

fn values_at(it: &mut Interp, s: SecId, xs: &[f64], names: &[String], suffix: &str) -> VarValues {
    names
        .iter()
        .filter_map(|n| {
            let full = format!("{n}{suffix}");
            let vals: Result<Vec<f64>, _> = xs.iter().map(|&x| it.range_get(s, x, &full)).collect();
            vals.ok().map(|v| (n.clone(), v))
        })
        .collect()
}

fn psection_data(it: &mut Interp, id: SecId) -> PyResult<PsectionData> {
    alive(it, id)?;
    let xs = it.seg_locations(id, false).map_err(hoc_err)?;
    let mut diam = Vec::new();
    let mut cm = Vec::new();
    for &x in &xs {
        diam.push(it.range_get(id, x, "diam").map_err(hoc_err)?);
        cm.push(it.range_get(id, x, "cm").map_err(hoc_err)?);
    }
    let mut mechs = Vec::new();
    let mut ion_names: Vec<String> = Vec::new();
    for m in it.mechs.density_order.clone() {
        if has_mech(it, id, &m)? {
            let fields = visible_fields(it, &m);
            let suffix = format!("_{m}");
            mechs.push((m.clone(), values_at(it, id, &xs, &fields, &suffix)));
            for ion in it.mechs.density.get(&m).cloned().unwrap_or_default() {
                if !ion_names.contains(&ion) {
                    ion_names.push(ion);
                }
            }
        }
    }
    ion_names.sort();
    let ions = ion_names
        .into_iter()
        .map(|ion| {
            let vars = [
                format!("e{ion}"),
                format!("{ion}i"),
                format!("{ion}o"),
                format!("i{ion}"),
            ];
            let vals = values_at(it, id, &xs, &vars, "");
            (ion, vals)
        })
        .collect();
    let rt = it.rt(id).map_err(hoc_err)?;
    let mut points: Vec<(String, Vec<rsnrn_hoc::value::ObjRef>)> = Vec::new();
    let mut classes: Vec<String> = it.reg.instances.keys().cloned().collect();
    classes.sort();
    for class in classes {
        let here: Vec<_> = it
            .reg
            .live(&class)
            .into_iter()
            .filter(|o| {
                matches!(&*o.data.borrow(), rsnrn_hoc::value::ObjData::Point(p)
                    if it.model.point_location(*p).is_ok_and(|(s, _)| s == rt))
            })
            .collect();
        if !here.is_empty() {
            points.push((class, here));
        }
    }
    Ok(PsectionData {
        name: it.sec_name(id),
        nseg: num_prop(it, id, "nseg")? as i64,
        l: num_prop(it, id, "L")?,
        ra: num_prop(it, id, "Ra")?,
        cm,
        diam,
        parent: it.secs[id as usize].parent.map(|(p, _, x)| (p, x)),
        trueparent: true_parent(it, id),
        pts3d: pts3d(it, id)?,
        mechs,
        ions,
        points,
    })
}

/// The 3-D points of `s`, read through hoc's `n3d()`, `x3d(i)`, ... .
fn pts3d(it: &mut Interp, s: SecId) -> PyResult<Vec<[f64; 4]>> {
    use rsnrn_hoc::ast::ExprKind;
    let call = |it: &mut Interp, f: &str, args: Vec<rsnrn_hoc::value::Value>| -> PyResult<f64> {
        let sym = it.names.intern(f);
        let n = args.len();
        let e = crate::ex(ExprKind::Call(
            Box::new(crate::ex(ExprKind::Name(sym))),
            crate::arg_exprs(1, n),
        ));
        match crate::eval_with(it, args, Some(s), &e)? {
            rsnrn_hoc::value::Value::Num(v) => Ok(v),
            _ => Ok(0.0),
        }
    };
    let n = call(it, "n3d", vec![])? as usize;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let i = vec![rsnrn_hoc::value::Value::Num(i as f64)];
        out.push([
            call(it, "x3d", i.clone())?,
            call(it, "y3d", i.clone())?,
            call(it, "z3d", i.clone())?,
            call(it, "diam3d", i)?,
        ]);
    }
    Ok(out)
}

/// `{name: {var: [values]}}`.
fn nested_dict(py: Python<'_>, items: Vec<(String, VarValues)>) -> PyResult<Bound<'_, PyDict>> {
    let outer = PyDict::new(py);
    for (name, vars) in items {
        let inner = PyDict::new(py);
        for (var, vals) in vars {
            inner.set_item(var, vals)?;
        }
        outer.set_item(name, inner)?;
    }
    Ok(outer)
}

/// `s` and its descendants, depth first.
fn below(it: &Interp, s: SecId) -> Vec<SecId> {
    let mut out = vec![s];
    for &c in &it.secs[s as usize].children {
        out.extend(below(it, c));
    }
    out
}

fn sections_list(py: Python<'_>, ids: Vec<SecId>) -> PyResult<Bound<'_, PyList>> {
    let objs = ids
        .into_iter()
        .map(|s| section_object(py, s))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, objs)
}

fn segments<'py>(slf: &Bound<'py, Section>, ends: bool) -> PyResult<Bound<'py, PyAny>> {
    let id = slf.borrow().id;
    let xs = with_it(slf.py(), |it| {
        alive(it, id)?;
        it.seg_locations(id, ends).map_err(hoc_err)
    })?;
    let segs = xs
        .into_iter()
        .map(|x| Segment {
            sec: slf.clone().unbind(),
            id,
            x,
        })
        .map(|s| Py::new(slf.py(), s))
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(slf.py(), segs)?
        .try_iter()
        .map(|i| i.into_any())
}

/// Runs one hoc statement with `s` as the currently accessed section.
fn sec_stmt(it: &mut Interp, s: SecId, kind: StmtKind) -> PyResult<()> {
    let depth = it.sec_stack.len();
    it.push_sec(s);
    let r = it.exec(&rsnrn_hoc::ast::Stmt { kind, pos: 0 });
    it.sec_stack.truncate(depth);
    r.map_err(hoc_err)
}

#[pyclass(unsendable, module = "rsneuron")]
pub struct Segment {
    pub(crate) sec: Py<Section>,
    pub(crate) id: SecId,
    pub(crate) x: f64,
}

#[pymethods]
impl Segment {
    #[getter]
    fn x(&self) -> f64 {
        self.x
    }

    /// `seg.volume()` (um3) of a cylindrical segment: π·diam²/4·L/nseg. Sections with 3-D
    /// points (NEURON integrates their frusta) are refused.
    fn volume(&self, py: Python<'_>) -> PyResult<f64> {
        with_it(py, |it| {
            alive(it, self.id)?;
            let rt = it.rt(self.id).map_err(hoc_err)?;
            let rt_err = |e: rsnrn_runtime::RuntimeError| PyRuntimeError::new_err(e.to_string());
            if it.model.n3d(rt).map_err(rt_err)? > 0 {
                return Err(PyRuntimeError::new_err(
                    "seg.volume() of a section with 3-D points is not available in rsneuron yet",
                ));
            }
            let diam = it.range_get(self.id, self.x, "diam").map_err(hoc_err)?;
            let length = it.model.length(rt).map_err(rt_err)?;
            let nseg = it.model.nseg(rt).map_err(rt_err)?;
            Ok(std::f64::consts::PI * diam * diam / 4.0 * length / nseg as f64)
        })
    }

    /// The point processes located in this segment (NEURON's `seg.point_processes()`).
    fn point_processes(&self, py: Python<'_>) -> PyResult<Py<PyList>> {
        let objs = with_it(py, |it| {
            alive(it, self.id)?;
            let rt = it.rt(self.id).map_err(hoc_err)?;
            let nseg = it
                .model
                .nseg(rt)
                .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
            let here = segment_slot(self.x, nseg);
            let mut out = Vec::new();
            for w in it.reg.instances.values().flatten() {
                let Some(o) = w.upgrade() else { continue };
                let at = match &*o.data.borrow() {
                    rsnrn_hoc::value::ObjData::Point(p) => it.model.point_location(*p).ok(),
                    _ => None,
                };
                if at.is_some_and(|(s, x)| s == rt && segment_slot(x, nseg) == here) {
                    out.push(o);
                }
            }
            out.sort_by(|a, b| (a.class.name(), a.index).cmp(&(b.class.name(), b.index)));
            Ok(out)
        })?;
        let items = objs
            .into_iter()
            .map(|o| crate::hocobj::HocObject { obj: o }.into_py_any(py))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyList::new(py, items)?.unbind())
    }

    #[getter]
    fn sec(&self, py: Python<'_>) -> Py<Section> {
        self.sec.clone_ref(py)
    }

    fn __str__(&self, py: Python<'_>) -> PyResult<String> {
        let name = with_it(py, |it| {
            alive(it, self.id)?;
            Ok(it.sec_name(self.id))
        })?;
        Ok(format!("{name}({})", fmt_x(self.x)))
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        self.__str__(py)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        let Ok(o) = other.downcast::<Segment>() else {
            return Ok(false);
        };
        let o = o.borrow();
        with_it(py, |it| {
            let (a, ax) = shared_node(it, self.id, self.x);
            let (b, bx) = shared_node(it, o.id, o.x);
            Ok(a == b && seg_index(it, a, ax)? == seg_index(it, b, bx)?)
        })
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<u64> {
        let (id, k) = with_it(py, |it| {
            let (id, x) = shared_node(it, self.id, self.x);
            Ok((id, seg_index(it, id, x)?))
        })?;
        Ok(((id as u64) << 20) ^ (k as u64 & 0xfffff))
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<PyObject> {
        let id = self.id;
        let x = self.x;
        if let Some(var) = name.strip_prefix("_ref_") {
            let var = var.to_string();
            let ptr = with_it(py, |it| {
                alive(it, id)?;
                it.check_range(id, x, &var)
                    .map_err(|_| attr_err("nrn.Segment", name))?;
                Ok(Ptr::Range {
                    sec: id,
                    x,
                    name: var.as_str().into(),
                })
            })?;
            return Pointer { ptr }.into_py_any(py);
        }
        enum Got {
            Num(f64),
            Mech,
            Func,
        }
        let got = with_it(py, |it| {
            alive(it, id)?;
            if name.ends_with("_ion") && ions_at(it, id, x).iter().any(|i| i == name) {
                return Ok(Got::Mech);
            }
            if is_mech(it, name) {
                return if has_mech(it, id, name)? {
                    Ok(Got::Mech)
                } else {
                    Err(PyAttributeError::new_err(format!(
                        "{name} mechanism is not inserted in {}",
                        it.sec_name(id)
                    )))
                };
            }
            if matches!(name, "area" | "ri") {
                return Ok(Got::Func);
            }
            match it.range_get(id, x, name) {
                Ok(v) => Ok(Got::Num(v)),
                Err(_) => Err(attr_err("nrn.Segment", name)),
            }
        })?;
        match got {
            Got::Num(v) => v.into_py_any(py),
            Got::Mech => MechView {
                sec: self.sec.clone_ref(py),
                id,
                x,
                mech: name.to_string(),
            }
            .into_py_any(py),
            Got::Func => HocMethod {
                target: Target::Seg(id, x, name.to_string()),
            }
            .into_py_any(py),
        }
    }

    fn __setattr__(&self, py: Python<'_>, name: &str, value: f64) -> PyResult<()> {
        with_it(py, |it| {
            alive(it, self.id)?;
            if it.range_get(self.id, self.x, name).is_err() {
                return Err(attr_err("nrn.Segment", name));
            }
            it.range_set(self.id, Some(self.x), name, value)
                .map_err(hoc_err)
        })
    }

    /// The inserted density mechanisms of this segment.
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let mechs = with_it(py, |it| {
            alive(it, self.id)?;
            let mut v = Vec::new();
            for m in it.mechs.density_order.clone() {
                if has_mech(it, self.id, &m)? {
                    v.push(m);
                }
            }
            v.extend(ions_at(it, self.id, self.x));
            Ok(v)
        })?;
        let views = mechs
            .into_iter()
            .map(|mech| {
                Py::new(
                    py,
                    MechView {
                        sec: self.sec.clone_ref(py),
                        id: self.id,
                        x: self.x,
                        mech,
                    },
                )
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyTuple::new(py, views)?.try_iter().map(|i| i.into_any())
    }
}

/// `seg.hh`: the variables of one mechanism at one segment (`seg.hh.gnabar`).
#[pyclass(unsendable, module = "rsneuron", name = "Mechanism")]
pub struct MechView {
    sec: Py<Section>,
    id: SecId,
    x: f64,
    mech: String,
}

impl MechView {
    /// The hoc name of variable `name` of this mechanism (ions' variables have no suffix).
    fn full(&self, name: &str) -> String {
        if self.mech.ends_with("_ion") {
            name.to_string()
        } else {
            format!("{name}_{}", self.mech)
        }
    }
}

#[pymethods]
impl MechView {
    fn name(&self) -> String {
        self.mech.clone()
    }

    fn __str__(&self) -> String {
        self.name()
    }

    /// The mechanism's range variables (without the suffix).
    fn __dir__(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        with_it(py, |it| {
            let mut names: Vec<String> = visible_fields(it, &self.mech)
                .into_iter()
                .filter(|n| it.range_get(self.id, self.x, &self.full(n)).is_ok())
                .collect();
            names.sort();
            Ok(names)
        })
    }

    fn is_ion(&self) -> bool {
        self.mech.ends_with("_ion")
    }

    fn segment(&self, py: Python<'_>) -> Segment {
        Segment {
            sec: self.sec.clone_ref(py),
            id: self.id,
            x: self.x,
        }
    }

    fn __getattr__(&self, py: Python<'_>, name: &str) -> PyResult<PyObject> {
        if let Some(var) = name.strip_prefix("_ref_") {
            let full = self.full(var);
            let ptr = with_it(py, |it| {
                alive(it, self.id)?;
                if it.check_range(self.id, self.x, &full).is_ok() {
                    return Ok(Ptr::Range {
                        sec: self.id,
                        x: self.x,
                        name: full.as_str().into(),
                    });
                }
                // a mechanism global (hh's minf)
                match it.model.get_global(&full) {
                    Ok(_) => Ok(Ptr::MechGlobal(full.as_str().into())),
                    Err(_) => Err(attr_err("nrn.Mechanism", name)),
                }
            })?;
            return Pointer { ptr }.into_py_any(py);
        }
        let full = self.full(name);
        let v = with_it(py, |it| {
            alive(it, self.id)?;
            // A range variable, else a mechanism global (hh's minf, mtau, ...).
            it.range_get(self.id, self.x, &full)
                .or_else(|_| it.model.get_global(&full).map_err(|_| ()))
                .map_err(|_| attr_err("nrn.Mechanism", name))
        })?;
        v.into_py_any(py)
    }

    fn __setattr__(&self, py: Python<'_>, name: &str, value: f64) -> PyResult<()> {
        let full = self.full(name);
        with_it(py, |it| {
            alive(it, self.id)?;
            if it.range_get(self.id, self.x, &full).is_err() {
                return Err(attr_err("nrn.Mechanism", name));
            }
            it.range_set(self.id, Some(self.x), &full, value)
                .map_err(hoc_err)
        })
    }
}

/// The user-visible range variables of mechanism `mech` (without the suffix).
pub(crate) fn visible_fields(it: &Interp, mech: &str) -> Vec<String> {
    it.model
        .mechanism_id(mech)
        .ok()
        .and_then(|id| it.model.mechanism_info(id))
        .map(|info| {
            // NEURON lists PARAMETERs, then ASSIGNED variables, then STATEs.
            let rank = |r: FieldRole| match r {
                FieldRole::Parameter => 0,
                FieldRole::Assigned | FieldRole::IonCurrent => 1,
                FieldRole::State => 2,
                FieldRole::Internal => 3,
            };
            let mut fields: Vec<_> = info.range.iter().filter(|f| f.visible).collect();
            fields.sort_by_key(|f| rank(f.role));
            fields.into_iter().map(|f| f.name.clone()).collect()
        })
        .unwrap_or_default()
}

/// Used by `h.allsec()`.
pub(crate) fn all_sections(py: Python<'_>) -> PyResult<Bound<'_, PyList>> {
    let ids = with_it(py, |it| Ok(it.all_secs()))?;
    sections_list(py, ids)
}

/// Which node x falls on: the 0 end, segment 1..=nseg, or the 1 end.
fn segment_slot(x: f64, nseg: usize) -> usize {
    if x <= 0.0 {
        0
    } else if x >= 1.0 {
        nseg + 1
    } else {
        ((x * nseg as f64) as usize).min(nseg - 1) + 1
    }
}

/// The ions present at `sec(x)` as mechanism names (`na_ion`), sorted: those some mechanism
/// uses whose reversal potential the segment has.
fn ions_at(it: &mut Interp, id: SecId, x: f64) -> Vec<String> {
    let mut ions: Vec<String> = it.mechs.density.values().flatten().cloned().collect();
    ions.sort();
    ions.dedup();
    ions.into_iter()
        .filter(|ion| it.range_get(id, x, &format!("e{ion}")).is_ok())
        .map(|ion| format!("{ion}_ion"))
        .collect()
}

/// The section and x that own the node of `sec(x)`: the end of a section where it is
/// connected is its parent's node (`child(0)` is `parent(x)`).
fn shared_node(it: &Interp, mut id: SecId, mut x: f64) -> (SecId, f64) {
    while let Some((p, end, px)) = it.secs.get(id as usize).and_then(|s| s.parent) {
        if x != end {
            break;
        }
        id = p;
        x = px;
    }
    (id, x)
}
