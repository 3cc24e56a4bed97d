//! A mechanism's FUNCTIONs and PROCEDUREs called from hoc as NEURON 9 names them:
//! `f_suffix(args)` for a density mechanism (on the instance `setdata_suffix(x)` chose in
//! the section accessed then, when the function uses instance data) and `pp.f(args)` for a
//! point process.

use crate::ast::Expr;
use crate::error::{err, Res};
use crate::value::Value;

use super::Interp;

impl Interp {
    /// A call of an undefined hoc name: `setdata_<suffix>(x)` or `<f>_<suffix>(args)`; None
    /// when the name is neither.
    pub(super) fn call_mechanism_name(&mut self, name: &str, args: &[Expr]) -> Option<Res<Value>> {
        if let Some(suffix) = name.strip_prefix("setdata_") {
            if self.density_mechanism(suffix) {
                return Some(self.setdata(suffix, args));
            }
        }
        let (function, suffix) = split_suffix(name, |s| self.density_mechanism(s))?;
        let info = self
            .model
            .mechanism_functions(suffix)
            .ok()?
            .iter()
            .find(|f| f.name == function)?
            .clone();
        let (function, suffix) = (function.to_string(), suffix.to_string());
        Some((|| {
            let values = self.numbers(args)?;
            // NMODL printf writes to stdout directly: what hoc printed before comes first.
            self.flush();
            let result = if info.uses_instance {
                let Some(&(sec, x)) = self.setdata.get(&suffix) else {
                    return err(format!(
                        "No data for {name}. Requires prior call to setdata_{suffix} and that \
                         the specified mechanism instance still be in existence."
                    ));
                };
                let rt = self.rt(sec)?;
                self.model
                    .call_density_function(rt, x, &suffix, &function, &values)
            } else {
                self.model
                    .call_mechanism_function(&suffix, &function, &values)
            };
            result
                .map(Value::Num)
                .or_else(|e| err(format!("{name}: {e}")))
        })())
    }

    /// `pp.f(args)`: FUNCTION or PROCEDURE `f` of the point process's mechanism, if it has one.
    pub fn call_point_function(
        &mut self,
        point: rsnrn_runtime::PointProcessId,
        mechanism: &str,
        function: &str,
        args: &[f64],
    ) -> Option<Res<Value>> {
        let known = self
            .model
            .mechanism_functions(mechanism)
            .ok()?
            .iter()
            .any(|f| f.name == function);
        if !known {
            return None;
        }
        self.flush();
        Some(
            self.model
                .call_point_function(point, function, args)
                .map(Value::Num)
                .or_else(|e| err(format!("{function}: {e}"))),
        )
    }

    fn density_mechanism(&self, suffix: &str) -> bool {
        self.model
            .mechanism_id(suffix)
            .ok()
            .and_then(|id| self.model.mechanism_info(id))
            .is_some_and(|i| i.kind == rsnrn_abi::MechanismKind::Density)
    }

    /// `setdata_suffix(x)`: later calls of the mechanism's functions use its instance at
    /// x of the section accessed now.
    fn setdata(&mut self, suffix: &str, args: &[Expr]) -> Res<Value> {
        let x = match self.numbers(args)?.as_slice() {
            [] => 0.5,
            [x] => *x,
            _ => return err(format!("setdata_{suffix} takes one argument, x")),
        };
        let sec = self.cas()?;
        let rt = self.rt(sec)?;
        if !self
            .model
            .has_mechanism(rt, suffix)
            .or_else(|e| err(e.to_string()))?
        {
            return err(format!(
                "setdata_{suffix}: {suffix} is not inserted in the accessed section"
            ));
        }
        self.setdata.insert(suffix.to_string(), (sec, x));
        Ok(Value::Num(1.0))
    }

    fn numbers(&mut self, args: &[Expr]) -> Res<Vec<f64>> {
        args.iter().map(|a| self.eval_num(a)).collect()
    }
}

/// `rates_hh` -> (`rates`, `hh`) for the first `_` whose right side is a mechanism.
fn split_suffix(name: &str, is_mechanism: impl Fn(&str) -> bool) -> Option<(&str, &str)> {
    name.match_indices('_')
        .map(|(i, _)| (&name[..i], &name[i + 1..]))
        .find(|(f, s)| !f.is_empty() && is_mechanism(s))
}
