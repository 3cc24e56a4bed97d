//! `rsnrniv`: NEURON's nrniv, headless, with rsnrn's hoc interpreter.
//!
//! ```text
//! rsnrniv [-nogui] [-dll LIB]... [-c STMT]... [FILES...] [-]
//! ```
//!
//! As nrniv: files and `-c` statements run in the order given, `-dll` loads a mechanism
//! library built by rsnrnivmodl (or compiles a `.mod` file), `./<arch>/librsnrnmech.so` is
//! loaded automatically when present, and afterwards statements are read from standard input
//! (with an `oc>` prompt on a terminal) until its end or `quit()`. An error in a file or a
//! `-c` statement is reported with its place and the program exits with status 1.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::Path;
use std::process::ExitCode;

use rsnrn_hoc::{Flow, Interp};

const USAGE: &str = "usage: rsnrniv [-nogui] [-dll LIB]... [-c STMT]... [FILES...] [-]";

enum Item {
    File(String),
    Stmt(String),
    Dll(String),
    Stdin,
}

fn parse_args(args: &[String]) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        let mut value = |what: &str| -> Result<String, String> {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| format!("{a} needs {what}"))
        };
        match a.as_str() {
            "-c" => items.push(Item::Stmt(value("a statement")?)),
            "-dll" => items.push(Item::Dll(value("a library path")?)),
            "-NFRAME" | "-NSTACK" => {
                value("a number")?;
            }
            "-nogui" | "-nobanner" | "-isatty" | "-notatty" | "-debug" => {}
            "-" => items.push(Item::Stdin),
            "-h" | "-help" | "--help" => return Err(USAGE.into()),
            "-python" => return Err("rsnrniv runs hoc only; -python is not supported".into()),
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(format!("unknown option {s}\n{USAGE}"))
            }
            _ => items.push(Item::File(a.clone())),
        }
        i += 1;
    }
    Ok(items)
}

/// What ends the program: an exit status, or None to go on.
fn outcome(hoc: &mut Interp, r: Result<(), Flow>) -> Option<u8> {
    match r {
        Ok(()) => None,
        Err(Flow::Quit(code)) => {
            hoc.flush();
            Some(code.clamp(0, 255) as u8)
        }
        Err(Flow::Error(e)) => {
            let msg = hoc.render_error(&e);
            hoc.eprint(&msg);
            hoc.flush();
            Some(1)
        }
        // stop, break, ... outside anything to end: nothing more to do.
        Err(_) => None,
    }
}

/// Statements from standard input: on a terminal one complete statement at a time with a
/// prompt (errors are reported and reading goes on), otherwise the whole input as one text.
fn run_stdin(hoc: &mut Interp) -> Option<u8> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut text = String::new();
        if stdin.lock().read_to_string(&mut text).is_err() || text.is_empty() {
            return None;
        }
        let r = hoc.run_string("stdin", &text);
        return outcome(hoc, r);
    }
    let mut pending = String::new();
    let mut lines = stdin.lock().lines();
    loop {
        hoc.print(if pending.is_empty() { "oc>" } else { "> " });
        hoc.flush();
        let Some(Ok(line)) = lines.next() else {
            hoc.print("\n");
            return None;
        };
        pending.push_str(&line);
        pending.push('\n');
        if rsnrn_hoc::parser::needs_more(&pending) {
            continue;
        }
        let text = std::mem::take(&mut pending);
        match hoc.run_string("stdin", &text) {
            Err(Flow::Quit(code)) => return Some(code.clamp(0, 255) as u8),
            Err(Flow::Error(e)) => {
                let msg = hoc.render_error(&e);
                hoc.eprint(&msg);
            }
            _ => {}
        }
    }
}

fn run(args: Vec<String>) -> u8 {
    let prog = std::env::args().next().unwrap_or_else(|| "rsnrniv".into());
    let items = match parse_args(&args) {
        Ok(items) => items,
        Err(msg) => {
            eprintln!("{prog}: {msg}");
            return 2;
        }
    };
    let mut hoc = match Interp::new(&prog) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{prog}: {e}");
            return 1;
        }
    };
    hoc.progress = rsnrn_hoc::progress::RunProgress::new(std::io::stderr().is_terminal());
    // RSNRN_STEP_PROFILE=1: where the fixed steps' time went, on stderr at the end.
    let profile = std::env::var_os("RSNRN_STEP_PROFILE").is_some();
    hoc.model.set_step_profiling(profile);
    let code = run_items(&mut hoc, items);
    if let Some(p) = hoc.model.step_profile().filter(|_| profile) {
        eprintln!("{}", step_profile_report(&p));
    }
    hoc.end_without_freeing();
    code
}

/// The per-part step times of `p`, in µs per step.
fn step_profile_report(p: &rsnrn::runtime::StepProfile) -> String {
    let per_step = |ns: u64| ns as f64 / 1e3 / p.steps.max(1) as f64;
    let total: u64 = p.parts().iter().map(|(_, ns)| ns).sum();
    let mut out = format!(
        "step profile: {} steps, {:.2} us per step\n",
        p.steps,
        per_step(total)
    );
    for (name, ns) in p.parts() {
        out += &format!("  {name:<16} {:8.2} us\n", per_step(ns));
    }
    out
}

/// Loads the default mechanisms and runs the command line's items; the exit status.
fn run_items(hoc: &mut Interp, items: Vec<Item>) -> u8 {
    let auto = Path::new(rsnrn::library::arch_dir()).join("librsnrnmech.so");
    if auto.is_file() {
        let r = hoc.load_mechanisms(&auto);
        if let Some(code) = outcome(hoc, r) {
            return code;
        }
    }
    let mut read_stdin = true;
    for item in items {
        let r = match item {
            Item::File(f) => hoc.run_file(&f, Path::new(&f)),
            Item::Stmt(s) => hoc.run_string("-c", &s),
            Item::Dll(d) => hoc.load_mechanisms(Path::new(&d)),
            Item::Stdin => {
                read_stdin = false;
                if let Some(code) = run_stdin(hoc) {
                    return code;
                }
                Ok(())
            }
        };
        if let Some(code) = outcome(hoc, r) {
            return code;
        }
    }
    if read_stdin {
        if let Some(code) = run_stdin(hoc) {
            return code;
        }
    }
    hoc.flush();
    let _ = std::io::stdout().flush();
    0
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // hoc recursion (up to 512 nested calls) needs more stack than the main thread has.
    let worker = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || run(args));
    match worker.map(|h| h.join()) {
        Ok(Ok(code)) => ExitCode::from(code),
        _ => {
            eprintln!("rsnrniv: internal error: the interpreter thread failed");
            ExitCode::from(70)
        }
    }
}
