//! `table_<name>_<suffix>(...)`: gives a mechanism's FUNCTION_TABLE its values, in the forms
//! nrniv 9.0.2 accepts: `(value)` for a constant, `(yvec, xvec)` with two Vectors,
//! `(&y[0], n, &x[0])` with n values at n points, `(&y[0], n, xmin, xmax)` with n values
//! evenly spaced from xmin to xmax, and for a table of two arguments the values of a hoc
//! matrix (`&z[0][0]`, the second argument varying fastest) followed by one such group per
//! argument. Like NEURON's, the call returns 0.

use rsnrn_runtime::{Axis, FunctionTable};

use crate::ast::Expr;
use crate::builtins::vector::data_of;
use crate::error::{err, Res};
use crate::value::{CellRef, ObjData, Ptr, Value};

use super::Interp;

impl Interp {
    /// A call of an undefined hoc name `table_<table>_<mechanism>`; None when the name is not
    /// one of a FUNCTION_TABLE.
    pub(super) fn call_function_table_name(
        &mut self,
        name: &str,
        args: &[Expr],
    ) -> Option<Res<Value>> {
        let rest = name.strip_prefix("table_")?;
        let (table, mechanism) = rest
            .match_indices('_')
            .map(|(i, _)| (&rest[..i], &rest[i + 1..]))
            .find(|(t, m)| {
                self.model
                    .function_tables(m)
                    .is_ok_and(|ts| ts.iter().any(|ft| ft.name == *t))
            })?;
        let (table, mechanism) = (table.to_string(), mechanism.to_string());
        Some((|| {
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                values.push(self.eval(a)?);
            }
            let values = self.table_values(name, &values)?;
            self.model
                .set_function_table(&mechanism, &table, values)
                .or_else(|e| err(format!("{name}: {e}")))?;
            Ok(Value::Num(0.0))
        })())
    }

    fn table_values(&mut self, name: &str, args: &[Value]) -> Res<FunctionTable> {
        let forms = || {
            err(format!(
                "{name}: the arguments must be (value), (yvec, xvec), (&y[0], n, &x[0]), \
                 (&y[0], n, xmin, xmax), or for a table of two arguments (&z[0][0], n1, &x1[0], \
                 n2, &x2[0]) or (&z[0][0], n1, x1min, x1max, n2, x2min, x2max)"
            ))
        };
        match args {
            [Value::Num(c)] => return Ok(FunctionTable::Constant(*c)),
            [y, x] if vector(y).is_some() && vector(x).is_some() => {
                return Ok(FunctionTable::Sampled {
                    values: data_of(vector(y).expect("checked"))?,
                    axes: vec![Axis::Points(data_of(vector(x).expect("checked"))?)],
                })
            }
            _ => {}
        }
        let [Value::Ptr(values), rest @ ..] = args else {
            return forms();
        };
        // One group per argument: (n, &x[0]) or (n, xmin, xmax).
        let mut axes = Vec::new();
        let mut rest = rest;
        while !rest.is_empty() {
            let (n, group_len) = match rest {
                [Value::Num(n), Value::Ptr(x), ..] => {
                    let n = count(name, *n)?;
                    (Axis::Points(self.read_doubles(x, n)?), 2)
                }
                [Value::Num(n), Value::Num(min), Value::Num(max), ..] => (
                    Axis::Even {
                        min: *min,
                        max: *max,
                        n: count(name, *n)?,
                    },
                    3,
                ),
                _ => return forms(),
            };
            axes.push(n);
            rest = &rest[group_len..];
        }
        if axes.is_empty() {
            return forms();
        }
        let total: usize = axes.iter().map(Axis::len).product();
        Ok(FunctionTable::Sampled {
            values: self.read_doubles(values, total)?,
            axes,
        })
    }

    /// `n` consecutive doubles from `p` on: elements of a Vector or of a hoc array.
    fn read_doubles(&mut self, p: &Ptr, n: usize) -> Res<Vec<f64>> {
        match p {
            Ptr::VecElem(o, i) => {
                let data = data_of(o)?;
                match data.get(*i..i + n) {
                    Some(d) => Ok(d.to_vec()),
                    None => err(format!(
                        "{n} values from element {i} of {}: it has {} elements",
                        o.name(),
                        data.len()
                    )),
                }
            }
            Ptr::Cell(CellRef::Var { scope, slot, index }) => (0..n as u32)
                .map(|k| {
                    self.read_ptr(&Ptr::Cell(CellRef::Var {
                        scope: scope.clone(),
                        slot: *slot,
                        index: index + k,
                    }))
                })
                .collect(),
            _ if n == 1 => Ok(vec![self.read_ptr(p)?]),
            _ => err(format!(
                "{n} values from a pointer that is neither a Vector element nor a hoc array element"
            )),
        }
    }
}

fn vector(v: &Value) -> Option<&crate::value::ObjRef> {
    match v {
        Value::Obj(Some(o)) | Value::ObjCell(_, Some(o))
            if matches!(&*o.data.borrow(), ObjData::Vector(_)) =>
        {
            Some(o)
        }
        _ => None,
    }
}

/// A number of points: a positive integer.
fn count(name: &str, x: f64) -> Res<usize> {
    if x >= 1.0 && x.fract() == 0.0 && x <= f64::from(u32::MAX) {
        Ok(x as usize)
    } else {
        err(format!(
            "{name}: a number of points must be a positive integer, not {x}"
        ))
    }
}
