//! The mechanism's names: the NEURON block, the declaration blocks, UNITS constants, the
//! variables NEURON provides, and the signatures of PROCEDURE, FUNCTION, FUNCTION_TABLE and
//! the solvable blocks.

use crate::include::{for_each_statement, Located, Origin};
use crate::names::{builtin_of, c_identifiers, ion_role};
use crate::units;
use nmodl_ir::{
    Block, Builtin, Current, CurrentKind, Function, FunctionKind, Handle, IonRole, IonUse, Limits,
    Mechanism, MechanismKind, StateDecl, Storage, Variable, VariableKind,
};
use nmodl_syntax::ast::{self, ItemKind, NeuronStmtKind};
use nmodl_syntax::diagnostics::Diagnostic;
use std::collections::{HashMap, HashSet};

/// Which body a statement belongs to, for the rules on where constructs may appear and for
/// the warnings about GLOBALs assigned during the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Owner {
    Initial,
    Breakpoint,
    Function(Handle<Function>),
    NetReceive,
    /// The INITIAL block inside NET_RECEIVE.
    NetReceiveInitial,
    Constructor,
    Destructor,
    Hook,
}

/// One assignment to a mechanism-level variable, kept for the lint pass.
pub(crate) struct Write {
    pub variable: Handle<Variable>,
    pub owner: Owner,
    pub span: ast::Span,
}

pub(crate) struct Context {
    pub mech: Mechanism,
    pub diagnostics: Vec<Diagnostic>,
    /// Mechanism-level names (not locals) to their variables.
    pub names: HashMap<String, Handle<Variable>>,
    pub functions: HashMap<String, Handle<Function>>,
    /// DEFINE'd integer constants.
    pub defines: HashMap<String, f64>,
    /// Files INCLUDEd so far; `origin` is the one the item being processed came from.
    pub origins: Vec<Origin>,
    pub origin: Option<usize>,
    /// Identifiers of all VERBATIM code: names the C code may declare.
    pub verbatim_names: HashSet<String>,
    /// Variables read anywhere (for the unused-variable warning).
    pub reads: HashSet<Handle<Variable>>,
    /// Variables assigned anywhere, with where.
    pub writes: Vec<Write>,
    /// PROCEDURE/FUNCTION calls, by calling body.
    pub calls: Vec<(Owner, Handle<Function>)>,
    /// The NET_RECEIVE parameter count, when there is a NET_RECEIVE.
    pub net_receive_arity: Option<usize>,
    /// Built-in units plus the UNITS block's definitions.
    pub units: units::Units,
    range_names: Vec<ast::Ident>,
    global_names: Vec<ast::Ident>,
    has_kind: bool,
}

impl Context {
    pub fn new() -> Self {
        Context {
            mech: Mechanism::default(),
            diagnostics: Vec::new(),
            names: HashMap::new(),
            functions: HashMap::new(),
            defines: HashMap::new(),
            origins: Vec::new(),
            origin: None,
            verbatim_names: HashSet::new(),
            reads: HashSet::new(),
            writes: Vec::new(),
            calls: Vec::new(),
            net_receive_arity: None,
            units: units::Units::new(),
            range_names: Vec::new(),
            global_names: Vec::new(),
            has_kind: false,
        }
    }

    /// A diagnostic at `at`; for included text it points at the INCLUDE and names the place
    /// in the included file.
    pub fn push(&mut self, mut d: Diagnostic) {
        if let Some(o) = self.origin.and_then(|o| self.origins.get(o)) {
            d.notes.push(o.note(d.span));
            d.span = o.include_span;
            d.labels.clear();
        }
        self.diagnostics.push(d);
    }

    pub fn error(&mut self, message: impl Into<String>, at: ast::Span) {
        self.push(Diagnostic::error(message, at));
    }

    pub fn warning(&mut self, message: impl Into<String>, at: ast::Span) {
        self.push(Diagnostic::warning(message, at));
    }

    /// A literal's value; one that overflows a double (`1e999`) or is malformed is an error.
    pub fn finite(&mut self, n: &ast::Number) -> f64 {
        if n.value.is_finite() {
            return n.value;
        }
        let problem = if n.value.is_nan() {
            "is not a valid number"
        } else {
            "is too large for a double"
        };
        self.error(format!("the number {} {problem}", n.text), n.span);
        0.0
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
    }

    /// The IR span for an AST span (the INCLUDE's span for included text).
    pub fn sp(&self, s: ast::Span) -> nmodl_ir::Span {
        let s = match self.origin.and_then(|o| self.origins.get(o)) {
            Some(o) => o.include_span,
            None => s,
        };
        nmodl_ir::Span {
            start: s.start,
            end: s.end,
        }
    }

    pub fn finish(self) -> (Option<Mechanism>, Vec<Diagnostic>) {
        if self.has_errors() {
            return (None, self.diagnostics);
        }
        if let Err(errors) = nmodl_ir::validate(&self.mech) {
            let mut diagnostics = self.diagnostics;
            for e in errors {
                diagnostics.push(Diagnostic::error(
                    format!("internal error: the IR is malformed: {e}"),
                    ast::Span::default(),
                ));
            }
            return (None, diagnostics);
        }
        (Some(self.mech), self.diagnostics)
    }

    pub fn add_variable(&mut self, var: Variable) -> Handle<Variable> {
        let name = var.name.clone();
        let local = var.storage == Storage::Local;
        let h = self.mech.variables.append(var);
        if !local {
            self.names.insert(name, h);
        }
        h
    }

    /// A variable that lives in a code block (LOCAL, argument, loop counter, ...).
    pub fn local_variable(
        &mut self,
        name: &ast::Ident,
        kind: VariableKind,
        storage: Storage,
        size: Option<u32>,
    ) -> Handle<Variable> {
        let span = self.sp(name.span);
        self.mech.variables.append(Variable {
            name: name.name.clone(),
            kind,
            storage,
            visible: false,
            size,
            default: None,
            units: None,
            span,
        })
    }

    /// Creates the builtin `name` on first use.
    pub fn builtin(&mut self, name: &str, b: Builtin, at: ast::Span) -> Handle<Variable> {
        if let Some(&h) = self.names.get(name) {
            return h;
        }
        let span = self.sp(at);
        self.add_variable(Variable {
            name: name.to_string(),
            kind: VariableKind::Builtin(b),
            storage: Storage::Builtin,
            visible: false,
            size: None,
            default: None,
            units: None,
            span,
        })
    }

    /// Every identifier of every VERBATIM block, top level or nested.
    pub fn collect_verbatim_names(&mut self, items: &[Located]) {
        let mut out = HashSet::new();
        for l in items {
            if let ItemKind::Verbatim(raw) = &l.item.kind {
                c_identifiers(&raw.text, &mut out);
            }
        }
        for_each_statement(items.iter(), &mut |s| {
            if let ast::StmtKind::Verbatim(raw) = &s.kind {
                c_identifiers(&raw.text, &mut out);
            }
        });
        self.verbatim_names = out;
    }

    /// Pass 1: everything declared at mechanism level.
    pub fn declare(&mut self, items: &[Located], default_name: Option<String>) {
        for l in items {
            self.origin = l.origin;
            match &l.item.kind {
                ItemKind::Title(t) => self.mech.title = Some(t.clone()),
                ItemKind::Define { name, value } => {
                    if self.defines.contains_key(&name.name) {
                        self.error(format!("{} is DEFINEd twice", name.name), name.span);
                    }
                    let x = self.finite(value);
                    self.defines.insert(name.name.clone(), x);
                }
                _ => {}
            }
        }
        for l in items {
            self.origin = l.origin;
            if let ItemKind::Neuron(stmts) = &l.item.kind {
                self.neuron_block(stmts);
            }
        }
        self.origin = None;
        if !self.has_kind {
            match default_name {
                Some(name) => {
                    self.has_kind = true;
                    self.mech.name = name;
                }
                None => {
                    let at = items.first().map(|l| l.item.span).unwrap_or_default();
                    self.error(
                        "this file has no NEURON block with SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL, so the mechanism has no name",
                        at,
                    );
                }
            }
        }
        for l in items {
            self.origin = l.origin;
            match &l.item.kind {
                ItemKind::Units(defs) => self.units_block(defs),
                ItemKind::Constant(decls) => self.declarations(decls, VariableKind::Constant),
                ItemKind::Parameter(decls) => self.declarations(decls, VariableKind::Parameter),
                ItemKind::State(decls) => self.declarations(decls, VariableKind::State),
                ItemKind::Assigned(decls) => self.declarations(decls, VariableKind::Assigned),
                ItemKind::Independent(decls) => self.independent(decls),
                ItemKind::Local(vars) => {
                    for v in vars {
                        let size = self.array_size(v.array.as_ref());
                        if self.names.contains_key(&v.name.name) {
                            self.error(format!("{} is declared twice", v.name.name), v.name.span);
                            continue;
                        }
                        let span = self.sp(v.name.span);
                        // nocmodl makes a top-level LOCAL one C static shared by all instances.
                        self.add_variable(Variable {
                            name: v.name.name.clone(),
                            kind: VariableKind::Local,
                            storage: Storage::Global,
                            visible: false,
                            size,
                            default: None,
                            units: None,
                            span,
                        });
                    }
                }
                _ => {}
            }
        }
        self.origin = None;
        self.check_neuron_names();
        self.declare_functions(items);
    }

    fn neuron_block(&mut self, stmts: &[ast::NeuronStmt]) {
        for s in stmts {
            match &s.kind {
                NeuronStmtKind::Suffix(n) => self.set_kind(MechanismKind::Density, n),
                NeuronStmtKind::PointProcess(n) => self.set_kind(MechanismKind::PointProcess, n),
                NeuronStmtKind::ArtificialCell(n) => {
                    self.set_kind(MechanismKind::ArtificialCell, n)
                }
                NeuronStmtKind::UseIon {
                    ion,
                    read,
                    write,
                    valence,
                    ..
                } => self.use_ion(ion, read, write, valence.as_ref()),
                NeuronStmtKind::NonspecificCurrent(names) => {
                    self.currents(names, CurrentKind::Nonspecific)
                }
                NeuronStmtKind::ElectrodeCurrent(names) => {
                    self.currents(names, CurrentKind::Electrode)
                }
                NeuronStmtKind::Range(names) => self.range_names.extend(names.iter().cloned()),
                NeuronStmtKind::Global(names) => self.global_names.extend(names.iter().cloned()),
                NeuronStmtKind::ThreadSafe(_) => self.mech.threadsafe = true,
                NeuronStmtKind::Pointer(names) => {
                    self.special_variables(names, VariableKind::Pointer, Storage::Pointer)
                }
                NeuronStmtKind::BbcorePointer(names) => {
                    self.special_variables(names, VariableKind::BbcorePointer, Storage::Opaque)
                }
                NeuronStmtKind::Random(names) => {
                    self.special_variables(names, VariableKind::Random, Storage::Opaque)
                }
                NeuronStmtKind::External(names) => {
                    self.special_variables(names, VariableKind::External, Storage::External)
                }
                NeuronStmtKind::Represents(_) => {}
            }
        }
    }

    fn currents(&mut self, names: &[ast::Ident], kind: CurrentKind) {
        for n in names {
            if self.names.contains_key(&n.name) {
                self.error(
                    format!("{} is named twice in the NEURON block", n.name),
                    n.span,
                );
                continue;
            }
            let h = self.new_mechanism_variable(n, VariableKind::Assigned, None, None, None);
            self.mech.variables[h].visible = true;
            self.mech.currents.push(Current { variable: h, kind });
        }
    }

    fn special_variables(&mut self, names: &[ast::Ident], kind: VariableKind, storage: Storage) {
        for n in names {
            if builtin_of(&n.name).is_some() || self.names.contains_key(&n.name) {
                self.error(
                    format!("{} is named twice in the NEURON block", n.name),
                    n.span,
                );
                continue;
            }
            let span = self.sp(n.span);
            self.add_variable(Variable {
                name: n.name.clone(),
                kind,
                storage,
                visible: matches!(kind, VariableKind::Pointer | VariableKind::Random),
                size: None,
                default: None,
                units: None,
                span,
            });
        }
    }

    fn set_kind(&mut self, kind: MechanismKind, name: &ast::Ident) {
        if self.has_kind {
            self.error(
                format!("a second mechanism name {} in the NEURON block; a .mod file defines one mechanism", name.name),
                name.span,
            );
            return;
        }
        self.has_kind = true;
        self.mech.kind = kind;
        self.mech.name = name.name.clone();
    }

    fn use_ion(
        &mut self,
        ion: &ast::Ident,
        read: &[ast::Ident],
        write: &[ast::Ident],
        valence: Option<&ast::Number>,
    ) {
        if self.mech.ions.iter().any(|i| i.name == ion.name) {
            self.error(
                format!(
                    "USEION {} appears twice; name all its variables in one USEION",
                    ion.name
                ),
                ion.span,
            );
            return;
        }
        let index = self.mech.ions.len() as u32;
        let mut use_ = IonUse {
            name: ion.name.clone(),
            read: Vec::new(),
            write: Vec::new(),
            valence: valence.map(|v| self.finite(v)),
        };
        for (names, writing) in [(read, false), (write, true)] {
            for n in names {
                let Some(role) = ion_role(&ion.name, &n.name) else {
                    self.error(
                        format!(
                            "{} is not a variable of ion {}; USEION {} can name e{}, {}i, {}o and i{}",
                            n.name, ion.name, ion.name, ion.name, ion.name, ion.name, ion.name
                        ),
                        n.span,
                    );
                    continue;
                };
                let h = match self.names.get(&n.name) {
                    Some(&h) => h,
                    None => {
                        // Written currents are kept per instance and added to the ion's total;
                        // everything else is read or written through the ion's own storage.
                        let storage = if writing && role == IonRole::Current {
                            Storage::Range
                        } else {
                            Storage::Ion
                        };
                        let span = self.sp(n.span);
                        self.add_variable(Variable {
                            name: n.name.clone(),
                            kind: VariableKind::Ion { ion: index, role },
                            storage,
                            visible: false,
                            size: None,
                            default: None,
                            units: None,
                            span,
                        })
                    }
                };
                if !matches!(self.mech.variables[h].kind, VariableKind::Ion { .. }) {
                    self.error(
                        format!("{} is already declared in the NEURON block", n.name),
                        n.span,
                    );
                    continue;
                }
                if writing {
                    if role == IonRole::Current {
                        self.mech.variables[h].storage = Storage::Range;
                        self.mech.currents.push(Current {
                            variable: h,
                            kind: CurrentKind::Ion(index),
                        });
                    }
                    use_.write.push(h);
                } else {
                    use_.read.push(h);
                }
            }
        }
        self.mech.ions.push(use_);
    }

    fn units_block(&mut self, defs: &[ast::UnitDef]) {
        for d in defs {
            let (name, value, unit) = match &d.kind {
                ast::UnitDefKind::Alias { unit, definition } => {
                    // nocmodl does not check unit definitions; an unknown unit only stops the
                    // unit checks that would use it.
                    if let Err(message) = self.units.define(&unit.text, &definition.text) {
                        self.warning(message, definition.span);
                    }
                    continue;
                }
                ast::UnitDefKind::Constant { name, value, unit } => (
                    name,
                    self.finite(value),
                    unit.as_ref().map(|u| u.text.clone()),
                ),
                ast::UnitDefKind::Factor { name, from, to } => {
                    match self
                        .units
                        .factor(&from.text, to.as_ref().map(|u| u.text.as_str()))
                    {
                        Ok(x) => (name, x, to.as_ref().map(|u| u.text.clone())),
                        Err(message) => {
                            self.error(message, d.span);
                            continue;
                        }
                    }
                }
            };
            if self.names.contains_key(&name.name) || builtin_of(&name.name).is_some() {
                self.error(format!("{} is declared twice", name.name), name.span);
                continue;
            }
            self.new_mechanism_variable(name, VariableKind::Constant, None, Some(value), unit);
        }
    }

    pub fn array_size(&mut self, a: Option<&ast::ArraySize>) -> Option<u32> {
        let (value, at) = match a? {
            ast::ArraySize::Literal(n) => (n.value, n.span),
            ast::ArraySize::Named(name) => match self.defines.get(&name.name) {
                Some(&x) => (x, name.span),
                None => {
                    self.error(
                        format!("array size {} is not DEFINEd", name.name),
                        name.span,
                    );
                    return Some(1);
                }
            },
        };
        if !(value >= 1.0 && value.fract() == 0.0 && value <= 1e7) {
            self.error(
                "an array size must be a whole number from 1 to 10000000",
                at,
            );
            return Some(1);
        }
        Some(value as u32)
    }

    fn independent(&mut self, decls: &[ast::VarDecl]) {
        for d in decls {
            if d.name.name != "t" {
                self.warning(
                    format!("{} cannot be the independent variable; NEURON integrates in t and ignores this", d.name.name),
                    d.name.span,
                );
            }
        }
    }

    fn declarations(&mut self, decls: &[ast::VarDecl], kind: VariableKind) {
        for d in decls {
            let name = &d.name.name;
            // Variables NEURON provides keep their meaning whatever block declares them.
            if let Some(b) = builtin_of(name) {
                match kind {
                    VariableKind::State => self.error(
                        format!("{name} is provided by NEURON and cannot be a STATE"),
                        d.name.span,
                    ),
                    VariableKind::Constant => self.error(
                        format!("{name} is provided by NEURON and cannot be a CONSTANT"),
                        d.name.span,
                    ),
                    _ => {
                        if let (VariableKind::Parameter, Some(value)) = (kind, &d.value) {
                            if b != Builtin::V {
                                self.warning(
                                    format!("the default {} of PARAMETER {name} is ignored: NEURON sets {name}", value.text),
                                    value.span,
                                );
                            }
                        }
                        self.builtin(name, b, d.name.span);
                    }
                }
                continue;
            }
            if let Some(&h) = self.names.get(name) {
                self.redeclaration(h, d, kind);
                continue;
            }
            if is_library_name(name) {
                self.library_name_error(name, d.name.span);
                continue;
            }
            let size = self.array_size(d.array.as_ref());
            let default = match kind {
                VariableKind::State => d.start.as_ref().map(|n| self.finite(n)),
                VariableKind::Parameter => d
                    .value
                    .as_ref()
                    .map(|n| as_nocmodl_writes_it(self.finite(n))),
                _ => d.value.as_ref().map(|n| self.finite(n)),
            };
            let h = self.new_mechanism_variable(
                &d.name,
                kind,
                size,
                default,
                d.unit.as_ref().map(|u| u.text.clone()),
            );
            self.attributes(h, d, kind);
        }
    }

    /// Limits and tolerances of a declaration.
    fn attributes(&mut self, h: Handle<Variable>, d: &ast::VarDecl, kind: VariableKind) {
        if let Some(l) = &d.limits {
            let (lo, hi) = (self.finite(&l.lo), self.finite(&l.hi));
            self.mech.limits.push(Limits {
                variable: h,
                lo,
                hi,
            });
        }
        if kind == VariableKind::State {
            let abstol = d.abstol.as_ref().map(|n| self.finite(n));
            self.mech.states.push(StateDecl {
                variable: h,
                abstol,
                initial: None,
            });
        }
    }

    /// A second declaration of a name: legal for the variables the NEURON block introduced
    /// (USEION, currents, POINTER), which the blocks only give units and defaults.
    fn redeclaration(&mut self, h: Handle<Variable>, d: &ast::VarDecl, kind: VariableKind) {
        let name = &d.name.name;
        let existing = self.mech.variables[h].kind;
        let from_neuron_block = match existing {
            VariableKind::Ion { .. } | VariableKind::Pointer | VariableKind::BbcorePointer => true,
            VariableKind::Assigned => self.mech.currents.iter().any(|c| c.variable == h),
            _ => false,
        };
        match existing {
            VariableKind::Ion { .. } if kind == VariableKind::Constant => {
                self.error(
                    format!("{name} is an ion variable from USEION and cannot be re-declared in CONSTANT"),
                    d.name.span,
                );
            }
            VariableKind::Ion { role, .. } if kind == VariableKind::State => {
                if !matches!(role, IonRole::Inside | IonRole::Outside) {
                    self.error(
                        format!("{name} cannot be a STATE: only an ion's concentrations can be integrated"),
                        d.name.span,
                    );
                    return;
                }
                if self.mech.states.iter().any(|s| s.variable == h) {
                    self.error(format!("{name} is declared twice"), d.name.span);
                    return;
                }
                self.set_units(h, d);
                self.attributes(h, d, kind);
            }
            _ if from_neuron_block && kind != VariableKind::State => {
                if let (VariableKind::Ion { role, .. }, VariableKind::Parameter, Some(value)) =
                    (existing, kind, &d.value)
                {
                    let read_only = !self.mech.ions.iter().any(|i| i.write.contains(&h));
                    if read_only && role != IonRole::Current {
                        self.warning(
                            format!("the default {} of PARAMETER {name} is ignored: {name} comes from the ion", value.text),
                            value.span,
                        );
                    }
                }
                self.set_units(h, d);
                self.attributes(h, d, kind);
            }
            _ => self.error(format!("{name} is declared twice"), d.name.span),
        }
    }

    fn library_name_error(&mut self, name: &str, span: ast::Span) {
        self.error(
            format!(
                "{name} is the name of a function of NEURON's library (nocmodl: \"multiple uses \
                 for same variable\"); choose another name"
            ),
            span,
        );
    }

    fn set_units(&mut self, h: Handle<Variable>, d: &ast::VarDecl) {
        if let Some(u) = &d.unit {
            self.mech.variables[h].units = Some(u.text.clone());
        }
    }

    fn new_mechanism_variable(
        &mut self,
        name: &ast::Ident,
        kind: VariableKind,
        size: Option<u32>,
        default: Option<f64>,
        units: Option<String>,
    ) -> Handle<Variable> {
        if let Some(&h) = self.names.get(&name.name) {
            return h;
        }
        let (storage, visible) = self.storage_of(&name.name, kind);
        let span = self.sp(name.span);
        self.add_variable(Variable {
            name: name.name.clone(),
            kind,
            storage,
            visible,
            size,
            default,
            units,
            span,
        })
    }

    /// NEURON's defaults: PARAMETERs are GLOBAL unless RANGE, ASSIGNED and STATE are per
    /// instance unless GLOBAL; CONSTANTs are shared values.
    fn storage_of(&self, name: &str, kind: VariableKind) -> (Storage, bool) {
        let range = self.range_names.iter().any(|n| n.name == name);
        let global = self.global_names.iter().any(|n| n.name == name);
        match kind {
            VariableKind::Parameter if range => (Storage::Range, true),
            VariableKind::Parameter => (Storage::Global, true),
            VariableKind::Constant => (Storage::Global, false),
            VariableKind::State => (Storage::Range, true),
            _ if global => (Storage::Global, true),
            _ => (Storage::Range, range),
        }
    }

    /// `s0` for a STATE `s`: NEURON declares it implicitly (the value `s` starts from).
    pub fn state_initial(&mut self, name: &str) -> Option<Handle<Variable>> {
        let state_name = name.strip_suffix('0')?;
        let &state = self.names.get(state_name)?;
        let index = self.mech.states.iter().position(|s| s.variable == state)?;
        if let Some(h) = self.mech.states[index].initial {
            return Some(h);
        }
        let v = &self.mech.variables[state];
        let var = Variable {
            name: name.to_string(),
            kind: VariableKind::Parameter,
            storage: Storage::Global,
            visible: false,
            size: v.size,
            default: Some(v.default.unwrap_or(0.0)),
            units: v.units.clone(),
            span: v.span,
        };
        let h = self.add_variable(var);
        self.mech.states[index].initial = Some(h);
        Some(h)
    }

    /// RANGE names that are never declared are ignored by NEURON (a warning here); GLOBAL
    /// names must be declared (nocmodl: "does not have a proper declaration").
    fn check_neuron_names(&mut self) {
        let mut names: Vec<(ast::Ident, &str)> = Vec::new();
        names.extend(self.range_names.iter().cloned().map(|n| (n, "RANGE")));
        names.extend(self.global_names.iter().cloned().map(|n| (n, "GLOBAL")));
        for (n, what) in names {
            if !self.names.contains_key(&n.name) {
                self.state_initial(&n.name);
            }
            match self.names.get(&n.name) {
                Some(&h) => {
                    let v = &mut self.mech.variables[h];
                    let global = what == "GLOBAL";
                    if global && self.mech.states.iter().any(|s| s.variable == h) {
                        self.error(format!("STATE {} cannot be GLOBAL", n.name), n.span);
                    } else if matches!(v.kind, VariableKind::Builtin(_)) {
                        // e.g. RANGE v in old files: harmless.
                    } else {
                        v.visible = true;
                    }
                }
                None if builtin_of(&n.name).is_some() => {}
                None if what == "RANGE" => self.warning(
                    format!(
                        "RANGE names {}, which is declared nowhere else; NEURON ignores it",
                        n.name
                    ),
                    n.span,
                ),
                None => self.error(
                    format!(
                        "GLOBAL names {}, which is not declared in PARAMETER, ASSIGNED or STATE",
                        n.name
                    ),
                    n.span,
                ),
            }
        }
        let ranges: Vec<ast::Ident> = self.range_names.clone();
        for r in ranges {
            if self.global_names.iter().any(|g| g.name == r.name) {
                self.error(format!("{} is both RANGE and GLOBAL", r.name), r.span);
            }
            // A written ion current named in RANGE is also the mechanism's own range variable
            // (`ik_Golgi_KA`: this mechanism's part of ik), as in NEURON; other ion variables
            // in RANGE stay the ion's.
            if let Some(&h) = self.names.get(&r.name) {
                let v = &mut self.mech.variables[h];
                if matches!(
                    v.kind,
                    VariableKind::Ion {
                        role: IonRole::Current,
                        ..
                    }
                ) && v.storage == Storage::Range
                {
                    v.visible = true;
                }
            }
        }
    }

    fn declare_functions(&mut self, items: &[Located]) {
        for l in items {
            self.origin = l.origin;
            let item = &l.item;
            let (name, kind, params): (&ast::Ident, FunctionKind, &[ast::Param]) = match &item.kind
            {
                ItemKind::Procedure(c) => (&c.name, FunctionKind::Procedure, &c.params),
                ItemKind::Function(c) => (&c.name, FunctionKind::Function, &c.params),
                ItemKind::FunctionTable { name, params, .. } => {
                    (name, FunctionKind::FunctionTable, params)
                }
                ItemKind::Derivative { name, .. } => (name, FunctionKind::Derivative, &[]),
                ItemKind::Kinetic { name, .. } => (name, FunctionKind::Kinetic, &[]),
                ItemKind::Linear { name, .. } => (name, FunctionKind::Linear, &[]),
                ItemKind::NonLinear { name, .. } => (name, FunctionKind::NonLinear, &[]),
                _ => continue,
            };
            if self.functions.contains_key(&name.name) {
                self.error(format!("{} is defined twice", name.name), name.span);
                continue;
            }
            if is_library_name(&name.name) {
                self.library_name_error(&name.name, name.span);
                continue;
            }
            if self.names.contains_key(&name.name) || builtin_of(&name.name).is_some() {
                self.error(
                    format!(
                        "{} is both a variable and a {}; use different names",
                        name.name,
                        crate::body::block_keyword(kind)
                    ),
                    name.span,
                );
                continue;
            }
            let mut seen = HashSet::new();
            let mut parameters = Vec::new();
            for p in params {
                if !seen.insert(p.name.name.clone()) {
                    self.error(
                        format!("parameter {} is named twice", p.name.name),
                        p.name.span,
                    );
                }
                let h = self.local_variable(&p.name, VariableKind::Argument, Storage::Local, None);
                self.mech.variables[h].units = p.unit.as_ref().map(|u| u.text.clone());
                parameters.push(h);
            }
            let result = (kind == FunctionKind::Function).then(|| {
                self.local_variable(name, VariableKind::FunctionResult, Storage::Local, None)
            });
            let span = self.sp(item.span);
            let h = self.mech.functions.append(Function {
                name: name.name.clone(),
                kind,
                parameters,
                locals: Vec::new(),
                result,
                body: Block::default(),
                table: None,
                span,
            });
            self.functions.insert(name.name.clone(), h);
        }
        self.origin = None;
    }
}

/// A PARAMETER's default as NEURON 9.0.2 starts from it: nocmodl writes the defaults (GLOBAL
/// and RANGE) into the C++ it generates with printf's `%g`, i.e. rounded to 6 significant
/// digits, so `Q10 = 1.980105147` is 1.98011 in NEURON. CONSTANTs and numbers in code keep
/// every digit.
pub(crate) fn as_nocmodl_writes_it(value: f64) -> f64 {
    if !value.is_finite() || value == 0.0 {
        return value;
    }
    // `{:.5e}` rounds the exact binary value to 6 significant digits, as glibc's printf does.
    format!("{value:.5e}").parse().unwrap_or(value)
}

/// Names nocmodl 9.0.2 already knows (math and scoplib functions): a FUNCTION, PROCEDURE or
/// variable of that name is refused with "multiple uses for same variable" (each checked with
/// nrnivmodl).
const LIBRARY_NAMES: &[&str] = &[
    "at_time",
    "boundary",
    "deflate",
    "derivs",
    "exp",
    "expfit",
    "exprand",
    "fabs",
    "force",
    "gauss",
    "hyperbol",
    "invert",
    "log",
    "normrand",
    "perpulse",
    "perstep",
    "poisson",
    "pow",
    "pulse",
    "ramp",
    "revhyperbol",
    "revsigmoid",
    "romberg",
    "sawtooth",
    "schedule",
    "scop_random",
    "set_seed",
    "sigmoid",
    "sin",
    "spline",
    "sqrt",
    "squarewave",
    "step",
    "stepforce",
    "threshold",
];

fn is_library_name(name: &str) -> bool {
    LIBRARY_NAMES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::as_nocmodl_writes_it;

    #[test]
    fn parameter_defaults_keep_six_significant_digits() {
        assert_eq!(as_nocmodl_writes_it(1.980105147), 1.98011);
        assert_eq!(as_nocmodl_writes_it(185.7456645), 185.746);
        assert_eq!(as_nocmodl_writes_it(1.0e-7), 1e-7);
        assert_eq!(as_nocmodl_writes_it(-58.4477), -58.4477);
        assert_eq!(as_nocmodl_writes_it(6.02e23), 6.02e23);
        assert_eq!(as_nocmodl_writes_it(0.0), 0.0);
        assert_eq!(as_nocmodl_writes_it(1.23456789), 1.23457);
    }
}
