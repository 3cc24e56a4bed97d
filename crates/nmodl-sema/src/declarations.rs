//! The mechanism's names: the NEURON block, the declaration blocks, UNITS constants, the
//! variables NEURON provides, and the PROCEDURE/FUNCTION/DERIVATIVE signatures.

use crate::span;
use crate::units;
use nmodl_ir::{
    Block, Builtin, Current, CurrentKind, Function, FunctionKind, Handle, IonRole, IonUse,
    Mechanism, MechanismKind, Storage, Variable, VariableKind,
};
use nmodl_syntax::ast::{self, ItemKind, NeuronStmtKind};
use nmodl_syntax::diagnostics::Diagnostic;
use std::collections::{HashMap, HashSet};

pub(crate) struct Context {
    pub mech: Mechanism,
    pub diagnostics: Vec<Diagnostic>,
    /// Mechanism-level names (not locals) to their variables.
    pub names: HashMap<String, Handle<Variable>>,
    pub functions: HashMap<String, Handle<Function>>,
    /// DEFINE'd integer constants.
    pub defines: HashMap<String, f64>,
    range_names: HashSet<String>,
    global_names: HashSet<String>,
    has_kind: bool,
}

pub(crate) fn builtin_of(name: &str) -> Option<Builtin> {
    Some(match name {
        "v" => Builtin::V,
        "t" => Builtin::T,
        "dt" => Builtin::Dt,
        "celsius" => Builtin::Celsius,
        "area" => Builtin::Area,
        "diam" => Builtin::Diam,
        _ => return None,
    })
}

/// Role of `name` among the variables of ion `ion` (`ena`, `nai`, `nao`, `ina`).
fn ion_role(ion: &str, name: &str) -> Option<IonRole> {
    if name == format!("e{ion}") {
        Some(IonRole::Reversal)
    } else if name == format!("{ion}i") {
        Some(IonRole::Inside)
    } else if name == format!("{ion}o") {
        Some(IonRole::Outside)
    } else if name == format!("i{ion}") {
        Some(IonRole::Current)
    } else {
        None
    }
}

impl Context {
    pub fn new() -> Self {
        Context {
            mech: Mechanism::default(),
            diagnostics: Vec::new(),
            names: HashMap::new(),
            functions: HashMap::new(),
            defines: HashMap::new(),
            range_names: HashSet::new(),
            global_names: HashSet::new(),
            has_kind: false,
        }
    }

    pub fn error(&mut self, message: impl Into<String>, at: ast::Span) {
        self.diagnostics.push(Diagnostic::error(message, at));
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(|d| d.is_error())
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

    /// Creates the builtin `name` on first use.
    pub fn builtin(&mut self, name: &str, b: Builtin, at: ast::Span) -> Handle<Variable> {
        if let Some(&h) = self.names.get(name) {
            return h;
        }
        self.add_variable(Variable {
            name: name.to_string(),
            kind: VariableKind::Builtin(b),
            storage: Storage::Builtin,
            visible: false,
            size: None,
            default: None,
            units: None,
            span: span(at),
        })
    }

    /// Pass 1: everything declared at mechanism level.
    pub fn declare(&mut self, file: &ast::File) {
        for item in &file.items {
            match &item.kind {
                ItemKind::Title(t) => self.mech.title = Some(t.clone()),
                ItemKind::Define { name, value } => {
                    self.defines.insert(name.name.clone(), value.value);
                }
                _ => {}
            }
        }
        for item in &file.items {
            if let ItemKind::Neuron(stmts) = &item.kind {
                self.neuron_block(stmts);
            }
        }
        if !self.has_kind {
            let at = file.items.first().map(|i| i.span).unwrap_or_default();
            self.error(
                "this file has no NEURON block with SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL, so the mechanism has no name",
                at,
            );
        }
        for item in &file.items {
            match &item.kind {
                ItemKind::Units(defs) => self.units_block(defs),
                ItemKind::Constant(decls) => self.declarations(decls, VariableKind::Constant),
                ItemKind::Parameter(decls) => self.declarations(decls, VariableKind::Parameter),
                ItemKind::State(decls) => self.declarations(decls, VariableKind::State),
                ItemKind::Assigned(decls) => self.declarations(decls, VariableKind::Assigned),
                ItemKind::Local(vars) => {
                    for v in vars {
                        let size = self.array_size(v.array.as_ref());
                        self.new_mechanism_variable(
                            &v.name,
                            VariableKind::Assigned,
                            size,
                            None,
                            None,
                        );
                    }
                }
                _ => {}
            }
        }
        self.check_neuron_names(file);
        self.declare_functions(file);
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
                    for n in names {
                        let h = self.new_mechanism_variable(
                            n,
                            VariableKind::Assigned,
                            None,
                            None,
                            None,
                        );
                        self.mech.variables[h].visible = true;
                        self.mech.currents.push(Current {
                            variable: h,
                            kind: CurrentKind::Nonspecific,
                        });
                    }
                }
                NeuronStmtKind::ElectrodeCurrent(names) => {
                    for n in names {
                        let h = self.new_mechanism_variable(
                            n,
                            VariableKind::Assigned,
                            None,
                            None,
                            None,
                        );
                        self.mech.currents.push(Current {
                            variable: h,
                            kind: CurrentKind::Electrode,
                        });
                    }
                }
                NeuronStmtKind::Range(names) => self
                    .range_names
                    .extend(names.iter().map(|n| n.name.clone())),
                NeuronStmtKind::Global(names) => self
                    .global_names
                    .extend(names.iter().map(|n| n.name.clone())),
                NeuronStmtKind::ThreadSafe(_) => self.mech.threadsafe = true,
                NeuronStmtKind::Pointer(names) | NeuronStmtKind::BbcorePointer(names) => {
                    for n in names {
                        self.error(
                            format!("POINTER {} is not supported yet by rsnrn", n.name),
                            n.span,
                        );
                    }
                }
                NeuronStmtKind::Random(names) => {
                    for n in names {
                        self.error(
                            format!("RANDOM {} is not supported yet by rsnrn", n.name),
                            n.span,
                        );
                    }
                }
                NeuronStmtKind::External(_) | NeuronStmtKind::Represents(_) => {}
            }
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
        let index = self.mech.ions.len() as u32;
        let mut use_ = IonUse {
            name: ion.name.clone(),
            read: Vec::new(),
            write: Vec::new(),
            valence: valence.map(|v| v.value),
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
                        self.add_variable(Variable {
                            name: n.name.clone(),
                            kind: VariableKind::Ion { ion: index, role },
                            storage,
                            visible: false,
                            size: None,
                            default: None,
                            units: None,
                            span: span(n.span),
                        })
                    }
                };
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
            let (name, value) = match &d.kind {
                ast::UnitDefKind::Alias { .. } => continue,
                ast::UnitDefKind::Constant { name, value, .. } => (name, value.value),
                ast::UnitDefKind::Factor { name, from, to } => {
                    match units::factor(&from.text, to.as_ref().map(|u| u.text.as_str())) {
                        Ok(x) => (name, x),
                        Err(message) => {
                            self.error(message, d.span);
                            continue;
                        }
                    }
                }
            };
            self.new_mechanism_variable(name, VariableKind::Constant, None, Some(value), None);
        }
    }

    fn array_size(&mut self, a: Option<&ast::ArraySize>) -> Option<u32> {
        match a? {
            ast::ArraySize::Literal(n) => Some(n.value as u32),
            ast::ArraySize::Named(name) => match self.defines.get(&name.name) {
                Some(&x) => Some(x as u32),
                None => {
                    self.error(
                        format!("array size {} is not DEFINEd", name.name),
                        name.span,
                    );
                    Some(1)
                }
            },
        }
    }

    fn declarations(&mut self, decls: &[ast::VarDecl], kind: VariableKind) {
        for d in decls {
            let name = &d.name.name;
            // Variables NEURON provides keep their meaning whatever block declares them.
            if let Some(b) = builtin_of(name) {
                if kind == VariableKind::State {
                    self.error(
                        format!("{name} is provided by NEURON and cannot be a STATE"),
                        d.name.span,
                    );
                } else {
                    self.builtin(name, b, d.name.span);
                }
                continue;
            }
            if let Some(&h) = self.names.get(name) {
                let existing = self.mech.variables[h].kind;
                match existing {
                    VariableKind::Ion { .. } if kind == VariableKind::Constant => {
                        self.error(
                            format!("{name} is an ion variable from USEION and cannot be re-declared in CONSTANT"),
                            d.name.span,
                        );
                    }
                    // ASSIGNED/PARAMETER declarations of USEION and current variables add units.
                    VariableKind::Ion { .. } | VariableKind::Assigned
                        if kind != VariableKind::State || existing == VariableKind::Assigned =>
                    {
                        let v = &mut self.mech.variables[h];
                        v.units = d.unit.as_ref().map(|u| u.text.clone());
                        if kind == VariableKind::State && existing == VariableKind::Assigned {
                            v.kind = VariableKind::State;
                        }
                    }
                    _ => self.error(format!("{name} is declared twice"), d.name.span),
                }
                continue;
            }
            let size = self.array_size(d.array.as_ref());
            let default = match kind {
                VariableKind::State => d.start.as_ref().map(|n| n.value),
                _ => d.value.as_ref().map(|n| n.value),
            };
            let h = self.new_mechanism_variable(
                &d.name,
                kind,
                size,
                default,
                d.unit.as_ref().map(|u| u.text.clone()),
            );
            let _ = h;
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
        self.add_variable(Variable {
            name: name.name.clone(),
            kind,
            storage,
            visible,
            size,
            default,
            units,
            span: span(name.span),
        })
    }

    /// NEURON's defaults: PARAMETERs are GLOBAL unless RANGE, ASSIGNED and STATE are per
    /// instance unless GLOBAL; CONSTANTs are shared values.
    fn storage_of(&self, name: &str, kind: VariableKind) -> (Storage, bool) {
        let range = self.range_names.contains(name);
        let global = self.global_names.contains(name);
        match kind {
            VariableKind::Parameter if range => (Storage::Range, true),
            VariableKind::Parameter => (Storage::Global, true),
            VariableKind::Constant => (Storage::Global, false),
            VariableKind::State => (Storage::Range, true),
            _ if global => (Storage::Global, true),
            _ => (Storage::Range, range),
        }
    }

    /// RANGE/GLOBAL names must be declared somewhere.
    fn check_neuron_names(&mut self, file: &ast::File) {
        for item in &file.items {
            let ItemKind::Neuron(stmts) = &item.kind else {
                continue;
            };
            for s in stmts {
                let (names, what) = match &s.kind {
                    NeuronStmtKind::Range(n) => (n, "RANGE"),
                    NeuronStmtKind::Global(n) => (n, "GLOBAL"),
                    _ => continue,
                };
                for n in names {
                    match self.names.get(&n.name) {
                        Some(&h) => {
                            let v = &mut self.mech.variables[h];
                            if what == "GLOBAL" && v.kind == VariableKind::State {
                                self.diagnostics.push(Diagnostic::error(
                                    format!("STATE {} cannot be GLOBAL", n.name),
                                    n.span,
                                ));
                            } else if matches!(v.kind, VariableKind::Builtin(_)) {
                                // e.g. RANGE v in old files: harmless.
                            } else {
                                v.visible = true;
                            }
                        }
                        None => self.error(
                            format!(
                                "{what} names {}, which is not declared in PARAMETER, ASSIGNED or STATE",
                                n.name
                            ),
                            n.span,
                        ),
                    }
                }
            }
        }
    }

    fn declare_functions(&mut self, file: &ast::File) {
        for item in &file.items {
            let (name, kind, params): (&ast::Ident, FunctionKind, &[ast::Param]) = match &item.kind
            {
                ItemKind::Procedure(c) => (&c.name, FunctionKind::Procedure, &c.params),
                ItemKind::Function(c) => (&c.name, FunctionKind::Function, &c.params),
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
            let parameters = params
                .iter()
                .map(|p| {
                    self.mech.variables.append(Variable {
                        name: p.name.name.clone(),
                        kind: VariableKind::Argument,
                        storage: Storage::Local,
                        visible: false,
                        size: None,
                        default: None,
                        units: p.unit.as_ref().map(|u| u.text.clone()),
                        span: span(p.span),
                    })
                })
                .collect();
            let result = (kind == FunctionKind::Function).then(|| {
                self.mech.variables.append(Variable {
                    name: name.name.clone(),
                    kind: VariableKind::FunctionResult,
                    storage: Storage::Local,
                    visible: false,
                    size: None,
                    default: None,
                    units: None,
                    span: span(name.span),
                })
            });
            let h = self.mech.functions.append(Function {
                name: name.name.clone(),
                kind,
                parameters,
                locals: Vec::new(),
                result,
                body: Block::default(),
                table: None,
                span: span(item.span),
            });
            self.functions.insert(name.name.clone(), h);
        }
    }
}
