//! Calls of hoc procedures (proc/func/obfunc/iterator): frames, arguments, return values,
//! and the body of `for iterator()` loops that `iterator_statement` runs in the caller.

use std::rc::Rc;

use crate::ast::{LocalKind, ProcDef, ProcKind, Stmt};
use crate::error::{err, CallFrame, Flow, Res};
use crate::format::num8;
use crate::source::Source;
use crate::value::*;

use super::{Interp, MAX_DEPTH};

#[derive(Clone)]
pub enum LocalVal {
    Num(f64),
    Obj(Option<ObjRef>),
}

/// The loop body of `for iter(...) stmt`, run by the iterator's `iterator_statement` in the
/// context of the loop.
#[derive(Clone)]
pub struct IterBody {
    pub body: Rc<Stmt>,
    pub frame: Option<usize>,
    pub obj: Option<ObjRef>,
    pub src: Rc<Source>,
}

/// Emptied argument and local vectors of finished calls, reused by the next ones: a network
/// set-up makes a million procedure calls, and two allocations each showed in its profile.
#[derive(Default)]
pub struct SpareVecs {
    args: Vec<Vec<Value>>,
    locals: Vec<Vec<LocalVal>>,
}

impl SpareVecs {
    /// An empty vector for the arguments of a call.
    pub fn args(&mut self) -> Vec<Value> {
        self.args.pop().unwrap_or_default()
    }

    /// Takes back the vectors of a finished call (their values are dropped here, as the
    /// frame's were).
    fn recycle(&mut self, frame: Frame) {
        let Frame {
            mut args,
            mut locals,
            ..
        } = frame;
        args.clear();
        locals.clear();
        self.args.push(args);
        self.locals.push(locals);
    }
}

pub struct Frame {
    pub proc: Rc<ProcDef>,
    pub args: Vec<Value>,
    pub locals: Vec<LocalVal>,
    pub iter_body: Option<IterBody>,
}

/// How an argument list appears in messages: `f(1, "a", Vector[0])`.
pub fn show_args(args: &[Value]) -> String {
    args.iter()
        .map(|a| match a {
            Value::Num(n) => num8(*n),
            Value::Str(s) => format!("\"{}\"", s.borrow()),
            Value::Obj(o) | Value::ObjCell(_, o) => obj_name(o),
            Value::Sec(_) => "<section>".into(),
            Value::Ptr(_) => "<pointer>".into(),
            Value::Void => "<nothing>".into(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn obj_name(o: &Option<ObjRef>) -> String {
    match o {
        Some(o) => o.name(),
        None => "NULLobject".into(),
    }
}

impl Interp {
    /// Calls a user procedure with evaluated arguments, in the context of template instance
    /// `obj` (None: top level).
    pub fn call_user(
        &mut self,
        p: &Rc<ProcDef>,
        args: Vec<Value>,
        obj: Option<ObjRef>,
        iter_body: Option<IterBody>,
    ) -> Res<Value> {
        if self.frames.len() >= MAX_DEPTH {
            return err(format!(
                "{} call nested too deeply (more than {MAX_DEPTH} calls in progress)",
                self.name(p.name)
            ));
        }
        let mut locals = self.spare.locals.pop().unwrap_or_default();
        locals.extend(p.locals.iter().map(|(_, k)| match k {
            LocalKind::Num => LocalVal::Num(0.0),
            LocalKind::Obj => LocalVal::Obj(None),
        }));
        self.frames.push(Frame {
            proc: p.clone(),
            args,
            locals,
            iter_body,
        });
        let frame = Some(self.frames.len() - 1);
        let r = self.in_context(frame, obj, p.source.clone(), |it| it.exec_all(&p.body));
        let popped = self.frames.pop().expect("the frame pushed above");
        let returned = match r {
            Ok(()) | Err(Flow::Break) | Err(Flow::Continue) => false,
            Err(Flow::Return) => true,
            Err(Flow::Error(mut e)) => {
                // The call as the traceback shows it is only made on an error (formatting the
                // arguments of every call cost a fifth of a network set-up); like NEURON's
                // traceback it shows the arguments' values at the time of the error.
                e.frames.push(CallFrame {
                    call: format!("{}({})", self.name(p.name), show_args(&popped.args)),
                    site: None,
                });
                self.spare.recycle(popped);
                return Err(Flow::Error(e));
            }
            Err(other) => {
                self.spare.recycle(popped);
                return Err(other);
            }
        };
        self.spare.recycle(popped);
        let value = std::mem::replace(&mut self.ret, Value::Void);
        match p.kind {
            ProcKind::Proc | ProcKind::Iterator => Ok(Value::Void),
            ProcKind::Func if returned => Ok(value),
            ProcKind::Obfunc if returned => Ok(value),
            ProcKind::Func => err(format!("{} (func) returns no value", self.name(p.name))),
            ProcKind::Obfunc => err(format!("{} (obfunc) returns no object", self.name(p.name))),
        }
    }

    /// Runs `f` with the given frame, template instance and source in context, restoring
    /// the previous ones afterwards.
    pub fn in_context<R>(
        &mut self,
        frame: Option<usize>,
        obj: Option<ObjRef>,
        src: Rc<Source>,
        f: impl FnOnce(&mut Self) -> R,
    ) -> R {
        let saved_frame = std::mem::replace(&mut self.cur_frame, frame);
        let saved_obj = std::mem::replace(&mut self.obj_ctx, obj);
        let saved_src = std::mem::replace(&mut self.cur_src, src);
        let r = f(self);
        self.cur_src = saved_src;
        self.obj_ctx = saved_obj;
        self.cur_frame = saved_frame;
        r
    }

    /// Runs statements until one does not complete normally.
    pub fn exec_all<'s>(&mut self, stmts: impl IntoIterator<Item = &'s Stmt>) -> Res<()> {
        for s in stmts {
            self.exec(s)?;
        }
        Ok(())
    }

    /// The frame whose arguments `$n` refers to.
    fn arg_frame(&self) -> Res<&Frame> {
        match self.cur_frame {
            Some(f) => Ok(&self.frames[f]),
            None => err("$ arguments can only be used inside a procedure"),
        }
    }

    pub fn arg(&self, n: u32) -> Res<&Value> {
        let f = self.arg_frame()?;
        match f.args.get((n as usize).wrapping_sub(1)) {
            Some(v) => Ok(v),
            None => err(format!("{} not enough arguments", self.name(f.proc.name))),
        }
    }

    pub fn set_arg(&mut self, n: u32, v: Value) -> Res<()> {
        self.arg(n)?;
        let f = self.cur_frame.expect("arg() checked the frame");
        self.frames[f].args[n as usize - 1] = v;
        Ok(())
    }

    pub fn num_args(&self) -> Res<usize> {
        Ok(self.arg_frame()?.args.len())
    }

    pub fn local(&self, i: usize) -> &LocalVal {
        let f = self.cur_frame.expect("locals exist only inside procedures");
        &self.frames[f].locals[i]
    }

    pub fn set_local(&mut self, i: usize, v: LocalVal) {
        let f = self.cur_frame.expect("locals exist only inside procedures");
        self.frames[f].locals[i] = v;
    }

    /// `iterator_statement`: runs the loop body in the loop's own context.
    pub fn iterator_statement(&mut self) -> Res<()> {
        let Some(f) = self.cur_frame else {
            return err("iterator_statement outside an iterator");
        };
        let Some(ib) = self.frames[f].iter_body.clone() else {
            return err("iterator_statement in a procedure that was not called by for");
        };
        let r = self.in_context(ib.frame, ib.obj.clone(), ib.src.clone(), |it| {
            it.exec(&ib.body)
        });
        match r {
            Ok(()) | Err(Flow::Continue) => Ok(()),
            Err(Flow::Break) => Err(Flow::IterBreak),
            Err(e) => Err(e),
        }
    }
}
