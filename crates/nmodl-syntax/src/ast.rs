//! The syntax tree of one NMODL file.
//!
//! Every node carries a [`Span`] of byte offsets into the source text. The tree is purely
//! syntactic: names are not resolved, units are kept as the text the author wrote, and a construct
//! that is only legal in some blocks (a reaction outside KINETIC, SOLVE outside BREAKPOINT, ...) is
//! still represented faithfully so that the semantic pass can explain what is wrong with it.
//!
//! Conventions:
//! - Wrapper structs (`Item`, `Stmt`, `Expr`, ...) pair a `kind` enum with the span of the whole node.
//! - The span of a parenthesized expression covers its parentheses; there is no `Paren` node.
//! - Comma- or space-separated lists keep source order.

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` into the source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        // Sources over 4 GiB are not NMODL; saturate rather than wrap.
        let clamp = |x: usize| u32::try_from(x).unwrap_or(u32::MAX);
        Span {
            start: clamp(start),
            end: clamp(end),
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }
}

/// A name as written in the source (`gnabar`, `states`, `cnexp`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A numeric literal. `text` is the literal as written (including a leading sign where the grammar
/// allows one, as in `el = -54.3`); `value` is its value (NaN for a malformed literal, which has
/// already been reported).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Number {
    pub text: String,
    pub value: f64,
    pub span: Span,
}

impl Number {
    /// True when written without a fraction or exponent (`200`, `-1`), as array sizes and
    /// `WITH` counts require.
    pub fn is_integer_literal(&self) -> bool {
        !self.text.contains(['.', 'e', 'E'])
    }
}

/// A unit annotation such as `(mA/cm2)`. `text` is what is between the parentheses with
/// surrounding white space removed (`mA/cm2`); `span` covers the parentheses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unit {
    pub text: String,
    pub span: Span,
}

/// A string literal; `value` is the text between the quotes, escapes left as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
}

/// Raw text kept verbatim: the body of `VERBATIM ... ENDVERBATIM` or of `COMMENT ... ENDCOMMENT`.
/// `span` covers the whole construct including its keywords; `text_span` only the text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawText {
    pub text: String,
    pub span: Span,
    pub text_span: Span,
}

/// A whole `.mod` (or `.inc`) file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct File {
    /// Top-level items in source order. When a top-level item has a syntax error it is missing
    /// here (and a diagnostic says why); the other items are still present.
    pub items: Vec<Item>,
    /// Every `COMMENT ... ENDCOMMENT` block, wherever it appears, in source order.
    pub comments: Vec<RawText>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub kind: ItemKind,
    pub span: Span,
}

/// A top-level construct.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ItemKind {
    /// `TITLE text`: the rest of the line, trimmed.
    Title(String),
    /// Top-level `VERBATIM ... ENDVERBATIM`.
    Verbatim(RawText),
    /// `INCLUDE "file"`; the file is not read by the parser.
    Include(StringLit),
    /// `DEFINE NAME value`: a named integer constant usable as an array size.
    Define {
        name: Ident,
        value: Number,
    },
    UnitsOn,
    UnitsOff,
    /// Top-level `LOCAL a, b[2]`: variables shared by the whole mechanism.
    Local(Vec<LocalVar>),
    Neuron(Vec<NeuronStmt>),
    Units(Vec<UnitDef>),
    Parameter(Vec<VarDecl>),
    Constant(Vec<VarDecl>),
    Assigned(Vec<VarDecl>),
    State(Vec<VarDecl>),
    Independent(Vec<VarDecl>),
    Initial(Block),
    Breakpoint(Block),
    Constructor(Block),
    Destructor(Block),
    Derivative {
        name: Ident,
        body: Block,
    },
    Kinetic {
        name: Ident,
        body: Block,
    },
    Linear {
        name: Ident,
        body: Block,
    },
    NonLinear {
        name: Ident,
        body: Block,
    },
    Procedure(Callable),
    Function(Callable),
    /// `FUNCTION_TABLE name(args) (unit)`: values supplied from hoc; no body.
    FunctionTable {
        name: Ident,
        params: Vec<Param>,
        unit: Option<Unit>,
    },
    /// `NET_RECEIVE(args) { ... }`; a nested `INITIAL { }` is a [`StmtKind::Initial`] in `body`.
    NetReceive {
        params: Vec<Param>,
        body: Block,
    },
    Before {
        event: BlockEvent,
        body: Block,
    },
    After {
        event: BlockEvent,
        body: Block,
    },
}

/// What a BEFORE/AFTER block is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockEvent {
    Breakpoint,
    Solve,
    Initial,
    Step,
}

/// A PROCEDURE or FUNCTION: `name(params) (unit) { body }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Callable {
    pub name: Ident,
    pub params: Vec<Param>,
    /// The unit after the parameter list (the return unit of a FUNCTION).
    pub unit: Option<Unit>,
    pub body: Block,
}

/// A formal parameter `v (mV)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub name: Ident,
    pub unit: Option<Unit>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeuronStmt {
    pub kind: NeuronStmtKind,
    pub span: Span,
}

/// One statement of the NEURON block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum NeuronStmtKind {
    Suffix(Ident),
    PointProcess(Ident),
    ArtificialCell(Ident),
    /// `USEION ion READ a, b WRITE c VALENCE z REPRESENTS id`; clauses are optional.
    UseIon {
        ion: Ident,
        read: Vec<Ident>,
        write: Vec<Ident>,
        valence: Option<Number>,
        represents: Option<Ontology>,
    },
    NonspecificCurrent(Vec<Ident>),
    ElectrodeCurrent(Vec<Ident>),
    Range(Vec<Ident>),
    Global(Vec<Ident>),
    Pointer(Vec<Ident>),
    BbcorePointer(Vec<Ident>),
    External(Vec<Ident>),
    Random(Vec<Ident>),
    /// `THREADSAFE`, optionally followed by names.
    ThreadSafe(Vec<Ident>),
    Represents(Ontology),
}

/// An ontology identifier after REPRESENTS, e.g. `NCIT:C17145`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ontology {
    pub id: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitDef {
    pub kind: UnitDefKind,
    pub span: Span,
}

/// One line of the UNITS block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum UnitDefKind {
    /// `(mA) = (milliamp)`
    Alias { unit: Unit, definition: Unit },
    /// `FARADAY = (faraday) (coulomb)`: the value of the first unit expressed in the second.
    Factor {
        name: Ident,
        from: Unit,
        to: Option<Unit>,
    },
    /// `PI = 3.14159` or `FARADAY = 96485.3 (coul)`.
    Constant {
        name: Ident,
        value: Number,
        unit: Option<Unit>,
    },
}

/// One declaration in PARAMETER, CONSTANT, ASSIGNED, STATE or INDEPENDENT. All blocks share this
/// shape; which attributes are meaningful in which block is for the semantic pass to check.
/// Attributes may appear in any order after the name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarDecl {
    pub name: Ident,
    /// `x[3]` or `x[N]` with `N` from DEFINE.
    pub array: Option<ArraySize>,
    /// `= value` (PARAMETER, CONSTANT).
    pub value: Option<Number>,
    pub unit: Option<Unit>,
    /// `<lo, hi>`.
    pub limits: Option<Limits>,
    /// `<tol>`: absolute tolerance of a STATE.
    pub abstol: Option<Number>,
    /// `FROM lo TO hi` (STATE, INDEPENDENT).
    pub from_to: Option<(Number, Number)>,
    /// `WITH n` (INDEPENDENT).
    pub with: Option<Number>,
    /// `START value` (STATE).
    pub start: Option<Number>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub lo: Number,
    pub hi: Number,
    pub span: Span,
}

/// The size of an array declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ArraySize {
    Literal(Number),
    /// A DEFINE'd name.
    Named(Ident),
}

/// `LOCAL` variable: `a` or `a[2]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalVar {
    pub name: Ident,
    pub array: Option<ArraySize>,
    pub span: Span,
}

/// `{ statements }`; `span` covers the braces.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StmtKind {
    Local(Vec<LocalVar>),
    /// `x = e` or `x[i] = e`.
    Assign {
        target: LValue,
        value: Expr,
    },
    /// `m' = e` (`order` counts the primes: `x'' = e` has order 2).
    Derivative {
        target: LValue,
        order: u32,
        value: Expr,
    },
    /// A call used as a statement: `rates(v)`, `net_send(0, 1)`.
    Call(Call),
    If(IfStmt),
    While {
        cond: Expr,
        body: Block,
    },
    /// `FROM i = from TO to BY by { body }`.
    FromLoop {
        var: Ident,
        from: Expr,
        to: Expr,
        by: Option<Expr>,
        body: Block,
    },
    /// `TABLE names DEPEND deps FROM from TO to WITH with` (names may be empty, as in a FUNCTION).
    Table {
        names: Vec<Ident>,
        depend: Vec<Ident>,
        from: Expr,
        to: Expr,
        with: Expr,
    },
    /// `SOLVE block METHOD m STEADYSTATE s`.
    Solve {
        block: Ident,
        method: Option<Ident>,
        steadystate: Option<Ident>,
    },
    /// A KINETIC `~` reaction.
    Reaction(Reaction),
    /// `~ lhs = rhs` in LINEAR/NONLINEAR blocks.
    Equation {
        lhs: Expr,
        rhs: Expr,
    },
    /// `CONSERVE lhs = rhs`.
    Conserve {
        lhs: Expr,
        rhs: Expr,
    },
    /// `COMPARTMENT [index,] volume { species }`.
    Compartment {
        index: Option<Ident>,
        volume: Expr,
        species: Vec<Ident>,
    },
    /// `LONGITUDINAL_DIFFUSION [index,] rate { species }`.
    LongitudinalDiffusion {
        index: Option<Ident>,
        rate: Expr,
        species: Vec<Ident>,
    },
    /// `WATCH (cond) flag, (cond) flag`.
    Watch(Vec<WatchClause>),
    /// `FOR_NETCONS(args) { body }`.
    ForNetcons {
        params: Vec<Param>,
        body: Block,
    },
    /// `PROTECT stmt`.
    Protect(Box<Stmt>),
    MutexLock,
    MutexUnlock,
    UnitsOn,
    UnitsOff,
    /// `LAG name BY duration`.
    Lag {
        name: Ident,
        by: Ident,
    },
    Verbatim(RawText),
    /// A nested `{ }` block.
    Block(Block),
    /// `INITIAL { }` inside NET_RECEIVE (accepted anywhere by the parser).
    Initial(Block),
}

/// The target of an assignment or derivative equation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LValue {
    pub name: Ident,
    pub index: Option<Box<Expr>>,
    pub span: Span,
}

/// `if (cond) { } else if (cond) { } else { }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IfStmt {
    pub cond: Expr,
    pub then_block: Block,
    pub else_branch: Option<ElseBranch>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ElseBranch {
    ElseIf(Box<IfStmt>),
    Else(Block),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchClause {
    pub cond: Expr,
    pub flag: Expr,
    pub span: Span,
}

/// A KINETIC reaction statement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reaction {
    pub lhs: Vec<Reactant>,
    pub kind: ReactionKind,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ReactionKind {
    /// `~ lhs <-> rhs (forward, backward)`
    Reversible {
        rhs: Vec<Reactant>,
        forward: Expr,
        backward: Expr,
    },
    /// `~ lhs -> rhs (rate)`; `rhs` may be empty (`~ g -> (1/tau)`: decay)
    Irreversible { rhs: Vec<Reactant>, rate: Expr },
    /// `~ lhs << (flux)`
    Flux { flux: Expr },
}

/// `2 ca[0]`: an optional integer stoichiometric coefficient and a (possibly indexed) species.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reactant {
    pub coefficient: Option<Number>,
    pub name: Ident,
    pub index: Option<Expr>,
    pub span: Span,
}

/// `name(args)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Call {
    pub name: Ident,
    pub args: Vec<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExprKind {
    Number(Number),
    /// A literal with a unit annotation: `10 (degC)`.
    WithUnit {
        value: Number,
        unit: Unit,
    },
    Name(Ident),
    /// `name[index]`.
    Index {
        name: Ident,
        index: Box<Expr>,
    },
    Call(Call),
    /// A string literal (only meaningful as an argument of printf and friends).
    String(StringLit),
    Unary {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        op: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UnaryOp {
    Neg,
    Plus,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BinaryOp {
    Or,
    And,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    /// `^`, right-associative and tighter than unary minus: `-x^2` is `-(x^2)`.
    Pow,
}

impl BinaryOp {
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "||",
            BinaryOp::And => "&&",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
            BinaryOp::Pow => "^",
        }
    }
}

impl Item {
    /// The name a top-level item defines, if any (PROCEDURE/FUNCTION/DERIVATIVE/... names).
    pub fn name(&self) -> Option<&Ident> {
        match &self.kind {
            ItemKind::Derivative { name, .. }
            | ItemKind::Kinetic { name, .. }
            | ItemKind::Linear { name, .. }
            | ItemKind::NonLinear { name, .. }
            | ItemKind::FunctionTable { name, .. }
            | ItemKind::Define { name, .. } => Some(name),
            ItemKind::Procedure(c) | ItemKind::Function(c) => Some(&c.name),
            _ => None,
        }
    }
}
