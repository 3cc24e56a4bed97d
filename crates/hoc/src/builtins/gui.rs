//! GUI calls and classes: accepted and inert (rsnrniv is headless), with one notice the first
//! time; CVode's fixed-step answers.

use super::{bool_num, num, Args};
use crate::error::{err, Res};
use crate::interp::{Builtin, Interp};
use crate::value::*;

const GUI_FUNCS: &[&str] = &[
    "xpanel",
    "xbutton",
    "xvalue",
    "xlabel",
    "xmenu",
    "xradiobutton",
    "xcheckbox",
    "xstatebutton",
    "xvarlabel",
    "xslider",
    "xfixedvalue",
    "xpvalue",
    "doNotify",
    "doEvents",
    "pwman_place",
    "graphmenu",
    "newPlotV",
    "newPlotI",
];

const GUI_CLASSES: &[&str] = &[
    "Graph",
    "Shape",
    "PlotShape",
    "VBox",
    "HBox",
    "Deck",
    "ValueFieldEditor",
    "SymChooser",
    "TextEditor",
];

pub fn install(it: &mut Interp) {
    for &f in GUI_FUNCS {
        it.define_builtin(
            f,
            Builtin::Func(|it, _| {
                it.gui_notice("xpanel/xbutton/Graph");
                num(0.0)
            }),
        );
    }
    for &c in GUI_CLASSES {
        it.define_builtin(c, Builtin::Class(ClassKind::Gui(c)));
    }
}

/// Every method of a GUI object does nothing; `view_count` is 0 so stdrun-like code drops it.
pub fn gui_method(_: &mut Interp, _o: &ObjRef, m: &str, _a: Args) -> Res<Value> {
    match m {
        "view_count" => num(0.0),
        _ => num(0.0),
    }
}

/// CVode in rsnrn: only the fixed-step method exists.
/// `cvode.active(1)` is remembered (models switch it on while loading and off again before
/// running) and returned by `cvode.active()`; fadvance refuses to step while it is on.
pub fn cvode_method(it: &mut Interp, o: &ObjRef, m: &str, a: Args) -> Res<Value> {
    match m {
        "active" => {
            if !a.is_empty() {
                it.cvode_active = a.num(0)? != 0.0;
            }
            bool_num(it.cvode_active)
        }
        "use_local_dt" | "use_daspk" | "condition_order" | "queue_mode" | "cache_efficient" => {
            num(0.0)
        }
        // Returns the setting from before the call, as NEURON does.
        "use_fast_imem" => {
            let before = it.model.use_fast_imem();
            if !a.is_empty() {
                it.model.set_use_fast_imem(a.num(0)? != 0.0);
            }
            num(if before { 1.0 } else { 0.0 })
        }
        "event" => super::simhooks::cvode_event(it, &a),
        // NEURON's 11 counters: eqn, NetCon, deliver, NC deliv, PS send, S deliv, S send,
        // S move, Q insert, Q move, Q remove. rsnrn counts the NetCons and its own queue's
        // operations; the other counters stay 0 (NEURON's are 0 too on one host with the
        // fixed step, except for counts of its own queue's internals).
        "spike_stat" => {
            it.release_freed_objects()?;
            let (netcons, q) = it.model.event_statistics();
            let v = a.some_obj(0)?;
            let mut values = [0.0; 11];
            values[1] = netcons as f64;
            values[8] = q.inserts as f64;
            values[9] = q.moves as f64;
            values[10] = q.removes as f64;
            match &mut *v.data.borrow_mut() {
                ObjData::Vector(d) => {
                    d.data.clear();
                    d.data.extend_from_slice(&values);
                }
                _ => return err("cvode.spike_stat: the argument must be a Vector"),
            }
            num(0.0)
        }
        "atol" | "rtol" | "maxstep" => {
            let slot = match m {
                "atol" => 0,
                "rtol" => 1,
                _ => 2,
            };
            if !a.is_empty() {
                it.cvode_tolerances[slot] = a.num(0)?;
            }
            num(it.cvode_tolerances[slot])
        }
        "re_init" | "simgraph_remove" => num(0.0),
        _ => err(format!("'{m}' not a public member of '{}'", o.class.name())),
    }
}
