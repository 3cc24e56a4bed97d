//! Statement execution.

use crate::symmap::{SymMap, SymSet};
use std::rc::Rc;

use crate::ast::*;
use crate::error::{err, Flow, Res};
use crate::format::num8;
use crate::value::*;

use super::call::{obj_name, IterBody};
use super::lookup::{Builtin, Resolved};
use super::Interp;

/// Runs a loop body; false when it said `break`.
fn body_continues(r: Res<()>) -> Res<bool> {
    match r {
        Ok(()) | Err(Flow::Continue) => Ok(true),
        Err(Flow::Break) => Ok(false),
        Err(e) => Err(e),
    }
}

impl Interp {
    pub fn exec(&mut self, s: &Stmt) -> Res<()> {
        match self.exec_inner(s) {
            Err(f @ Flow::Error(_)) => {
                let src = self.cur_src.clone();
                Err(f.locate(&src, s.pos))
            }
            r => r,
        }
    }

    fn exec_inner(&mut self, s: &Stmt) -> Res<()> {
        match &s.kind {
            StmtKind::Expr(e) => {
                match &e.kind {
                    ExprKind::Assign(op, lhs, rhs) => {
                        self.assign(*op, lhs, rhs)?;
                    }
                    _ => {
                        self.eval(e)?;
                    }
                }
                Ok(())
            }
            StmtKind::Block(stmts) => {
                for st in stmts {
                    self.exec(st)?;
                }
                Ok(())
            }
            StmtKind::If(c, then, els) => {
                if self.eval_num(c)? != 0.0 {
                    self.exec(then)
                } else if let Some(e) = els {
                    self.exec(e)
                } else {
                    Ok(())
                }
            }
            StmtKind::While(c, body) => {
                while self.eval_num(c)? != 0.0 {
                    if !body_continues(self.exec(body))? {
                        break;
                    }
                }
                Ok(())
            }
            StmtKind::ForRange(var, from, to, body) => {
                let from = self.eval_num(from)?;
                let to = self.eval_num(to)?;
                let mut i = from;
                self.store(var, Value::Num(i))?;
                while i <= to + self.float_epsilon {
                    if !body_continues(self.exec(body))? {
                        return Ok(());
                    }
                    i = self.eval_num(var)? + 1.0;
                    self.store(var, Value::Num(i))?;
                }
                Ok(())
            }
            StmtKind::ForC(init, cond, step, body) => {
                if let Some(e) = init {
                    self.exec_expr(e)?;
                }
                loop {
                    if let Some(c) = cond {
                        if self.eval_num(c)? == 0.0 {
                            break;
                        }
                    }
                    if !body_continues(self.exec(body))? {
                        break;
                    }
                    if let Some(e) = step {
                        self.exec_expr(e)?;
                    }
                }
                Ok(())
            }
            StmtKind::ForSeg(var, ends, body) => {
                let sec = self.cas()?;
                let with_ends = match ends {
                    Some(e) => self.eval_num(e)? != 0.0,
                    None => true,
                };
                for x in self.seg_locations(sec, with_ends)? {
                    self.store(var, Value::Num(x))?;
                    if !body_continues(self.exec(body))? {
                        break;
                    }
                }
                Ok(())
            }
            StmtKind::ForIter(call, body) => self.for_iterator(call, body),
            StmtKind::Forall(body) => {
                let secs = self.all_secs();
                self.over_sections(&secs, body)
            }
            StmtKind::Forsec(what, body) => {
                let secs = match self.eval(what)? {
                    Value::Str(pat) => {
                        let re = crate::regex::hoc_regex(&pat.borrow(), false)?;
                        self.all_secs()
                            .into_iter()
                            .filter(|&s| re.is_match(&self.secs[s as usize].name))
                            .collect()
                    }
                    Value::Obj(Some(o)) | Value::ObjCell(_, Some(o)) => match &*o.data.borrow() {
                        ObjData::SectionList(l) => l.clone(),
                        _ => return err(format!("forsec needs a SectionList, not {}", o.name())),
                    },
                    other => {
                        return err(format!(
                            "forsec needs a string or a SectionList, not {}",
                            other.type_name()
                        ))
                    }
                };
                let secs: Vec<SecId> = secs
                    .into_iter()
                    .filter(|&s| self.secs[s as usize].alive)
                    .collect();
                self.over_sections(&secs, body)
            }
            StmtKind::Ifsec(what, body) => {
                let pat = self.eval_str(what)?;
                let re = crate::regex::hoc_regex(&pat, false)?;
                let sec = self.cas()?;
                if re.is_match(&self.secs[sec as usize].name) {
                    self.exec(body)?;
                }
                Ok(())
            }
            StmtKind::SecStmt(sec, body) => {
                let sec = self.eval_sec(sec)?;
                self.sec(sec)?;
                self.push_sec(sec);
                let r = self.exec(body);
                self.pop_sec();
                r
            }
            StmtKind::Break => Err(Flow::Break),
            StmtKind::Continue => Err(Flow::Continue),
            StmtKind::Stop => Err(Flow::Stop),
            StmtKind::IterStmt => self.iterator_statement(),
            StmtKind::Return(v) => {
                self.ret = match v {
                    None => Value::Void,
                    Some(e) => match self.eval(e)? {
                        Value::ObjCell(_, o) => Value::Obj(o),
                        v => v,
                    },
                };
                Err(Flow::Return)
            }
            StmtKind::Print(items) => {
                let mut line = String::new();
                for e in items {
                    match self.eval(e)? {
                        Value::Num(n) => {
                            line.push_str(&num8(n));
                            line.push(' ');
                        }
                        Value::Str(s) => line.push_str(&s.borrow()),
                        Value::Obj(o) | Value::ObjCell(_, o) => {
                            line.push_str(&obj_name(&o));
                            line.push(' ');
                        }
                        other => return err(format!("print cannot show {}", other.type_name())),
                    }
                }
                line.push('\n');
                self.print(&line);
                Ok(())
            }
            StmtKind::Decl(kind, items) => {
                for (name, dims, _) in items {
                    let dims = dims
                        .iter()
                        .map(|d| self.eval_num(d).map(|v| v.max(0.0) as usize))
                        .collect::<Res<Vec<usize>>>()?;
                    self.declare_kind(*kind, *name, dims)?;
                }
                Ok(())
            }
            StmtKind::Access(e) => {
                let sec = self.eval_sec(e)?;
                self.sec(sec)?;
                self.default_sec = Some(sec);
                // Inside a section block, access also changes the section in effect.
                if let Some(top) = self.sec_stack.last_mut() {
                    *top = sec;
                }
                Ok(())
            }
            StmtKind::Connect(child, parent) => {
                let (c, cx) = match &child.kind {
                    ExprKind::Call(path, args) if args.len() == 1 => {
                        (self.eval_sec(path)?, self.eval_num(&args[0])?)
                    }
                    _ => (self.eval_sec(child)?, 0.0),
                };
                let (p, px) = match &parent.kind {
                    ExprKind::Call(path, args) if args.len() == 1 => match self.eval(path) {
                        Ok(Value::Sec(p)) => (p, self.eval_num(&args[0])?),
                        _ => (self.cas()?, self.eval_num(parent)?),
                    },
                    _ => (self.cas()?, self.eval_num(parent)?),
                };
                self.connect(c, cx, p, px)
            }
            StmtKind::SetPointer(pointer, target) => self.set_pointer(pointer, target),
            StmtKind::Insert(m) | StmtKind::Uninsert(m) => {
                let insert = matches!(s.kind, StmtKind::Insert(_));
                let name = self.name(*m).to_string();
                let sec = self.cas()?;
                let rt = self.rt(sec)?;
                // extracellular is the runtime's own, not a compiled mechanism.
                if name != "extracellular" && !self.mechs.density.contains_key(&name) {
                    return err(format!(
                        "{name} is not a density mechanism known to rsnrn (known: {})",
                        self.mechs.density_order.join(", ")
                    ));
                }
                let r = if insert {
                    self.model.insert(rt, &name)
                } else {
                    self.model.uninsert(rt, &name)
                };
                r.or_else(|e| err(e.to_string()))
            }
            StmtKind::RangeAssign {
                target,
                x0,
                x1,
                v0,
                v1,
            } => {
                let (sec, name) = match &target.kind {
                    ExprKind::Name(sym) => match self.lookup(*sym) {
                        Resolved::Builtin(Builtin::Range(n)) => (self.cas()?, n),
                        _ => return err(format!("{} is not a range variable", self.name(*sym))),
                    },
                    ExprKind::Member(obj, m) => match self.eval(obj)? {
                        Value::Sec(s) => (s, self.names.rc(*m)),
                        _ => return err("a range assignment needs a section"),
                    },
                    _ => return err("a range assignment needs a range variable"),
                };
                let (x0, x1) = (self.eval_num(x0)?, self.eval_num(x1)?);
                let (v0, v1) = (self.eval_num(v0)?, self.eval_num(v1)?);
                for x in self.seg_locations(sec, false)? {
                    if x >= x0 && x <= x1 {
                        let v = if x1 == x0 {
                            v0
                        } else {
                            v0 + (v1 - v0) * (x - x0) / (x1 - x0)
                        };
                        self.range_set(sec, Some(x), &name, v)?;
                    }
                }
                Ok(())
            }
            StmtKind::ProcDef(p) => {
                if self.obj_ctx.is_some() {
                    // Template procedures are registered when the template is defined.
                    return Ok(());
                }
                if let Some(b) = self.builtins.get(&p.name) {
                    if !matches!(b, Builtin::Func(_)) {
                        return err(format!("{} : Redeclaring at top level", self.name(p.name)));
                    }
                }
                self.top.set(p.name, Slot::Proc(p.clone()));
                Ok(())
            }
            StmtKind::Template(t) => self.define_template(t),
            StmtKind::Public(_) | StmtKind::External(_) | StmtKind::Empty => Ok(()),
        }
    }

    fn exec_expr(&mut self, e: &Expr) -> Res<()> {
        match &e.kind {
            ExprKind::Assign(op, lhs, rhs) => self.assign(*op, lhs, rhs).map(|_| ()),
            _ => self.eval(e).map(|_| ()),
        }
    }

    fn over_sections(&mut self, secs: &[SecId], body: &Stmt) -> Res<()> {
        for &s in secs {
            if !self.secs[s as usize].alive {
                continue;
            }
            self.push_sec(s);
            let r = self.exec(body);
            self.pop_sec();
            if !body_continues(r)? {
                break;
            }
        }
        Ok(())
    }

    fn for_iterator(&mut self, call: &Expr, body: &Stmt) -> Res<()> {
        let ExprKind::Call(target, args) = &call.kind else {
            return err("for needs an iterator call");
        };
        let (proc_, obj) = match &target.kind {
            ExprKind::Name(sym) => match self.user_proc(*sym) {
                Some(p) => p,
                None => return err(format!("{} is not an iterator", self.name(*sym))),
            },
            ExprKind::Member(o, m) => {
                let Some(o) = self.eval_obj(o)? else {
                    return err(format!("'{}' object prefix is nullptr", self.name(*m)));
                };
                let Class::Template(t) = &o.class else {
                    return err(format!("{} has no iterator {}", o.name(), self.name(*m)));
                };
                let t = t.clone();
                self.check_public(&o, &t, *m)?;
                match t.procs.get(m) {
                    Some(p) => (p.clone(), Some(o)),
                    None => return err(format!("{} has no iterator {}", o.name(), self.name(*m))),
                }
            }
            _ => return err("for needs an iterator call"),
        };
        if proc_.kind != ProcKind::Iterator {
            return err(format!("{} is not an iterator", self.name(proc_.name)));
        }
        let args = self.eval_user_args(args)?;
        let ib = IterBody {
            body: Rc::new(body.clone()),
            frame: self.cur_frame,
            obj: self.obj_ctx.clone(),
            src: self.cur_src.clone(),
        };
        match self.call_user(&proc_, args, obj, Some(ib)) {
            Ok(_) | Err(Flow::IterBreak) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `objref`, `strdef`, `double`, `create` of one name.
    pub fn declare_kind(&mut self, kind: DeclKind, name: Sym, dims: Vec<usize>) -> Res<()> {
        let n = dims_len(&dims);
        match kind {
            DeclKind::Objref => {
                if name == self.sym.this && dims.is_empty() {
                    if let Some(o) = self.obj_ctx.clone() {
                        self.declare(
                            name,
                            Slot::Obj {
                                dims,
                                data: vec![Some(o)],
                            },
                        )?;
                        return Ok(());
                    }
                }
                self.declare(
                    name,
                    Slot::Obj {
                        dims,
                        data: vec![None; n],
                    },
                )?;
            }
            DeclKind::Strdef => {
                let scope = self.cur_scope();
                let exists = self.with_scope(&scope, |s| {
                    s.get(name)
                        .is_some_and(|i| matches!(s.slots[i as usize], Slot::Str { .. }))
                });
                if !exists {
                    self.declare(
                        name,
                        Slot::Str {
                            dims: vec![],
                            data: vec![new_str("")],
                        },
                    )?;
                }
            }
            DeclKind::Double => {
                self.declare(
                    name,
                    Slot::Num {
                        dims,
                        data: vec![0.0; n],
                    },
                )?;
            }
            DeclKind::Create => self.create_sections(name, dims)?,
        }
        Ok(())
    }

    fn create_sections(&mut self, name: Sym, dims: Vec<usize>) -> Res<()> {
        let scope = self.cur_scope();
        let old = self.with_scope(&scope, |s| {
            s.get(name).and_then(|i| match &s.slots[i as usize] {
                Slot::Sec { data, .. } => Some(data.clone()),
                _ => None,
            })
        });
        for s in old.unwrap_or_default() {
            if self.secs[s as usize].alive {
                self.delete_section(s)?;
            }
        }
        let prefix = match &self.obj_ctx {
            Some(o) => format!("{}.", o.name()),
            None => String::new(),
        };
        let base = format!("{prefix}{}", self.name(name));
        let n = dims_len(&dims);
        let mut ids = Vec::with_capacity(n);
        for flat in 0..n {
            let mut full = base.clone();
            let mut rem = flat;
            let mut idx = vec![0; dims.len()];
            for (k, d) in dims.iter().enumerate().rev() {
                idx[k] = rem % d;
                rem /= d;
            }
            for i in idx {
                full.push_str(&format!("[{i}]"));
            }
            ids.push(self.create_section(full)?);
        }
        self.declare(name, Slot::Sec { dims, data: ids })?;
        Ok(())
    }

    fn define_template(&mut self, def: &Rc<TemplateDef>) -> Res<()> {
        if self.obj_ctx.is_some() {
            return err("a template cannot be defined inside a template instance");
        }
        let mut procs = SymMap::default();
        let mut public = SymSet::default();
        let mut external = SymSet::default();
        for s in &def.body {
            match &s.kind {
                StmtKind::ProcDef(p) => {
                    procs.insert(p.name, p.clone());
                }
                StmtKind::Public(names) => public.extend(names.iter().copied()),
                StmtKind::External(names) => external.extend(names.iter().copied()),
                _ => {}
            }
        }
        let t = Template {
            name: def.name,
            name_str: self.names.rc(def.name),
            def: def.clone(),
            procs,
            public,
            external,
        };
        if self.builtins.contains_key(&def.name) {
            return err(format!(
                "{} : Redeclaring at top level",
                self.name(def.name)
            ));
        }
        self.top.set(def.name, Slot::Template(Rc::new(t)));
        Ok(())
    }

    /// `new Name(args)`.
    pub fn new_object(&mut self, name: Sym, args: Vec<Value>) -> Res<ObjRef> {
        if let Some(i) = self.top.get(name) {
            if let Slot::Template(t) = &self.top.slots[i as usize] {
                let t = t.clone();
                return self.instantiate(&t, args);
            }
        }
        match self.builtins.get(&name).cloned() {
            Some(Builtin::Class(k)) => crate::builtins::construct(self, k, args),
            Some(Builtin::Point(m)) => crate::builtins::point::construct(self, &m, args),
            _ => err(format!("{} is not a template", self.name(name))),
        }
    }

    fn instantiate(&mut self, t: &Rc<Template>, args: Vec<Value>) -> Res<ObjRef> {
        let obj = self
            .reg
            .new_object(Class::Template(t.clone()), ObjData::Hoc(Scope::default()));
        // The template's declarations run in the new instance.
        let decls = t.def.body.iter().filter(|s| {
            !matches!(
                s.kind,
                StmtKind::ProcDef(_) | StmtKind::Public(_) | StmtKind::External(_)
            )
        });
        self.in_context(None, Some(obj.clone()), t.def.source.clone(), |it| {
            it.exec_all(decls)
        })?;
        if let Some(init) = t.procs.get(&self.sym.init).cloned() {
            self.call_user(&init, args, Some(obj.clone()), None)?;
        }
        Ok(obj)
    }
}
