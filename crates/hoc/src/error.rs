//! Errors and the non-local control flow of hoc (break, continue, return, stop, quit), all
//! carried by [`Flow`] through `Result` so `?` propagates them.

use std::rc::Rc;

use crate::source::Source;

/// One procedure call the error passed through, innermost first.
#[derive(Debug, Clone)]
pub struct CallFrame {
    /// `name(arg values)` as NEURON shows it.
    pub call: String,
    /// Where the call was made.
    pub site: Option<(Rc<Source>, usize)>,
}

#[derive(Debug, Clone)]
pub struct HocError {
    pub msg: String,
    /// Where it happened (innermost).
    pub at: Option<(Rc<Source>, usize)>,
    pub frames: Vec<CallFrame>,
}

#[derive(Debug)]
pub enum Flow {
    Error(Box<HocError>),
    Break,
    Continue,
    Return,
    /// `break` inside the body of `for iterator()`: ends the whole loop.
    IterBreak,
    /// `stop`: abandon the current top-level statement.
    Stop,
    /// `quit()`.
    Quit(i32),
}

pub type Res<T> = Result<T, Flow>;

/// A plain error without a location yet (the statement or expression that sees it first adds
/// its own).
pub fn err<T>(msg: impl Into<String>) -> Res<T> {
    Err(Flow::Error(Box::new(HocError {
        msg: msg.into(),
        at: None,
        frames: Vec::new(),
    })))
}

impl Flow {
    /// Gives an error its location if it has none yet, else the pending call site.
    pub fn locate(self, src: &Rc<Source>, pos: usize) -> Flow {
        match self {
            Flow::Error(mut e) => {
                if e.at.is_none() {
                    e.at = Some((src.clone(), pos));
                } else if let Some(f) = e.frames.last_mut() {
                    if f.site.is_none() {
                        f.site = Some((src.clone(), pos));
                    }
                }
                Flow::Error(e)
            }
            other => other,
        }
    }
}

/// Line of `pos`, with the end of a text that ends in a newline counted as its last line
/// (an unclosed block is reported at the last line, as NEURON does).
fn line_of(src: &Source, pos: usize) -> usize {
    if pos >= src.text.len() {
        src.line_count().max(1)
    } else {
        src.line_of(pos)
    }
}

fn block(src: &Source, pos: usize) -> String {
    let line = line_of(src, pos);
    let col = if pos >= src.text.len() {
        0
    } else {
        src.column(pos)
    };
    src.location_block(line, col)
}

impl HocError {
    /// The report NEURON prints: `PROG: message`, ` in FILE near line N`, the line, a caret;
    /// then the procedure calls it happened in, innermost first, each with its call site.
    pub fn render(&self, prog: &str) -> String {
        let mut out = format!("{prog}: {}\n", self.msg);
        if let Some((src, pos)) = &self.at {
            out.push_str(&block(src, *pos));
        }
        const SHOWN: usize = 6;
        for (k, f) in self.frames.iter().enumerate() {
            if k == SHOWN && self.frames.len() > SHOWN + 1 {
                let outer = self.frames.last().expect("frames are not empty");
                out.push_str(&format!(
                    "  ... {} more calls ...\n",
                    self.frames.len() - SHOWN - 1
                ));
                push_frame(&mut out, outer);
                break;
            }
            push_frame(&mut out, f);
        }
        out
    }
}

fn push_frame(out: &mut String, f: &CallFrame) {
    match &f.site {
        Some((src, pos)) => {
            out.push_str(&format!(
                "  in {} called from {} near line {}\n",
                f.call,
                src.name,
                line_of(src, *pos)
            ));
        }
        None => out.push_str(&format!("  in {}\n", f.call)),
    }
}
