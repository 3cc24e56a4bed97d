//! NMODL `FUNCTION_TABLE`s: functions whose values the user gives from hoc
//! (`table_<name>_<suffix>(...)`) and that generated code calls through
//! [`rsnrn_abi::Services::function_table`].
//!
//! As NEURON 9.0.2 (checked with nrniv): a table of points `(x_i, y_i)` interpolates linearly,
//! `y_i·(1 − s) + y_{i+1}·s` with `s = (x − x_i)/(x_{i+1} − x_i)`; evenly spaced points from
//! `xmin` to `xmax` find the interval from `u = (x − xmin)/dx`, `i = ⌊u⌋`, `s = u − i`; outside
//! the points the value is the first or last y; a constant table returns its value; a table of
//! two arguments interpolates along the second argument in the two rows around the first, then
//! between the rows; a call before any table was given stops the run. Unlike NEURON, points
//! that do not increase are refused (NEURON takes them and answers oddly).

use std::cell::Cell;
use std::cmp::Ordering::Less;

use rsnrn_abi::{KernelContext, MechanismData};

use crate::error::{Result, RuntimeError};
use crate::model::CableModel;

/// Where a table's values lie along one argument.
#[derive(Debug, Clone, PartialEq)]
pub enum Axis {
    /// At these increasing points.
    Points(Vec<f64>),
    /// At `n` points evenly spaced from `min` to `max`.
    Even { min: f64, max: f64, n: usize },
}

impl Axis {
    pub fn len(&self) -> usize {
        match self {
            Axis::Points(x) => x.len(),
            Axis::Even { n, .. } => *n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The interval `[i, i + 1]` holding `x` and the fraction `s` of the way along it;
    /// outside the points, the first or last point (s = 0 or 1). Needs two points or more.
    fn locate(&self, x: f64) -> (usize, f64) {
        let last = self.len() - 1;
        match self {
            Axis::Points(xs) => {
                if x <= xs[0] {
                    return (0, 0.0);
                }
                if x >= xs[last] {
                    return (last - 1, 1.0);
                }
                let i = xs.partition_point(|&xi| xi <= x) - 1;
                (i, (x - xs[i]) / (xs[i + 1] - xs[i]))
            }
            Axis::Even { min, max, .. } => {
                if x <= *min {
                    return (0, 0.0);
                }
                if x >= *max {
                    return (last - 1, 1.0);
                }
                let u = (x - min) / ((max - min) / last as f64);
                let i = (u as usize).min(last - 1);
                (i, u - i as f64)
            }
        }
    }

    fn check(&self) -> std::result::Result<(), String> {
        match self {
            Axis::Points(x) if x.is_empty() => Err("an argument has no points".into()),
            Axis::Points(x) if x.windows(2).any(|w| w[0].partial_cmp(&w[1]) != Some(Less)) => {
                Err("the points of an argument must increase".into())
            }
            Axis::Even { n: 0, .. } => Err("an argument has no points".into()),
            Axis::Even { min, max, n } if *n > 1 && min.partial_cmp(max) != Some(Less) => Err(
                format!("the first point {min} must be less than the last {max}"),
            ),
            _ => Ok(()),
        }
    }
}

/// The values hoc gave one FUNCTION_TABLE.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum FunctionTable {
    /// Never given: a call stops the run.
    #[default]
    Unset,
    /// `table_f(value)`.
    Constant(f64),
    /// Values on a grid, one axis per argument, the last argument varying fastest
    /// (`table_f(&y, n, &x)`, `(yvec, xvec)`, `(&y, n, xmin, xmax)`, `(&z, n1, &x1, n2, &x2)`,
    /// ...).
    Sampled { axes: Vec<Axis>, values: Vec<f64> },
}

impl FunctionTable {
    /// The value at `args`; None when no table was given.
    pub fn value(&self, args: &[f64]) -> Option<f64> {
        match self {
            FunctionTable::Unset => None,
            FunctionTable::Constant(c) => Some(*c),
            FunctionTable::Sampled { axes, values } => Some(interpolate(axes, values, args)),
        }
    }
}

/// Linear interpolation along the first axis between the two rows around `args[0]`, each
/// interpolated along the remaining axes first (NEURON's order, checked in 2-D).
fn interpolate(axes: &[Axis], values: &[f64], args: &[f64]) -> f64 {
    let Some((axis, rest)) = axes.split_first() else {
        return values[0];
    };
    let stride: usize = rest.iter().map(Axis::len).product();
    let row = |i: usize| interpolate(rest, &values[i * stride..], &args[1..]);
    if axis.len() == 1 {
        return row(0);
    }
    let (i, s) = axis.locate(args[0]);
    row(i) * (1.0 - s) + row(i + 1) * s
}

/// A mechanism's FUNCTION_TABLEs as the service sees them through
/// `MechanismData::function_tables` (boxed by the store, so the pointer survives moves).
#[derive(Debug, Default)]
pub(crate) struct FunctionTables {
    /// Per FUNCTION_TABLE of the mechanism, what hoc gave it.
    pub tables: Vec<FunctionTable>,
    /// The table a call found without values, for the front ends' direct calls (a kernel
    /// learns it from its failure status).
    pub unset_called: Cell<Option<usize>>,
}

/// [`rsnrn_abi::Services::function_table`].
pub(crate) unsafe extern "C" fn function_table(
    _ctx: *const KernelContext,
    data: *const MechanismData,
    table: u64,
    args: *const f64,
    nargs: u64,
    failure: *mut f64,
    failure_code: f64,
) -> f64 {
    // SAFETY: `data` is the calling kernel's mechanism data, whose `function_tables` the
    // runtime points at the mechanism's tables (one per MechanismInfo::function_tables, the
    // numbering the code generator used); the generated call passes `nargs` arguments and its
    // failure record.
    let (tables, args) = unsafe {
        let tables = &*((*data).function_tables as *const FunctionTables);
        (tables, std::slice::from_raw_parts(args, nargs as usize))
    };
    match tables.tables[table as usize].value(args) {
        Some(y) => y,
        None => {
            tables.unset_called.set(Some(table as usize));
            // SAFETY: see above.
            unsafe { *failure = failure_code };
            0.0
        }
    }
}

impl CableModel {
    /// Gives FUNCTION_TABLE `table` of mechanism `mechanism` its values (hoc's
    /// `table_<table>_<mechanism>(...)`).
    pub fn set_function_table(
        &mut self,
        mechanism: &str,
        table: &str,
        values: FunctionTable,
    ) -> Result<()> {
        let id = self.reg.lookup(mechanism)?;
        let m = &mut self.reg.mechs[id.index()];
        let bad = |message: String| RuntimeError::FunctionTable {
            mechanism: mechanism.to_string(),
            table: table.to_string(),
            message,
        };
        let k = m
            .info
            .function_tables
            .iter()
            .position(|t| t.name == table)
            .ok_or_else(|| RuntimeError::UnknownVariable {
                name: table.to_string(),
                context: format!("(mechanism {mechanism} has no FUNCTION_TABLE of that name)"),
            })?;
        let arguments = m.info.function_tables[k].arguments as usize;
        if let FunctionTable::Sampled { axes, values } = &values {
            if axes.len() != arguments {
                return Err(bad(format!(
                    "values along {} arguments given to a table of {arguments}",
                    axes.len()
                )));
            }
            axes.iter().try_for_each(Axis::check).map_err(bad)?;
            let expected: usize = axes.iter().map(Axis::len).product();
            if values.len() != expected {
                return Err(bad(format!(
                    "{} values given for a grid of {expected} points",
                    values.len()
                )));
            }
        }
        m.store.function_tables.tables[k] = values;
        Ok(())
    }

    /// The FUNCTION_TABLEs of mechanism `mechanism`.
    pub fn function_tables(&self, mechanism: &str) -> Result<&[rsnrn_abi::FunctionTableInfo]> {
        let id = self.reg.lookup(mechanism)?;
        Ok(&self.reg.mech(id).info.function_tables)
    }

    /// An error when `function` of `mechanism` is a FUNCTION_TABLE not given yet (a direct
    /// call from a front end then stops as a call from a kernel does).
    pub(crate) fn check_function_table_set(&self, mechanism: usize, function: &str) -> Result<()> {
        let m = &self.reg.mechs[mechanism];
        let unset = m
            .info
            .function_tables
            .iter()
            .position(|t| t.name == function)
            .is_some_and(|k| m.store.function_tables.tables[k] == FunctionTable::Unset);
        if unset {
            return Err(unset_error(&m.info.name, function));
        }
        m.store.function_tables.unset_called.set(None);
        Ok(())
    }

    /// After a front end's call of a function of `mechanism`: an error when it called a
    /// FUNCTION_TABLE without values on the way (the call's value is then meaningless).
    pub(crate) fn check_function_tables_called(&self, mechanism: usize) -> Result<()> {
        let m = &self.reg.mechs[mechanism];
        match m.store.function_tables.unset_called.take() {
            Some(k) => Err(unset_error(&m.info.name, &m.info.function_tables[k].name)),
            None => Ok(()),
        }
    }
}

fn unset_error(mechanism: &str, table: &str) -> RuntimeError {
    RuntimeError::FunctionTable {
        mechanism: mechanism.to_string(),
        table: table.to_string(),
        message: format!(
            "table not specified: its values were never given (hoc: table_{table}_{mechanism}(...))"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::{Axis, FunctionTable};

    #[test]
    fn interpolates_and_clamps_as_neuron() {
        let t = FunctionTable::Sampled {
            axes: vec![Axis::Points(vec![-80.0, -40.0, 0.0, 40.0])],
            values: vec![5.0, 2.0, 1.0, 3.0],
        };
        assert_eq!(t.value(&[-65.0]), Some(3.875));
        assert_eq!(t.value(&[-100.0]), Some(5.0));
        assert_eq!(t.value(&[100.0]), Some(3.0));
        assert_eq!(t.value(&[-40.0]), Some(2.0));
        let e = FunctionTable::Sampled {
            axes: vec![Axis::Even {
                min: -80.0,
                max: 0.0,
                n: 3,
            }],
            values: vec![5.0, 2.0, 1.0],
        };
        assert_eq!(e.value(&[-65.0]), Some(3.875));
        assert_eq!(e.value(&[-10.0]), Some(1.25));
        assert_eq!(e.value(&[10.0]), Some(1.0));
        assert_eq!(FunctionTable::Constant(7.0).value(&[3.0]), Some(7.0));
        assert_eq!(FunctionTable::Unset.value(&[3.0]), None);
    }

    /// nrniv: z = [[1, 2, 4], [10, 20, 40]] at x1 = 0, 1 and x2 = 0, 1, 3.
    #[test]
    fn two_arguments_as_neuron() {
        let t = FunctionTable::Sampled {
            axes: vec![
                Axis::Points(vec![0.0, 1.0]),
                Axis::Points(vec![0.0, 1.0, 3.0]),
            ],
            values: vec![1.0, 2.0, 4.0, 10.0, 20.0, 40.0],
        };
        assert_eq!(t.value(&[0.5, 0.5]), Some(8.25));
        assert_eq!(t.value(&[0.25, 2.0]), Some(9.75));
        assert_eq!(t.value(&[2.0, 5.0]), Some(40.0));
    }
}
