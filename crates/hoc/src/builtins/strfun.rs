//! StringFunctions: len, substr, head, tail, left, right, is_name, rtrim, ltrim,
//! is_artificial.

use super::{bool_num, num, Args};
use crate::error::{err, Res};
use crate::interp::{Interp, Resolved};
use crate::value::*;

pub fn method(it: &mut Interp, _o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    match m {
        "len" => num(a.str(0)?.len() as f64),
        "is_artificial" => {
            let kind = match a.obj(0)? {
                Some(o) => match &*o.data.borrow() {
                    ObjData::Point(p) => {
                        let mech = it.model.point_mechanism(*p).ok().map(str::to_string);
                        mech.and_then(|m| it.model.mechanism_id(&m).ok())
                            .and_then(|id| it.model.mechanism_info(id))
                            .map(|i| i.kind)
                    }
                    _ => None,
                },
                None => None,
            };
            bool_num(kind == Some(rsnrn_abi::MechanismKind::ArtificialCell))
        }
        "substr" => {
            let (s, t) = (a.str(0)?, a.str(1)?);
            num(s.find(&t).map_or(-1.0, |i| i as f64))
        }
        "head" | "tail" => {
            let s = a.str(0)?;
            let re = crate::regex::plain_regex(&a.str(1)?)?;
            let dest = a.strref(2)?;
            match re.find(&s) {
                Some(mt) => {
                    if m == "head" {
                        *dest.borrow_mut() = s[..mt.start()].to_string();
                        num(mt.start() as f64)
                    } else {
                        *dest.borrow_mut() = s[mt.end()..].to_string();
                        num(mt.end() as f64)
                    }
                }
                None => {
                    dest.borrow_mut().clear();
                    num(-1.0)
                }
            }
        }
        "left" | "right" => {
            let s = a.strref(0)?;
            let n = a.num(1)?.max(0.0) as usize;
            let cur = s.borrow().clone();
            let n = n.min(cur.len());
            *s.borrow_mut() = if m == "left" {
                cur[..n].to_string()
            } else {
                cur[n..].to_string()
            };
            num(1.0)
        }
        "rtrim" | "ltrim" => {
            let s = a.str(0)?;
            let dest = a.strref(1)?;
            let chars: Vec<char> = if a.len() > 2 {
                a.str(2)?.chars().collect()
            } else {
                vec![' ', '\t', '\n', '\r']
            };
            let t = if m == "rtrim" {
                s.trim_end_matches(chars.as_slice())
            } else {
                s.trim_start_matches(chars.as_slice())
            };
            *dest.borrow_mut() = t.to_string();
            num(0.0)
        }
        "is_name" => {
            let s = a.str(0)?;
            let found = it
                .names
                .get(&s)
                .is_some_and(|sym| !matches!(it.lookup(sym), Resolved::Undefined));
            bool_num(found)
        }
        _ => err(format!("'{m}' not a public member of 'StringFunctions'")),
    }
}
