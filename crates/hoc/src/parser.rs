//! Recursive-descent parser for hoc, one top-level statement at a time (NEURON executes each
//! top-level statement as soon as it is read, so a syntax error later in a file does not stop
//! what came before it).
//!
//! Newlines end statements; at top level a statement must end its line, inside `{ }`
//! statements may follow each other on one line. `else` must be on the line where the `if`
//! statement ends, a statement body must start on the line of its `if`/`for`/`while`, and a
//! newline inside an expression is a syntax error -- all as NEURON 9 does.

use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::*;
use crate::lexer::{LexError, Lexer, Tok, Token, P};
use crate::source::Source;

/// Interned names.
#[derive(Debug, Default)]
pub struct Interner {
    map: HashMap<Rc<str>, Sym>,
    names: Vec<Rc<str>>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> Sym {
        if let Some(&k) = self.map.get(s) {
            return k;
        }
        let rc: Rc<str> = Rc::from(s);
        let k = self.names.len() as Sym;
        self.names.push(rc.clone());
        self.map.insert(rc, k);
        k
    }

    pub fn get(&self, s: &str) -> Option<Sym> {
        self.map.get(s).copied()
    }

    pub fn name(&self, k: Sym) -> &str {
        &self.names[k as usize]
    }

    pub fn rc(&self, k: Sym) -> Rc<str> {
        self.names[k as usize].clone()
    }
}

#[derive(Debug, Clone)]
pub struct ParseError {
    pub msg: String,
    pub pos: usize,
    /// The error is that the text ended (an unclosed block or template): more input could
    /// complete the statement (used by the interactive reader).
    pub at_eof: bool,
}

impl From<LexError> for ParseError {
    fn from(e: LexError) -> Self {
        ParseError {
            msg: e.msg,
            pos: e.pos,
            at_eof: false,
        }
    }
}

type PResult<T> = Result<T, ParseError>;

const KEYWORDS: &[&str] = &[
    "if",
    "else",
    "while",
    "for",
    "break",
    "continue",
    "return",
    "stop",
    "print",
    "proc",
    "func",
    "obfunc",
    "iterator",
    "iterator_statement",
    "local",
    "localobj",
    "objref",
    "objectvar",
    "strdef",
    "double",
    "create",
    "access",
    "connect",
    "setpointer",
    "insert",
    "uninsert",
    "forall",
    "forsec",
    "ifsec",
    "begintemplate",
    "endtemplate",
    "public",
    "external",
    "new",
];

pub fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

pub struct Parser<'a> {
    lex: Lexer<'a>,
    src: &'a Rc<Source>,
    names: &'a mut Interner,
    peeked: Option<Token>,
    /// Locals of the procedure being parsed.
    locals: Option<Vec<(Sym, LocalKind)>>,
    proc_kind: Option<ProcKind>,
    in_template: bool,
}

impl<'a> Parser<'a> {
    pub fn new(src: &'a Rc<Source>, pos: usize, names: &'a mut Interner) -> Self {
        Parser {
            lex: Lexer::new(src, pos),
            src,
            names,
            peeked: None,
            locals: None,
            proc_kind: None,
            in_template: false,
        }
    }

    /// Where the next unread character is (after the last consumed token).
    pub fn resume_pos(&self) -> usize {
        match &self.peeked {
            Some(t) => t.pos,
            None => self.lex.pos,
        }
    }

    fn peek(&mut self) -> PResult<&Token> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lex.next_token()?);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    fn next(&mut self) -> PResult<Token> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => Ok(self.lex.next_token()?),
        }
    }

    fn err<T>(&self, msg: impl Into<String>, tok: &Token) -> PResult<T> {
        Err(ParseError {
            msg: msg.into(),
            pos: tok.pos,
            at_eof: tok.tok == Tok::Eof,
        })
    }

    fn syntax<T>(&mut self, what: &str) -> PResult<T> {
        let t = self.peek()?.clone();
        let found = describe(&t.tok);
        self.err(format!("syntax error: expected {what}, found {found}"), &t)
    }

    fn peek_is(&mut self, p: P) -> PResult<bool> {
        Ok(self.peek()?.tok == Tok::P(p))
    }

    fn eat(&mut self, p: P) -> PResult<bool> {
        if self.peek_is(p)? {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn expect(&mut self, p: P, what: &str) -> PResult<Token> {
        if self.peek_is(p)? {
            self.next()
        } else {
            self.syntax(what)
        }
    }

    fn peek_keyword(&mut self) -> PResult<Option<&'static str>> {
        if let Tok::Ident(s) = &self.peek()?.tok {
            Ok(KEYWORDS.iter().copied().find(|k| *k == s))
        } else {
            Ok(None)
        }
    }

    fn ident(&mut self, what: &str) -> PResult<(Sym, usize)> {
        let t = self.peek()?.clone();
        match &t.tok {
            Tok::Ident(s) if !is_keyword(s) => {
                self.next()?;
                Ok((self.names.intern(s), t.pos))
            }
            _ => self.syntax(what),
        }
    }

    fn skip_newlines(&mut self) -> PResult<()> {
        while self.peek()?.tok == Tok::Newline {
            self.next()?;
        }
        Ok(())
    }

    /// The next top-level statement, or None at the end of the text. Consumes the newline
    /// that ends it and nothing after.
    pub fn parse_top(&mut self) -> PResult<Option<Stmt>> {
        self.skip_newlines()?;
        if self.peek()?.tok == Tok::Eof {
            return Ok(None);
        }
        let stmt = if self.peek_keyword()? == Some("begintemplate") {
            self.template()?
        } else {
            self.stmt()?
        };
        // hoc lets a statement follow an object's method call on the same line
        // (`v.fill(1) v.printf()`); the line then runs as a block, echoing nothing.
        if is_method_call(&stmt) && !matches!(self.peek()?.tok, Tok::Newline | Tok::Eof) {
            let pos = stmt.pos;
            let mut stmts = vec![stmt];
            while is_method_call(stmts.last().expect("one statement"))
                && !matches!(self.peek()?.tok, Tok::Newline | Tok::Eof)
            {
                stmts.push(self.stmt()?);
            }
            self.end_of_line()?;
            return Ok(Some(Stmt {
                kind: StmtKind::Block(stmts),
                pos,
            }));
        }
        self.end_of_line()?;
        Ok(Some(stmt))
    }

    /// A top-level statement must end its line.
    fn end_of_line(&mut self) -> PResult<()> {
        let t = self.peek()?.clone();
        match t.tok {
            Tok::Newline => {
                self.next()?;
                Ok(())
            }
            Tok::Eof => Ok(()),
            _ => self.err(
                format!(
                    "syntax error: {} after the end of the statement (at top level each statement needs its own line, or braces around several)",
                    describe(&t.tok)
                ),
                &t,
            ),
        }
    }

    fn template(&mut self) -> PResult<Stmt> {
        let start = self.next()?;
        let (name, _) = self.ident("a template name after begintemplate")?;
        self.end_of_line()?;
        self.in_template = true;
        let mut body = Vec::new();
        loop {
            self.skip_newlines()?;
            let t = self.peek()?.clone();
            if t.tok == Tok::Eof {
                self.in_template = false;
                let line = self.src.line_of(start.pos);
                return self.err(
                    format!(
                        "syntax error: the template {} begun at line {line} has no endtemplate",
                        self.names.name(name)
                    ),
                    &t,
                );
            }
            if self.peek_keyword()? == Some("endtemplate") {
                self.next()?;
                let (end, _) = self.ident("the template name after endtemplate")?;
                self.in_template = false;
                if end != name {
                    return self.err(
                        format!(
                            "endtemplate {} does not match begintemplate {}",
                            self.names.name(end),
                            self.names.name(name)
                        ),
                        &t,
                    );
                }
                break;
            }
            if self.peek_keyword()? == Some("begintemplate") {
                return self.err("a template cannot be defined inside a template", &t);
            }
            body.push(self.stmt()?);
            self.end_of_line()?;
        }
        Ok(Stmt {
            kind: StmtKind::Template(Rc::new(TemplateDef {
                name,
                body,
                source: self.src.clone(),
                pos: start.pos,
            })),
            pos: start.pos,
        })
    }

    fn block(&mut self) -> PResult<Stmt> {
        let open = self.expect(P::LBrace, "{")?;
        let mut stmts = Vec::new();
        loop {
            self.skip_newlines()?;
            let t = self.peek()?.clone();
            match t.tok {
                Tok::P(P::RBrace) => {
                    self.next()?;
                    break;
                }
                Tok::Eof => {
                    let line = self.src.line_of(open.pos);
                    return self.err(
                        format!("syntax error: the block {{ opened at line {line} is not closed"),
                        &t,
                    );
                }
                _ => stmts.push(self.stmt()?),
            }
        }
        Ok(Stmt {
            kind: StmtKind::Block(stmts),
            pos: open.pos,
        })
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        let t = self.peek()?.clone();
        let pos = t.pos;
        let mk = |kind| Ok(Stmt { kind, pos });
        match &t.tok {
            Tok::P(P::LBrace) => return self.block(),
            Tok::Newline | Tok::Eof => return self.syntax("a statement"),
            _ => {}
        }
        let Some(kw) = self.peek_keyword()? else {
            return self.expr_stmt();
        };
        match kw {
            "if" => {
                self.next()?;
                self.expect(P::LParen, "( after if")?;
                let cond = self.expr()?;
                self.expect(P::RParen, ") after the if condition")?;
                let then = self.stmt()?;
                let els = if self.peek_keyword()? == Some("else") {
                    self.next()?;
                    Some(Box::new(self.stmt()?))
                } else {
                    None
                };
                mk(StmtKind::If(cond, Box::new(then), els))
            }
            "while" => {
                self.next()?;
                self.expect(P::LParen, "( after while")?;
                let cond = self.expr()?;
                self.expect(P::RParen, ") after the while condition")?;
                let body = self.stmt()?;
                mk(StmtKind::While(cond, Box::new(body)))
            }
            "for" => {
                self.next()?;
                self.for_stmt(pos)
            }
            "forall" => {
                self.next()?;
                let body = self.stmt()?;
                mk(StmtKind::Forall(Box::new(body)))
            }
            "forsec" | "ifsec" => {
                self.next()?;
                let what = self.postfix()?;
                let body = Box::new(self.stmt()?);
                mk(if kw == "forsec" {
                    StmtKind::Forsec(what, body)
                } else {
                    StmtKind::Ifsec(what, body)
                })
            }
            "break" => {
                self.next()?;
                mk(StmtKind::Break)
            }
            "continue" => {
                self.next()?;
                mk(StmtKind::Continue)
            }
            "stop" => {
                self.next()?;
                mk(StmtKind::Stop)
            }
            "iterator_statement" => {
                self.next()?;
                mk(StmtKind::IterStmt)
            }
            "return" => {
                self.next()?;
                // In a func the value is required; a proc may still write one (NEURON
                // evaluates it), recognised by an expression starting on the same line.
                let value = match self.proc_kind {
                    Some(ProcKind::Func) | Some(ProcKind::Obfunc) => Some(self.expr()?),
                    _ => {
                        let starts_expr = match &self.peek()?.tok {
                            Tok::Newline | Tok::Eof | Tok::P(P::RBrace) => false,
                            Tok::Ident(s) => !is_keyword(s) || s == "new",
                            _ => true,
                        };
                        if starts_expr {
                            Some(self.expr()?)
                        } else {
                            None
                        }
                    }
                };
                mk(StmtKind::Return(value))
            }
            "print" => {
                self.next()?;
                let mut items = vec![self.expr()?];
                while self.eat(P::Comma)? {
                    items.push(self.expr()?);
                }
                mk(StmtKind::Print(items))
            }
            "objref" | "objectvar" | "strdef" | "double" | "create" => {
                self.next()?;
                let kind = match kw {
                    "strdef" => DeclKind::Strdef,
                    "double" => DeclKind::Double,
                    "create" => DeclKind::Create,
                    _ => DeclKind::Objref,
                };
                let mut items = Vec::new();
                loop {
                    let (name, npos) = self.ident("a name to declare")?;
                    let mut dims = Vec::new();
                    if kind != DeclKind::Strdef {
                        while self.eat(P::LBracket)? {
                            dims.push(self.expr()?);
                            self.expect(P::RBracket, "]")?;
                        }
                    }
                    items.push((name, dims, npos));
                    if !self.eat(P::Comma)? {
                        break;
                    }
                }
                mk(StmtKind::Decl(kind, items))
            }
            "local" | "localobj" => {
                self.next()?;
                let lk = if kw == "local" {
                    LocalKind::Num
                } else {
                    LocalKind::Obj
                };
                if self.locals.is_none() {
                    return self.err(format!("{kw} is only allowed inside a procedure body"), &t);
                }
                loop {
                    let (name, _) = self.ident("a local name")?;
                    if let Some(locals) = self.locals.as_mut() {
                        if !locals.iter().any(|(n, _)| *n == name) {
                            locals.push((name, lk));
                        }
                    }
                    if !self.eat(P::Comma)? {
                        break;
                    }
                }
                mk(StmtKind::Empty)
            }
            "access" => {
                self.next()?;
                let sec = self.postfix()?;
                mk(StmtKind::Access(sec))
            }
            "connect" => {
                self.next()?;
                let child = self.postfix()?;
                self.expect(P::Comma, ", between the two ends of connect")?;
                let parent = self.expr()?;
                mk(StmtKind::Connect(child, parent))
            }
            "setpointer" => {
                self.next()?;
                let pointer = self.postfix()?;
                self.expect(
                    P::Comma,
                    ", between the POINTER and its target in setpointer",
                )?;
                let target = self.expr()?;
                mk(StmtKind::SetPointer(pointer, target))
            }
            "insert" | "uninsert" => {
                self.next()?;
                let (name, _) = self.ident("a mechanism name")?;
                mk(if kw == "insert" {
                    StmtKind::Insert(name)
                } else {
                    StmtKind::Uninsert(name)
                })
            }
            "proc" | "func" | "obfunc" | "iterator" => {
                self.next()?;
                let kind = match kw {
                    "proc" => ProcKind::Proc,
                    "func" => ProcKind::Func,
                    "obfunc" => ProcKind::Obfunc,
                    _ => ProcKind::Iterator,
                };
                self.proc_def(kind, pos)
            }
            "public" | "external" => {
                self.next()?;
                if !self.in_template {
                    return self.err(format!("{kw} is only allowed inside a template"), &t);
                }
                let mut names = Vec::new();
                loop {
                    names.push(self.ident("a name")?.0);
                    if !self.eat(P::Comma)? {
                        break;
                    }
                }
                mk(if kw == "public" {
                    StmtKind::Public(names)
                } else {
                    StmtKind::External(names)
                })
            }
            "begintemplate" => self.err("a template can only be defined at top level", &t),
            "new" => self.expr_stmt(),
            _ => self.syntax("a statement"),
        }
    }

    fn for_stmt(&mut self, pos: usize) -> PResult<Stmt> {
        let mk = |kind| Ok(Stmt { kind, pos });
        if self.eat(P::LParen)? {
            let init = if self.peek_is(P::Semi)? {
                None
            } else {
                Some(self.expr()?)
            };
            if self.eat(P::Semi)? {
                let cond = if self.peek_is(P::Semi)? {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect(P::Semi, "; in for (init; condition; step)")?;
                let step = if self.peek_is(P::RParen)? {
                    None
                } else {
                    Some(self.expr()?)
                };
                self.expect(P::RParen, ")")?;
                let body = self.stmt()?;
                return mk(StmtKind::ForC(init, cond, step, Box::new(body)));
            }
            let Some(var) = init else {
                return self.syntax("a variable");
            };
            let ends = if self.eat(P::Comma)? {
                Some(self.expr()?)
            } else {
                None
            };
            self.expect(P::RParen, ")")?;
            let body = self.stmt()?;
            return mk(StmtKind::ForSeg(var, ends, Box::new(body)));
        }
        let target = self.postfix()?;
        if self.eat(P::Assign)? {
            let from = self.expr()?;
            self.expect(P::Comma, ", in for var = from, to")?;
            let to = self.expr()?;
            let body = self.stmt()?;
            return mk(StmtKind::ForRange(target, from, to, Box::new(body)));
        }
        if matches!(target.kind, ExprKind::Call(..)) {
            let body = self.stmt()?;
            return mk(StmtKind::ForIter(target, Box::new(body)));
        }
        self.syntax("= or an iterator call after for")
    }

    fn proc_def(&mut self, kind: ProcKind, pos: usize) -> PResult<Stmt> {
        let t = self.peek()?.clone();
        if self.locals.is_some() {
            return self.err("a procedure cannot be defined inside another one", &t);
        }
        let (name, _) = self.ident("a procedure name")?;
        self.expect(P::LParen, "( after the procedure name")?;
        self.expect(
            P::RParen,
            ") (hoc procedures take $1, $2, ... instead of named parameters)",
        )?;
        if !self.peek_is(P::LBrace)? {
            return self.syntax("{ on the line of the procedure header");
        }
        self.locals = Some(Vec::new());
        self.proc_kind = Some(kind);
        let body = self.block();
        let locals = self.locals.take().unwrap_or_default();
        self.proc_kind = None;
        let StmtKind::Block(body) = body?.kind else {
            unreachable!("block() returns a block")
        };
        Ok(Stmt {
            kind: StmtKind::ProcDef(Rc::new(ProcDef {
                name,
                kind,
                locals,
                body,
                source: self.src.clone(),
                pos,
            })),
            pos,
        })
    }

    /// An expression statement, a range assignment `diam(0:1) = 2:1`, or a section statement
    /// `sec stmt` (a section path followed by a statement on the same line).
    fn expr_stmt(&mut self) -> PResult<Stmt> {
        let pos = self.peek()?.pos;
        let lhs = self.or()?;
        if let ExprKind::RangeLoc(target, x0, x1) = lhs.kind {
            self.expect(P::Assign, "= after a range x0:x1")?;
            let v0 = self.or()?;
            self.expect(P::Colon, ": in a range assignment value v0:v1")?;
            let v1 = self.or()?;
            return Ok(Stmt {
                kind: StmtKind::RangeAssign {
                    target: *target,
                    x0: *x0,
                    x1: *x1,
                    v0,
                    v1,
                },
                pos,
            });
        }
        if is_path(&lhs) {
            let next = self.peek()?.clone();
            let starts_stmt = match &next.tok {
                Tok::Ident(s) => s != "else",
                Tok::P(P::LBrace) => true,
                _ => false,
            };
            if starts_stmt {
                let body = self.stmt()?;
                return Ok(Stmt {
                    kind: StmtKind::SecStmt(lhs, Box::new(body)),
                    pos,
                });
            }
        }
        let e = self.assign_rest(lhs)?;
        Ok(Stmt {
            kind: StmtKind::Expr(e),
            pos,
        })
    }

    pub fn expr(&mut self) -> PResult<Expr> {
        let lhs = self.or()?;
        if matches!(lhs.kind, ExprKind::RangeLoc(..)) {
            let t = self.peek()?.clone();
            return self.err(
                "syntax error: x0:x1 is only allowed as `name(x0:x1) = v0:v1`",
                &t,
            );
        }
        self.assign_rest(lhs)
    }

    fn assign_rest(&mut self, lhs: Expr) -> PResult<Expr> {
        let op = match self.peek()?.tok {
            Tok::P(P::Assign) => AssignOp::Set,
            Tok::P(P::PlusAssign) => AssignOp::Add,
            Tok::P(P::MinusAssign) => AssignOp::Sub,
            Tok::P(P::MulAssign) => AssignOp::Mul,
            Tok::P(P::DivAssign) => AssignOp::Div,
            _ => return Ok(lhs),
        };
        let t = self.next()?;
        if !is_assignable(&lhs) {
            return self.err("syntax error: the left side of = cannot be assigned", &t);
        }
        let rhs = self.expr()?;
        Ok(Expr {
            pos: t.pos,
            kind: ExprKind::Assign(op, Box::new(lhs), Box::new(rhs)),
        })
    }

    fn binary_level(
        &mut self,
        next: fn(&mut Self) -> PResult<Expr>,
        ops: &[(P, BinOp)],
    ) -> PResult<Expr> {
        let mut lhs = next(self)?;
        loop {
            let t = self.peek()?.clone();
            let Some(op) = ops.iter().find(|(p, _)| t.tok == Tok::P(*p)).map(|x| x.1) else {
                return Ok(lhs);
            };
            self.next()?;
            let rhs = next(self)?;
            lhs = Expr {
                pos: t.pos,
                kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
            };
        }
    }

    fn or(&mut self) -> PResult<Expr> {
        self.binary_level(Self::and, &[(P::Or, BinOp::Or)])
    }

    fn and(&mut self) -> PResult<Expr> {
        self.binary_level(Self::equality, &[(P::And, BinOp::And)])
    }

    fn equality(&mut self) -> PResult<Expr> {
        self.binary_level(Self::relation, &[(P::Eq, BinOp::Eq), (P::Ne, BinOp::Ne)])
    }

    fn relation(&mut self) -> PResult<Expr> {
        self.binary_level(
            Self::additive,
            &[
                (P::Lt, BinOp::Lt),
                (P::Le, BinOp::Le),
                (P::Gt, BinOp::Gt),
                (P::Ge, BinOp::Ge),
            ],
        )
    }

    fn additive(&mut self) -> PResult<Expr> {
        self.binary_level(
            Self::multiplicative,
            &[(P::Plus, BinOp::Add), (P::Minus, BinOp::Sub)],
        )
    }

    fn multiplicative(&mut self) -> PResult<Expr> {
        self.binary_level(
            Self::unary,
            &[
                (P::Star, BinOp::Mul),
                (P::Slash, BinOp::Div),
                (P::Percent, BinOp::Mod),
            ],
        )
    }

    /// Unary minus binds weaker than `^` (`-2^2` is -4); the exponent may itself be unary.
    fn unary(&mut self) -> PResult<Expr> {
        let t = self.peek()?.clone();
        let op = match t.tok {
            Tok::P(P::Minus) => UnOp::Neg,
            Tok::P(P::Not) => UnOp::Not,
            _ => return self.power(),
        };
        self.next()?;
        let e = self.unary()?;
        Ok(Expr {
            pos: t.pos,
            kind: ExprKind::Unary(op, Box::new(e)),
        })
    }

    fn power(&mut self) -> PResult<Expr> {
        let base = self.postfix()?;
        if self.peek_is(P::Caret)? {
            let t = self.next()?;
            let exp = self.unary()?;
            return Ok(Expr {
                pos: t.pos,
                kind: ExprKind::Binary(BinOp::Pow, Box::new(base), Box::new(exp)),
            });
        }
        Ok(base)
    }

    fn postfix(&mut self) -> PResult<Expr> {
        let mut e = self.primary()?;
        loop {
            let t = self.peek()?.clone();
            match t.tok {
                Tok::P(P::LBracket) => {
                    let mut subs = Vec::new();
                    while self.eat(P::LBracket)? {
                        subs.push(self.expr()?);
                        self.expect(P::RBracket, "]")?;
                    }
                    e = Expr {
                        pos: t.pos,
                        kind: ExprKind::Index(Box::new(e), subs),
                    };
                }
                Tok::P(P::Dot) => {
                    self.next()?;
                    let m = self.peek()?.clone();
                    let Tok::Ident(name) = &m.tok else {
                        return self.syntax("a member name after .");
                    };
                    let sym = self.names.intern(name);
                    self.next()?;
                    e = Expr {
                        pos: m.pos,
                        kind: ExprKind::Member(Box::new(e), sym),
                    };
                }
                Tok::P(P::LParen)
                    if matches!(
                        e.kind,
                        ExprKind::Name(_) | ExprKind::Member(..) | ExprKind::Index(..)
                    ) =>
                {
                    self.next()?;
                    let mut args = Vec::new();
                    if !self.peek_is(P::RParen)? {
                        let first = self.or()?;
                        if self.eat(P::Colon)? {
                            let second = self.or()?;
                            self.expect(P::RParen, ")")?;
                            return Ok(Expr {
                                pos: t.pos,
                                kind: ExprKind::RangeLoc(
                                    Box::new(e),
                                    Box::new(first),
                                    Box::new(second),
                                ),
                            });
                        }
                        args.push(self.assign_rest(first)?);
                        while self.eat(P::Comma)? {
                            args.push(self.expr()?);
                        }
                    }
                    self.expect(P::RParen, ") or , in the argument list")?;
                    e = Expr {
                        pos: e.pos,
                        kind: ExprKind::Call(Box::new(e), args),
                    };
                }
                _ => return Ok(e),
            }
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let t = self.peek()?.clone();
        let pos = t.pos;
        let mk = |kind| Ok(Expr { kind, pos });
        match &t.tok {
            Tok::Num(n) => {
                self.next()?;
                mk(ExprKind::Num(*n))
            }
            Tok::Str(s) => {
                self.next()?;
                mk(ExprKind::Str(Rc::from(s.as_str())))
            }
            Tok::Arg(n) => {
                self.next()?;
                mk(ExprKind::Arg(*n))
            }
            Tok::StrArg(n) => {
                self.next()?;
                mk(ExprKind::StrArg(*n))
            }
            Tok::ObjArg(n) => {
                self.next()?;
                mk(ExprKind::ObjArg(*n))
            }
            Tok::PtrArg(n) => {
                self.next()?;
                mk(ExprKind::PtrArg(*n))
            }
            Tok::DynArg(name) => {
                let sym = self.names.intern(name);
                self.next()?;
                let var = self.name_expr(sym, pos);
                mk(ExprKind::DynArg(Box::new(var)))
            }
            Tok::P(P::LParen) => {
                self.next()?;
                let e = self.expr()?;
                self.expect(P::RParen, ")")?;
                mk(ExprKind::Paren(Box::new(e)))
            }
            Tok::P(P::Amp) => {
                self.next()?;
                let e = self.postfix()?;
                mk(ExprKind::Addr(Box::new(e)))
            }
            Tok::Ident(s) if s == "new" => {
                self.next()?;
                let (name, _) = self.ident("a template name after new")?;
                self.expect(P::LParen, "( after the template name")?;
                let mut args = Vec::new();
                if !self.peek_is(P::RParen)? {
                    args.push(self.expr()?);
                    while self.eat(P::Comma)? {
                        args.push(self.expr()?);
                    }
                }
                self.expect(P::RParen, ")")?;
                mk(ExprKind::New(name, args))
            }
            Tok::Ident(s) if !is_keyword(s) => {
                let sym = self.names.intern(s);
                self.next()?;
                Ok(self.name_expr(sym, pos))
            }
            _ => self.syntax("an expression"),
        }
    }

    fn name_expr(&self, sym: Sym, pos: usize) -> Expr {
        if let Some(locals) = &self.locals {
            if let Some(i) = locals.iter().position(|(n, _)| *n == sym) {
                return Expr {
                    kind: ExprKind::Local(i),
                    pos,
                };
            }
        }
        Expr {
            kind: ExprKind::Name(sym),
            pos,
        }
    }
}

/// A name, possibly indexed or reached through objects: what can name a section.
fn is_path(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Name(_) => true,
        ExprKind::Index(b, _) | ExprKind::Member(b, _) => is_path(b),
        _ => false,
    }
}

fn is_assignable(e: &Expr) -> bool {
    matches!(
        e.kind,
        ExprKind::Name(_)
            | ExprKind::Local(_)
            | ExprKind::Index(..)
            | ExprKind::Member(..)
            | ExprKind::Call(..)
            | ExprKind::Arg(_)
            | ExprKind::StrArg(_)
            | ExprKind::ObjArg(_)
            | ExprKind::PtrArg(_)
            | ExprKind::DynArg(_)
    )
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("the number {n}"),
        Tok::Str(s) => format!("the string \"{s}\""),
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Newline => "the end of the line".into(),
        Tok::Eof => "the end of the text".into(),
        Tok::P(p) => format!("'{}'", punct_text(*p)),
        Tok::Arg(n) => format!("${n}"),
        Tok::StrArg(n) => format!("$s{n}"),
        Tok::ObjArg(n) => format!("$o{n}"),
        Tok::PtrArg(n) => format!("$&{n}"),
        Tok::DynArg(s) => format!("${s}"),
    }
}

fn punct_text(p: P) -> &'static str {
    match p {
        P::LParen => "(",
        P::RParen => ")",
        P::LBracket => "[",
        P::RBracket => "]",
        P::LBrace => "{",
        P::RBrace => "}",
        P::Comma => ",",
        P::Dot => ".",
        P::Assign => "=",
        P::PlusAssign => "+=",
        P::MinusAssign => "-=",
        P::MulAssign => "*=",
        P::DivAssign => "/=",
        P::Eq => "==",
        P::Ne => "!=",
        P::Lt => "<",
        P::Le => "<=",
        P::Gt => ">",
        P::Ge => ">=",
        P::And => "&&",
        P::Or => "||",
        P::Not => "!",
        P::Plus => "+",
        P::Minus => "-",
        P::Star => "*",
        P::Slash => "/",
        P::Percent => "%",
        P::Caret => "^",
        P::Amp => "&",
        P::Colon => ":",
        P::Semi => ";",
    }
}

/// Whether `text` ends inside an unfinished statement (an open block or template), so an
/// interactive reader should read another line before running it.
pub fn needs_more(text: &str) -> bool {
    let src = Rc::new(Source::new("stdin", None, text));
    let mut names = Interner::default();
    let mut pos = 0;
    loop {
        let mut p = Parser::new(&src, pos, &mut names);
        match p.parse_top() {
            Ok(Some(_)) => pos = p.resume_pos(),
            Ok(None) => return false,
            Err(e) => return e.at_eof,
        }
    }
}

/// `obj.method(args)` as a statement.
fn is_method_call(stmt: &Stmt) -> bool {
    matches!(&stmt.kind, StmtKind::Expr(e)
        if matches!(&e.kind, ExprKind::Call(target, _) if matches!(target.kind, ExprKind::Member(..))))
}
