//! The runtime's error type: every bad input becomes one of these, never a panic.

use std::fmt;

/// Convenience alias used throughout the runtime.
pub type Result<T, E = RuntimeError> = std::result::Result<T, E>;

/// Something the runtime refused to do or a simulation that could not go on.
///
/// `Display` gives one plain sentence naming the section, mechanism or variable involved, so a
/// front end can show it as is.
#[derive(Debug, Clone, PartialEq)]
pub enum RuntimeError {
    /// A [`crate::SectionId`] that does not belong to this model.
    UnknownSection { id: usize },
    /// `create_section` with a name that is already taken.
    DuplicateSection { name: String },
    /// A mechanism name that was never registered.
    UnknownMechanism { name: String, known: Vec<String> },
    /// A registered mechanism used the wrong way (`insert` of a point process, ...).
    WrongMechanismKind {
        name: String,
        expected: &'static str,
    },
    /// A [`crate::PointProcessId`] that does not exist (or was removed).
    UnknownPointProcess { id: usize },
    /// A [`crate::RecordId`] that does not belong to this model.
    UnknownRecord { id: usize },
    /// A variable name that means nothing in this context.
    UnknownVariable { name: String, context: String },
    /// A known mechanism variable at a place where the mechanism is not inserted.
    NotInserted {
        name: String,
        mechanism: String,
        section: String,
    },
    /// An ion variable at a place where no mechanism uses the ion.
    IonAbsent {
        name: String,
        ion: String,
        location: String,
    },
    /// An array element outside the array.
    IndexOutOfRange {
        name: String,
        index: usize,
        size: usize,
    },
    /// A location `x` outside [0, 1] (or not a number).
    BadLocation { section: String, x: f64 },
    /// A value that cannot be used (nseg < 1, negative length, dt <= 0, ...).
    InvalidValue {
        what: String,
        value: f64,
        requirement: &'static str,
    },
    /// A connection that would make a cycle, re-parent a section, or use a bad end.
    Topology { message: String },
    /// A mechanism table that cannot be registered.
    Registration { mechanism: String, message: String },
    /// A kernel returned a nonzero status.
    KernelFailed {
        mechanism: String,
        kernel: &'static str,
        status: i32,
        t: f64,
    },
    /// A POINTER of a mechanism instance was never set (setpointer).
    PointerNotSet {
        mechanism: String,
        pointer: String,
        instance: usize,
    },
    /// Generated code stopped a bad operation (an array index out of range, ...).
    MechanismFailure {
        mechanism: String,
        message: String,
        t: f64,
    },
    /// A membrane potential became NaN or infinite.
    NotFinite {
        section: String,
        x: f64,
        t: f64,
        value: f64,
    },
    /// A [`crate::VarRef`] resolved before the model's structure changed.
    StaleReference,
    /// `distance` before an origin was set.
    DistanceOriginUnset,
    /// An event request that cannot be carried out (net_send into the past, net_move without
    /// a pending event, a NetCon to a target without NET_RECEIVE, ...).
    Event { message: String, t: f64 },
    /// A [`crate::NetConId`] that does not belong to this model.
    UnknownNetCon { id: usize },
    /// A FUNCTION_TABLE given bad values, or called before it was given any.
    FunctionTable {
        mechanism: String,
        table: String,
        message: String,
    },
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use RuntimeError::*;
        match self {
            UnknownSection { id } => write!(f, "there is no section with id {id} in this model"),
            DuplicateSection { name } => write!(f, "a section named {name} already exists"),
            UnknownMechanism { name, known } => {
                if known.is_empty() {
                    write!(f, "unknown mechanism {name}: no mechanisms are registered")
                } else {
                    write!(f, "unknown mechanism {name}: known mechanisms are {}", known.join(", "))
                }
            }
            WrongMechanismKind { name, expected } => {
                write!(f, "mechanism {name} is not {expected}")
            }
            UnknownPointProcess { id } => write!(f, "there is no point process with id {id}"),
            UnknownRecord { id } => write!(f, "there is no recording with id {id}"),
            UnknownVariable { name, context } => write!(f, "unknown variable {name} {context}"),
            NotInserted { name, mechanism, section } => write!(
                f,
                "{name} does not exist in section {section} because {mechanism} is not inserted there"
            ),
            IonAbsent { name, ion, location } => write!(
                f,
                "{name} does not exist at {location} because no mechanism there uses the {ion} ion"
            ),
            IndexOutOfRange { name, index, size } => {
                write!(f, "index {index} is out of range for {name}, which has {size} elements")
            }
            BadLocation { section, x } => {
                write!(f, "location {x} in section {section} is outside 0 <= x <= 1")
            }
            InvalidValue { what, value, requirement } => {
                write!(f, "{what} = {value} is not allowed: {requirement}")
            }
            Topology { message } => write!(f, "{message}"),
            Registration { mechanism, message } => {
                write!(f, "cannot register mechanism {mechanism}: {message}")
            }
            KernelFailed { mechanism, kernel, status, t } => {
                let why = match *status {
                    rsnrn_abi::STATUS_NO_CONVERGENCE => {
                        " (its SOLVE did not converge: Newton's method failed, or a state became NaN)"
                    }
                    rsnrn_abi::STATUS_SINGULAR => " (its SOLVE met a singular matrix)",
                    _ => "",
                };
                write!(
                    f,
                    "the {kernel} kernel of mechanism {mechanism} failed with status {status}{why} at t = {t} ms"
                )
            }
            PointerNotSet { mechanism, pointer, instance } => write!(
                f,
                "POINTER {pointer} of {mechanism} (instance {instance}) is not set; \
                 use setpointer before running"
            ),
            MechanismFailure { mechanism, message, t } => {
                write!(f, "mechanism {mechanism} at t = {t} ms: {message}")
            }
            NotFinite { section, x, t, value } => write!(
                f,
                "the membrane potential in {section}({x}) became {value} at t = {t} ms; the simulation was stopped"
            ),
            Event { message, t } => write!(f, "{message} (at t = {t} ms)"),
            UnknownNetCon { id } => write!(f, "there is no NetCon with id {id}"),
            FunctionTable { mechanism, table, message } => {
                write!(f, "FUNCTION_TABLE {table} of {mechanism}: {message}")
            }
            DistanceOriginUnset => write!(
                f,
                "the distance origin is not set; set it first (hoc distance() or distance(0, x))"
            ),
            StaleReference => write!(
                f,
                "the variable reference was resolved before the model structure changed; resolve it again"
            ),
        }
    }
}

impl std::error::Error for RuntimeError {}
