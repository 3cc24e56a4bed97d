//! hoc values, variable storage and objects.
//!
//! Variables live in [`Scope`]s (the top level, the built-in constants, one per template
//! instance); a procedure's `local`s live in its frame. Strings declared with `strdef` are
//! shared cells because `$s1 = "..."` writes into the caller's variable; object references are
//! reference counted like NEURON's, so instance names count up and `List("T")` sees only live
//! instances.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use rsnrn_runtime::{PointProcessId, RecordId};

use crate::ast::{ProcDef, Sym, TemplateDef};
use crate::symmap::{ClassNameMap, SymMap, SymSet};

pub type StrRef = Rc<RefCell<String>>;
pub type ObjRef = Rc<Object>;
/// Index of a section in the interpreter's section table.
pub type SecId = u32;

pub fn new_str(s: impl Into<String>) -> StrRef {
    Rc::new(RefCell::new(s.into()))
}

/// Where a scope's variables are.
#[derive(Clone)]
pub enum ScopeRef {
    Top,
    /// Built-in constants and variables (`PI`, `hoc_ac_`): visible inside templates too.
    Consts,
    Obj(ObjRef),
}

/// A storage cell that can be pointed to (`&x`, `$&1`) or passed by reference (`$o1`).
#[derive(Clone)]
pub enum CellRef {
    Var {
        scope: ScopeRef,
        slot: u32,
        index: u32,
    },
    Local {
        frame: usize,
        slot: usize,
    },
}

/// Simulator globals kept by the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelVar {
    T,
    Dt,
    Celsius,
    SecondOrder,
}

/// A pointer to a number (`&x`, `&v(0.5)`, `&stim.i`).
#[derive(Clone)]
pub enum Ptr {
    Cell(CellRef),
    Range { sec: SecId, x: f64, name: Rc<str> },
    Point { obj: ObjRef, name: Rc<str> },
    Model(ModelVar),
    MechGlobal(Rc<str>),
    FloatEpsilon,
    VecElem(ObjRef, usize),
}

#[derive(Clone)]
pub enum Value {
    Num(f64),
    Str(StrRef),
    Obj(Option<ObjRef>),
    /// An object variable passed by reference to a procedure (`$o1 = ...` writes through).
    ObjCell(CellRef, Option<ObjRef>),
    Sec(SecId),
    Ptr(Ptr),
    /// What a `proc` call gives.
    Void,
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(new_str(s))
    }

    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Num(_) => "a number",
            Value::Str(_) => "a string",
            Value::Obj(_) | Value::ObjCell(..) => "an object",
            Value::Sec(_) => "a section",
            Value::Ptr(_) => "a pointer",
            Value::Void => "no value (a proc call)",
        }
    }
}

/// One declared name of a scope.
pub enum Slot {
    Num {
        dims: Vec<usize>,
        data: Vec<f64>,
    },
    Str {
        dims: Vec<usize>,
        data: Vec<StrRef>,
    },
    Obj {
        dims: Vec<usize>,
        data: Vec<Option<ObjRef>>,
    },
    Sec {
        dims: Vec<usize>,
        data: Vec<SecId>,
    },
    Proc(Rc<ProcDef>),
    Template(Rc<Template>),
}

#[derive(Default)]
pub struct Scope {
    pub names: SymMap<u32>,
    pub slots: Vec<Slot>,
}

impl Scope {
    pub fn get(&self, sym: Sym) -> Option<u32> {
        self.names.get(&sym).copied()
    }

    /// Declares or redeclares `sym` (redeclaring replaces the old storage, as hoc does).
    pub fn set(&mut self, sym: Sym, slot: Slot) -> u32 {
        match self.names.get(&sym) {
            Some(&i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                let i = self.slots.len() as u32;
                self.slots.push(slot);
                self.names.insert(sym, i);
                i
            }
        }
    }
}

/// A template (`begintemplate`): its procedures, public and external names, and the
/// declarations each new instance runs.
pub struct Template {
    pub name: Sym,
    pub name_str: Rc<str>,
    pub def: Rc<TemplateDef>,
    pub procs: SymMap<Rc<ProcDef>>,
    pub public: SymSet,
    pub external: SymSet,
}

/// The built-in classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClassKind {
    Vector,
    List,
    File,
    StringFunctions,
    SectionRef,
    SectionList,
    Matrix,
    Timer,
    CVode,
    Random,
    NetCon,
    FInitializeHandler,
    /// A host object (a Python callable) as hoc sees it.
    PythonObject,
    ParallelContext,
    /// GUI classes (Graph, Shape, ...): inert headless.
    Gui(&'static str),
    /// Not provided yet by rsnrn; `new` reports it.
    Missing(&'static str),
}

impl ClassKind {
    pub fn name(self) -> &'static str {
        match self {
            ClassKind::Vector => "Vector",
            ClassKind::List => "List",
            ClassKind::File => "File",
            ClassKind::StringFunctions => "StringFunctions",
            ClassKind::SectionRef => "SectionRef",
            ClassKind::SectionList => "SectionList",
            ClassKind::Matrix => "Matrix",
            ClassKind::Timer => "Timer",
            ClassKind::CVode => "CVode",
            ClassKind::Random => "Random",
            ClassKind::NetCon => "NetCon",
            ClassKind::FInitializeHandler => "FInitializeHandler",
            ClassKind::PythonObject => "PythonObject",
            ClassKind::ParallelContext => "ParallelContext",
            ClassKind::Gui(n) | ClassKind::Missing(n) => n,
        }
    }
}

#[derive(Clone)]
pub enum Class {
    Builtin(ClassKind),
    Template(Rc<Template>),
    /// A point process mechanism (`IClamp`).
    Point(Rc<str>),
}

impl Class {
    pub fn name(&self) -> &str {
        match self {
            Class::Builtin(k) => k.name(),
            Class::Template(t) => &t.name_str,
            Class::Point(n) => n,
        }
    }
}

/// Data of a Vector; `rec` is set while the vector records a variable (the samples are
/// copied from the model after every finitialize/fadvance).
#[derive(Default)]
pub struct VecData {
    pub data: Vec<f64>,
    pub rec: Option<RecordId>,
}

pub struct MatrixData {
    pub nrow: usize,
    pub ncol: usize,
    /// Row-major.
    pub data: Vec<f64>,
}

pub enum ObjData {
    /// A template instance's variables.
    Hoc(Scope),
    Vector(VecData),
    List(Vec<ObjRef>),
    File(crate::builtins::file::FileData),
    SectionRef(SecId),
    SectionList(Vec<SecId>),
    Point(PointProcessId),
    /// A point process made without a location (`new IClamp()`, Python's `h.IClamp()`): no
    /// runtime instance until `loc(x)` places it, as in NEURON, where its fields cannot be
    /// read or set before that ("point process not located in a section").
    UnlocatedPoint,
    NetCon(rsnrn_runtime::NetConId),
    Matrix(MatrixData),
    Timer(std::time::Instant),
    Random(crate::builtins::random::RandomData),
    /// Classes without state (StringFunctions, GUI objects, CVode, FInitializeHandler).
    Plain,
    /// An object of the embedding front end (a Python object).
    Host(Box<dyn std::any::Any>),
}

pub struct Object {
    pub class: Class,
    /// Instance number within the class (`Vector[3]`).
    pub index: usize,
    pub data: RefCell<ObjData>,
    /// For point processes, NetCons and template instances: where to report that this object
    /// was freed.
    pub on_free: Option<ReleaseSink>,
}

/// What a freed hoc object leaves for the simulator to remove.
#[derive(Debug, Clone, PartialEq)]
pub enum Released {
    Point(PointProcessId),
    NetCon(rsnrn_runtime::NetConId),
    /// The sections of a template instance (NEURON deletes them with the object).
    Sections(Vec<SecId>),
}

/// Where freed point processes and NetCons are listed for the simulator to remove, in the
/// order they went. Each interpreter's [`Registry`] owns one; the interpreter removes them
/// from the model before it next simulates or reports on it (`Interp::release_freed_objects`):
/// NEURON frees them at once, so a dropped IClamp stops injecting and a dropped NetCon stops
/// delivering.
pub type ReleaseSink = Rc<RefCell<Vec<Released>>>;

impl Drop for Object {
    fn drop(&mut self) {
        let Some(sink) = &self.on_free else { return };
        let released = match self.data.get_mut() {
            ObjData::Point(p) => Released::Point(*p),
            ObjData::NetCon(n) => Released::NetCon(*n),
            ObjData::Hoc(scope) => {
                let sections: Vec<SecId> = scope
                    .slots
                    .iter()
                    .flat_map(|slot| match slot {
                        Slot::Sec { data, .. } => data.as_slice(),
                        _ => &[],
                    })
                    .copied()
                    .collect();
                if sections.is_empty() {
                    return;
                }
                Released::Sections(sections)
            }
            _ => return,
        };
        // A sink still borrowed means the interpreter is draining it; cannot happen for
        // drops the drain causes (it only talks to the model), but never panic in drop.
        if let Ok(mut list) = sink.try_borrow_mut() {
            list.push(released);
        }
    }
}

impl Object {
    pub fn name(&self) -> String {
        format!("{}[{}]", self.class.name(), self.index)
    }
}

/// Live instances per class name, for `List("T")` and `allobjects()`.
#[derive(Default)]
pub struct Registry {
    pub counters: ClassNameMap<usize>,
    pub instances: ClassNameMap<Vec<Weak<Object>>>,
    /// Point processes, NetCons and template instances freed since the interpreter last
    /// removed them.
    pub released: ReleaseSink,
}

impl Registry {
    pub fn new_object(&mut self, class: Class, data: ObjData) -> ObjRef {
        // The class's entries are made once; later objects look them up by &str (a network
        // set-up makes hundreds of thousands of NetCons: no String per object).
        if !self.instances.contains_key(class.name()) {
            self.instances.insert(class.name().to_string(), Vec::new());
        }
        let list = self.instances.get_mut(class.name()).expect("made above");
        // NEURON numbers a class's instances from 0 again once none is alive. Newest first (the
        // likeliest to live); the dead entries are dropped once all are dead, so objects that
        // each die before the next is made (a NetCon per pc.cell) are not rescanned n^2/2 times.
        let none_alive = list.iter().rev().all(|w| w.strong_count() == 0);
        if none_alive {
            list.clear();
        }
        if !self.counters.contains_key(class.name()) {
            self.counters.insert(class.name().to_string(), 0);
        }
        let counter = self.counters.get_mut(class.name()).expect("made above");
        if none_alive {
            *counter = 0;
        }
        let index = *counter;
        *counter += 1;
        let on_free = matches!(
            data,
            ObjData::Point(_) | ObjData::UnlocatedPoint | ObjData::NetCon(_) | ObjData::Hoc(_)
        )
        .then(|| self.released.clone());
        let obj = Rc::new(Object {
            class,
            index,
            data: RefCell::new(data),
            on_free,
        });
        if list.len() > 64 && list.len().is_power_of_two() {
            list.retain(|w| w.strong_count() > 0);
        }
        list.push(Rc::downgrade(&obj));
        obj
    }

    pub fn live(&self, class: &str) -> Vec<ObjRef> {
        self.instances
            .get(class)
            .map(|l| l.iter().filter_map(|w| w.upgrade()).collect())
            .unwrap_or_default()
    }
}

/// Total number of elements of an array with `dims` (1 for a scalar).
pub fn dims_len(dims: &[usize]) -> usize {
    dims.iter()
        .product::<usize>()
        .max(if dims.is_empty() { 1 } else { 0 })
}
