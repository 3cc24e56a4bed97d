//! NMODL `FUNCTION_TABLE`s: functions whose values the user gives from hoc
//! (`table_<name>_<suffix>(...)`) and that generated code calls through
//! [`rsnrn_abi::Services::function_table`].
//!
//! As NEURON 9.0.2 (checked with nrniv): a table of points `(x_i, y_i)` interpolates linearly,
//! `y_i·(1 − s) + y_{i+1}·s` with `s = (x − x_i)/(x_{i+1} − x_i)`; evenly spaced points from
//! `xmin` to `xmax` find the interval from `u = (x − xmin)/dx`, `i = ⌊u⌋`, `s = u − i`; outside
//! the points the value is the first or last y; a constant table returns its value; a call
//! before any table was given stops the run.

use rsnrn_abi::{KernelContext, MechanismData};

use crate::error::{Result, RuntimeError};
use crate::model::CableModel;

/// The values hoc gave one FUNCTION_TABLE of one argument.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum FunctionTable {
    /// Never given: a call stops the run.
    #[default]
    Unset,
    /// `table_f(value)`.
    Constant(f64),
    /// `table_f(&y, n, &x)` or `table_f(yvec, xvec)`: y at increasing x.
    Points { x: Vec<f64>, y: Vec<f64> },
    /// `table_f(&y, n, xmin, xmax)`: y at n evenly spaced x.
    Even { y: Vec<f64>, xmin: f64, xmax: f64 },
}

impl FunctionTable {
    /// The value at `x`; None when no table was given.
    pub fn value(&self, x: f64) -> Option<f64> {
        Some(match self {
            FunctionTable::Unset => return None,
            FunctionTable::Constant(c) => *c,
            FunctionTable::Points { x: xs, y } => {
                let last = y.len() - 1;
                if x <= xs[0] || last == 0 {
                    return Some(y[0]);
                }
                if x >= xs[last] {
                    return Some(y[last]);
                }
                // The interval [x_i, x_{i+1}) holding x (x_0 < x < x_last here).
                let i = xs.partition_point(|&xi| xi <= x) - 1;
                let s = (x - xs[i]) / (xs[i + 1] - xs[i]);
                y[i] * (1.0 - s) + y[i + 1] * s
            }
            FunctionTable::Even { y, xmin, xmax } => {
                let last = y.len() - 1;
                if x <= *xmin || last == 0 {
                    return Some(y[0]);
                }
                if x >= *xmax {
                    return Some(y[last]);
                }
                let dx = (xmax - xmin) / last as f64;
                let u = (x - xmin) / dx;
                let i = (u as usize).min(last - 1);
                let s = u - i as f64;
                (1.0 - s) * y[i] + s * y[i + 1]
            }
        })
    }
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
        let tables = (*data).function_tables as *const FunctionTable;
        (
            &*tables.add(table as usize),
            std::slice::from_raw_parts(args, nargs as usize),
        )
    };
    // A table of no argument can only be constant: any x will do.
    match tables.value(args.first().copied().unwrap_or(0.0)) {
        Some(y) => y,
        None => {
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
        let arguments = m.info.function_tables[k].arguments;
        if arguments != 1
            && matches!(
                values,
                FunctionTable::Points { .. } | FunctionTable::Even { .. }
            )
        {
            return Err(bad(format!(
                "only a constant value is supported for a table of {arguments} arguments"
            )));
        }
        match &values {
            FunctionTable::Points { x, y } => {
                if y.is_empty() || x.len() != y.len() {
                    return Err(bad(format!(
                        "{} values at {} points: there must be as many, at least one",
                        y.len(),
                        x.len()
                    )));
                }
                if x.windows(2).any(|w| !(w[0] < w[1])) {
                    return Err(bad("the x values must increase".into()));
                }
            }
            FunctionTable::Even { y, xmin, xmax } => {
                if y.is_empty() {
                    return Err(bad("the table needs at least one value".into()));
                }
                if y.len() > 1 && !(xmin < xmax) {
                    return Err(bad(format!("xmin {xmin} must be less than xmax {xmax}")));
                }
            }
            _ => {}
        }
        m.store.function_tables[k] = values;
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
            .is_some_and(|k| m.store.function_tables[k] == FunctionTable::Unset);
        if unset {
            return Err(unset_error(&m.info.name, function));
        }
        Ok(())
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
    use super::FunctionTable;

    #[test]
    fn interpolates_and_clamps_as_neuron() {
        let t = FunctionTable::Points {
            x: vec![-80.0, -40.0, 0.0, 40.0],
            y: vec![5.0, 2.0, 1.0, 3.0],
        };
        assert_eq!(t.value(-65.0), Some(3.875));
        assert_eq!(t.value(-100.0), Some(5.0));
        assert_eq!(t.value(100.0), Some(3.0));
        assert_eq!(t.value(-40.0), Some(2.0));
        let e = FunctionTable::Even {
            y: vec![5.0, 2.0, 1.0],
            xmin: -80.0,
            xmax: 0.0,
        };
        assert_eq!(e.value(-65.0), Some(3.875));
        assert_eq!(e.value(-10.0), Some(1.25));
        assert_eq!(e.value(10.0), Some(1.0));
        assert_eq!(FunctionTable::Constant(7.0).value(3.0), Some(7.0));
        assert_eq!(FunctionTable::Unset.value(3.0), None);
    }
}
