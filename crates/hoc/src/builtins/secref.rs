//! SectionRef (a handle on one section and its neighbours) and SectionList.

use super::{bool_num, num, Args};
use crate::error::{err, Res};
use crate::interp::Interp;
use crate::value::*;

fn sec_of(o: &ObjRef) -> Res<SecId> {
    match &*o.data.borrow() {
        ObjData::SectionRef(s) => Ok(*s),
        _ => err(format!("{} is not a SectionRef", o.name())),
    }
}

pub fn child(it: &mut Interp, o: &ObjRef, idx: &[f64]) -> Res<Value> {
    let s = sec_of(o)?;
    let kids = it.sec(s)?.children.clone();
    let i = crate::interp::flat_index("child", &[kids.len()], idx)?;
    Ok(Value::Sec(kids[i]))
}

pub fn sectionref_method(it: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    let s = sec_of(o)?;
    match m {
        "sec" => {
            it.sec(s)?;
            Ok(Value::Sec(s))
        }
        "parent" => match it.sec(s)?.parent {
            Some((p, _, _)) => Ok(Value::Sec(p)),
            None => err(format!("{} has no parent", it.sec_name(s))),
        },
        // The parent, skipping sections attached at the end that is their own connection
        // (their node there is their parent's).
        "trueparent" => {
            let mut cur = it.sec(s)?.parent.map(|(p, _, x)| (p, x));
            while let Some((p, x)) = cur {
                match it.sec(p)?.parent {
                    Some((gp, end, gx)) if x == end => cur = Some((gp, gx)),
                    _ => break,
                }
            }
            match cur {
                Some((p, _)) => Ok(Value::Sec(p)),
                None => err(format!("{} has no parent", it.sec_name(s))),
            }
        }
        "root" => Ok(Value::Sec(it.root_of(s))),
        "has_parent" | "has_trueparent" => bool_num(it.sec(s)?.parent.is_some()),
        "nchild" => num(it.sec(s)?.children.len() as f64),
        "child" => child(it, o, &[a.num(0)?]),
        "is_cas" => bool_num(it.cas().ok() == Some(s)),
        "exists" => bool_num(it.secs.get(s as usize).is_some_and(|h| h.alive)),
        _ => err(format!("'{m}' not a public member of 'SectionRef'")),
    }
}

fn with<R>(o: &ObjRef, f: impl FnOnce(&mut Vec<SecId>) -> R) -> Res<R> {
    match &mut *o.data.borrow_mut() {
        ObjData::SectionList(l) => Ok(f(l)),
        _ => err(format!("{} is not a SectionList", o.name())),
    }
}

/// A section and everything below it, children in NEURON's order, depth first.
fn subtree(it: &Interp, s: SecId, out: &mut Vec<SecId>) {
    out.push(s);
    for &c in &it.secs[s as usize].children {
        subtree(it, c, out);
    }
}

pub fn sectionlist_method(it: &mut Interp, o: &ObjRef, m: &str, _a: Args) -> Res<Value> {
    let add = |o: &ObjRef, secs: Vec<SecId>| {
        with(o, |l| {
            for s in secs {
                if !l.contains(&s) {
                    l.push(s);
                }
            }
        })
    };
    match m {
        "append" => {
            let s = it.cas()?;
            with(o, |l| l.push(s))?;
            num(1.0)
        }
        "remove" => {
            let s = it.cas()?;
            let n = with(o, |l| {
                let before = l.len();
                l.retain(|&x| x != s);
                before - l.len()
            })?;
            num(n as f64)
        }
        "contains" => {
            let s = it.cas()?;
            bool_num(with(o, |l| l.contains(&s))?)
        }
        "printnames" => {
            let secs = with(o, |l| l.clone())?;
            let mut out = String::new();
            for s in secs {
                if it.secs[s as usize].alive {
                    out.push_str(&it.secs[s as usize].name);
                    out.push('\n');
                }
            }
            it.print(&out);
            num(1.0)
        }
        "wholetree" | "subtree" | "children" => {
            let s = it.cas()?;
            let mut secs = Vec::new();
            match m {
                "wholetree" => subtree(it, it.root_of(s), &mut secs),
                "subtree" => subtree(it, s, &mut secs),
                _ => secs = it.secs[s as usize].children.clone(),
            }
            add(o, secs)?;
            num(1.0)
        }
        "allroots" => {
            let roots = it
                .all_secs()
                .into_iter()
                .filter(|&s| it.secs[s as usize].parent.is_none())
                .collect();
            add(o, roots)?;
            num(1.0)
        }
        "unique" => {
            // The number of duplicates removed.
            let removed = with(o, |l| {
                let before = l.len();
                let mut seen = std::collections::HashSet::new();
                l.retain(|s| seen.insert(*s));
                before - l.len()
            })?;
            num(removed as f64)
        }
        _ => err(format!("'{m}' not a public member of 'SectionList'")),
    }
}
