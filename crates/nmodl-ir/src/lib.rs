//! The NMODL intermediate representation: one mechanism as resolved, plain data.
//!
//! Front end (`nmodl-sema`) produces it from the AST; back ends (`nmodl-codegen`) consume it.
//! Every name is resolved to a [`Variable`] or [`Function`] handle, every construct of the
//! language that the back end must implement is explicit, and the whole thing round-trips
//! through serde (`rsnrnivmodl --emit ir`). Checking that an IR is well formed is its own pass,
//! [`validate`].

mod arena;
mod validate;

pub use arena::{Arena, Handle};
pub use validate::{validate, ValidationError};

use serde::{Deserialize, Serialize};

/// Byte range in the .mod source, kept so later stages can point at the source.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

/// One compiled unit: a `.mod` file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Mechanism {
    /// SUFFIX or POINT_PROCESS / ARTIFICIAL_CELL name.
    pub name: String,
    pub kind: MechanismKind,
    pub title: Option<String>,
    pub threadsafe: bool,
    pub variables: Arena<Variable>,
    pub expressions: Arena<Expression>,
    /// Call arguments, referred to by [`ArgList`]s.
    pub arguments: Vec<Handle<Expression>>,
    pub functions: Arena<Function>,
    pub ions: Vec<IonUse>,
    /// The currents the BREAKPOINT contributes to the membrane, in declaration order.
    pub currents: Vec<Current>,
    pub initial: Option<Block>,
    /// BREAKPOINT without its SOLVE statements (those are in `solves`).
    pub breakpoint: Option<Block>,
    /// SOLVE statements of BREAKPOINT, in order: they form the state update.
    pub solves: Vec<Solve>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum MechanismKind {
    #[default]
    Density,
    PointProcess,
    ArtificialCell,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variable {
    pub name: String,
    pub kind: VariableKind,
    pub storage: Storage,
    /// Shown to the user (RANGE, GLOBAL, STATE, a PARAMETER).
    pub visible: bool,
    /// Array length; `None` for scalars.
    pub size: Option<u32>,
    /// Initial value (PARAMETER default, CONSTANT value); 0 when absent.
    pub default: Option<f64>,
    pub units: Option<String>,
    pub span: Span,
}

impl Variable {
    pub fn len(&self) -> u32 {
        self.size.unwrap_or(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a name was declared as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum VariableKind {
    Parameter,
    Assigned,
    State,
    Constant,
    Local,
    Argument,
    /// The value of a FUNCTION, assigned through the function's own name.
    FunctionResult,
    /// A value the simulator provides.
    Builtin(Builtin),
    /// A variable of an ion from USEION (index into [`Mechanism::ions`]).
    Ion {
        ion: u32,
        role: IonRole,
    },
}

/// Where a variable lives at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Storage {
    /// One value per instance.
    Range,
    /// One value per mechanism.
    Global,
    /// A local value of the code block (LOCAL, arguments, function results, loop counters).
    Local,
    /// Read from the simulator (v, t, dt, ...).
    Builtin,
    /// Read or written through a per-instance pointer to the ion's data; written currents are
    /// kept per instance (`Range`) and added to the ion instead.
    Ion,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Builtin {
    /// Membrane potential at the instance's node (mV).
    V,
    T,
    Dt,
    Celsius,
    /// Area of the instance's node (um2).
    Area,
    Diam,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IonRole {
    /// `ena`
    Reversal,
    /// `nai`
    Inside,
    /// `nao`
    Outside,
    /// `ina`
    Current,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IonUse {
    pub name: String,
    pub read: Vec<Handle<Variable>>,
    pub write: Vec<Handle<Variable>>,
    pub valence: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Current {
    pub variable: Handle<Variable>,
    pub kind: CurrentKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CurrentKind {
    /// Written to ion `ions[i]`.
    Ion(u32),
    Nonspecific,
    /// ELECTRODE_CURRENT: positive into the cell.
    Electrode,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Expression {
    Number(f64),
    /// Value of a scalar variable (or element 0 of an array).
    Load(Handle<Variable>),
    /// Element of an array variable.
    LoadElement(Handle<Variable>, Handle<Expression>),
    Unary(UnaryOp, Handle<Expression>),
    Binary(BinaryOp, Handle<Expression>, Handle<Expression>),
    /// Call of a PROCEDURE or FUNCTION of this mechanism; arguments in [`Mechanism::arguments`].
    Call(Handle<Function>, ArgList),
    /// A math library function.
    Math(MathFunction, ArgList),
}

/// Arguments of a call, stored out of line so that [`Expression`] stays `Copy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArgList {
    /// First argument: the arguments are consecutive entries of [`Mechanism::arguments`].
    pub start: u32,
    pub len: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    And,
    Or,
}

/// Math functions NMODL provides without declaration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MathFunction {
    Exp,
    Log,
    Log10,
    Pow,
    Sqrt,
    Fabs,
    Sin,
    Cos,
    Tan,
    Sinh,
    Cosh,
    Tanh,
    Asin,
    Acos,
    Atan,
    Atan2,
    Floor,
    Ceil,
    Fmod,
    /// x/(exp(x) - 1) with its limit 1 at 0.
    Exprelr,
}

impl MathFunction {
    pub fn from_name(name: &str) -> Option<MathFunction> {
        use MathFunction::*;
        Some(match name {
            "exp" => Exp,
            "log" => Log,
            "log10" => Log10,
            "pow" => Pow,
            "sqrt" => Sqrt,
            "fabs" => Fabs,
            "sin" => Sin,
            "cos" => Cos,
            "tan" => Tan,
            "sinh" => Sinh,
            "cosh" => Cosh,
            "tanh" => Tanh,
            "asin" => Asin,
            "acos" => Acos,
            "atan" => Atan,
            "atan2" => Atan2,
            "floor" => Floor,
            "ceil" => Ceil,
            "fmod" => Fmod,
            "exprelr" => Exprelr,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use MathFunction::*;
        match self {
            Exp => "exp",
            Log => "log",
            Log10 => "log10",
            Pow => "pow",
            Sqrt => "sqrt",
            Fabs => "fabs",
            Sin => "sin",
            Cos => "cos",
            Tan => "tan",
            Sinh => "sinh",
            Cosh => "cosh",
            Tanh => "tanh",
            Asin => "asin",
            Acos => "acos",
            Atan => "atan",
            Atan2 => "atan2",
            Floor => "floor",
            Ceil => "ceil",
            Fmod => "fmod",
            Exprelr => "exprelr",
        }
    }

    pub fn arity(self) -> usize {
        match self {
            MathFunction::Pow | MathFunction::Atan2 | MathFunction::Fmod => 2,
            _ => 1,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Statement {
    Assign {
        target: Handle<Variable>,
        index: Option<Handle<Expression>>,
        value: Handle<Expression>,
        span: Span,
    },
    /// A call evaluated for its effect.
    Evaluate {
        value: Handle<Expression>,
        span: Span,
    },
    If {
        condition: Handle<Expression>,
        accept: Block,
        reject: Block,
    },
    While {
        condition: Handle<Expression>,
        body: Block,
    },
    /// `FROM counter = from TO to BY by { body }` (inclusive bounds).
    For {
        counter: Handle<Variable>,
        from: Handle<Expression>,
        to: Handle<Expression>,
        by: Option<Handle<Expression>>,
        body: Block,
    },
    /// `state' = value` in a DERIVATIVE block.
    Derivative {
        state: Handle<Variable>,
        index: Option<Handle<Expression>>,
        value: Handle<Expression>,
        span: Span,
    },
    /// VERBATIM text, kept for the back end to accept (no-op) or refuse.
    Verbatim { text: String, span: Span },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    pub kind: FunctionKind,
    pub parameters: Vec<Handle<Variable>>,
    /// Every LOCAL of the body, hoisted.
    pub locals: Vec<Handle<Variable>>,
    /// For FUNCTIONs: the variable holding the value.
    pub result: Option<Handle<Variable>>,
    pub body: Block,
    pub table: Option<Table>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FunctionKind {
    Procedure,
    Function,
    Derivative,
    Kinetic,
    Linear,
    NonLinear,
}

/// `TABLE outputs DEPEND depend FROM from TO to WITH with` of a PROCEDURE or FUNCTION.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    /// Variables the PROCEDURE computes; empty for a FUNCTION (its value is tabulated).
    pub outputs: Vec<Handle<Variable>>,
    pub depend: Vec<Handle<Variable>>,
    pub from: Handle<Expression>,
    pub to: Handle<Expression>,
    /// Number of intervals; the table has `with + 1` points.
    pub with: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Solve {
    pub target: Handle<Function>,
    pub method: SolveMethod,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SolveMethod {
    /// No METHOD: call the PROCEDURE.
    None,
    Cnexp,
    Derivimplicit,
    Euler,
    Sparse,
}

impl Mechanism {
    /// Storage for call arguments (see [`ArgList`]).
    pub fn args(&self, list: ArgList) -> &[Handle<Expression>] {
        &self.arguments[list.start as usize..(list.start + list.len) as usize]
    }

    pub fn push_args(&mut self, args: &[Handle<Expression>]) -> ArgList {
        let start = self.arguments.len() as u32;
        self.arguments.extend_from_slice(args);
        ArgList {
            start,
            len: args.len() as u32,
        }
    }

    pub fn find_variable(&self, name: &str) -> Option<Handle<Variable>> {
        self.variables
            .iter()
            .find(|(_, v)| v.name == name && v.storage != Storage::Local)
            .map(|(h, _)| h)
    }

    pub fn find_function(&self, name: &str) -> Option<Handle<Function>> {
        self.functions
            .iter()
            .find(|(_, f)| f.name == name)
            .map(|(h, _)| h)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("IR is plain data")
    }

    pub fn from_json(text: &str) -> Result<Mechanism, serde_json::Error> {
        serde_json::from_str(text)
    }
}
