//! Random: NEURON's random number class over rsnrn_runtime::random (Random123, MCellRan4
//! and the distributions, all matching NEURON 9.0.2 number for number).
//!
//! NEURON's default generator for `new Random()` is libg++'s ACG, which rsnrn does not
//! have: a pick before `Random123(...)` or `MCellRan4(...)` is an error saying so.

use std::cell::Cell;

use rsnrn_runtime::random::{
    mcell_ran4_word, with_scop_random, Distribution, Generator, GlobalIndex, MCellRan4, Random,
    Random123Stream,
};

use super::{bool_num, num, Args};
use crate::error::{err, Res};
use crate::interp::{Builtin, Interp};
use crate::value::*;

thread_local! {
    /// Counts `MCellRan4` calls; NEURON derives the seed of `MCellRan4(0)` from it.
    static MCELL_CALLS: Cell<u32> = const { Cell::new(0) };
}

fn global_lowindex() -> GlobalIndex {
    with_scop_random(|s| s.mcell_lowindex.clone())
}

/// The hoc functions of the MCellRan4 generator: `mcell_ran4(&highindex)`,
/// `mcell_ran4_init([lowindex])`, `use_mcell_ran4([on])`.
pub fn install(it: &mut Interp) {
    it.define_builtin(
        "mcell_ran4",
        Builtin::Func(|it, v| {
            let a = Args::new("mcell_ran4", v);
            a.expect(1)?;
            let p = a.ptr(0)?;
            // NEURON converts the index through a 64-bit integer to 32 bits.
            let highindex = it.read_ptr(&p)? as i64 as u32;
            let word = mcell_ran4_word(highindex, global_lowindex().get());
            it.write_ptr(&p, f64::from(highindex.wrapping_add(1)))?;
            num(f64::from(word) * (1.0 / 4_294_967_296.0))
        }),
    );
    it.define_builtin(
        "mcell_ran4_init",
        Builtin::Func(|_, v| {
            let a = Args::new("mcell_ran4_init", v);
            let global = global_lowindex();
            let previous = global.get();
            if !a.is_empty() {
                global.set(index_arg(&a, 0)?);
            }
            num(f64::from(previous))
        }),
    );
    it.define_builtin(
        "use_mcell_ran4",
        Builtin::Func(|_, v| {
            let a = Args::new("use_mcell_ran4", v);
            with_scop_random(|s| {
                let previous = s.use_mcell_ran4;
                if !a.is_empty() {
                    s.use_mcell_ran4 = a.num(0)? != 0.0;
                }
                bool_num(previous)
            })
        }),
    );
}

/// State of a Random object: the runtime's Random once a generator is chosen.
pub struct RandomData {
    random: Option<Random>,
}

pub fn construct(_: &Args) -> Res<ObjData> {
    // `new Random(seed[, size])` seeds ACG; the arguments matter only for ACG.
    Ok(ObjData::Random(RandomData { random: None }))
}

/// The ids and position of a Random whose generator is Random123 (None otherwise).
pub fn random123_state(o: &ObjRef) -> Option<([u32; 3], u64)> {
    match &*o.data.borrow() {
        ObjData::Random(RandomData {
            random:
                Some(Random {
                    generator: Generator::Random123(s),
                    ..
                }),
        }) => Some((s.ids(), s.seq())),
        _ => None,
    }
}

fn with<R>(o: &ObjRef, f: impl FnOnce(&mut RandomData) -> Res<R>) -> Res<R> {
    match &mut *o.data.borrow_mut() {
        ObjData::Random(r) => f(r),
        _ => err(format!("{} is not a Random", o.name())),
    }
}

fn no_generator<T>(o: &ObjRef) -> Res<T> {
    err(format!(
        "{}: NEURON's default generator (ACG) is not available in rsnrn; call \
         Random123(id1, id2, id3) or MCellRan4(seed) first",
        o.name()
    ))
}

/// An argument NEURON checks to lie in [0, 2^32 − 1] and truncates to an integer.
fn index_arg(a: &Args, i: usize) -> Res<u32> {
    let x = a.num_or(i, 0.0)?;
    if !(0.0..=4_294_967_295.0).contains(&x) {
        return err(format!(
            "Arg out of range in user function ({} argument {} = {x})",
            a.name,
            i + 1
        ));
    }
    Ok(x as u32)
}

fn set_generator(o: &ObjRef, generator: Generator) -> Res<()> {
    with(o, |d| {
        match &mut d.random {
            Some(r) => r.set_generator(generator),
            None => d.random = Some(Random::new(generator)),
        }
        Ok(())
    })
}

fn distribution(m: &str, a: &Args) -> Res<Option<Distribution>> {
    let x = |i| a.num(i);
    Ok(Some(match m {
        "uniform" => Distribution::Uniform {
            low: x(0)?,
            high: x(1)?,
        },
        "discunif" => Distribution::DiscreteUniform {
            low: x(0)? as i64,
            high: x(1)? as i64,
        },
        "normal" => Distribution::Normal {
            mean: x(0)?,
            variance: x(1)?,
        },
        "lognormal" => Distribution::LogNormal {
            mean: x(0)?,
            variance: x(1)?,
        },
        "poisson" => Distribution::Poisson { mean: x(0)? },
        "binomial" => Distribution::Binomial {
            trials: x(0)? as i64,
            probability: x(1)?,
        },
        "geometric" => Distribution::Geometric { mean: x(0)? },
        "hypergeo" => Distribution::HyperGeometric {
            mean: x(0)?,
            variance: x(1)?,
        },
        "negexp" => Distribution::NegativeExponential { mean: x(0)? },
        "erlang" => Distribution::Erlang {
            mean: x(0)?,
            variance: x(1)?,
        },
        "weibull" => Distribution::Weibull {
            alpha: x(0)?,
            beta: x(1)?,
        },
        _ => return Ok(None),
    }))
}

/// `count` picks of the Random `o` (Vector.setrand).
pub fn repicks(o: &ObjRef, count: usize) -> Res<Vec<f64>> {
    with(o, |d| match &mut d.random {
        Some(r) => Ok((0..count).map(|_| r.repick()).collect()),
        None => no_generator(o),
    })
}

pub fn method(o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    if let Some(dist) = distribution(m, &a)? {
        if let Err(why) = dist.check() {
            return err(format!("Random.{why}"));
        }
        return with(o, |d| match &mut d.random {
            Some(r) => num(r.set_distribution(dist)),
            None => no_generator(o),
        });
    }
    match m {
        "Random123" => {
            let ids = [index_arg(&a, 0)?, index_arg(&a, 1)?, index_arg(&a, 2)?];
            let global = rsnrn_runtime::random::random123_global_index();
            let stream = Random123Stream::new(ids[0], ids[1], ids[2], global);
            set_generator(o, Generator::Random123(stream))?;
            num(0.0)
        }
        "Random123_globalindex" => {
            let global = rsnrn_runtime::random::random123_global_index();
            if !a.is_empty() {
                global.set(index_arg(&a, 0)?);
            }
            num(f64::from(global.get()))
        }
        "MCellRan4" => {
            let seed = index_arg(&a, 0)?;
            let lowindex = index_arg(&a, 1)?;
            let calls = MCELL_CALLS.get().wrapping_add(1);
            MCELL_CALLS.set(calls);
            let mut stream = MCellRan4::new(seed, lowindex, global_lowindex());
            // Seed 0 asks NEURON for a seed: the generator's word at the call count.
            if seed == 0 {
                stream.highindex = mcell_ran4_word(calls, stream.effective_lowindex());
            }
            let highindex = stream.highindex;
            set_generator(o, Generator::MCellRan4(stream))?;
            num(f64::from(highindex))
        }
        "repick" => with(o, |d| match &mut d.random {
            Some(r) => num(r.repick()),
            None => no_generator(o),
        }),
        "seq" => with(o, |d| {
            let Some(r) = &mut d.random else {
                return no_generator(o);
            };
            if !a.is_empty() {
                let s = a.num(0)?;
                let limit = r.generator.seq_limit();
                if !(0.0..limit as f64).contains(&s) {
                    return err(format!("Arg out of range in user function (seq({s}))"));
                }
                r.generator.set_seq(s as u64);
            }
            num(r.generator.seq())
        }),
        "ACG" | "MLCG" | "Isaac64" => err(format!(
            "Random.{m}: this generator is not available in rsnrn; Random123 and MCellRan4 are"
        )),
        _ => err(format!("'{m}' not a public member of 'Random'")),
    }
}
