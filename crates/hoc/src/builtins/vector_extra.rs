//! More Vector methods (NEURON's documented behaviour): clear, tanh, sin, integral, median,
//! ind, histogram. Reached from `vector::method` for names it does not know.

use super::{num, obj_value, Args};
use crate::error::{err, Res};
use crate::interp::Interp;
use crate::value::*;

fn data(o: &ObjRef) -> Res<Vec<f64>> {
    match &*o.data.borrow() {
        ObjData::Vector(v) => Ok(v.data.clone()),
        _ => err(format!("{} is not a Vector", o.name())),
    }
}

fn set_data(o: &ObjRef, d: Vec<f64>) -> Res<()> {
    match &mut *o.data.borrow_mut() {
        ObjData::Vector(v) => {
            v.data = d;
            Ok(())
        }
        _ => err(format!("{} is not a Vector", o.name())),
    }
}

fn new_vector(it: &mut Interp, d: Vec<f64>) -> Res<Value> {
    let v = it.reg.new_object(
        Class::Builtin(ClassKind::Vector),
        ObjData::Vector(VecData { data: d, rec: None }),
    );
    obj_value(v)
}

pub fn method(it: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    match m {
        "clear" => {
            set_data(o, Vec::new())?;
            obj_value(o.clone())
        }
        "tanh" => {
            let d = data(o)?.into_iter().map(f64::tanh).collect();
            set_data(o, d)?;
            obj_value(o.clone())
        }
        // sin(freq [Hz], phase [rad] [, dt [ms], default 0.025]) over the Vector's size.
        "sin" => {
            let (freq, phase, dt) = (a.num(0)?, a.num(1)?, a.num_or(2, 0.025)?);
            let n = data(o)?.len();
            let w = 2.0 * std::f64::consts::PI * freq * dt / 1000.0;
            set_data(o, (0..n).map(|i| (w * i as f64 + phase).sin()).collect())?;
            obj_value(o.clone())
        }
        // Running sum times dt, the first element kept: y[i] = y[i-1] + x[i]·dt.
        "integral" => {
            let dt = a.num_or(0, 1.0)?;
            let mut d = data(o)?;
            for i in 1..d.len() {
                d[i] = d[i - 1] + d[i] * dt;
            }
            set_data(o, d)?;
            obj_value(o.clone())
        }
        "median" => {
            let mut d = data(o)?;
            if d.is_empty() {
                return err("Vector.median: the Vector is empty");
            }
            d.sort_by(f64::total_cmp);
            let k = d.len();
            num(if k % 2 == 1 {
                d[k / 2]
            } else {
                (d[k / 2 - 1] + d[k / 2]) / 2.0
            })
        }
        // meansqerr(other [, weights]): mean of (x - y)²·w.
        "meansqerr" => {
            let (x, y) = (data(o)?, data(&a.some_obj(0)?)?);
            if x.len() != y.len() || x.is_empty() {
                return err("Vector.meansqerr: the Vectors must have the same, nonzero size");
            }
            let w = if a.len() > 1 {
                data(&a.some_obj(1)?)?
            } else {
                vec![1.0; x.len()]
            };
            if w.len() != x.len() {
                return err("Vector.meansqerr: the weights must have the Vectors' size");
            }
            let sum: f64 = x
                .iter()
                .zip(&y)
                .zip(&w)
                .map(|((a, b), w)| (a - b) * (a - b) * w)
                .sum();
            num(sum / x.len() as f64)
        }
        "ind" => {
            let d = data(o)?;
            let idx = data(&a.some_obj(0)?)?;
            let mut out = Vec::with_capacity(idx.len());
            for i in idx {
                match d.get(i as usize).filter(|_| i >= 0.0) {
                    Some(&x) => out.push(x),
                    None => return err(format!("Vector.ind: index {i} out of range")),
                }
            }
            new_vector(it, out)
        }
        // histogram(low, high, width): bin 0 counts values below low, bin k (1..) counts
        // [low + (k-1)·width, low + k·width).
        "histogram" => {
            let (low, high, width) = (a.num(0)?, a.num(1)?, a.num(2)?);
            if width.is_nan() || width <= 0.0 || high < low {
                return err("Vector.histogram: needs low <= high and width > 0");
            }
            let n = ((high - low) / width).floor() as usize + 2;
            let mut h = vec![0.0; n];
            for x in data(o)? {
                let b = ((x - low) / width).floor() + 1.0;
                if b >= 0.0 && (b as usize) < n {
                    h[b as usize] += 1.0;
                }
            }
            new_vector(it, h)
        }
        _ => err(format!("'{m}' not a public member of 'Vector'")),
    }
}

/// The label of Vector `o` ("" if none).
pub fn label_of(it: &Interp, o: &ObjRef) -> String {
    it.hooks
        .vector_labels
        .iter()
        .find(|(w, _)| w.upgrade().is_some_and(|v| std::rc::Rc::ptr_eq(&v, o)))
        .map(|(_, l)| l.clone())
        .unwrap_or_default()
}

/// `vec.label(s)`.
pub fn set_label(it: &mut Interp, o: &ObjRef, label: String) {
    let labels = &mut it.hooks.vector_labels;
    labels.retain(|(w, _)| w.upgrade().is_some_and(|v| !std::rc::Rc::ptr_eq(&v, o)));
    if !label.is_empty() {
        labels.push((std::rc::Rc::downgrade(o), label));
    }
}
