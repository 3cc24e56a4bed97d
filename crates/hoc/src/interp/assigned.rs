//! hoc declares a variable when it *parses* an assignment to a name it does not know, not
//! when the assignment runs: after `proc p() { if (0) { a = 1 } }` has been read, `a` exists
//! with the value 0 even though `p` never ran (ModelDB 3263's `conductances()` reads `gna`,
//! which only `runb()` assigns). Top-level statements are walked before they run and every
//! such name is declared at the top level.

use crate::ast::{Expr, ExprKind, Stmt, StmtKind};
use crate::value::Slot;

use super::{Interp, Resolved};

impl Interp {
    /// Declares (as 0) every plain name the statement assigns that means nothing yet.
    pub(super) fn declare_assigned_names(&mut self, s: &Stmt) {
        // Code run inside a template instance (execute(cmd, obj)) declares nothing at the
        // top level; a file xopen'd from a procedure is top-level code all the same.
        if self.obj_ctx.is_some() {
            return;
        }
        let mut names = Vec::new();
        assigned_in_stmt(s, &mut names);
        for sym in names {
            if matches!(self.lookup(sym), Resolved::Undefined) {
                self.top.set(
                    sym,
                    Slot::Num {
                        dims: Vec::new(),
                        data: vec![0.0],
                    },
                );
            }
        }
    }
}

fn assigned_in_stmt(s: &Stmt, out: &mut Vec<crate::ast::Sym>) {
    let mut e = |x: &Expr| assigned_in_expr(x, out);
    match &s.kind {
        StmtKind::Expr(x) | StmtKind::Access(x) => e(x),
        StmtKind::Block(body) => body.iter().for_each(|b| assigned_in_stmt(b, out)),
        StmtKind::If(c, a, b) => {
            e(c);
            assigned_in_stmt(a, out);
            if let Some(b) = b {
                assigned_in_stmt(b, out);
            }
        }
        StmtKind::While(c, body) => {
            e(c);
            assigned_in_stmt(body, out);
        }
        StmtKind::ForRange(var, a, b, body) => {
            if let ExprKind::Name(sym) = var.kind {
                out.push(sym);
            }
            assigned_in_expr(a, out);
            assigned_in_expr(b, out);
            assigned_in_stmt(body, out);
        }
        StmtKind::ForC(a, b, c, body) => {
            for x in [a, b, c].into_iter().flatten() {
                assigned_in_expr(x, out);
            }
            assigned_in_stmt(body, out);
        }
        StmtKind::ForSeg(_, _, body)
        | StmtKind::ForIter(_, body)
        | StmtKind::Forall(body)
        | StmtKind::Forsec(_, body)
        | StmtKind::Ifsec(_, body)
        | StmtKind::SecStmt(_, body) => assigned_in_stmt(body, out),
        StmtKind::Return(Some(x)) => e(x),
        StmtKind::Print(xs) => xs.iter().for_each(|x| assigned_in_expr(x, out)),
        StmtKind::ProcDef(p) => p.body.iter().for_each(|b| assigned_in_stmt(b, out)),
        // A template's names belong to its instances.
        _ => {}
    }
}

fn assigned_in_expr(x: &Expr, out: &mut Vec<crate::ast::Sym>) {
    match &x.kind {
        ExprKind::Assign(_, target, value) => {
            if let ExprKind::Name(sym) = target.kind {
                out.push(sym);
            } else {
                assigned_in_expr(target, out);
            }
            assigned_in_expr(value, out);
        }
        ExprKind::Index(a, subs) => {
            assigned_in_expr(a, out);
            subs.iter().for_each(|s| assigned_in_expr(s, out));
        }
        ExprKind::Member(a, _)
        | ExprKind::Unary(_, a)
        | ExprKind::Paren(a)
        | ExprKind::Addr(a)
        | ExprKind::DynArg(a) => assigned_in_expr(a, out),
        ExprKind::Call(f, args) => {
            assigned_in_expr(f, out);
            args.iter().for_each(|s| assigned_in_expr(s, out));
        }
        ExprKind::New(_, args) => args.iter().for_each(|s| assigned_in_expr(s, out)),
        ExprKind::Binary(_, a, b) => {
            assigned_in_expr(a, out);
            assigned_in_expr(b, out);
        }
        ExprKind::RangeLoc(a, b, c) => {
            for e in [a, b, c] {
                assigned_in_expr(e, out);
            }
        }
        ExprKind::Num(_)
        | ExprKind::Str(_)
        | ExprKind::Name(_)
        | ExprKind::Local(_)
        | ExprKind::Arg(_)
        | ExprKind::StrArg(_)
        | ExprKind::ObjArg(_)
        | ExprKind::PtrArg(_) => {}
    }
}
