//! Built-in functions that are not about sections: math, printf and strings, execute,
//! name_declared, argument introspection, files (load_file, xopen, old-style wopen/fprint/
//! ropen/fscan), quit, timing.

use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::{bool_num, num, Args};
use crate::error::{err, Flow, Res};
use crate::format::sprintf;
use crate::interp::{Builtin, Interp, Resolved};
use crate::source::Source;
use crate::value::*;

/// hoc library files rsnrn provides itself (its own texts, see lib/).
pub const LIBRARY: &[(&str, &str)] = &[
    ("stdrun.hoc", include_str!("../../lib/stdrun.hoc")),
    ("nrngui.hoc", include_str!("../../lib/stdrun.hoc")),
    ("noload.hoc", include_str!("../../lib/stdrun.hoc")),
    ("stdgui.hoc", include_str!("../../lib/stdrun.hoc")),
    ("stdlib.hoc", include_str!("../../lib/stdrun.hoc")),
    ("netparmpi.hoc", include_str!("../../lib/netparmpi.hoc")),
];

fn def(it: &mut Interp, name: &str, f: crate::interp::BFn) {
    it.define_builtin(name, Builtin::Func(f));
}

macro_rules! math1 {
    ($it:expr, $name:literal, $f:expr) => {
        def($it, $name, |_, v| {
            let a = Args::new($name, v);
            a.expect(1)?;
            let f: fn(f64) -> Res<f64> = $f;
            num(f(a.num(0)?)?)
        });
    };
}

pub fn install(it: &mut Interp) {
    math1!(it, "sin", |x| Ok(x.sin()));
    math1!(it, "cos", |x| Ok(x.cos()));
    math1!(it, "atan", |x| Ok(x.atan()));
    math1!(it, "tanh", |x| Ok(x.tanh()));
    math1!(it, "abs", |x| Ok(x.abs()));
    math1!(it, "fabs", |x| Ok(x.abs()));
    math1!(it, "int", |x| Ok(x.trunc()));
    math1!(it, "erf", |x| Ok(libm::erf(x)));
    math1!(it, "erfc", |x| Ok(libm::erfc(x)));
    math1!(it, "exp", |x| {
        let r = x.exp();
        if r.is_infinite() {
            return err("exp result out of range");
        }
        Ok(r)
    });
    math1!(it, "sqrt", |x| {
        if x < 0.0 {
            return err("sqrt argument out of domain");
        }
        Ok(x.sqrt())
    });
    math1!(it, "log", |x| {
        if x <= 0.0 {
            return err("log argument out of domain");
        }
        Ok(x.ln())
    });
    math1!(it, "log10", |x| {
        if x <= 0.0 {
            return err("log10 argument out of domain");
        }
        Ok(x.log10())
    });
    def(it, "atan2", |_, v| {
        let a = Args::new("atan2", v);
        a.expect(2)?;
        num(a.num(0)?.atan2(a.num(1)?))
    });
    def(it, "printf", |it, v| {
        let a = Args::new("printf", v);
        let s = sprintf(&a.str(0)?, &a.fmt_args(1)?).or_else(err)?;
        it.print(&s);
        num(s.len() as f64)
    });
    def(it, "sprint", |_, v| {
        let a = Args::new("sprint", v);
        let dest = a.strref(0)?;
        let s = sprintf(&a.str(1)?, &a.fmt_args(2)?).or_else(err)?;
        *dest.borrow_mut() = s;
        num(1.0)
    });
    def(it, "strcmp", |_, v| {
        let a = Args::new("strcmp", v);
        a.expect(2)?;
        let (x, y) = (a.str(0)?, a.str(1)?);
        num(match x.cmp(&y) {
            std::cmp::Ordering::Less => -1.0,
            std::cmp::Ordering::Equal => 0.0,
            std::cmp::Ordering::Greater => 1.0,
        })
    });
    def(it, "sscanf", sscanf);
    def(it, "execute", |it, v| {
        let a = Args::new("execute", v);
        let cmd = a.str(0)?;
        let ctx = if a.len() > 1 { a.obj(1)? } else { None };
        it.execute_in(&cmd, ctx)?;
        num(0.0)
    });
    def(it, "execute1", |it, v| {
        let a = Args::new("execute1", v);
        let cmd = a.str(0)?;
        let (ctx, show) = match a.v.get(1) {
            Some(Value::Num(n)) => (None, *n != 0.0),
            Some(_) => (a.obj(1)?, a.num_or(2, 1.0)? != 0.0),
            None => (None, true),
        };
        match it.execute_in(&cmd, ctx) {
            Ok(()) => num(1.0),
            Err(Flow::Error(e)) => {
                if show {
                    let msg = it.render_error(&e);
                    it.eprint(&msg);
                }
                num(0.0)
            }
            Err(other) => Err(other),
        }
    });
    def(it, "name_declared", |it, v| {
        let a = Args::new("name_declared", v);
        let name = a.str(0)?;
        let Some(sym) = it.names.get(&name) else {
            return num(0.0);
        };
        let saved = it.obj_ctx.take();
        let r = it.lookup(sym);
        it.obj_ctx = saved;
        num(match r {
            Resolved::Slot(scope, slot) => {
                it.with_scope(&scope, |s| match &s.slots[slot as usize] {
                    Slot::Num { .. } => 5.0,
                    Slot::Str { .. } => 4.0,
                    Slot::Obj { .. } => 2.0,
                    Slot::Sec { .. } => 3.0,
                    Slot::Proc(_) | Slot::Template(_) => 1.0,
                })
            }
            Resolved::Method(..) => 1.0,
            Resolved::Builtin(Builtin::Func(_) | Builtin::Class(_) | Builtin::Point(_)) => 1.0,
            Resolved::Builtin(Builtin::Mech) => 1.0,
            Resolved::Builtin(_) => 5.0,
            Resolved::Undefined => 0.0,
        })
    });
    def(it, "numarg", |it, _| num(it.num_args()? as f64));
    def(it, "argtype", |it, v| {
        let a = Args::new("argtype", v);
        let i = a.num(0)? as usize;
        if i == 0 || i > it.num_args()? {
            return num(-1.0);
        }
        num(match it.arg(i as u32)? {
            Value::Num(_) => 0.0,
            Value::Obj(_) | Value::ObjCell(..) => 1.0,
            Value::Str(_) => 2.0,
            Value::Ptr(_) => 3.0,
            _ => -1.0,
        })
    });
    def(it, "load_file", |it, v| {
        let a = Args::new("load_file", v);
        let (force, name) = if a.is_num(0) {
            (a.num(0)? != 0.0, a.str(1)?)
        } else {
            (false, a.str(0)?)
        };
        it.load_file(&name, force)
    });
    def(it, "xopen", |it, v| {
        let a = Args::new("xopen", v);
        let name = a.str(0)?;
        let path = PathBuf::from(&name);
        if path.is_file() {
            it.run_file(&name, &path)?;
        } else if let Some((_, text)) = LIBRARY.iter().find(|(n, _)| *n == name) {
            it.run_string(&name, text)?;
        } else {
            return err(format!("xopen: cannot open {name}"));
        }
        num(1.0)
    });
    def(it, "load_proc", load_defined);
    def(it, "load_template", load_defined);
    def(it, "load_func", load_defined);
    def(it, "quit", |it, _| {
        it.flush();
        Err(Flow::Quit(0))
    });
    def(it, "startsw", |_, _| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        num(t)
    });
    def(it, "units", |it, v| {
        let a = Args::new("units", v);
        let name = a.str(0)?;
        let u = it.mechs.units.get(&name).cloned().unwrap_or_default();
        Ok(Value::str(u))
    });
    def(it, "allobjects", |it, v| {
        let a = Args::new("allobjects", v);
        let classes: Vec<String> = if a.is_empty() {
            let mut k: Vec<String> = it.reg.instances.keys().cloned().collect();
            k.sort();
            k
        } else {
            vec![a.str(0)?]
        };
        let mut out = String::new();
        for c in classes {
            for o in it.reg.live(&c) {
                // Minus the reference held here.
                let refs = Rc::strong_count(&o) - 1;
                out.push_str(&format!("{} with {refs} refs\n", o.name()));
            }
        }
        it.print(&out);
        num(0.0)
    });
    def(it, "wopen", |it, v| {
        let a = Args::new("wopen", v);
        it.old_out = None;
        let Some(name) = old_style_name(&a)? else {
            return num(1.0);
        };
        match std::fs::File::create(&name) {
            Ok(f) => {
                it.old_out = Some(std::io::BufWriter::new(f));
                num(1.0)
            }
            Err(_) => num(0.0),
        }
    });
    def(it, "fprint", |it, v| {
        let a = Args::new("fprint", v);
        let s = sprintf(&a.str(0)?, &a.fmt_args(1)?).or_else(err)?;
        match it.old_out.as_mut() {
            Some(f) => {
                use std::io::Write;
                f.write_all(s.as_bytes())
                    .or_else(|e| err(format!("fprint: {e}")))?;
            }
            None => it.print(&s),
        }
        num(s.len() as f64)
    });
    def(it, "ropen", |it, v| {
        let a = Args::new("ropen", v);
        it.old_in = None;
        let Some(name) = old_style_name(&a)? else {
            return num(1.0);
        };
        match std::fs::read(&name) {
            Ok(bytes) => {
                it.old_in = Some(super::file::Reader::new(bytes));
                num(1.0)
            }
            Err(_) => num(0.0),
        }
    });
    def(it, "fscan", |it, _| {
        if let Some(r) = it.old_in.as_mut() {
            return match r.scan_number() {
                Some(x) => num(x),
                None => err("fscan: end of file"),
            };
        }
        // Without ropen, fscan reads the numbers that follow the statement in the file
        // being read.
        let Some(input) = it.inputs.last_mut() else {
            return err("fscan: no input");
        };
        let src = input.src.clone();
        let mut lex = crate::lexer::Lexer::new(&src, input.pos);
        match lex.scan_number() {
            Some(x) => {
                input.pos = lex.pos;
                num(x)
            }
            None => err("fscan: end of file"),
        }
    });
    def(it, "getcwd", |_, _| {
        let d = std::env::current_dir().map_or_else(|_| String::new(), |d| d.display().to_string());
        Ok(Value::str(format!("{d}/")))
    });
    def(it, "chdir", |_, v| {
        let a = Args::new("chdir", v);
        num(if std::env::set_current_dir(a.str(0)?).is_ok() {
            0.0
        } else {
            -1.0
        })
    });
    def(it, "unix_mac_pc", |_, _| num(1.0));
    def(it, "nrnversion", |_, _| {
        Ok(Value::str("rsnrn (hoc compatible with NEURON 9.0.2)"))
    });
    def(it, "system", |it, v| {
        let a = Args::new("system", v);
        let cmd = a.str(0)?;
        it.flush();
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .status();
        num(status.ok().and_then(|s| s.code()).unwrap_or(-1) as f64)
    });
    def(it, "hoc_pointer_", |_, _| num(0.0));
}

/// The file of old-style wopen/ropen; none (no argument or "") closes it.
fn old_style_name(a: &Args) -> Res<Option<String>> {
    let name = if a.is_empty() {
        String::new()
    } else {
        a.str(0)?
    };
    Ok((!name.is_empty()).then_some(name))
}

/// load_proc/load_template: 1 when the name is already defined (the library is ours and
/// loaded with stdrun.hoc), else loads stdrun.hoc and tells whether that defined it.
fn load_defined(it: &mut Interp, v: Vec<Value>) -> Res<Value> {
    let a = Args::new("load_proc", v);
    let name = a.str(0)?;
    let defined = |it: &Interp| it.names.get(&name).is_some_and(|s| it.top.get(s).is_some());
    if !defined(it) {
        it.load_file("stdrun.hoc", false)?;
    }
    bool_num(defined(it))
}

fn sscanf(it: &mut Interp, v: Vec<Value>) -> Res<Value> {
    let a = Args::new("sscanf", v);
    let input = a.str(0)?;
    let fmt = a.str(1)?;
    let mut rest = input.as_str();
    let mut count = 0;
    let mut argi = 2;
    let mut f = fmt.chars().peekable();
    while let Some(c) = f.next() {
        if c == '%' {
            let mut conv = String::new();
            while let Some(&n) = f.peek() {
                f.next();
                if n.is_ascii_alphabetic() && n != 'l' && n != 'h' {
                    conv.push(n);
                    break;
                }
            }
            rest = rest.trim_start();
            match conv.as_str() {
                "s" => {
                    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    if end == 0 {
                        break;
                    }
                    let dest = a.strref(argi)?;
                    *dest.borrow_mut() = rest[..end].to_string();
                    rest = &rest[end..];
                }
                _ => {
                    let end = number_prefix(rest);
                    let Ok(x) = rest[..end].parse::<f64>() else {
                        break;
                    };
                    let p = a.ptr(argi)?;
                    let x = if matches!(conv.as_str(), "d" | "i") {
                        x.trunc()
                    } else {
                        x
                    };
                    it.write_ptr(&p, x)?;
                    rest = &rest[end..];
                }
            }
            argi += 1;
            count += 1;
        } else if c.is_whitespace() {
            rest = rest.trim_start();
        } else if let Some(r) = rest.strip_prefix(c) {
            rest = r;
        } else {
            break;
        }
    }
    num(count as f64)
}

/// Length of the longest prefix of `s` that reads as a number.
pub fn number_prefix(s: &str) -> usize {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && matches!(b[i], b'+' | b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > s
    };
    let mut any = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        any |= digits(&mut i);
    }
    if !any {
        return 0;
    }
    if i < b.len() && matches!(b[i], b'e' | b'E') {
        let save = i;
        i += 1;
        if i < b.len() && matches!(b[i], b'+' | b'-') {
            i += 1;
        }
        if !digits(&mut i) {
            i = save;
        }
    }
    i
}

impl Interp {
    /// Runs `cmd` as top-level code, inside template instance `ctx` if given.
    pub fn execute_in(&mut self, cmd: &str, ctx: Option<ObjRef>) -> Res<()> {
        let src = self.cur_src.clone();
        self.in_context(None, ctx, src, |it| it.run_string_quietly("execute", cmd))
    }

    /// `load_file([force,] name)`: runs a file once (again with force), with its folder as
    /// the working directory while it runs; rsnrn's own library stands in for NEURON's
    /// (stdrun.hoc, nrngui.hoc, ...). A missing file is reported and gives 0.
    pub fn load_file(&mut self, name: &str, force: bool) -> Res<Value> {
        let path = PathBuf::from(name);
        if path.is_file() {
            let key = path.canonicalize().unwrap_or(path.clone());
            if self.loaded.contains(&key) && !force {
                return num(1.0);
            }
            self.loaded.insert(key);
            let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
            let saved_dir = std::env::current_dir().ok();
            if let Some(d) = dir {
                let _ = std::env::set_current_dir(d);
            }
            let file_name = path
                .file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_else(|| name.to_string());
            let r = match dir {
                Some(_) => {
                    let src = Source::from_file(name, PathBuf::from(&file_name));
                    match src {
                        Ok(s) => self.run_source(Rc::new(s)),
                        Err(e) => err(format!("cannot read {name}: {e}")),
                    }
                }
                None => self.run_file(name, Path::new(name)),
            };
            if let Some(d) = saved_dir {
                let _ = std::env::set_current_dir(d);
            }
            r?;
            return num(1.0);
        }
        let base = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some((lib, text)) = LIBRARY.iter().find(|(n, _)| *n == base) {
            // Names with the same text (stdrun.hoc, nrngui.hoc, ...) load it once.
            let first = LIBRARY
                .iter()
                .find(|(_, t)| t == text)
                .map_or(*lib, |(n, _)| *n);
            let key = PathBuf::from(format!("<rsnrn library {first}>"));
            if self.loaded.contains(&key) && !force {
                return num(1.0);
            }
            self.loaded.insert(key);
            self.run_string(lib, text)?;
            return num(1.0);
        }
        let mut msg = format!("{}: Couldn't find: {name}\n", self.prog);
        if let Some(input) = self.inputs.last() {
            let src = &input.src;
            let line = src.line_of(input.pos.saturating_sub(1));
            let col = src.line_text(line).len();
            msg.push_str(&src.location_block(line, col));
        }
        self.eprint(&msg);
        num(0.0)
    }
}
