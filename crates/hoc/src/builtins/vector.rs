//! Vector: the commonly used part of NEURON's Vector API, including `record(&var)`.
//!
//! In-place methods return the vector itself so calls chain (`v.indgen().add(1)`).

use std::rc::Rc;

use super::{bool_num, num, obj_value, Args};
use crate::error::{err, Res};
use crate::format::{num8, sprintf, FmtArg};
use crate::interp::Interp;
use crate::value::*;

pub fn construct(_: &mut Interp, a: &Args) -> Res<ObjData> {
    let n = if a.is_empty() { 0.0 } else { a.num(0)? };
    if n < 0.0 {
        return err("Vector size must not be negative");
    }
    let fill = a.num_or(1, 0.0)?;
    Ok(ObjData::Vector(VecData {
        data: vec![fill; n as usize],
        rec: None,
    }))
}

fn with<R>(o: &ObjRef, f: impl FnOnce(&mut VecData) -> R) -> Res<R> {
    match &mut *o.data.borrow_mut() {
        ObjData::Vector(v) => Ok(f(v)),
        _ => err(format!("{} is not a Vector", o.name())),
    }
}

/// A copy of the elements of a Vector argument.
pub fn data_of(o: &ObjRef) -> Res<Vec<f64>> {
    with(o, |v| v.data.clone())
}

fn new_vec(it: &mut Interp, data: Vec<f64>) -> Res<Value> {
    let o = it.reg.new_object(
        Class::Builtin(ClassKind::Vector),
        ObjData::Vector(VecData { data, rec: None }),
    );
    obj_value(o)
}

pub fn index_of(o: &ObjRef, idx: &[f64]) -> Res<usize> {
    let n = with(o, |v| v.data.len())?;
    crate::interp::flat_index("x", &[n], idx)
}

pub fn get(o: &ObjRef, idx: &[f64]) -> Res<Value> {
    let i = index_of(o, idx)?;
    with(o, |v| Value::Num(v.data[i]))
}

pub fn set(o: &ObjRef, idx: &[f64], x: f64) -> Res<()> {
    let i = index_of(o, idx)?;
    with(o, |v| v.data[i] = x)
}

/// Inclusive index range from optional (start, end) arguments at `at`.
fn range(a: &Args, at: usize, n: usize) -> Res<(usize, usize)> {
    if a.len() > at + 1 {
        let s = a.num(at)?.max(0.0) as usize;
        let e = a.num(at + 1)?;
        let e = if e < 0.0 {
            0
        } else {
            (e as usize).min(n.saturating_sub(1))
        };
        Ok((s, e))
    } else {
        Ok((0, n.saturating_sub(1)))
    }
}

/// `Vector.mean(start, end)` as NEURON 9.0.2 computes it, which is not the mean of the
/// elements start..=end: measured on basis vectors, NEURON returns
/// `sum(start..=end) / end + 1 - start` (e.g. 1.5, not 10/3, for `[3,1,4,1,5,9,2,6].mean(2, 4)`)
/// and refuses `end <= start`. NEURON is the reference for every number, so scripts that print
/// it print what nrniv prints (conformance/python 075_vector_stats); `mean()` is the true mean.
fn mean_of_range(elements: &[f64], start: usize, end: usize) -> Res<Value> {
    if end <= start {
        return err("Vector.mean: end - start must be > 0");
    }
    let sum = elements.iter().fold(0.0, |a, x| a + x);
    num(sum / end as f64 + 1.0 - start as f64)
}

/// The operand of add/sub/mul/div: a scalar or a Vector of the same size.
fn operand(a: &Args, n: usize) -> Res<Vec<f64>> {
    if a.is_obj(0) {
        let d = data_of(&a.some_obj(0)?)?;
        if d.len() != n {
            return err(format!(
                "{}: the vectors have different sizes ({n} and {})",
                a.name,
                d.len()
            ));
        }
        Ok(d)
    } else {
        Ok(vec![a.num(0)?; n])
    }
}

fn compare(op: &str, x: f64, a: f64, b: f64, eps: f64) -> Res<bool> {
    Ok(match op {
        ">" => x > a + eps,
        "<" => x < a - eps,
        ">=" => x >= a - eps,
        "<=" => x <= a + eps,
        "==" => (x - a).abs() <= eps,
        "!=" => (x - a).abs() > eps,
        "[]" => x >= a - eps && x <= b + eps,
        "[)" => x >= a - eps && x < b - eps,
        "(]" => x > a + eps && x <= b + eps,
        "()" => x > a + eps && x < b - eps,
        _ => return err(format!("unknown comparison \"{op}\"")),
    })
}

fn stats(d: &[f64]) -> (f64, f64) {
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, var)
}

pub fn method(it: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    let me = || obj_value(o.clone());
    let n = with(o, |v| v.data.len())?;
    let eps = it.float_epsilon;
    match m {
        "size" => num(n as f64),
        "buffer_size" => num(with(o, |v| v.data.capacity())? as f64),
        "resize" => {
            let k = a.num(0)?.max(0.0) as usize;
            with(o, |v| v.data.resize(k, 0.0))?;
            me()
        }
        "get" => get(o, &[a.num(0)?]),
        "set" => {
            set(o, &[a.num(0)?], a.num(1)?)?;
            me()
        }
        "fill" => {
            let x = a.num(0)?;
            let (s, e) = range(&a, 1, n)?;
            with(o, |v| {
                // One slice fill (network set-ups clear a cell-sized Vector per cell).
                let end = (e + 1).min(n).min(v.data.len());
                if s < end {
                    v.data[s..end].fill(x);
                }
            })?;
            me()
        }
        "indgen" => {
            match a.len() {
                0 => with(o, |v| {
                    for (i, x) in v.data.iter_mut().enumerate() {
                        *x = i as f64;
                    }
                })?,
                1 | 2 => {
                    let (start, step) = if a.len() == 1 {
                        (0.0, a.num(0)?)
                    } else {
                        (a.num(0)?, a.num(1)?)
                    };
                    with(o, |v| {
                        for (i, x) in v.data.iter_mut().enumerate() {
                            *x = start + step * i as f64;
                        }
                    })?
                }
                _ => {
                    let (start, end, step) = (a.num(0)?, a.num(1)?, a.num(2)?);
                    if step == 0.0 {
                        return err("indgen: the step is 0");
                    }
                    let k = ((end - start) / step + 1.0 + 1e-9).floor().max(0.0) as usize;
                    with(o, |v| {
                        v.data = (0..k).map(|i| start + step * i as f64).collect();
                    })?
                }
            }
            me()
        }
        "add" | "sub" | "mul" | "div" => {
            let b = operand(&a, n)?;
            if m == "div" && b.contains(&0.0) {
                return err("Vector.div: division by zero");
            }
            with(o, |v| {
                for (x, y) in v.data.iter_mut().zip(&b) {
                    match m {
                        "add" => *x += y,
                        "sub" => *x -= y,
                        "mul" => *x *= y,
                        _ => *x /= y,
                    }
                }
            })?;
            me()
        }
        "sum" | "mean" | "stdev" | "var" | "sumsq" | "mag" => {
            let d = data_of(o)?;
            let (s, e) = range(&a, 0, n)?;
            let d: &[f64] = if d.is_empty() { &d } else { &d[s..=e] };
            match m {
                "sum" => num(d.iter().fold(0.0, |a, x| a + x)),
                "sumsq" => num(d.iter().fold(0.0, |a, x| a + x * x)),
                "mag" => num(d.iter().fold(0.0, |a, x| a + x * x).sqrt()),
                _ if d.is_empty() => err(format!("Vector.{m}: the vector is empty")),
                "mean" if a.len() > 1 => mean_of_range(d, s, e),
                "mean" => num(stats(d).0),
                _ if d.len() < 2 => err(format!("Vector.{m} needs at least 2 elements")),
                "var" => num(stats(d).1),
                _ => num(stats(d).1.sqrt()),
            }
        }
        "max" | "min" | "max_ind" | "min_ind" => {
            let d = data_of(o)?;
            if d.is_empty() {
                return if m.ends_with("_ind") {
                    num(-1.0)
                } else {
                    num(0.0)
                };
            }
            let (s, e) = range(&a, 0, n)?;
            let mut best = s;
            for i in s..=e {
                let better = if m.starts_with("max") {
                    d[i] > d[best]
                } else {
                    d[i] < d[best]
                };
                if better {
                    best = i;
                }
            }
            if m.ends_with("_ind") {
                num(best as f64)
            } else {
                num(d[best])
            }
        }
        "c" | "cl" | "at" => {
            let d = data_of(o)?;
            // c(start): from start to the end.
            let (s, e) = if a.len() == 1 {
                (a.num(0)?.max(0.0) as usize, n.saturating_sub(1))
            } else {
                range(&a, 0, n)?
            };
            let part = if d.is_empty() || s > e {
                vec![]
            } else {
                d[s..=e].to_vec()
            };
            let copy = new_vec(it, part)?;
            if m == "cl" {
                if let Value::Obj(Some(c)) = &copy {
                    let label = super::vector_extra::label_of(it, o);
                    super::vector_extra::set_label(it, c, label);
                }
            }
            Ok(copy)
        }
        // copy(src [, dest_start] [, src_start, src_end]): src (or src[start..=end]) written
        // from dest_start on (default 0), the destination growing (with zeros) as needed.
        "copy" => {
            let src = data_of(&a.some_obj(0)?)?;
            let (dest, from, to) = match a.len() {
                1 => (0, 0, src.len()),
                2 => (a.num(1)?.max(0.0) as usize, 0, src.len()),
                3 => (0, a.num(1)?.max(0.0) as usize, a.num(2)? as usize + 1),
                _ => (
                    a.num(1)?.max(0.0) as usize,
                    a.num(2)?.max(0.0) as usize,
                    a.num(3)? as usize + 1,
                ),
            };
            let to = to.min(src.len());
            let part = if from < to { &src[from..to] } else { &[][..] };
            with(o, |v| {
                if a.len() == 1 {
                    v.data = part.to_vec();
                    return;
                }
                if v.data.len() < dest + part.len() {
                    v.data.resize(dest + part.len(), 0.0);
                }
                v.data[dest..dest + part.len()].copy_from_slice(part);
            })?;
            me()
        }
        "append" => {
            let mut add = Vec::new();
            for (i, v) in a.v.iter().enumerate() {
                match v {
                    Value::Num(x) => add.push(*x),
                    _ => add.extend(data_of(&a.some_obj(i)?)?),
                }
            }
            with(o, |v| v.data.extend(add))?;
            me()
        }
        "insrt" => {
            let at = a.num(0)?.max(0.0) as usize;
            if at > n {
                return err(format!("Vector.insrt: index {at} beyond the size {n}"));
            }
            let mut add = Vec::new();
            for (i, v) in a.v.iter().enumerate().skip(1) {
                match v {
                    Value::Num(x) => add.push(*x),
                    _ => add.extend(data_of(&a.some_obj(i)?)?),
                }
            }
            with(o, |v| {
                v.data.splice(at..at, add);
            })?;
            me()
        }
        "remove" => {
            let s = a.num(0)?.max(0.0) as usize;
            let e = if a.len() > 1 { a.num(1)? as usize } else { s };
            if s >= n || e >= n || e < s {
                return err(format!("Vector.remove: index out of range (size {n})"));
            }
            with(o, |v| {
                v.data.drain(s..=e);
            })?;
            me()
        }
        "where" => {
            // where(src, op, a[, b]) or where(op, a[, b]) on the vector itself.
            let (src, at) = if a.is_obj(0) {
                (data_of(&a.some_obj(0)?)?, 1)
            } else {
                (data_of(o)?, 0)
            };
            let op = a.str(at)?;
            let x = a.num(at + 1)?;
            let y = a.num_or(at + 2, x)?;
            let mut out = Vec::new();
            for v in src {
                if compare(&op, v, x, y, eps)? {
                    out.push(v);
                }
            }
            with(o, |v| v.data = out)?;
            me()
        }
        "indwhere" => {
            let op = a.str(0)?;
            let x = a.num(1)?;
            let y = a.num_or(2, x)?;
            for (i, v) in data_of(o)?.into_iter().enumerate() {
                if compare(&op, v, x, y, eps)? {
                    return num(i as f64);
                }
            }
            num(-1.0)
        }
        "indvwhere" => {
            let op = a.str(1)?;
            let src = data_of(&a.some_obj(0)?)?;
            let x = a.num(2)?;
            let y = a.num_or(3, x)?;
            let mut out = Vec::new();
            for (i, v) in src.into_iter().enumerate() {
                if compare(&op, v, x, y, eps)? {
                    out.push(i as f64);
                }
            }
            with(o, |v| v.data = out)?;
            me()
        }
        "index" => {
            let src = data_of(&a.some_obj(0)?)?;
            let idx = data_of(&a.some_obj(1)?)?;
            let mut out = Vec::with_capacity(idx.len());
            for i in idx {
                match src.get(i as usize) {
                    Some(&x) if i >= 0.0 => out.push(x),
                    _ => return err(format!("Vector.index: index {} out of range", num8(i))),
                }
            }
            with(o, |v| v.data = out)?;
            me()
        }
        "sort" => {
            with(o, |v| v.data.sort_by(|x, y| x.total_cmp(y)))?;
            me()
        }
        "sortindex" => {
            let d = data_of(o)?;
            let mut idx: Vec<usize> = (0..d.len()).collect();
            idx.sort_by(|&i, &j| d[i].total_cmp(&d[j]));
            let out = idx.into_iter().map(|i| i as f64).collect();
            if a.is_obj(0) {
                let dest = a.some_obj(0)?;
                with(&dest, |v| v.data = out)?;
                obj_value(dest)
            } else {
                new_vec(it, out)
            }
        }
        "reverse" => {
            with(o, |v| v.data.reverse())?;
            me()
        }
        "rotate" => {
            let k = a.num(0)? as i64;
            // rotate(k, 0): shift without wrapping, zeros come in.
            let wrap = a.num_or(1, 1.0)? != 0.0;
            with(o, |v| {
                if !v.data.is_empty() {
                    let len = v.data.len() as i64;
                    let r = k.rem_euclid(len) as usize;
                    v.data.rotate_right(r);
                    if !wrap {
                        let n = v.data.len();
                        let gone = (k.unsigned_abs() as usize).min(n);
                        if k > 0 {
                            v.data[..gone].fill(0.0);
                        } else {
                            v.data[n - gone..].fill(0.0);
                        }
                    }
                }
            })?;
            me()
        }
        "sqrt" | "abs" | "pow" | "log" | "log10" | "exp" | "floor" => {
            let p = if m == "pow" { a.num(0)? } else { 0.0 };
            with(o, |v| {
                for x in v.data.iter_mut() {
                    *x = match m {
                        "sqrt" => x.sqrt(),
                        "abs" => x.abs(),
                        "pow" => x.powf(p),
                        "log" => x.ln(),
                        "log10" => x.log10(),
                        "exp" => x.exp(),
                        _ => x.floor(),
                    };
                }
            })?;
            me()
        }
        "dot" => {
            let b = data_of(&a.some_obj(0)?)?;
            let d = data_of(o)?;
            num(d.iter().zip(&b).fold(0.0, |a, (x, y)| a + x * y))
        }
        "contains" => {
            let x = a.num(0)?;
            bool_num(data_of(o)?.iter().any(|&v| (v - x).abs() <= eps))
        }
        "eq" => {
            let b = data_of(&a.some_obj(0)?)?;
            bool_num(data_of(o)? == b)
        }
        "interpolate" => {
            let xd = data_of(&a.some_obj(0)?)?;
            let xs = data_of(&a.some_obj(1)?)?;
            let ys = if a.len() > 2 {
                data_of(&a.some_obj(2)?)?
            } else {
                data_of(o)?
            };
            if xs.is_empty() || xs.len() != ys.len() {
                return err("Vector.interpolate: the source x and y differ in size");
            }
            let out = xd
                .iter()
                .map(|&x| {
                    if x <= xs[0] {
                        return ys[0];
                    }
                    for i in 1..xs.len() {
                        if x <= xs[i] {
                            let f = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
                            return ys[i - 1] + f * (ys[i] - ys[i - 1]);
                        }
                    }
                    ys[ys.len() - 1]
                })
                .collect();
            with(o, |v| v.data = out)?;
            me()
        }
        "apply" => {
            let fname = a.str(0)?;
            let (s, e) = range(&a, 1, n)?;
            let Some(sym) = it.names.get(&fname) else {
                return err(format!("Vector.apply: {fname} is not a function"));
            };
            let proc_ = it.user_proc(sym);
            for i in s..=e.min(n.saturating_sub(1)) {
                if n == 0 {
                    break;
                }
                let x = with(o, |v| v.data[i])?;
                let y = match &proc_ {
                    Some((p, obj)) => it.call_user(p, vec![Value::Num(x)], obj.clone(), None)?,
                    None => match it.builtins.get(&sym).cloned() {
                        Some(crate::interp::Builtin::Func(f)) => f(it, vec![Value::Num(x)])?,
                        _ => return err(format!("Vector.apply: {fname} is not a function")),
                    },
                };
                let y = crate::interp::to_num(&y)?;
                with(o, |v| {
                    if i < v.data.len() {
                        v.data[i] = y
                    }
                })?;
            }
            me()
        }
        "scale" => {
            let (lo, hi) = (a.num(0)?, a.num(1)?);
            let d = data_of(o)?;
            let (mn, mx) = d
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            let r = mx - mn;
            let f = if r == 0.0 { 0.0 } else { (hi - lo) / r };
            with(o, |v| {
                for x in v.data.iter_mut() {
                    *x = lo + (*x - mn) * f;
                }
            })?;
            num(f)
        }
        "hist" => {
            let data = data_of(&a.some_obj(0)?)?;
            let (low, nbins, width) = (a.num(1)?, a.num(2)? as usize, a.num(3)?);
            let mut h = vec![0.0; nbins];
            for x in data {
                let b = ((x - low) / width).floor();
                if b >= 0.0 && (b as usize) < nbins {
                    h[b as usize] += 1.0;
                }
            }
            with(o, |v| v.data = h)?;
            me()
        }
        "deriv" => {
            let dx = a.num_or(0, 1.0)?;
            let method = a.num_or(1, 2.0)?;
            let d = data_of(o)?;
            let out: Vec<f64> = if d.len() < 2 {
                Vec::new()
            } else if method == 1.0 {
                d.windows(2).map(|w| (w[1] - w[0]) / dx).collect()
            } else {
                let k = d.len();
                (0..k)
                    .map(|i| {
                        if i == 0 {
                            (d[1] - d[0]) / dx
                        } else if i == k - 1 {
                            (d[k - 1] - d[k - 2]) / dx
                        } else {
                            (d[i + 1] - d[i - 1]) / (2.0 * dx)
                        }
                    })
                    .collect()
            };
            with(o, |v| v.data = out)?;
            me()
        }
        "setrand" => {
            let source = a.some_obj(0)?;
            let (s, e) = range(&a, 1, n)?;
            let count = if n == 0 || s > e { 0 } else { e - s + 1 };
            let values = super::random::repicks(&source, count)?;
            with(o, |v| v.data[s..s + count].copy_from_slice(&values))?;
            me()
        }
        "printf" => printf(it, o, &a),
        "scanf" => {
            let f = a.some_obj(0)?;
            let limit = if a.len() > 1 {
                Some(a.num(1)? as usize)
            } else {
                None
            };
            let mut out = Vec::new();
            while limit.is_none_or(|l| out.len() < l) {
                match super::file::scan_number(&f)? {
                    Some(x) => out.push(x),
                    None => break,
                }
            }
            let k = out.len();
            with(o, |v| v.data = out)?;
            num(k as f64)
        }
        "vwrite" => {
            let f = a.some_obj(0)?;
            let d = data_of(o)?;
            let mut bytes = Vec::with_capacity(8 + 8 * d.len());
            bytes.extend_from_slice(&(d.len() as u32).to_le_bytes());
            bytes.extend_from_slice(&4u32.to_le_bytes());
            for x in d {
                bytes.extend_from_slice(&x.to_le_bytes());
            }
            super::file::write_bytes(&f, &bytes)?;
            num(1.0)
        }
        "vread" => {
            let f = a.some_obj(0)?;
            let head = super::file::read_bytes(&f, 8)?;
            if head.len() < 8 {
                return num(0.0);
            }
            let k = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
            let body = super::file::read_bytes(&f, 8 * k)?;
            if body.len() < 8 * k {
                return err("Vector.vread: the file ends early");
            }
            let out = body
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("chunks of 8")))
                .collect();
            with(o, |v| v.data = out)?;
            num(1.0)
        }
        "record" => record(it, o, &a),
        "play" => super::simhooks::vector_play(it, o, &a),
        "play_remove" => super::simhooks::vector_play_remove(it, o),
        "label" => {
            if !a.is_empty() {
                let s = a.str(0)?;
                super::vector_extra::set_label(it, o, s);
            }
            Ok(Value::str(super::vector_extra::label_of(it, o)))
        }
        _ => super::vector_extra::method(it, o, m, a),
    }
}

fn printf(it: &mut Interp, o: &ObjRef, a: &Args) -> Res<Value> {
    let (file, at) = if a.is_obj(0) {
        (Some(a.some_obj(0)?), 1)
    } else {
        (None, 0)
    };
    let d = data_of(o)?;
    let fmt = if a.is_str(at) { Some(a.str(at)?) } else { None };
    let at = if fmt.is_some() { at + 1 } else { at };
    let (s, e) = range(a, at, d.len())?;
    let mut out = String::new();
    let mut count = 0;
    if !d.is_empty() {
        for (k, &x) in d[s..=e].iter().enumerate() {
            match &fmt {
                Some(f) => out.push_str(&sprintf(f, &[FmtArg::Num(x)]).or_else(err)?),
                None => {
                    out.push_str(&crate::format::fmt_g(x, 6, false, false));
                    out.push('\t');
                    if (k + 1) % 5 == 0 {
                        out.push('\n');
                    }
                }
            }
            count += 1;
        }
    }
    if fmt.is_none() {
        out.push('\n');
    }
    match file {
        Some(f) => super::file::write_bytes(&f, out.as_bytes())?,
        None => it.print(&out),
    }
    num(count as f64)
}

/// The simulator variable a hoc pointer names; `what` starts the error for hoc variables.
pub fn record_target(it: &Interp, p: &Ptr, what: &str) -> Res<rsnrn_runtime::RecordTarget> {
    Ok(match p {
        Ptr::Model(ModelVar::T) => rsnrn_runtime::RecordTarget::Time,
        Ptr::Model(m) => rsnrn_runtime::RecordTarget::global(match m {
            ModelVar::Dt => "dt",
            ModelVar::Celsius => "celsius",
            _ => "secondorder",
        }),
        Ptr::MechGlobal(n) => rsnrn_runtime::RecordTarget::global(&**n),
        Ptr::Range { sec, x, name } => {
            rsnrn_runtime::RecordTarget::range(it.rt(*sec)?, *x, &**name)
        }
        Ptr::Point { obj, name } => {
            rsnrn_runtime::RecordTarget::point(super::point::pid(obj)?, &**name)
        }
        _ => {
            return err(format!(
                "{what} simulator variables (t, range variables, point-process fields, \
                 mechanism globals), not hoc variables"
            ))
        }
    })
}

fn record(it: &mut Interp, o: &ObjRef, a: &Args) -> Res<Value> {
    let at = if a.is_obj(0) { 1 } else { 0 };
    let p = a.ptr(at)?;
    if it.all_secs().is_empty() {
        return err("Section access unspecified");
    }
    let old = with(o, |v| v.rec.take())?;
    if let Some(id) = old {
        let _ = it.model.remove_record(id);
    }
    super::front_record::stop(it, o);
    // hoc variables and sampling at given times are the front end's (front_record.rs).
    let target = match record_target(it, &p, "") {
        Ok(target) if a.len() <= at + 1 => target,
        _ => {
            with(o, |v| v.data.clear())?;
            super::front_record::start(it, o, p, a, at + 1)?;
            return obj_value(o.clone());
        }
    };
    let id = it.model.record(target).or_else(|e| err(e.to_string()))?;
    with(o, |v| v.rec = Some(id))?;
    it.recordings.push((Rc::downgrade(o), id));
    obj_value(o.clone())
}
