//! The hoc interpreter: a tree walker over [`crate::ast`] with NEURON's scoping (top level,
//! template instances, procedure locals), the section stack, and the simulator behind it.

mod assigned;
mod call;
mod eval;
mod exec;
mod functables;
mod lookup;
mod mechfuncs;
mod mechs;
mod range_refs;
pub mod sections;
mod spike_records;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::rc::{Rc, Weak};

use rsnrn_runtime::{CableModel, RecordId};

use crate::ast::{Stmt, StmtKind, Sym};
use crate::error::{err, Flow, HocError, Res};
use crate::parser::{Interner, ParseError, Parser};
use crate::source::Source;
use crate::symmap::SymMap;
use crate::value::*;

pub use call::{obj_name, show_args, Frame};
pub use eval::{indexed_name, to_num};
pub use lookup::{flat_index, BFn, Builtin, Resolved, SecProp};
pub use sections::{sec_prop_named, HocSection};

/// The deepest procedure nesting allowed (NEURON's default frame stack is about this deep).
pub const MAX_DEPTH: usize = 512;

/// A text being read at top level; `fscan()` reads numbers from `pos` on.
pub struct Input {
    pub src: Rc<Source>,
    pub pos: usize,
}

/// Where `print`, `printf` and echoes go.
pub enum Output {
    Stdout(std::io::BufWriter<std::io::Stdout>),
    /// Collected (tests, embedding).
    Buffer(Vec<u8>),
}

impl Output {
    pub fn write_str(&mut self, s: &str) {
        // Output errors (a closed pipe) are not hoc errors; NEURON ignores them too.
        let _ = match self {
            Output::Stdout(w) => w.write_all(s.as_bytes()),
            Output::Buffer(b) => b.write_all(s.as_bytes()),
        };
    }

    pub fn flush(&mut self) {
        if let Output::Stdout(w) = self {
            let _ = w.flush();
        }
    }
}

pub struct Interp {
    pub names: Interner,
    pub model: CableModel,
    pub top: Scope,
    pub consts: Scope,
    pub builtins: SymMap<Builtin>,
    pub reg: Registry,
    pub frames: Vec<Frame>,
    /// Frame whose locals and arguments are visible (None: top level).
    pub cur_frame: Option<usize>,
    /// Template instance whose variables are visible (None: top level).
    pub obj_ctx: Option<ObjRef>,
    /// Source of the code being run (for error locations).
    pub cur_src: Rc<Source>,
    /// Value of the last `return expr`.
    pub ret: Value,
    pub float_epsilon: f64,
    pub secs: Vec<HocSection>,
    pub sec_stack: Vec<SecId>,
    pub default_sec: Option<SecId>,
    pub out: Output,
    /// argv[0] as messages show it.
    pub prog: String,
    pub inputs: Vec<Input>,
    pub loaded: HashSet<PathBuf>,
    /// Vectors recording a simulator variable.
    pub recordings: Vec<(Weak<Object>, RecordId)>,
    /// Vectors given to NetCon.record: they hold the NetCon's spike times.
    pub spike_recordings: Vec<(Weak<Object>, rsnrn_runtime::NetConId)>,
    /// The runtime's spike-record counter when the Vectors were last filled.
    spike_records_synced: Option<u64>,
    /// Per recording NetCon: how many of its spikes its Vector has been given.
    pub(crate) spike_merged: HashMap<rsnrn_runtime::NetConId, usize>,
    /// The runtime's spike-record journal (epoch, length) when the Vectors were last filled,
    /// and each recording NetCon's Vectors as of then (see `spike_records.rs`).
    spike_journal_synced: Option<rsnrn_runtime::JournalMark>,
    spike_record_vectors: crate::symmap::IntMap<rsnrn_runtime::NetConId, Vec<Weak<Object>>>,
    /// `setdata_<suffix>(x)`: the instance each density mechanism's functions use.
    pub setdata: HashMap<String, (SecId, f64)>,
    /// Old-style `wopen`/`ropen` files.
    pub old_out: Option<std::io::BufWriter<std::fs::File>>,
    pub old_in: Option<crate::builtins::file::Reader>,
    pub start: std::time::Instant,
    pub distance_origin: Option<(SecId, f64)>,
    /// GUI calls seen (one notice is printed).
    pub gui_noticed: bool,
    /// `cvode.active(1)` was called (and not undone): fadvance refuses, rsnrn has no CVODE.
    pub cvode_active: bool,
    /// CVode's tolerances and maximum step as set and read through `cvode.atol()`,
    /// `rtol()` and `maxstep()` (NEURON's defaults 1e-3, 0, 1e9); kept for models that set
    /// them, unused by the fixed step.
    pub cvode_tolerances: [f64; 3],
    /// The IClamps standing for old-style `fstim()` stimuli (None: not placed yet).
    pub fstims: Vec<Option<rsnrn_runtime::PointProcessId>>,
    /// ParallelContext's gids and id-carrying spike recordings.
    pub parallel: crate::builtins::pnm::ParallelState,
    /// Inside execute() or an event's statement: expression statements do not echo.
    pub no_echo: usize,
    /// `execute1(cmd, 0)`: errors are not printed.
    pub quiet: usize,
    pub mechs: mechs::MechTables,
    /// The progress line of long runs (off unless the front end turns it on).
    pub progress: crate::progress::RunProgress,
    /// Frequently used names.
    pub sym: CommonSyms,
    /// FInitializeHandlers, CVode events, Vector.play links, host callables.
    pub hooks: crate::builtins::simhooks::SimHooks,
    /// Range variables resolved by (section, x, name) for `sec.name(x)` reads and writes.
    range_refs: range_refs::RangeRefs,
    /// Vectors of finished calls' arguments and locals, reused.
    spare: call::SpareVecs,
}

pub struct CommonSyms {
    pub init: Sym,
    pub this: Sym,
    pub x: Sym,
}

impl Interp {
    /// An interpreter over a model with rsnrn's built-in mechanisms (hh, pas, IClamp).
    pub fn new(prog: &str) -> Result<Self, String> {
        let model = rsnrn::builtins::model().map_err(|e| e.to_string())?;
        Ok(Self::with_model(prog, model))
    }

    pub fn with_model(prog: &str, model: CableModel) -> Self {
        let mut names = Interner::default();
        let sym = CommonSyms {
            init: names.intern("init"),
            this: names.intern("this"),
            x: names.intern("x"),
        };
        let mut it = Interp {
            names,
            model,
            top: Scope::default(),
            consts: Scope::default(),
            builtins: SymMap::default(),
            reg: Registry::default(),
            frames: Vec::new(),
            cur_frame: None,
            obj_ctx: None,
            cur_src: Rc::new(Source::new("(none)", None, "")),
            ret: Value::Void,
            float_epsilon: 1e-11,
            secs: Vec::new(),
            sec_stack: Vec::new(),
            default_sec: None,
            out: Output::Stdout(std::io::BufWriter::new(std::io::stdout())),
            prog: prog.to_string(),
            inputs: Vec::new(),
            loaded: HashSet::new(),
            recordings: Vec::new(),
            spike_recordings: Vec::new(),
            spike_records_synced: None,
            spike_merged: HashMap::new(),
            spike_journal_synced: None,
            spike_record_vectors: Default::default(),
            setdata: HashMap::new(),
            old_out: None,
            old_in: None,
            start: std::time::Instant::now(),
            distance_origin: None,
            gui_noticed: false,
            cvode_active: false,
            cvode_tolerances: [1e-3, 0.0, 1e9],
            fstims: Vec::new(),
            parallel: Default::default(),
            no_echo: 0,
            quiet: 0,
            mechs: mechs::MechTables::default(),
            progress: Default::default(),
            sym,
            hooks: Default::default(),
            range_refs: Default::default(),
            spare: Default::default(),
        };
        crate::builtins::install(&mut it);
        it.refresh_mechanisms();
        it
    }

    pub fn name(&self, s: Sym) -> &str {
        self.names.name(s)
    }

    pub fn print(&mut self, s: &str) {
        self.out.write_str(s);
    }

    /// Writes a message to stderr after flushing stdout, so the two interleave as they
    /// happened.
    pub fn eprint(&mut self, s: &str) {
        // An error ends a run: its progress line goes first.
        self.progress.end();
        self.out.flush();
        let mut e = std::io::stderr().lock();
        let _ = e.write_all(s.as_bytes());
        let _ = e.flush();
    }

    pub fn flush(&mut self) {
        self.out.flush();
    }

    /// A one-time notice for GUI calls, which do nothing headless.
    pub fn gui_notice(&mut self, what: &str) {
        if !self.gui_noticed {
            self.gui_noticed = true;
            let msg = format!(
                "{}: notice: {what} and the other GUI calls do nothing (rsnrniv runs without a GUI)\n",
                self.prog
            );
            self.eprint(&msg);
        }
    }

    // ---- running text ---------------------------------------------------------------------

    /// Runs hoc text statement by statement, as top-level code (expression values echo).
    /// An error ends the text and is returned; `stop` only ends the statement.
    pub fn run_source(&mut self, src: Rc<Source>) -> Res<()> {
        let mut pos = 0;
        loop {
            let parsed = {
                let mut p = Parser::new(&src, pos, &mut self.names);
                let r = p.parse_top();
                pos = p.resume_pos();
                r
            };
            let stmt = match parsed {
                Ok(Some(s)) => s,
                Ok(None) => return Ok(()),
                Err(e) => return Err(parse_flow(e, &src)),
            };
            self.inputs.push(Input {
                src: src.clone(),
                pos,
            });
            self.declare_assigned_names(&stmt);
            let saved = std::mem::replace(&mut self.cur_src, src.clone());
            // Sections pushed by a top-level statement (push_section, get_loc) are popped
            // when it ends, as NEURON does.
            let depth = self.sec_stack.len();
            let r = self.exec_top(&stmt);
            self.sec_stack.truncate(depth);
            self.cur_src = saved;
            if let Some(input) = self.inputs.pop() {
                pos = input.pos;
            }
            match r {
                Ok(()) | Err(Flow::Stop) => {}
                Err(Flow::Break) | Err(Flow::Continue) | Err(Flow::IterBreak) => {}
                Err(Flow::Return) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Runs a string as top-level code (a `-c` argument, `execute()`).
    pub fn run_string(&mut self, name: &str, text: &str) -> Res<()> {
        let src = Rc::new(Source::new(name, None, text));
        self.run_source(src)
    }

    /// Runs a string as top-level code whose expression statements do not print their
    /// values, as NEURON runs `execute()` arguments and event statements.
    pub fn run_string_quietly(&mut self, name: &str, text: &str) -> Res<()> {
        self.no_echo += 1;
        let r = self.run_string(name, text);
        self.no_echo -= 1;
        r
    }

    /// Reads and runs a file as top-level code.
    pub fn run_file(&mut self, name: &str, path: &Path) -> Res<()> {
        let src = match Source::from_file(name, path.to_path_buf()) {
            Ok(s) => Rc::new(s),
            Err(e) => return err(format!("cannot read {name}: {e}")),
        };
        self.run_source(src)
    }

    /// The report of an error as it is printed.
    pub fn render_error(&self, e: &HocError) -> String {
        e.render(&self.prog)
    }

    /// A top-level statement: an expression statement echoes its value.
    fn exec_top(&mut self, s: &Stmt) -> Res<()> {
        let result = if self.no_echo > 0 {
            self.exec(s)
        } else if let StmtKind::Expr(e) = &s.kind {
            let src = self.cur_src.clone();
            self.echo(e).map_err(|f| f.locate(&src, s.pos))
        } else {
            self.exec(s)
        };
        // Objects the statement freed go now, as NEURON frees them (their DESTRUCTORs run).
        result?;
        let src = self.cur_src.clone();
        self.release_freed_objects()
            .map_err(|f| f.locate(&src, s.pos))
    }

    /// `-dll` / nrn_load_dll: a library built by rsnrnivmodl, or a single `.mod` file
    /// compiled here with the JIT.
    pub fn load_mechanisms(&mut self, path: &Path) -> Res<()> {
        if path.extension().is_some_and(|e| e == "mod") {
            let mech = rsnrn::compile::compile_file(path).or_else(|e| err(e.to_string()))?;
            rsnrn::register(&mut self.model, mech).or_else(|e| err(e.to_string()))?;
        } else {
            rsnrn::library::nrn_load_dll(&mut self.model, path).or_else(|e| err(e.to_string()))?;
        }
        self.refresh_mechanisms();
        Ok(())
    }

    /// Removes from the model the point processes and NetCons whose hoc objects were freed
    /// (see `value::ReleaseSink`): their DESTRUCTORs run now, in the order they were freed.
    pub fn release_freed_objects(&mut self) -> Res<()> {
        if self.reg.released.borrow().is_empty() {
            return Ok(());
        }
        let released = std::mem::take(&mut *self.reg.released.borrow_mut());
        let mut first_error = None;
        for r in released {
            let result = match r {
                crate::value::Released::Point(p) => self.model.remove_point_process(p),
                crate::value::Released::NetCon(n) => self.model.release_netcon(n),
                crate::value::Released::Sections(sections) => {
                    for s in sections {
                        if self.secs.get(s as usize).is_some_and(|sec| sec.alive) {
                            self.delete_section(s)?;
                        }
                    }
                    Ok(())
                }
            };
            if let Err(e) = result {
                first_error.get_or_insert(e);
            }
        }
        match first_error {
            Some(e) => err(format!("freeing an object: {e}")),
            None => Ok(()),
        }
    }

    /// Ends the interpreter when the process ends: output still buffered (stdout, files
    /// written through File objects or `wopen`) is flushed, as exit() flushes C streams for
    /// NEURON, and the model and objects are left to the operating system instead of being
    /// freed one by one (that took a tenth of a 320000-NetCon network's set-up time).
    pub fn end_without_freeing(mut self) {
        self.flush();
        if let Some(w) = self.old_out.as_mut() {
            let _ = w.flush();
        }
        for file in self.reg.live("File") {
            if let ObjData::File(crate::builtins::file::FileData {
                mode: crate::builtins::file::FileMode::Write(w),
                ..
            }) = &mut *file.data.borrow_mut()
            {
                let _ = w.flush();
            }
        }
        std::mem::forget(self);
    }

    /// Copies new samples of every recording into its Vector (after finitialize/fadvance).
    pub fn sync_recordings(&mut self) {
        self.recordings.retain(|(w, _)| w.strong_count() > 0);
        for (w, id) in &self.recordings {
            let Some(obj) = w.upgrade() else { continue };
            let Ok(samples) = self.model.recording(*id) else {
                continue;
            };
            let mut data = obj.data.borrow_mut();
            if let ObjData::Vector(v) = &mut *data {
                if v.rec == Some(*id) {
                    if samples.len() < v.data.len() {
                        v.data.clear();
                    }
                    let have = v.data.len();
                    v.data.extend_from_slice(&samples[have..]);
                }
            }
        }
        self.sync_spike_recordings();
        crate::builtins::pnm::sync(self);
    }
}

/// A syntax error as a hoc error at its place.
pub fn parse_flow(e: ParseError, src: &Rc<Source>) -> Flow {
    Flow::Error(Box::new(HocError {
        msg: e.msg,
        at: Some((src.clone(), e.pos)),
        frames: Vec::new(),
    }))
}
