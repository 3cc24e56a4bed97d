//! `ion_style("name_ion")` and `ion_style("name_ion", c_style, e_style, einit, eadvance,
//! cinit)` for the accessed section: the style as NEURON encodes it (the one before, when
//! setting), -1 when no mechanism of the section uses the ion.

use rsnrn_runtime::IonStyleSetting;

use super::{num, Args};
use crate::error::{err, Res};
use crate::interp::{Builtin, Interp};
use crate::value::Value;

pub fn install(it: &mut Interp) {
    it.define_builtin("ion_style", Builtin::Func(ion_style));
}

fn ion_style(it: &mut Interp, v: Vec<Value>) -> Res<Value> {
    let a = Args::new("ion_style", v);
    let name = a.str(0)?;
    let Some(ion) = name.strip_suffix("_ion") else {
        return err(format!(
            "ion_style: {name} is not an ion (ion names end in _ion)"
        ));
    };
    let sec = it.cas()?;
    let rt = it.rt(sec)?;
    let fail = |e: rsnrn_runtime::RuntimeError| err(format!("ion_style: {name}: {e}"));
    let before = match a.len() {
        1 => it.model.ion_style(rt, ion).or_else(fail)?,
        6 => {
            let level = |k: usize| -> Res<u8> {
                let x = a.num(k)?;
                if !(0.0..=3.0).contains(&x) {
                    return err(format!("ion_style: argument {} is {x}, not 0..3", k + 1));
                }
                Ok(x as u8)
            };
            let setting = IonStyleSetting {
                c_style: level(1)?,
                e_style: level(2)?,
                einit: a.num(3)? != 0.0,
                eadvance: a.num(4)? != 0.0,
                cinit: a.num(5)? != 0.0,
            };
            it.model.set_ion_style(rt, ion, setting).or_else(fail)?
        }
        n => {
            return err(format!(
                "ion_style takes 1 argument or 6 (name, c_style, e_style, einit, eadvance, cinit), not {n}"
            ))
        }
    };
    num(before.map_or(-1.0, |s| f64::from(s.code())))
}
