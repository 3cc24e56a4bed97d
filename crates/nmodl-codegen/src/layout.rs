//! Where every variable of a mechanism lives in the ABI's structure-of-arrays data, and the
//! [`MechanismInfo`] that tells the runtime about it.

use crate::CodegenError;
use nmodl_ir::visit::{walk_mechanism, Visitor};
use nmodl_ir::{
    Builtin, CurrentKind, Function, Handle, IonRole, Mechanism, MechanismKind, Storage, Variable,
    VariableKind,
};
use rsnrn_abi::{FieldInfo, FieldRole, IonUse, MechanismInfo, SlotInfo};

/// Run-time location of a variable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Place {
    /// First range column.
    Column(u32),
    /// Index into the globals.
    Global(u32),
    /// Pointer slot.
    Slot(u32),
    Builtin(Builtin),
    /// Kept in a register of the generated function.
    Local,
    /// Element k of the weight vector of the event being delivered (NET_RECEIVE argument k).
    Weight(u32),
    /// `flag` of the event being delivered.
    EventFlag,
    /// Element k of the weight vector of the NetCon a FOR_NETCONS loop is at (argument k).
    LoopWeight(u32),
    /// RANDOM variable number k: only the random_* functions use it.
    Random(u32),
}

/// A current written to an ion: its own column plus the ion's `i` and `di/dv` slots.
#[derive(Debug, Clone, Copy)]
pub struct IonCurrentWrite {
    pub variable: Handle<Variable>,
    pub current_slot: u32,
    pub conductance_slot: u32,
}

/// Storage of a TABLE in the hidden globals: `[built, tmin, mfac, depend..., rows...]`, with
/// `with + 1` rows, one per point. Row i holds every output's value at point i, then every
/// output's step to point i + 1 (T[i+1] - T[i], 0 in the last row): a lookup reads one row
/// (all of it sits in one or two cache lines) and interpolates as T[i] + θ step[i], the
/// same operations on the same numbers as T[i] + θ (T[i+1] - T[i]).
#[derive(Debug, Clone)]
pub struct TableLayout {
    pub function: Handle<Function>,
    pub base: u32,
    pub depend_count: u32,
    /// Number of tabulated quantities (outputs of a PROCEDURE, 1 for a FUNCTION).
    pub outputs: u32,
    pub with: u32,
}

impl TableLayout {
    pub fn built(&self) -> u32 {
        self.base
    }
    pub fn tmin(&self) -> u32 {
        self.base + 1
    }
    pub fn mfac(&self) -> u32 {
        self.base + 2
    }
    pub fn depend(&self, k: u32) -> u32 {
        self.base + 3 + k
    }
    /// Global index of row 0's first double.
    pub fn rows(&self) -> u32 {
        self.base + 3 + self.depend_count
    }
    /// Doubles per row.
    pub fn row_len(&self) -> u32 {
        2 * self.outputs
    }
    /// Position of `output`'s value in a row.
    pub fn value(&self, output: u32) -> u32 {
        output
    }
    /// Position of `output`'s step to the next point in a row.
    pub fn step(&self, output: u32) -> u32 {
        self.outputs + output
    }
    /// Number of doubles the table occupies.
    pub fn size(&self) -> u32 {
        3 + self.depend_count + (self.with + 1) * self.row_len()
    }
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub info: MechanismInfo,
    places: Vec<Place>,
    pub ion_writes: Vec<IonCurrentWrite>,
    pub tables: Vec<TableLayout>,
    /// Global index of `usetable` when the mechanism has TABLEs.
    pub usetable: Option<u32>,
    /// Column of the mechanism's own copy of `v` when some statement assigns `v`.
    pub v_column: Option<u32>,
    /// Hidden global where generated code records a failure (1 + its site number) when the
    /// mechanism has operations that can fail at run time (array indexing).
    pub failure_global: Option<u32>,
}

impl Layout {
    pub fn place(&self, var: Handle<Variable>) -> Place {
        self.places[var.index()]
    }

    pub fn table_of(&self, f: Handle<Function>) -> Option<&TableLayout> {
        self.tables.iter().find(|t| t.function == f)
    }
}

fn role_of(kind: VariableKind) -> FieldRole {
    match kind {
        VariableKind::Parameter => FieldRole::Parameter,
        VariableKind::State => FieldRole::State,
        VariableKind::Ion {
            role: IonRole::Current,
            ..
        } => FieldRole::IonCurrent,
        _ => FieldRole::Assigned,
    }
}

fn ion_var_name(ion: &str, role: IonRole) -> String {
    match role {
        IonRole::Reversal => format!("e{ion}"),
        IonRole::Inside => format!("{ion}i"),
        IonRole::Outside => format!("{ion}o"),
        IonRole::Current => format!("i{ion}"),
    }
}

pub fn layout(mech: &Mechanism) -> Result<Layout, CodegenError> {
    let mut places = vec![Place::Local; mech.variables.len()];
    let mut range = Vec::new();
    let mut globals = Vec::new();
    let mut slots = Vec::new();
    let mut randoms = Vec::new();
    let mut column = 0u32;
    let mut global = 0u32;
    let field = |v: &Variable, role| FieldInfo {
        name: v.name.clone(),
        role,
        size: v.len(),
        default: v.default.unwrap_or(0.0),
        units: v.units.clone(),
        visible: v.visible,
    };
    for (h, v) in mech.variables.iter() {
        places[h.index()] = match v.storage {
            Storage::Range => {
                range.push(field(v, role_of(v.kind)));
                column += v.len();
                Place::Column(column - v.len())
            }
            Storage::Global => {
                globals.push(field(v, role_of(v.kind)));
                global += v.len();
                Place::Global(global - v.len())
            }
            Storage::Local => Place::Local,
            Storage::Pointer => {
                if v.size.is_some() {
                    return Err(CodegenError::unsupported(
                        v.span,
                        format!("POINTER array {} is not supported yet", v.name),
                    ));
                }
                slots.push(SlotInfo::Pointer {
                    name: v.name.clone(),
                });
                Place::Slot(slots.len() as u32 - 1)
            }

            Storage::Weight => match mech
                .net_receive
                .as_ref()
                .and_then(|nr| nr.parameters.iter().position(|&p| p == h))
            {
                Some(k) => Place::Weight(k as u32),
                None => match crate::emit::for_netcons_argument(mech, h) {
                    Some(k) => Place::LoopWeight(k),
                    None => {
                        return Err(CodegenError::internal(format!(
                            "{} has weight storage but is no NET_RECEIVE or FOR_NETCONS argument",
                            v.name
                        )))
                    }
                },
            },
            Storage::Event => Place::EventFlag,
            Storage::Opaque if v.kind == VariableKind::Random => {
                randoms.push(v.name.clone());
                Place::Random(randoms.len() as u32 - 1)
            }
            Storage::Opaque | Storage::External => {
                return Err(CodegenError::unsupported(
                    v.span,
                    format!(
                        "{} ({:?} storage) is not supported by the code generator yet",
                        v.name, v.storage
                    ),
                ))
            }
            Storage::Builtin => match v.kind {
                VariableKind::Builtin(b) => Place::Builtin(b),
                _ => {
                    return Err(CodegenError::internal(format!(
                        "{} has builtin storage but is not a builtin",
                        v.name
                    )))
                }
            },
            Storage::Ion => match v.kind {
                VariableKind::Ion { ion, role } => {
                    let ion = &mech.ions[ion as usize].name;
                    slots.push(SlotInfo::Ion {
                        ion: ion.clone(),
                        var: ion_var_name(ion, role),
                    });
                    Place::Slot(slots.len() as u32 - 1)
                }
                _ => {
                    return Err(CodegenError::internal(format!(
                        "{} has ion storage but is not an ion variable",
                        v.name
                    )))
                }
            },
        };
    }

    // NEURON gives every mechanism its own copy of v, loaded from the node before each
    // evaluation; a .mod file may assign it (e.g. to step off a singularity of a rate
    // function) and the rest of that evaluation sees the new value. Only mechanisms that
    // assign v pay for the column.
    let mut v_column = None;
    if let Some(v) = assigned_v(mech) {
        range.push(FieldInfo {
            name: "v".into(),
            role: FieldRole::Internal,
            size: 1,
            default: 0.0,
            units: Some("mV".into()),
            visible: false,
        });
        places[v.index()] = Place::Column(column);
        v_column = Some(column);
    }

    let mut ion_writes = Vec::new();
    for c in &mech.currents {
        if let CurrentKind::Ion(ion) = c.kind {
            let ion = &mech.ions[ion as usize].name;
            slots.push(SlotInfo::Ion {
                ion: ion.clone(),
                var: format!("i{ion}"),
            });
            slots.push(SlotInfo::Ion {
                ion: ion.clone(),
                var: format!("di{ion}_dv_"),
            });
            ion_writes.push(IonCurrentWrite {
                variable: c.variable,
                current_slot: slots.len() as u32 - 2,
                conductance_slot: slots.len() as u32 - 1,
            });
            if !matches!(places[c.variable.index()], Place::Column(_)) {
                return Err(CodegenError::internal(format!(
                    "ion current {} must be stored per instance",
                    mech.variables[c.variable].name
                )));
            }
        }
    }

    let mut usetable = None;
    let mut tables = Vec::new();
    let mut hidden = 0u32;
    let any_table = mech.functions.iter().any(|(_, f)| f.table.is_some());
    if any_table {
        globals.push(FieldInfo {
            name: "usetable".into(),
            role: FieldRole::Parameter,
            size: 1,
            default: 1.0,
            units: None,
            visible: true,
        });
        usetable = Some(global);
        global += 1;
    }
    for (h, f) in mech.functions.iter() {
        let Some(t) = &f.table else { continue };
        // Outputs may be GLOBAL or RANGE: the table itself is shared (built while instance 0
        // holds the values), a lookup writes the outputs of the instance that asks.
        let tl = TableLayout {
            function: h,
            base: global + hidden,
            depend_count: t.depend.len() as u32,
            outputs: if t.outputs.is_empty() {
                1
            } else {
                t.outputs.len() as u32
            },
            with: t.with,
        };
        hidden += tl.size();
        tables.push(tl);
    }

    let mut failure_global = None;
    let function_tables = crate::emit::function_table::tables(mech);
    // A NONLINEAR block's Newton iteration can fail inside a PROCEDURE or FUNCTION too.
    let solves_nonlinear = mech
        .functions
        .iter()
        .any(|(_, f)| f.kind == nmodl_ir::FunctionKind::NonLinear);
    if mech.variables.iter().any(|(_, v)| v.size.is_some())
        || !function_tables.is_empty()
        || solves_nonlinear
    {
        failure_global = Some(global + hidden);
        hidden += 1;
    }

    let info = MechanismInfo {
        name: mech.name.clone(),
        kind: match mech.kind {
            MechanismKind::Density => rsnrn_abi::MechanismKind::Density,
            MechanismKind::PointProcess => rsnrn_abi::MechanismKind::PointProcess,
            MechanismKind::ArtificialCell => rsnrn_abi::MechanismKind::ArtificialCell,
        },
        electrode_current: mech
            .currents
            .iter()
            .any(|c| c.kind == CurrentKind::Electrode),
        range,
        globals,
        hidden_globals: hidden as usize,
        ions: mech
            .ions
            .iter()
            .map(|i| IonUse {
                ion: i.name.clone(),
                read: i
                    .read
                    .iter()
                    .map(|&v| mech.variables[v].name.clone())
                    .collect(),
                write: i
                    .write
                    .iter()
                    .map(|&v| mech.variables[v].name.clone())
                    .collect(),
                valence: i.valence,
            })
            .collect(),
        slots,
        net_receive_args: mech
            .net_receive
            .as_ref()
            .map(|nr| nr.parameters.len() as u32),
        watch_clauses: crate::emit::watch_conditions(mech).len() as u32,
        for_netcons: crate::emit::uses_for_netcons(mech),
        function_tables: function_tables.into_iter().map(|(_, t)| t).collect(),
        failure_sites: Vec::new(),
        failure_global,
        functions: Vec::new(),
        randoms,
        longitudinal_diffusion: Vec::new(),
    };
    let mut info = info;
    crate::longitudinal::describe(&mut info);
    Ok(Layout {
        info,
        places,
        ion_writes,
        tables,
        usetable,
        v_column,
        failure_global,
    })
}

/// The builtin `v` when some statement of the mechanism assigns it.
fn assigned_v(mech: &Mechanism) -> Option<Handle<Variable>> {
    struct FindV<'a> {
        mech: &'a Mechanism,
        found: Option<Handle<Variable>>,
    }
    impl Visitor for FindV<'_> {
        fn assigned(&mut self, var: Handle<Variable>) {
            if self.mech.variables[var].kind == VariableKind::Builtin(Builtin::V) {
                self.found = Some(var);
            }
        }
    }
    let mut find = FindV { mech, found: None };
    walk_mechanism(mech, &mut find);
    find.found
}
