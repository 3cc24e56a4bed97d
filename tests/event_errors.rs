//! Events used the wrong way give errors that name the place; NetCon.event and
//! state_discontinuity behave as documented.

use rsnrn::runtime::{CableModel, NetConSource, RuntimeError};

fn model_with(extra: &[(&str, &str)]) -> (CableModel, rsnrn::runtime::SectionId) {
    let mut m = rsnrn::builtins::model().unwrap();
    for (name, text) in extra {
        let mech = rsnrn::compile::compile_source(name, text)
            .unwrap_or_else(|e| panic!("{name} does not compile: {e}"));
        rsnrn::register(&mut m, mech).unwrap();
    }
    let s = m.create_section("soma").unwrap();
    m.set_length(s, 10.0).unwrap();
    m.set_diam(s, 10.0).unwrap();
    m.insert(s, "pas").unwrap();
    (m, s)
}

const SELF_EVENTS: &str = r#"
NEURON { POINT_PROCESS SelfEvents RANGE mode, jumps }
PARAMETER { mode = 0 }
ASSIGNED { jumps }
STATE { g }
INITIAL {
    jumps = 0
    if (mode == 1) { net_send(-1, 2) }
    if (mode == 0) { net_send(0, 3) }
}
NET_RECEIVE(w) {
    if (flag == 3) { net_move(t + 1) }
    if (flag == 0) {
        PROTECT jumps = jumps + 1
        state_discontinuity(g, g + w)
    }
}
"#;

#[test]
fn net_move_without_a_flag_1_event_is_an_error() {
    let (mut m, s) = model_with(&[("selfevents.mod", SELF_EVENTS)]);
    m.add_point_process(s, 0.5, "SelfEvents").unwrap();
    // net_send(0, 3) is delivered within finitialize, and its net_move finds nothing.
    let e = m.finitialize(-65.0).unwrap_err();
    assert!(matches!(e, RuntimeError::Event { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("net_move in SelfEvents: no pending self-event with flag 1"),
        "{e}"
    );
}

#[test]
fn net_send_into_the_past_is_an_error() {
    let (mut m, s) = model_with(&[("selfevents.mod", SELF_EVENTS)]);
    let p = m.add_point_process(s, 0.5, "SelfEvents").unwrap();
    m.set_point(p, "mode", 1.0).unwrap();
    let e = m.finitialize(-65.0).unwrap_err();
    assert_eq!(
        e.to_string(),
        "net_send from SelfEvents with delay -1 < 0 (at t = 0 ms)"
    );
}

#[test]
fn netcon_event_reaches_net_receive_at_its_time() {
    let (mut m, s) = model_with(&[("selfevents.mod", SELF_EVENTS)]);
    let p = m.add_point_process(s, 0.5, "SelfEvents").unwrap();
    m.set_point(p, "mode", 2.0).unwrap();
    let nc = m.add_netcon(NetConSource::None, Some(p)).unwrap();
    m.set_netcon_weight(nc, 0, 0.25).unwrap();
    m.finitialize(-65.0).unwrap();
    m.netcon_event(nc, 0.1).unwrap();
    m.netcon_event(nc, 0.1).unwrap();
    // Both events arrive together, once t (+ dt/2 at a step's start) reaches 0.1.
    while m.get_point(p, "jumps").unwrap() == 0.0 {
        m.fadvance().unwrap();
    }
    assert!((0.1 - 1e-9..0.1 + 0.025).contains(&m.t()), "t = {}", m.t());
    assert_eq!(m.get_point(p, "jumps").unwrap(), 2.0);
    assert_eq!(m.get_point(p, "g").unwrap(), 0.5);
    let e = m.netcon_event(nc, 0.0).unwrap_err();
    assert!(
        e.to_string().contains("earlier than the current time"),
        "{e}"
    );
}

#[test]
fn targets_and_artificial_cells_are_checked() {
    let (mut m, s) = model_with(&[]);
    let stim = m.add_point_process(s, 0.5, "IClamp").unwrap();
    let e = m.add_netcon(NetConSource::None, Some(stim)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "mechanism IClamp is not a NetCon target (it has no NET_RECEIVE block)"
    );
    let e = m.add_point_process(s, 0.5, "NetStim").unwrap_err();
    assert!(e.to_string().contains("add_artificial_cell"), "{e}");
    let e = m.add_artificial_cell("ExpSyn").unwrap_err();
    assert!(e.to_string().contains("ARTIFICIAL_CELL"), "{e}");
    let ns = m.add_artificial_cell("NetStim").unwrap();
    assert!(
        m.point_location(ns).is_err(),
        "artificial cells have no location"
    );
    let nc = m.add_netcon(NetConSource::Point(ns), None).unwrap();
    let e = m.netcon_weight(nc, 1).unwrap_err();
    assert!(e.to_string().contains("out of range"), "{e}");
    let e = m.set_netcon_delay(nc, -1.0).unwrap_err();
    assert!(e.to_string().contains("NetCon.delay"), "{e}");
}

/// WATCH on a state an event changes: NEURON 9.0.2 (this mechanism, `NetCon(nil, w)` with
/// weight 1 and `nc.event(1.01)` from an FInitializeHandler, dt 0.025) records the WATCH event
/// at 1.0249999999999984: the event at 1.01 is delivered at the start of the step from 1.0,
/// after that step's WATCH check, so the condition is seen true one step later.
#[test]
fn watch_on_a_state_sees_an_event_one_step_later_as_neuron() {
    const WX: &str = r#"
NEURON { POINT_PROCESS Wx RANGE x }
ASSIGNED { x }
INITIAL { x = 0 net_send(0, 5) }
NET_RECEIVE(w) {
  if (flag == 0) { x = x + w }
  else if (flag == 5) { WATCH (x > 0.5) 2 }
  else if (flag == 2) { net_event(t) }
}
"#;
    let (mut m, s) = model_with(&[("wx.mod", WX)]);
    let w = m.add_point_process(s, 0.5, "Wx").unwrap();
    let input = m.add_netcon(NetConSource::None, Some(w)).unwrap();
    m.set_netcon_weight(input, 0, 1.0).unwrap();
    let out = m.add_netcon(NetConSource::Point(w), None).unwrap();
    m.netcon_record(out).unwrap();
    m.finitialize(-65.0).unwrap();
    m.netcon_event(input, 1.01).unwrap();
    while m.t() < 2.0 - m.dt() / 2.0 {
        m.fadvance().unwrap();
    }
    assert_eq!(m.netcon_spikes(out).unwrap(), [1.0249999999999984]);
}

#[test]
fn removed_targets_and_watchers_drop_out_of_the_run() {
    let (mut m, s) = model_with(&[]);
    let wc = rsnrn::compile::compile_file(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/events/watchcount.mod"),
    )
    .unwrap();
    rsnrn::register(&mut m, wc).unwrap();
    let watch = m.add_point_process(s, 0.5, "WatchCount").unwrap();
    let syn = m.add_point_process(s, 0.5, "ExpSyn").unwrap();
    let nc = m.add_netcon(NetConSource::None, Some(syn)).unwrap();
    m.finitialize(-65.0).unwrap();
    m.netcon_event(nc, 0.5).unwrap();
    m.fadvance().unwrap();
    m.remove_point_process(watch).unwrap();
    m.remove_point_process(syn).unwrap();
    m.continuerun(1.0)
        .expect("the WATCH and the event of removed processes are dropped");
}

#[test]
fn a_bad_index_in_net_receive_stops_the_run_naming_it() {
    const BAD: &str = r#"
NEURON { POINT_PROCESS BadIndex RANGE a }
ASSIGNED { a[2] }
NET_RECEIVE(w) { a[w] = 1 }
"#;
    let (mut m, s) = model_with(&[("badindex.mod", BAD)]);
    let p = m.add_point_process(s, 0.5, "BadIndex").unwrap();
    let nc = m.add_netcon(NetConSource::None, Some(p)).unwrap();
    m.set_netcon_weight(nc, 0, 1.0).unwrap();
    m.finitialize(-65.0).unwrap();
    m.netcon_event(nc, 0.0).unwrap();
    m.fadvance().unwrap();
    assert_eq!(m.get_point(p, "a[1]").unwrap(), 1.0);
    m.set_netcon_weight(nc, 0, 5.0).unwrap();
    m.netcon_event(nc, 0.1).unwrap();
    let e = m.continuerun(1.0).unwrap_err();
    assert!(e.to_string().contains("array index out of range"), "{e}");
    assert!(e.to_string().contains("BadIndex"), "{e}");
}
