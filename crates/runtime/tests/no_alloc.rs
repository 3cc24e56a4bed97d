//! A fixed step allocates nothing: the only allocations of a run are the recording buffers that
//! `continuerun` reserves once, whatever the number of steps (plain cable, and with
//! extracellular, fast i_membrane_ and secondorder 2 all on).

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use rsnrn_runtime::{CableModel, RecordTarget};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // Only the measured thread counts: the test harness's own threads allocate at any time.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(m: &mut CableModel, tstop: f64) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNTING.with(|c| c.set(true));
    let run = m.continuerun(tstop);
    COUNTING.with(|c| c.set(false));
    run.unwrap();
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

fn check(all_features: bool) {
    let mut m = common::model_with_basics();
    let soma = m.create_section("soma").unwrap();
    let dend = m.create_section("dend").unwrap();
    m.set_nseg(dend, 25).unwrap();
    m.connect(dend, 0.0, soma, 1.0).unwrap();
    for s in [soma, dend] {
        m.insert(s, "pas").unwrap();
        if all_features {
            m.insert(s, "extracellular").unwrap();
        }
    }
    if all_features {
        m.set_use_fast_imem(true);
        m.set_secondorder(2).unwrap();
    }
    let stim = m.add_point_process(soma, 0.5, "IClamp").unwrap();
    m.set_point(stim, "dur", 1e9).unwrap();
    m.set_point(stim, "amp", 0.1).unwrap();
    let records = 3;
    m.record(RecordTarget::range(dend, 0.5, "v")).unwrap();
    m.record(RecordTarget::time()).unwrap();
    m.record(RecordTarget::point(stim, "i")).unwrap();
    m.finitialize(-65.0).unwrap();
    m.continuerun(1.0).unwrap();
    // 40 steps and 4000 steps: the same handful of reservations.
    let short = allocations_during(&mut m, 2.0);
    let long = allocations_during(&mut m, 102.0);
    println!("allocations: {short} in 40 steps, {long} in 4000 steps");
    assert!(short <= records, "{short} allocations in 40 steps");
    assert!(long <= records, "{long} allocations in 4000 steps");
}

#[test]
fn fixed_steps_do_not_allocate() {
    check(false);
    check(true);
}
