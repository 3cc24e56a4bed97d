//! File: wopen/aopen/ropen/close/printf/scanvar/scanstr/gets/eof/isopen, the byte access that
//! Vector.vwrite/vread/printf/scanf use, and the reader behind old-style ropen/fscan.

use std::io::Write;

use super::{bool_num, num, Args};
use crate::error::{err, Res};
use crate::format::sprintf;
use crate::interp::Interp;
use crate::value::*;

/// Bytes of a file opened for reading, with a cursor.
pub struct Reader {
    bytes: Vec<u8>,
    pos: usize,
}

impl Reader {
    pub fn new(bytes: Vec<u8>) -> Self {
        Reader { bytes, pos: 0 }
    }

    /// The next number, skipping text that is not one (as hoc's fscan/scanvar do).
    pub fn scan_number(&mut self) -> Option<f64> {
        loop {
            let rest = std::str::from_utf8(&self.bytes[self.pos..]).ok()?;
            let skip = rest.len() - rest.trim_start().len();
            self.pos += skip;
            let rest = &rest[skip..];
            if rest.is_empty() {
                return None;
            }
            let n = super::funcs::number_prefix(rest);
            if n > 0 {
                if let Ok(x) = rest[..n].parse() {
                    self.pos += n;
                    return Some(x);
                }
            }
            // Skip one word.
            let w = rest.find(char::is_whitespace).unwrap_or(rest.len()).max(1);
            self.pos += w;
        }
    }

    pub fn word(&mut self) -> Option<String> {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        let start = self.pos;
        while self.pos < self.bytes.len() && !self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
        (self.pos > start)
            .then(|| String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned())
    }

    /// A line including its newline.
    pub fn line(&mut self) -> Option<String> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let start = self.pos;
        while self.pos < self.bytes.len() && self.bytes[self.pos] != b'\n' {
            self.pos += 1;
        }
        if self.pos < self.bytes.len() {
            self.pos += 1;
        }
        Some(String::from_utf8_lossy(&self.bytes[start..self.pos]).into_owned())
    }

    pub fn take(&mut self, n: usize) -> Vec<u8> {
        let end = (self.pos + n).min(self.bytes.len());
        let out = self.bytes[self.pos..end].to_vec();
        self.pos = end;
        out
    }

    /// At the end, or only white space is left.
    pub fn at_end(&self) -> bool {
        self.bytes[self.pos..]
            .iter()
            .all(|b| b.is_ascii_whitespace())
    }
}

pub enum FileMode {
    Closed,
    Read(Reader),
    Write(std::io::BufWriter<std::fs::File>),
}

pub struct FileData {
    pub name: String,
    pub mode: FileMode,
}

pub fn construct(a: &Args) -> Res<ObjData> {
    let name = if a.is_str(0) {
        a.str(0)?
    } else {
        String::new()
    };
    Ok(ObjData::File(FileData {
        name,
        mode: FileMode::Closed,
    }))
}

fn with<R>(o: &ObjRef, f: impl FnOnce(&mut FileData) -> R) -> Res<R> {
    match &mut *o.data.borrow_mut() {
        ObjData::File(d) => Ok(f(d)),
        _ => err(format!("{} is not a File", o.name())),
    }
}

fn reader<R>(o: &ObjRef, f: impl FnOnce(&mut Reader) -> R) -> Res<R> {
    with(o, |d| match &mut d.mode {
        FileMode::Read(r) => Ok(f(r)),
        _ => err(format!("the file {} is not open for reading", d.name)),
    })?
}

pub fn write_bytes(o: &ObjRef, b: &[u8]) -> Res<()> {
    with(o, |d| match &mut d.mode {
        FileMode::Write(w) => w
            .write_all(b)
            .or_else(|e| err(format!("writing {}: {e}", d.name))),
        _ => err(format!("the file {} is not open for writing", d.name)),
    })?
}

pub fn read_bytes(o: &ObjRef, n: usize) -> Res<Vec<u8>> {
    reader(o, |r| r.take(n))
}

pub fn scan_number(o: &ObjRef) -> Res<Option<f64>> {
    reader(o, |r| r.scan_number())
}

pub fn method(_: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    match m {
        "wopen" | "aopen" | "ropen" => {
            let name = if a.is_str(0) {
                a.str(0)?
            } else {
                with(o, |d| d.name.clone())?
            };
            let mode = match m {
                "ropen" => std::fs::read(&name)
                    .ok()
                    .map(|b| FileMode::Read(Reader::new(b))),
                "wopen" => std::fs::File::create(&name)
                    .ok()
                    .map(|f| FileMode::Write(std::io::BufWriter::new(f))),
                _ => std::fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(&name)
                    .ok()
                    .map(|f| FileMode::Write(std::io::BufWriter::new(f))),
            };
            let ok = mode.is_some();
            with(o, |d| {
                d.name = name;
                d.mode = mode.unwrap_or(FileMode::Closed);
            })?;
            bool_num(ok)
        }
        "close" => {
            let r = with(o, |d| {
                match std::mem::replace(&mut d.mode, FileMode::Closed) {
                    FileMode::Write(mut w) => w
                        .flush()
                        .or_else(|e| err(format!("closing {}: {e}", d.name))),
                    _ => Ok(()),
                }
            })?;
            r?;
            num(0.0)
        }
        "flush" => {
            with(o, |d| {
                if let FileMode::Write(w) = &mut d.mode {
                    let _ = w.flush();
                }
            })?;
            num(0.0)
        }
        "isopen" => bool_num(with(o, |d| !matches!(d.mode, FileMode::Closed))?),
        "getname" => {
            let name = with(o, |d| d.name.clone())?;
            if a.is_str(0) {
                *a.strref(0)?.borrow_mut() = name.clone();
            }
            Ok(Value::str(name))
        }
        "printf" => {
            let s = sprintf(&a.str(0)?, &a.fmt_args(1)?).or_else(err)?;
            write_bytes(o, s.as_bytes())?;
            num(s.len() as f64)
        }
        "scanvar" => match scan_number(o)? {
            Some(x) => num(x),
            None => err("File.scanvar: end of file"),
        },
        "scanstr" => {
            let dest = a.strref(0)?;
            match reader(o, |r| r.word())? {
                Some(w) => {
                    let n = w.len();
                    *dest.borrow_mut() = w;
                    num(n as f64)
                }
                None => num(-1.0),
            }
        }
        "gets" => {
            let dest = a.strref(0)?;
            match reader(o, |r| r.line())? {
                Some(l) => {
                    let n = l.len();
                    *dest.borrow_mut() = l;
                    num(n as f64)
                }
                None => num(-1.0),
            }
        }
        "eof" => bool_num(with(o, |d| match &d.mode {
            FileMode::Read(r) => r.at_end(),
            _ => true,
        })?),
        "unlink" => {
            let name = with(o, |d| d.name.clone())?;
            bool_num(std::fs::remove_file(name).is_ok())
        }
        _ => err(format!("'{m}' not a public member of 'File'")),
    }
}
