//! Native stand-ins for compiled mechanisms: `unsafe extern "C"` kernels following the ABI
//! contract (currents evaluated at v + 0.001 and v, added to rhs/d by the kernel, point
//! processes scaled by 100/area, electrode currents with the opposite sign, ion currents added
//! to the ion's slots), with hand-written `MechanismInfo` JSON.
#![allow(dead_code)]

use std::sync::Arc;

use rsnrn_abi::{KernelContext, MechanismData, MechanismTable, ABI_VERSION};
use rsnrn_runtime::{CableModel, MechanismId, SectionId};

/// JSON of one field.
pub fn field(name: &str, role: &str, default: f64) -> String {
    format!(
        r#"{{"name":"{name}","role":"{role}","size":1,"default":{default:?},"units":null,"visible":true}}"#
    )
}

pub fn info_json(
    name: &str,
    kind: &str,
    electrode: bool,
    range: &[String],
    globals: &[String],
    ions: &str,
    slots: &str,
) -> String {
    format!(
        r#"{{"name":"{name}","kind":"{kind}","electrode_current":{electrode},"range":[{}],"globals":[{}],"hidden_globals":0,"ions":[{ions}],"slots":[{slots}]}}"#,
        range.join(","),
        globals.join(",")
    )
}

pub type K = unsafe extern "C" fn(*const KernelContext, *mut MechanismData) -> i32;

/// Registers a mechanism from JSON and kernels; the JSON is leaked (kept for the process).
pub fn register(
    model: &mut CableModel,
    json: String,
    initialize: Option<K>,
    current: Option<K>,
    state: Option<K>,
) -> MechanismId {
    let json: &'static str = Box::leak(json.into_boxed_str());
    let table = MechanismTable {
        abi_version: ABI_VERSION,
        info_json: json.as_ptr(),
        info_len: json.len(),
        table_check: None,
        initialize,
        current,
        state,
        net_receive: None,
        net_init: None,
        watch_condition: None,
        hooks: Default::default(),
        functions: std::ptr::null(),
        constructor: None,
        destructor: None,
    };
    // SAFETY: static JSON, kernels below follow the ABI.
    unsafe { model.register_mechanism(table, Arc::new(())) }.expect("registration")
}

/// Column `c` of the instance data.
unsafe fn col(data: &MechanismData, c: usize) -> *mut f64 {
    *data.range.add(c)
}

/// Slot `s` pointer of instance `k`.
unsafe fn slot(data: &MechanismData, s: usize, k: usize) -> *mut f64 {
    *(*data.slots.add(s)).add(k)
}

unsafe fn node(data: &MechanismData, k: usize) -> usize {
    *data.node_index.add(k) as usize
}

// ---- pas: NONSPECIFIC_CURRENT i = g*(v - e) ------------------------------------------------

unsafe extern "C" fn pas_current(ctx: *const KernelContext, data: *mut MechanismData) -> i32 {
    let (ctx, data) = (&*ctx, &*data);
    let (g, e, i) = (col(data, 0), col(data, 1), col(data, 2));
    for k in 0..data.count as usize {
        let nd = node(data, k);
        let v = *ctx.v.add(nd);
        let cur = |v: f64| *g.add(k) * (v - *e.add(k));
        let g1 = cur(v + 0.001);
        let rhs = cur(v);
        *i.add(k) = rhs;
        let gg = (g1 - rhs) / 0.001;
        *ctx.rhs.add(nd) -= rhs;
        *ctx.d.add(nd) += gg;
    }
    0
}

pub fn register_pas(model: &mut CableModel) -> MechanismId {
    let json = info_json(
        "pas",
        "Density",
        false,
        &[
            field("g", "Parameter", 0.001),
            field("e", "Parameter", -70.0),
            field("i", "Assigned", 0.0),
        ],
        &[],
        "",
        "",
    );
    register(model, json, None, Some(pas_current), None)
}

// ---- IClamp: ELECTRODE_CURRENT i = amp if del <= t < del + dur --------------------------------

unsafe extern "C" fn iclamp_init(_ctx: *const KernelContext, data: *mut MechanismData) -> i32 {
    let data = &*data;
    for k in 0..data.count as usize {
        *col(data, 3).add(k) = 0.0;
    }
    0
}

unsafe extern "C" fn iclamp_current(ctx: *const KernelContext, data: *mut MechanismData) -> i32 {
    let (ctx, data) = (&*ctx, &*data);
    let (del, dur, amp, i) = (col(data, 0), col(data, 1), col(data, 2), col(data, 3));
    let t = ctx.t;
    for k in 0..data.count as usize {
        let nd = node(data, k);
        let cur = |_v: f64| {
            if t < *del.add(k) + *dur.add(k) && t >= *del.add(k) {
                *amp.add(k)
            } else {
                0.0
            }
        };
        let v = *ctx.v.add(nd);
        let g1 = cur(v + 0.001);
        let mut rhs = cur(v);
        *i.add(k) = rhs;
        let mut gg = (g1 - rhs) / 0.001;
        let mfact = 1.0e2 / *ctx.area.add(nd);
        gg *= mfact;
        rhs *= mfact;
        *ctx.rhs.add(nd) += rhs;
        *ctx.d.add(nd) -= gg;
    }
    0
}

pub fn register_iclamp(model: &mut CableModel) -> MechanismId {
    let json = info_json(
        "IClamp",
        "PointProcess",
        true,
        &[
            field("del", "Parameter", 0.0),
            field("dur", "Parameter", 0.0),
            field("amp", "Parameter", 0.0),
            field("i", "Assigned", 0.0),
        ],
        &[],
        "",
        "",
    );
    register(model, json, Some(iclamp_init), Some(iclamp_current), None)
}

// ---- nanmech: puts NaN on the rhs once t >= tnan ---------------------------------------------

unsafe extern "C" fn nan_current(ctx: *const KernelContext, data: *mut MechanismData) -> i32 {
    let (ctx, data) = (&*ctx, &*data);
    for k in 0..data.count as usize {
        if ctx.t >= *col(data, 0).add(k) {
            *ctx.rhs.add(node(data, k)) += f64::NAN;
        }
    }
    0
}

pub fn register_nanmech(model: &mut CableModel) -> MechanismId {
    let json = info_json(
        "nanmech",
        "Density",
        false,
        &[field("tnan", "Parameter", 1.0)],
        &[],
        "",
        "",
    );
    register(model, json, None, Some(nan_current), None)
}

// ---- failing: its state kernel returns status 7 ----------------------------------------------

unsafe extern "C" fn failing_state(_ctx: *const KernelContext, _data: *mut MechanismData) -> i32 {
    7
}

pub fn register_failing(model: &mut CableModel) -> MechanismId {
    let json = info_json(
        "failing",
        "Density",
        false,
        &[field("x", "Parameter", 0.0)],
        &[field("gfail", "Parameter", 3.0)],
        "",
        "",
    );
    register(model, json, None, None, Some(failing_state))
}

// ---- naleak: USEION na READ ena WRITE ina, ina = gna*(v - ena) --------------------------------

unsafe extern "C" fn naleak_current(ctx: *const KernelContext, data: *mut MechanismData) -> i32 {
    let (ctx, data) = (&*ctx, &*data);
    let (gna, ina_own) = (col(data, 0), col(data, 1));
    for k in 0..data.count as usize {
        let nd = node(data, k);
        let (ena, ina, dina) = (slot(data, 0, k), slot(data, 1, k), slot(data, 2, k));
        let v = *ctx.v.add(nd);
        let cur = |v: f64| *gna.add(k) * (v - *ena);
        let i1 = cur(v + 0.001);
        let i0 = cur(v);
        *ina_own.add(k) = i0;
        let g = (i1 - i0) / 0.001;
        *ina += i0;
        *dina += (i1 - i0) / 0.001;
        *ctx.rhs.add(nd) -= i0;
        *ctx.d.add(nd) += g;
    }
    0
}

pub fn register_naleak(model: &mut CableModel) -> MechanismId {
    let json = info_json(
        "naleak",
        "Density",
        false,
        &[
            field("gna", "Parameter", 0.001),
            r#"{"name":"ina","role":"IonCurrent","size":1,"default":0.0,"units":null,"visible":false}"#
                .to_string(),
        ],
        &[],
        r#"{"ion":"na","read":["ena"],"write":["ina"],"valence":null}"#,
        r#"{"Ion":{"ion":"na","var":"ena"}},{"Ion":{"ion":"na","var":"ina"}},{"Ion":{"ion":"na","var":"dina_dv_"}}"#,
    );
    register(model, json, None, Some(naleak_current), None)
}

// ---- cagrow: USEION ca WRITE cai; INITIAL cai = cai0x; state: cai *= factor ------------------

unsafe extern "C" fn cagrow_init(_ctx: *const KernelContext, data: *mut MechanismData) -> i32 {
    let data = &*data;
    for k in 0..data.count as usize {
        let start = *col(data, 1).add(k);
        if start > 0.0 {
            *slot(data, 0, k) = start;
        }
    }
    0
}

unsafe extern "C" fn cagrow_state(_ctx: *const KernelContext, data: *mut MechanismData) -> i32 {
    let data = &*data;
    for k in 0..data.count as usize {
        *slot(data, 0, k) *= *col(data, 0).add(k);
    }
    0
}

pub fn register_cagrow(model: &mut CableModel) -> MechanismId {
    let json = info_json(
        "cagrow",
        "Density",
        false,
        &[
            field("factor", "Parameter", 2.0),
            field("start", "Parameter", 0.0),
        ],
        &[],
        r#"{"ion":"ca","read":[],"write":["cai"],"valence":2.0}"#,
        r#"{"Ion":{"ion":"ca","var":"cai"}}"#,
    );
    register(model, json, Some(cagrow_init), None, Some(cagrow_state))
}

// ---- caread: USEION ca READ cai (no kernels) ---------------------------------------------------

pub fn register_caread(model: &mut CableModel) -> MechanismId {
    let json = info_json(
        "caread",
        "Density",
        false,
        &[field("dummy", "Parameter", 0.0)],
        &[],
        r#"{"ion":"ca","read":["cai"],"write":[],"valence":null}"#,
        r#"{"Ion":{"ion":"ca","var":"cai"}}"#,
    );
    register(model, json, None, None, None)
}

/// pas and IClamp.
pub fn model_with_basics() -> CableModel {
    let mut m = CableModel::new();
    register_pas(&mut m);
    register_iclamp(&mut m);
    m
}

/// soma with a 3-segment dend on its x = 1 end; `nanmech` in dend puts NaN on the rhs at
/// dend(x) from t = tnan on (nowhere else). Returns (soma, dend).
pub fn soma_dend_with_nan(m: &mut CableModel, x: f64, tnan: f64) -> (SectionId, SectionId) {
    register_nanmech(m);
    let soma = m.create_section("soma").unwrap();
    let dend = m.create_section("dend").unwrap();
    m.connect(dend, 0.0, soma, 1.0).unwrap();
    m.set_nseg(dend, 3).unwrap();
    m.insert(dend, "nanmech").unwrap();
    m.set_range_all(dend, "tnan_nanmech", 1e9).unwrap();
    m.set_range(dend, x, "tnan_nanmech", tnan).unwrap();
    (soma, dend)
}
