//! Matrix (basic): setval/getval/x, nrow/ncol, mulv, mulm, transpose, inverse, ident, det,
//! printf.

use super::{num, obj_value, Args};
use crate::error::{err, Res};
use crate::format::{fmt_g, sprintf, FmtArg};
use crate::interp::Interp;
use crate::value::*;

pub fn construct(a: &Args) -> Res<ObjData> {
    let nrow = a.num_or(0, 1.0)?.max(0.0) as usize;
    let ncol = a.num_or(1, 1.0)?.max(0.0) as usize;
    Ok(ObjData::Matrix(MatrixData {
        nrow,
        ncol,
        data: vec![0.0; nrow * ncol],
    }))
}

fn with<R>(o: &ObjRef, f: impl FnOnce(&mut MatrixData) -> R) -> Res<R> {
    match &mut *o.data.borrow_mut() {
        ObjData::Matrix(m) => Ok(f(m)),
        _ => err(format!("{} is not a Matrix", o.name())),
    }
}

fn at(o: &ObjRef, idx: &[f64]) -> Res<usize> {
    let (r, c) = with(o, |m| (m.nrow, m.ncol))?;
    crate::interp::flat_index("x", &[r, c], idx)
}

pub fn get(o: &ObjRef, idx: &[f64]) -> Res<Value> {
    let i = at(o, idx)?;
    with(o, |m| Value::Num(m.data[i]))
}

pub fn set(o: &ObjRef, idx: &[f64], v: f64) -> Res<()> {
    let i = at(o, idx)?;
    with(o, |m| m.data[i] = v)
}

fn new_matrix(it: &mut Interp, nrow: usize, ncol: usize, data: Vec<f64>) -> Res<Value> {
    obj_value(it.reg.new_object(
        Class::Builtin(ClassKind::Matrix),
        ObjData::Matrix(MatrixData { nrow, ncol, data }),
    ))
}

fn copy(o: &ObjRef) -> Res<(usize, usize, Vec<f64>)> {
    with(o, |m| (m.nrow, m.ncol, m.data.clone()))
}

/// LU decomposition with partial pivoting: (lu, permutation sign), None when singular.
fn lu(n: usize, mut a: Vec<f64>) -> (Vec<f64>, Vec<usize>, f64, bool) {
    let mut perm: Vec<usize> = (0..n).collect();
    let mut sign = 1.0;
    for k in 0..n {
        let p = (k..n)
            .max_by(|&i, &j| a[i * n + k].abs().total_cmp(&a[j * n + k].abs()))
            .unwrap_or(k);
        if a[p * n + k] == 0.0 {
            return (a, perm, sign, false);
        }
        if p != k {
            for j in 0..n {
                a.swap(k * n + j, p * n + j);
            }
            perm.swap(k, p);
            sign = -sign;
        }
        for i in k + 1..n {
            let f = a[i * n + k] / a[k * n + k];
            a[i * n + k] = f;
            for j in k + 1..n {
                a[i * n + j] -= f * a[k * n + j];
            }
        }
    }
    (a, perm, sign, true)
}

pub fn method(it: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    let (nrow, ncol, data) = copy(o)?;
    match m {
        "nrow" => num(nrow as f64),
        "ncol" => num(ncol as f64),
        "getval" => get(o, &[a.num(0)?, a.num(1)?]),
        "setval" => {
            set(o, &[a.num(0)?, a.num(1)?], a.num(2)?)?;
            num(a.num(2)?)
        }
        "ident" => {
            with(o, |m| {
                for i in 0..m.nrow {
                    for j in 0..m.ncol {
                        m.data[i * m.ncol + j] = if i == j { 1.0 } else { 0.0 };
                    }
                }
            })?;
            obj_value(o.clone())
        }
        "zero" => {
            with(o, |m| m.data.fill(0.0))?;
            obj_value(o.clone())
        }
        "mulv" => {
            let v = super::vector::data_of(&a.some_obj(0)?)?;
            if v.len() != ncol {
                return err("Matrix.mulv: the Vector size differs from ncol");
            }
            let out: Vec<f64> = (0..nrow)
                .map(|i| (0..ncol).map(|j| data[i * ncol + j] * v[j]).sum())
                .collect();
            let vo = it.reg.new_object(
                Class::Builtin(ClassKind::Vector),
                ObjData::Vector(VecData {
                    data: out,
                    rec: None,
                }),
            );
            obj_value(vo)
        }
        "mulm" => {
            let (r2, c2, d2) = copy(&a.some_obj(0)?)?;
            if r2 != ncol {
                return err("Matrix.mulm: the sizes do not match");
            }
            let mut out = vec![0.0; nrow * c2];
            for i in 0..nrow {
                for j in 0..c2 {
                    out[i * c2 + j] = (0..ncol).map(|k| data[i * ncol + k] * d2[k * c2 + j]).sum();
                }
            }
            new_matrix(it, nrow, c2, out)
        }
        "transpose" => {
            let mut out = vec![0.0; nrow * ncol];
            for i in 0..nrow {
                for j in 0..ncol {
                    out[j * nrow + i] = data[i * ncol + j];
                }
            }
            new_matrix(it, ncol, nrow, out)
        }
        "inverse" => {
            if nrow != ncol {
                return err("Matrix.inverse needs a square matrix");
            }
            let n = nrow;
            let (lu, perm, _, ok) = lu(n, data);
            if !ok {
                return err("Matrix.inverse: the matrix is singular");
            }
            let mut inv = vec![0.0; n * n];
            for col in 0..n {
                let mut y: Vec<f64> = (0..n)
                    .map(|i| if perm[i] == col { 1.0 } else { 0.0 })
                    .collect();
                for i in 0..n {
                    for k in 0..i {
                        y[i] -= lu[i * n + k] * y[k];
                    }
                }
                for i in (0..n).rev() {
                    for k in i + 1..n {
                        y[i] -= lu[i * n + k] * y[k];
                    }
                    y[i] /= lu[i * n + i];
                }
                for i in 0..n {
                    inv[i * n + col] = y[i];
                }
            }
            new_matrix(it, n, n, inv)
        }
        "det" => {
            if nrow != ncol {
                return err("Matrix.det needs a square matrix");
            }
            let (lu, _, sign, ok) = lu(nrow, data);
            let d = if ok {
                sign * (0..nrow).map(|i| lu[i * nrow + i]).product::<f64>()
            } else {
                0.0
            };
            // A mantissa and a base-10 exponent through the pointer argument.
            let (mant, e) = if d == 0.0 {
                (0.0, 0.0)
            } else {
                let e = d.abs().log10().floor();
                (d / 10f64.powf(e), e)
            };
            if !a.is_empty() {
                let p = a.ptr(0)?;
                it.write_ptr(&p, e)?;
                num(mant)
            } else {
                num(d)
            }
        }
        "printf" => {
            let fmt = if a.is_str(0) { Some(a.str(0)?) } else { None };
            let mut out = String::new();
            for i in 0..nrow {
                for j in 0..ncol {
                    let x = data[i * ncol + j];
                    match &fmt {
                        Some(f) => out.push_str(&sprintf(f, &[FmtArg::Num(x)]).or_else(err)?),
                        None => out.push_str(&format!(" {:<8}", fmt_g(x, 6, false, false))),
                    }
                }
                out.push('\n');
            }
            it.print(&out);
            num(0.0)
        }
        _ => err(format!("'{m}' not a public member of 'Matrix'")),
    }
}
