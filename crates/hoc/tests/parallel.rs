//! ParallelContext.nthread: hoc sets the runtime's threads; results equal one thread's. And the
//! IntFire2 / IntFire4 built-ins are hoc classes.

use rsnrn_hoc::interp::Output;
use rsnrn_hoc::{Flow, Interp};

/// Runs `text`; returns what it printed and the error report if any.
fn run(text: &str) -> (String, Option<String>) {
    let mut hoc = Interp::new("rsnrniv").expect("built-in mechanisms compile");
    hoc.out = Output::Buffer(Vec::new());
    let report = match hoc.run_string("t.hoc", text) {
        Err(Flow::Error(e)) => Some(hoc.render_error(&e)),
        _ => None,
    };
    let Output::Buffer(b) = &hoc.out else {
        unreachable!("set above")
    };
    (String::from_utf8_lossy(b).into_owned(), report)
}

/// Three hh cells of different sizes, each with its own IClamp; `SETUP` is replaced.
const CELLS: &str = r#"
{ load_file("stdrun.hoc") }
create a, b, c
forall { insert hh  nseg = 3 }
a { L = 20  diam = 20 }
b { L = 40  diam = 10 }
c { L = 30  diam = 30 }
objref s[3]
a s[0] = new IClamp(0.5)
b s[1] = new IClamp(0.5)
c s[2] = new IClamp(0.5)
for i = 0, 2 { s[i].del = 1 + i  s[i].dur = 20  s[i].amp = 0.2 + 0.1*i }
SETUP
tstop = 30
run()
forall printf("%s %.17g\n", secname(), v(0.5))
"#;

#[test]
fn nthread_gives_the_one_thread_results() {
    let (one, err) = run(&CELLS.replace("SETUP", ""));
    assert_eq!(err, None);
    let setup = "objref pc\npc = new ParallelContext()\nprint pc.nthread(2), pc.nthread(), pc.nhost(), pc.id()";
    let (two, err) = run(&CELLS.replace("SETUP", setup));
    assert_eq!(err, None);
    let (head, rest) = two.split_once('\n').unwrap();
    assert_eq!(head, "2 2 1 0 ");
    assert_eq!(rest, one);
}

#[test]
fn other_members_and_bad_counts_are_refused() {
    let (_, err) = run("objref pc\npc = new ParallelContext()\npc.nthread(0)\n");
    assert!(err.unwrap().contains("needs at least 1 thread"));
    let (_, err) = run("objref pc\npc = new ParallelContext()\npc.nrnbbcore_write(\"x\")\n");
    assert!(err
        .unwrap()
        .contains("'nrnbbcore_write' not a public member of 'ParallelContext'"));
}

#[test]
fn intfire2_and_intfire4_are_classes() {
    let (out, err) =
        run("objref a, b\na = new IntFire2()\nb = new IntFire4()\nprint a.taus, b.taum\n");
    assert_eq!(err, None);
    assert_eq!(out, "20 50 \n");
}

/// A ring of six hh cells through gid_connect (delay 1.5 ms), driven at cell 0; `SETUP` is
/// replaced. psolve on threads with nothing to do between steps goes to the runtime in one
/// piece, which integrates whole exchange intervals.
const RING: &str = r#"
{ load_file("stdrun.hoc") }
objref pc, cells, syns, ncs, nc, nil, tv, idv, vrec, stim
pc = new ParallelContext()
SETUP
create soma[6]
syns = new List()
ncs = new List()
for i = 0, 5 soma[i] {
    nseg = 1  L = 20  diam = 20  insert hh
    syns.append(new ExpSyn(0.5))
    pc.set_gid2node(i, 0)
    nc = new NetCon(&v(0.5), nil)
    pc.cell(i, nc)
}
objref nc
for i = 0, 5 {
    nc = pc.gid_connect(i, syns.object((i + 1) % 6))
    nc.weight = 0.05
    nc.delay = 1.5
    ncs.append(nc)
}
soma[0] stim = new IClamp(0.5)
{ stim.del = 1  stim.dur = 1  stim.amp = 0.5 }
tv = new Vector()
idv = new Vector()
pc.spike_record(-1, tv, idv)
vrec = new Vector()
vrec.record(&soma[5].v(0.5))
{ pc.set_maxstep(10)  stdinit() }
pc.psolve(40)
for i = 0, tv.size - 1 printf("%d %.17g\n", idv.x[i], tv.x[i])
printf("%d %.17g %.17g\n", vrec.size, vrec.x[vrec.size - 1], vrec.sum())
"#;

#[test]
fn psolve_on_threads_runs_exchange_intervals_with_the_one_thread_results() {
    let (one, err) = run(&RING.replace("SETUP", ""));
    assert_eq!(err, None);
    assert!(one.lines().count() >= 7, "the ring fires around: {one}");
    let (two, err) = run(&RING.replace("SETUP", "{ pc.nthread(2) }"));
    assert_eq!(err, None);
    assert_eq!(two, one);
    // The same set-up lets the runtime integrate whole intervals on two threads.
    let mut hoc = Interp::new("rsnrniv").expect("built-in mechanisms compile");
    hoc.out = Output::Buffer(Vec::new());
    let setup = RING.replace("SETUP", "{ pc.nthread(2) }");
    let until_run = &setup[..setup.find("pc.psolve").expect("psolve in the text")];
    assert!(hoc.run_string("t.hoc", until_run).is_ok());
    assert_eq!(hoc.model.threads(), 2);
    assert_eq!(hoc.model.threads_interval_reason(), None);
}

/// stdrun's continuerun goes to the runtime in one piece as psolve does, on one thread or
/// two, with the results of stepping; a redefined advance() keeps it stepping (hoc runs
/// between steps).
#[test]
fn continuerun_runs_in_one_piece_unless_advance_is_redefined() {
    let run_showing = |setup: &str, progress: bool| {
        let text = RING
            .replace("SETUP", setup)
            .replace("pc.psolve(40)", "continuerun(40)");
        let mut hoc = Interp::new("rsnrniv").expect("built-in mechanisms compile");
        hoc.out = Output::Buffer(Vec::new());
        hoc.progress = rsnrn_hoc::progress::RunProgress::new(progress);
        if let Err(Flow::Error(e)) = hoc.run_string("t.hoc", &text) {
            panic!("{}", hoc.render_error(&e));
        }
        let Output::Buffer(b) = &hoc.out else {
            unreachable!("set above")
        };
        let out = String::from_utf8_lossy(b).into_owned();
        (out, hoc.hooks.one_piece_runs)
    };
    let run_with = |setup: &str| run_showing(setup, false);
    let redefined = "proc advance() { fadvance() }";
    let (one, pieces) = run_with(redefined);
    assert!(one.lines().count() >= 7, "the ring fires around: {one}");
    assert_eq!(pieces, 0, "a redefined advance() runs at every step");
    let (whole, pieces) = run_with("");
    assert_eq!(whole, one);
    assert_eq!(pieces, 1, "one thread: the whole run in one piece");
    // A terminal's progress line: the same run in chunks between which the line is updated.
    let (chunked, pieces) = run_showing("", true);
    assert_eq!(chunked, one);
    assert_eq!(pieces, 1, "with a progress line too");
    let (two, pieces) = run_with("{ pc.nthread(2) }");
    assert_eq!(two, one);
    assert_eq!(pieces, 1, "two threads: the whole run in one piece");
    let (stepped, pieces) = run_with(&format!("{{ pc.nthread(2) }}\n{redefined}"));
    assert_eq!(stepped, one);
    assert_eq!(pieces, 0, "a redefined advance() runs at every step");
}

/// Spike recordings with ids are copied after every step when hoc steps (fadvance), only at
/// the end of a run in one piece: both give the same vectors, for two recordings that share
/// the sources between them, and a finitialize starts them again.
#[test]
fn spike_records_with_ids_copied_step_by_step_equal_one_copy_at_the_end() {
    let setup = r#"
objref tv2, idv2
tv2 = new Vector()
idv2 = new Vector()
for i = 0, 2 pc.spike_record(2*i + 1, tv2, idv2)
proc show() {
    printf("%s %d %d\n", $s1, tv.size, tv2.size)
    for i = 0, tv.size - 1 printf("%d %.17g\n", idv.x[i], tv.x[i])
    for i = 0, tv2.size - 1 printf("%d %.17g\n", idv2.x[i], tv2.x[i])
}
{ stim.del = 1  stim.dur = 30  stim.amp = 0.5 }
{ pc.set_maxstep(10)  stdinit() }
while (t < 40 - dt/2) { fadvance() }
show("stepped")
stdinit()
show("after finitialize")
continuerun(40)
show("one piece")
"#;
    let ring = RING.replace("SETUP", "");
    let text = ring[..ring.find("{ pc.set_maxstep").expect("the ring's run")].to_string() + setup;
    let (out, err) = run(&text);
    assert_eq!(err, None, "{out}");
    let n = stepped_equals_one_piece(&out);
    assert!(
        n[0] > 4 && n[1] > 4,
        "both recordings have several spikes: {out}"
    );
}

/// A network made cell by cell, each cell's spike source a NetCon on its v (the usual
/// idiom): the node layout is built when the run needs it, not once per cell (that made the
/// set-up time grow with the square of the number of cells).
#[test]
fn cells_with_netcons_on_v_do_not_rebuild_the_layout_per_cell() {
    let mut hoc = Interp::new("rsnrniv").expect("built-in mechanisms compile");
    hoc.out = Output::Buffer(Vec::new());
    let text = r#"
{ load_file("stdrun.hoc") }
N = 40
create soma[N]
objref nc[N], stim[N], nil, spikes
spikes = new Vector()
for i = 0, N-1 soma[i] {
    L = 20  diam = 20  insert hh
    stim[i] = new IClamp(0.5)
    stim[i].del = 1  stim[i].dur = 5  stim[i].amp = 0.3
    nc[i] = new NetCon(&v(0.5), nil)
    nc[i].threshold = 0
    nc[i].record(spikes)
}
"#;
    assert!(hoc.run_string("t.hoc", text).is_ok());
    let built = hoc.model.layout_builds();
    assert!(built <= 1, "{built} layout builds while making the cells");
    let run = "finitialize(-65)\ncontinuerun(10)\nprint \"spikes \", spikes.size\n";
    assert!(hoc.run_string("r.hoc", run).is_ok());
    let Output::Buffer(b) = &hoc.out else {
        unreachable!("set above")
    };
    let out = String::from_utf8_lossy(b);
    assert!(out.contains("spikes 40"), "every cell fires once: {out}");
}

/// NetCon.record Vectors shared by several cells are filled after every step when hoc
/// steps, at the end of a run in one piece: the same spikes in the same order either way
/// (ties between cells in NetCon order), and a finitialize starts them again.
#[test]
fn netcon_record_vectors_filled_step_by_step_equal_one_fill_at_the_end() {
    let (out, err) = run(r#"
{ load_file("stdrun.hoc") }
N = 12
create soma[N]
objref nc[N], stim[N], nil, even, odd
even = new Vector()
odd = new Vector()
for i = 0, N-1 soma[i] {
    L = 20  diam = 20  insert hh
    stim[i] = new IClamp(0.5)
    stim[i].del = 1 + (i % 3)  stim[i].dur = 30  stim[i].amp = 0.2 + 0.02*(i % 4)
    nc[i] = new NetCon(&v(0.5), nil)
    nc[i].threshold = 0
    if (i % 2 == 0) { nc[i].record(even) } else { nc[i].record(odd) }
}
proc show() { local i
    printf("%s %d %d\n", $s1, even.size, odd.size)
    for i = 0, even.size - 1 printf("%.17g\n", even.x[i])
    for i = 0, odd.size - 1 printf("%.17g\n", odd.x[i])
}
tstop = 40
stdinit()
while (t < tstop - dt/2) { fadvance() }
show("stepped")
stdinit()
show("after finitialize")
continuerun(tstop)
show("one piece")
"#);
    assert_eq!(err, None, "{out}");
    let counts = stepped_equals_one_piece(&out);
    assert!(
        counts[0] > 12 && counts[1] > 12,
        "several spikes per cell: {out}"
    );
}

/// The output of a script that printed `stepped`, `after finitialize` and `one piece` reports
/// (each a line of two counts, then values): checks that the first and last are the same and
/// the middle one empty; returns the counts.
fn stepped_equals_one_piece(out: &str) -> Vec<usize> {
    let (_, out) = out.split_once("stepped").expect("three reports");
    let (stepped, rest) = out.split_once("after finitialize").expect("three reports");
    let (restarted, one_piece) = rest.split_once("one piece").expect("three reports");
    assert_eq!(restarted.trim(), "0 0");
    assert_eq!(stepped, one_piece);
    let counts = stepped.trim().lines().next().expect("counts");
    counts.split(' ').map(|c| c.parse().unwrap()).collect()
}
