//! The syntax tree of hoc. Names are interned ([`Sym`]); positions are byte offsets into the
//! [`Source`] the node came from (procedures keep their source so errors inside them can show
//! the right line).

use std::rc::Rc;

use crate::source::Source;

/// An interned name.
pub type Sym = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Pow,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignOp {
    Set,
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone)]
pub struct Expr {
    pub kind: ExprKind,
    pub pos: usize,
}

#[derive(Debug, Clone)]
pub enum ExprKind {
    Num(f64),
    Str(Rc<str>),
    Name(Sym),
    /// A `local`/`localobj` of the enclosing procedure, by slot.
    Local(usize),
    /// `a[i][j]`: all subscripts of one name.
    Index(Box<Expr>, Vec<Expr>),
    /// `a.b`
    Member(Box<Expr>, Sym),
    /// `f(args)`, `o.m(args)`, `v(0.5)`, `dend[1](0)`
    Call(Box<Expr>, Vec<Expr>),
    /// `diam(0:1)`: only as the target of a range assignment.
    RangeLoc(Box<Expr>, Box<Expr>, Box<Expr>),
    /// `$1`
    Arg(u32),
    /// `$s1`
    StrArg(u32),
    /// `$o1`
    ObjArg(u32),
    /// `$&1`
    PtrArg(u32),
    /// `$i`: argument number given by the value of a variable.
    DynArg(Box<Expr>),
    /// `&lvalue`
    Addr(Box<Expr>),
    /// `new Name(args)`
    New(Sym, Vec<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Assign(AssignOp, Box<Expr>, Box<Expr>),
    /// `(e)`: kept because a parenthesised assignment echoes at top level.
    Paren(Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeclKind {
    Objref,
    Strdef,
    Double,
    Create,
}

#[derive(Debug, Clone)]
pub struct Stmt {
    pub kind: StmtKind,
    pub pos: usize,
}

#[derive(Debug, Clone)]
pub enum StmtKind {
    Expr(Expr),
    Block(Vec<Stmt>),
    If(Expr, Box<Stmt>, Option<Box<Stmt>>),
    While(Expr, Box<Stmt>),
    /// `for var = a, b stmt`
    ForRange(Expr, Expr, Expr, Box<Stmt>),
    /// `for (init; cond; step) stmt`
    ForC(Option<Expr>, Option<Expr>, Option<Expr>, Box<Stmt>),
    /// `for (x) stmt` / `for (x, expr) stmt`
    ForSeg(Expr, Option<Expr>, Box<Stmt>),
    /// `for iter(args) stmt`
    ForIter(Expr, Box<Stmt>),
    Forall(Box<Stmt>),
    /// `forsec "regex" stmt` or `forsec sectionlist stmt`
    Forsec(Expr, Box<Stmt>),
    Ifsec(Expr, Box<Stmt>),
    /// `sec stmt`: the statement runs with `sec` pushed on the section stack.
    SecStmt(Expr, Box<Stmt>),
    Break,
    Continue,
    Return(Option<Expr>),
    Stop,
    IterStmt,
    Print(Vec<Expr>),
    Decl(DeclKind, Vec<(Sym, Vec<Expr>, usize)>),
    Access(Expr),
    /// `connect child(x), parent(x)` or `connect child(x), x` (parent is the current section).
    Connect(Expr, Expr),
    /// `setpointer obj.name, &-able target` or `setpointer sec.name_suffix(x), target`.
    SetPointer(Expr, Expr),
    Insert(Sym),
    Uninsert(Sym),
    /// `name(x0:x1) = v0:v1`
    RangeAssign {
        target: Expr,
        x0: Expr,
        x1: Expr,
        v0: Expr,
        v1: Expr,
    },
    ProcDef(Rc<ProcDef>),
    Template(Rc<TemplateDef>),
    Public(Vec<Sym>),
    External(Vec<Sym>),
    /// `local`/`localobj` inside a body: declared at parse time, nothing to do when run.
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProcKind {
    Proc,
    Func,
    Obfunc,
    Iterator,
}

impl ProcKind {
    pub fn word(self) -> &'static str {
        match self {
            ProcKind::Proc => "proc",
            ProcKind::Func => "func",
            ProcKind::Obfunc => "obfunc",
            ProcKind::Iterator => "iterator",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalKind {
    Num,
    Obj,
}

#[derive(Debug)]
pub struct ProcDef {
    pub name: Sym,
    pub kind: ProcKind,
    pub locals: Vec<(Sym, LocalKind)>,
    pub body: Vec<Stmt>,
    pub source: Rc<Source>,
    pub pos: usize,
}

#[derive(Debug)]
pub struct TemplateDef {
    pub name: Sym,
    pub body: Vec<Stmt>,
    pub source: Rc<Source>,
    pub pos: usize,
}
