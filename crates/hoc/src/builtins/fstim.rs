//! `fstim()`, NEURON's old-style current stimuli (before point processes existed):
//! `fstim(n)` discards the stimuli there were and makes room for n, `fstim(i, loc, delay,
//! duration, amp)` puts stimulus i at `loc` of the accessed section: a constant `amp` nA into
//! the cell from `delay` for `duration` ms. That is exactly an IClamp on the same node, so
//! each stimulus is one, made in the runtime without a hoc object (fstim's stimuli are not
//! objects in NEURON either).

use rsnrn_runtime::PointProcessId;

use super::{num, Args};
use crate::error::{err, Res};
use crate::interp::{Builtin, Interp};
use crate::value::Value;

pub fn install(it: &mut Interp) {
    it.define_builtin("fstim", Builtin::Func(fstim));
}

fn fstim(it: &mut Interp, v: Vec<Value>) -> Res<Value> {
    let a = Args::new("fstim", v);
    match a.len() {
        1 => {
            let n = a.num(0)?;
            if n.is_nan() || n < 0.0 {
                return err(format!("fstim({n}): the number of stimuli must be >= 0"));
            }
            for p in std::mem::take(&mut it.fstims).into_iter().flatten() {
                discard(it, p)?;
            }
            it.fstims = vec![None; n as usize];
            num(0.0)
        }
        5 => {
            let i = a.num(0)?;
            let count = it.fstims.len();
            if i.is_nan() || i < 0.0 || (i as usize) >= count {
                return err(format!(
                    "fstim: stimulus index {i} out of range (fstim({count}) made room for {count})"
                ));
            }
            let (x, delay, duration, amp) = (a.num(1)?, a.num(2)?, a.num(3)?, a.num(4)?);
            if !(0.0..=1.0).contains(&x) {
                return err(format!("fstim: location {x} is outside 0 <= x <= 1"));
            }
            let sec = it.cas()?;
            let rt = it.rt(sec)?;
            let stim = place(it, rt, x, [delay, duration, amp])?;
            if let Some(old) = it.fstims[i as usize].replace(stim) {
                discard(it, old)?;
            }
            num(0.0)
        }
        n => err(format!(
            "fstim takes 1 argument (the number of stimuli) or 5 (i, loc, delay, duration, amp), not {n}"
        )),
    }
}

/// An IClamp at the node of `x` with del, dur and amp.
fn place(
    it: &mut Interp,
    rt: rsnrn_runtime::SectionId,
    x: f64,
    [delay, duration, amp]: [f64; 3],
) -> Res<PointProcessId> {
    let nseg = it.model.nseg(rt).or_else(fail)?;
    let p = it
        .model
        .add_point_process(rt, super::point::node_x(x, nseg), "IClamp")
        .or_else(fail)?;
    for (field, value) in [("del", delay), ("dur", duration), ("amp", amp)] {
        it.model.set_point(p, field, value).or_else(fail)?;
    }
    Ok(p)
}

fn fail<T>(e: rsnrn_runtime::RuntimeError) -> Res<T> {
    err(format!("fstim: {e}"))
}

/// Removes a stimulus; one that went with its deleted section is already gone.
fn discard(it: &mut Interp, p: PointProcessId) -> Res<()> {
    match it.model.remove_point_process(p) {
        Ok(()) | Err(rsnrn_runtime::RuntimeError::UnknownPointProcess { .. }) => Ok(()),
        Err(e) => fail(e),
    }
}
