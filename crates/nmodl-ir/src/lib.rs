//! The NMODL intermediate representation: one mechanism as resolved, plain data.
//!
//! Front end (`nmodl-sema`) produces it from the AST; back ends (`nmodl-codegen`) consume it.
//! Every name is resolved to a [`Variable`] or [`Function`] handle, every construct of the
//! language that the back end must implement is explicit, and the whole thing round-trips
//! through serde (`rsnrnivmodl --emit ir`). Checking that an IR is well formed is its own pass,
//! [`validate`].

mod arena;
mod validate;
pub mod visit;

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
    /// STATE variables in declaration order (NEURON numbers the unknowns of a KINETIC block
    /// in this order), including ion concentrations that are re-declared as STATE.
    #[serde(default)]
    pub states: Vec<StateDecl>,
    /// `<lo, hi>` limits of PARAMETERs (and the odd ASSIGNED/STATE), shown by hoc's panels.
    #[serde(default)]
    pub limits: Vec<Limits>,
    /// NET_RECEIVE: runs when an event arrives at an instance (point processes only).
    #[serde(default)]
    pub net_receive: Option<NetReceive>,
    /// CONSTRUCTOR { }: runs once when an instance is created (point processes only).
    #[serde(default)]
    pub constructor: Option<Block>,
    /// DESTRUCTOR { }: runs once when an instance is destroyed.
    #[serde(default)]
    pub destructor: Option<Block>,
    /// BEFORE/AFTER blocks, in source order.
    #[serde(default)]
    pub hooks: Vec<Hook>,
    /// Top-level VERBATIM text (C code that nocmodl copies into the generated file), in order.
    #[serde(default)]
    pub verbatim: Vec<Verbatim>,
    /// Files read through INCLUDE, as named in the source, in the order they were read.
    #[serde(default)]
    pub includes: Vec<String>,
    /// Names of the C functions called through [`Intrinsic::CFunction`].
    #[serde(default)]
    pub c_functions: Vec<String>,
    /// Where spans point, so that generated code can name file:line:col in run-time errors.
    #[serde(default)]
    pub source_map: Option<SourceMap>,
}

/// The file name and line starts of the source a mechanism was analyzed from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SourceMap {
    pub file: String,
    /// Byte offset of the start of every line.
    pub line_starts: Vec<u32>,
}

impl SourceMap {
    pub fn new(file: &str, text: &str) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i as u32 + 1))
            .collect();
        SourceMap {
            file: file.to_string(),
            line_starts,
        }
    }

    /// `file:line:col` (1-based) of a span's start.
    pub fn locate(&self, span: Span) -> String {
        let line = self
            .line_starts
            .partition_point(|&s| s <= span.start)
            .max(1);
        let col = span.start - self.line_starts[line - 1] + 1;
        format!("{}:{line}:{col}", self.file)
    }
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
    /// A variable of an ion from USEION (index into [`Mechanism::ions`]). An ion
    /// concentration that is also declared STATE keeps this kind and is listed in
    /// [`Mechanism::states`].
    Ion {
        ion: u32,
        role: IonRole,
    },
    /// `POINTER p`: a per-instance reference to a double owned by someone else, set from hoc
    /// with `setpointer`; reading and writing it go through the reference.
    Pointer,
    /// `BBCOREPOINTER p`: an opaque per-instance pointer handed to CoreNEURON (VERBATIM code
    /// uses it; NMODL code only passes it around).
    BbcorePointer,
    /// `RANDOM r`: a per-instance random stream (NEURON 9 Random123), used only as the first
    /// argument of the `random_*` functions.
    Random,
    /// `EXTERNAL x`: a hoc global or another mechanism's global, read by name.
    External,
    /// `flag` inside NET_RECEIVE: the flag of the event being delivered (0 for NetCon
    /// events, the second argument of `net_send` for self-events).
    EventFlag,
    /// `f_flux` / `b_flux` in a KINETIC block: the forward/backward flux of the reaction
    /// statement just before the use (see [`Reaction`]).
    ReactionFlux(FluxDirection),
    /// The counter of a `FROM i = a TO b` loop. nocmodl makes it a fresh C `int` scoped to the
    /// loop whatever `i` names outside it, so each loop has its own counter variable and
    /// non-integer bounds are truncated toward zero.
    LoopCounter,
}

/// Which flux of a reaction `f_flux` / `b_flux` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FluxDirection {
    Forward,
    Backward,
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
    /// Per instance, a pointer to a double elsewhere ([`VariableKind::Pointer`]).
    Pointer,
    /// Per instance, an opaque handle ([`VariableKind::BbcorePointer`], [`VariableKind::Random`]).
    Opaque,
    /// A global defined outside this mechanism ([`VariableKind::External`]).
    External,
    /// Element of the weight vector of the NetCon that delivered the event: the k-th argument
    /// of NET_RECEIVE (and of FOR_NETCONS) is element k. Element 0 is the NetCon's `weight`;
    /// the others persist per NetCon between events.
    Weight,
    /// A value of the event being delivered ([`VariableKind::EventFlag`]).
    Event,
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
    /// A function NEURON provides with meaning beyond math (random numbers, `at_time`,
    /// `nrn_pointing`, the RANDOM API); the span is the call's.
    Intrinsic(Intrinsic, ArgList, Span),
}

/// Functions NEURON provides to NMODL code that are not plain math.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Intrinsic {
    /// `at_time(te)`: 1 when the integrator is at the discontinuity `te` (tells CVODE about
    /// it), else 0. The fixed step only compares.
    AtTime,
    /// `normrand(mean, sd)`: a normal deviate from the mechanism-wide scop stream.
    NormRand,
    /// `exprand(mean)`
    ExpRand,
    /// `unirand()`: uniform on [0, 1).
    UniRand,
    /// `poisrand(mean)`
    PoisRand,
    /// `scop_random()`: uniform on [0, 1).
    ScopRandom,
    /// `set_seed(seed)`: reseeds the scop stream.
    SetSeed,
    /// `nrn_pointing(p)`: 1 when POINTER `p` has been set.
    NrnPointing,
    /// `random_uniform(r)`, `random_uniform(r, a, b)`, ... on a RANDOM variable.
    RandomUniform,
    RandomNegexp,
    RandomNormal,
    RandomSetseq,
    RandomSetids,
    RandomIpick,
    RandomDpick,
    /// A C function that NMODL code calls without declaring it: defined in the file's
    /// VERBATIM code or in NEURON's C library (`hoc_execerror`, `ifarg`, ...). The index is
    /// into [`Mechanism::c_functions`]; arguments are passed as doubles.
    CFunction(u32),
}

impl Intrinsic {
    pub fn from_name(name: &str) -> Option<Intrinsic> {
        use Intrinsic::*;
        Some(match name {
            "at_time" => AtTime,
            "normrand" => NormRand,
            "exprand" => ExpRand,
            "unirand" => UniRand,
            "poisrand" => PoisRand,
            "scop_random" => ScopRandom,
            "set_seed" => SetSeed,
            "nrn_pointing" => NrnPointing,
            "random_uniform" => RandomUniform,
            "random_negexp" => RandomNegexp,
            "random_normal" => RandomNormal,
            "random_setseq" => RandomSetseq,
            "random_setids" => RandomSetids,
            "random_ipick" => RandomIpick,
            "random_dpick" => RandomDpick,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        use Intrinsic::*;
        match self {
            AtTime => "at_time",
            NormRand => "normrand",
            ExpRand => "exprand",
            UniRand => "unirand",
            PoisRand => "poisrand",
            ScopRandom => "scop_random",
            SetSeed => "set_seed",
            NrnPointing => "nrn_pointing",
            RandomUniform => "random_uniform",
            RandomNegexp => "random_negexp",
            RandomNormal => "random_normal",
            RandomSetseq => "random_setseq",
            RandomSetids => "random_setids",
            RandomIpick => "random_ipick",
            RandomDpick => "random_dpick",
            CFunction(_) => "a C function",
        }
    }

    /// Accepted argument counts (inclusive range).
    pub fn arity(self) -> (usize, usize) {
        use Intrinsic::*;
        match self {
            UniRand | ScopRandom => (0, 0),
            AtTime | ExpRand | PoisRand | SetSeed | NrnPointing => (1, 1),
            NormRand => (2, 2),
            RandomUniform => (1, 3),
            RandomNegexp => (1, 2),
            RandomNormal => (1, 3),
            RandomSetseq => (2, 2),
            RandomSetids => (4, 4),
            RandomIpick | RandomDpick => (1, 1),
            CFunction(_) => (0, usize::MAX),
        }
    }

    /// The RANDOM API functions take a RANDOM variable as their first argument.
    pub fn takes_random_stream(self) -> bool {
        use Intrinsic::*;
        matches!(
            self,
            RandomUniform
                | RandomNegexp
                | RandomNormal
                | RandomSetseq
                | RandomSetids
                | RandomIpick
                | RandomDpick
        )
    }
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
    /// SOLVE outside BREAKPOINT: in INITIAL, typically `SOLVE kin STEADYSTATE sparse`.
    Solve(Solve),
    /// A KINETIC reaction, kept with its stoichiometry and rates (not lowered to ODEs).
    Reaction(Reaction),
    /// `CONSERVE a + b + ... = total` in a KINETIC block.
    Conserve(Conserve),
    /// `COMPARTMENT [i,] volume { species }` in a KINETIC block.
    Compartment(Compartment),
    /// `LONGITUDINAL_DIFFUSION [i,] rate { species }` in a KINETIC block; `volume` is the
    /// diffusion rate expression.
    LongitudinalDiffusion(Compartment),
    /// `~ lhs = rhs` in a LINEAR or NONLINEAR block: one equation of the system whose
    /// unknowns are the STATEs the block mentions.
    Equation {
        lhs: Handle<Expression>,
        rhs: Handle<Expression>,
        span: Span,
    },
    /// `net_send(delay, flag)`: a self-event to this instance at `t + delay`. In INITIAL or
    /// NET_RECEIVE only.
    NetSend {
        delay: Handle<Expression>,
        flag: Handle<Expression>,
        span: Span,
    },
    /// `net_event(time)`: the instance spikes at `time` (NetCons from it deliver events).
    /// NET_RECEIVE only.
    NetEvent {
        time: Handle<Expression>,
        span: Span,
    },
    /// `net_move(time)`: moves the pending self-event to `time`. NET_RECEIVE only.
    NetMove {
        time: Handle<Expression>,
        span: Span,
    },
    /// `WATCH (cond) flag, ...`: arms threshold watches; when `condition` becomes true a
    /// self-event with `flag` is delivered. NET_RECEIVE only.
    Watch {
        clauses: Vec<WatchClause>,
        span: Span,
    },
    /// `FOR_NETCONS(args) { body }`: `body` runs once per NetCon targeting this instance,
    /// with `parameters` bound to that NetCon's weight vector. NET_RECEIVE only.
    ForNetcons {
        parameters: Vec<Handle<Variable>>,
        body: Block,
        span: Span,
    },
    /// `state_discontinuity(x, value)`: assigns `value` to `x` and tells a variable-step
    /// integrator that the state jumped.
    StateDiscontinuity {
        target: Handle<Variable>,
        index: Option<Handle<Expression>>,
        value: Handle<Expression>,
        span: Span,
    },
    /// `printf("format", args...)`, as C's printf.
    Printf {
        arguments: Vec<PrintfArgument>,
        span: Span,
    },
    /// `PROTECT statement`: the statement runs under the mechanism's mutex (threads).
    Protect { body: Block, span: Span },
    /// `MUTEXLOCK` (`lock: true`) / `MUTEXUNLOCK`.
    Mutex { lock: bool, span: Span },
    /// `LAG x BY tau`: `lagged` holds the value `x` had `tau` ago.
    Lag {
        variable: Handle<Variable>,
        by: Handle<Variable>,
        lagged: Handle<Variable>,
        span: Span,
    },
}

/// One argument of printf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PrintfArgument {
    /// A string literal, escapes as written.
    Text(String),
    Value(Handle<Expression>),
}

/// `(condition) flag` of a WATCH statement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WatchClause {
    pub condition: Handle<Expression>,
    pub flag: Handle<Expression>,
}

/// A KINETIC reaction statement.
///
/// Semantics (as nocmodl's sparse/derivimplicit code): with the forward flux
/// `ff = forward · Π lhs[i]^coef[i]` and the backward flux `bf = backward · Π rhs[j]^coef[j]`,
/// each left species `s` changes by `-coef·(ff - bf)` and each right species by
/// `+coef·(ff - bf)`, per unit of its COMPARTMENT volume. After the statement, `f_flux` and
/// `b_flux` of the block hold `ff` and `bf`. A species that is not a STATE (e.g. an ion
/// concentration that is only read, or an ASSIGNED) enters the fluxes but is not an unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reaction {
    pub lhs: Vec<Reactant>,
    pub kind: ReactionKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReactionKind {
    /// `~ lhs <-> rhs (forward, backward)`
    Reversible {
        rhs: Vec<Reactant>,
        forward: Handle<Expression>,
        backward: Handle<Expression>,
    },
    /// `~ lhs -> rhs (rate)`: the backward rate is 0; `rhs` may be empty (pure decay).
    Irreversible {
        rhs: Vec<Reactant>,
        rate: Handle<Expression>,
    },
    /// `~ s << (flux)`: `flux` (amount per time) is added to the single species on the left;
    /// afterwards f_flux is 0 and b_flux the flux (as nocmodl's generated code sets them).
    Flux { flux: Handle<Expression> },
}

/// `2 ca[i]`: a stoichiometric coefficient and a species (possibly an array element).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reactant {
    pub coefficient: u32,
    pub species: Handle<Variable>,
    pub index: Option<Handle<Expression>>,
}

/// `CONSERVE Σ coef·s = total`: replaces one equation of the kinetic system by the
/// conservation law (NUMERICS §5); CVODE ignores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conserve {
    pub terms: Vec<ConserveTerm>,
    pub total: Handle<Expression>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ConserveTerm {
    pub coefficient: f64,
    pub species: Handle<Variable>,
    pub index: Option<Handle<Expression>>,
}

/// `COMPARTMENT i, volume { species }`: the species' amounts are per `volume` (for arrays,
/// element `i` of each species has `volume` evaluated with the index variable = i).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compartment {
    /// The index variable (a [`VariableKind::LoopCounter`]) for array species.
    pub index: Option<Handle<Variable>>,
    pub volume: Handle<Expression>,
    pub species: Vec<Handle<Variable>>,
    pub span: Span,
}

/// A STATE declaration: the variable and its absolute tolerance for CVODE (`<1e-6>`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StateDecl {
    pub variable: Handle<Variable>,
    pub abstol: Option<f64>,
    /// `s0`, the global a STATE `s` starts from at finitialize (its default is the START
    /// value), when the file names it; NEURON declares it for every STATE.
    #[serde(default)]
    pub initial: Option<Handle<Variable>>,
}

/// `name = default (units) <lo, hi>`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub variable: Handle<Variable>,
    pub lo: f64,
    pub hi: f64,
}

/// NET_RECEIVE(args) { INITIAL { } body }.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetReceive {
    /// Storage [`Storage::Weight`]: parameter k is element k of the NetCon's weight vector.
    pub parameters: Vec<Handle<Variable>>,
    /// Every LOCAL of the body (and of its INITIAL), hoisted.
    pub locals: Vec<Handle<Variable>>,
    /// `flag` when the body uses it.
    pub flag: Option<Handle<Variable>>,
    /// The INITIAL block nested in NET_RECEIVE: runs per NetCon at finitialize (without it,
    /// weight elements past 0 are reset to 0 there; NUMERICS §8).
    pub initial: Option<Block>,
    pub body: Block,
    pub span: Span,
}

/// BEFORE/AFTER block: code run before or after one of NEURON's phases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hook {
    pub when: HookTime,
    pub phase: HookPhase,
    pub locals: Vec<Handle<Variable>>,
    pub body: Block,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HookTime {
    Before,
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HookPhase {
    Breakpoint,
    Solve,
    Initial,
    Step,
}

/// Top-level VERBATIM text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verbatim {
    pub text: String,
    pub span: Span,
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
    /// `FUNCTION_TABLE name(args)`: no body; hoc supplies the values with
    /// `table_name(...)`, and a call interpolates in them.
    FunctionTable,
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
    /// `SOLVE x STEADYSTATE method`: integrate to the steady state instead of one step
    /// (sparse for KINETIC, derivimplicit for DERIVATIVE).
    #[serde(default)]
    pub steady_state: bool,
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
    /// Classical 4th-order Runge-Kutta.
    Runge,
    /// `after_cvode`: the block is called as a PROCEDURE after each CVODE step.
    AfterCvode,
    /// `cvode_t`: called at each CVODE step with the new t.
    CvodeT,
}

impl SolveMethod {
    pub fn from_name(name: &str) -> Option<SolveMethod> {
        Some(match name {
            "cnexp" => SolveMethod::Cnexp,
            "derivimplicit" => SolveMethod::Derivimplicit,
            "euler" => SolveMethod::Euler,
            "sparse" => SolveMethod::Sparse,
            "runge" => SolveMethod::Runge,
            "after_cvode" => SolveMethod::AfterCvode,
            "cvode_t" => SolveMethod::CvodeT,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            SolveMethod::None => "(none)",
            SolveMethod::Cnexp => "cnexp",
            SolveMethod::Derivimplicit => "derivimplicit",
            SolveMethod::Euler => "euler",
            SolveMethod::Sparse => "sparse",
            SolveMethod::Runge => "runge",
            SolveMethod::AfterCvode => "after_cvode",
            SolveMethod::CvodeT => "cvode_t",
        }
    }
}

impl Statement {
    /// Where the statement is in the source, for the statements that carry a span.
    pub fn span(&self) -> Option<Span> {
        Some(match self {
            Statement::Assign { span, .. }
            | Statement::Evaluate { span, .. }
            | Statement::Derivative { span, .. }
            | Statement::Verbatim { span, .. }
            | Statement::Equation { span, .. }
            | Statement::NetSend { span, .. }
            | Statement::NetEvent { span, .. }
            | Statement::NetMove { span, .. }
            | Statement::Watch { span, .. }
            | Statement::ForNetcons { span, .. }
            | Statement::StateDiscontinuity { span, .. }
            | Statement::Printf { span, .. }
            | Statement::Protect { span, .. }
            | Statement::Mutex { span, .. }
            | Statement::Lag { span, .. } => *span,
            Statement::Solve(s) => s.span,
            Statement::Reaction(r) => r.span,
            Statement::Conserve(c) => c.span,
            Statement::Compartment(c) | Statement::LongitudinalDiffusion(c) => c.span,
            Statement::If { .. } | Statement::While { .. } | Statement::For { .. } => return None,
        })
    }

    /// The construct's name as a user writes it, for messages ("a KINETIC reaction",
    /// "net_send", ...).
    pub fn describe(&self) -> &'static str {
        match self {
            Statement::Assign { .. } => "an assignment",
            Statement::Evaluate { .. } => "a call",
            Statement::If { .. } => "if",
            Statement::While { .. } => "while",
            Statement::For { .. } => "FROM ... TO",
            Statement::Derivative { .. } => "a derivative equation",
            Statement::Verbatim { .. } => "VERBATIM",
            Statement::Solve(_) => "SOLVE outside BREAKPOINT",
            Statement::Reaction(_) => "a KINETIC reaction",
            Statement::Conserve(_) => "CONSERVE",
            Statement::Compartment(_) => "COMPARTMENT",
            Statement::LongitudinalDiffusion(_) => "LONGITUDINAL_DIFFUSION",
            Statement::Equation { .. } => "a LINEAR/NONLINEAR equation",
            Statement::NetSend { .. } => "net_send",
            Statement::NetEvent { .. } => "net_event",
            Statement::NetMove { .. } => "net_move",
            Statement::Watch { .. } => "WATCH",
            Statement::ForNetcons { .. } => "FOR_NETCONS",
            Statement::StateDiscontinuity { .. } => "state_discontinuity",
            Statement::Printf { .. } => "printf",
            Statement::Protect { .. } => "PROTECT",
            Statement::Mutex { .. } => "MUTEXLOCK/MUTEXUNLOCK",
            Statement::Lag { .. } => "LAG",
        }
    }
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
