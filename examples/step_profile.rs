//! Where the time of a fixed step goes: the runtime's own work (matrix setup, Hines solve,
//! voltage update, recording) against the mechanisms' kernels, for the 510-segment hh cable of
//! `cargo xtask bench` (benches/cable.rs), plain and with `extracellular` in every segment.
//!
//!     cargo run --release --example step_profile [-- STEPS]

use rsnrn::runtime::StepProfile;
use rsnrn::{CableModel, RecordTarget};
use std::error::Error;

const SEGMENTS: usize = 510;

/// The bench's cable: 5100 um, diam 1, Ra 100, hh, IClamp 0.1 nA at x = 0 from 1 ms on.
fn cable(extracellular: bool) -> Result<CableModel, Box<dyn Error>> {
    let mut model = rsnrn::builtins::model()?;
    let cable = model.create_section("cable")?;
    model.set_nseg(cable, SEGMENTS as i64)?;
    model.set_length(cable, 5100.0)?;
    model.set_diam(cable, 1.0)?;
    model.set_ra(cable, 100.0)?;
    model.insert(cable, "hh")?;
    if extracellular {
        model.insert(cable, "extracellular")?;
        model.set_range_all(cable, "xraxial[0]", 3e7)?;
        model.set_range_all(cable, "xg[0]", 0.5)?;
        model.set_range_all(cable, "xc[0]", 0.2)?;
    }
    let stim = model.add_point_process(cable, 0.0, "IClamp")?;
    model.set_point(stim, "del", 1.0)?;
    model.set_point(stim, "dur", 1e9)?;
    model.set_point(stim, "amp", 0.1)?;
    model.record(RecordTarget::range(cable, 0.5, "v"))?;
    model.set_dt(0.025)?;
    Ok(model)
}

fn report(label: &str, p: &StepProfile) {
    let per = |ns: u64| ns as f64 / (p.steps as f64 * SEGMENTS as f64);
    let runtime = p.matrix_setup_ns + p.solve_ns + p.update_ns + p.record_ns;
    let kernels = p.table_check_ns + p.current_kernels_ns + p.state_kernels_ns;
    println!("{label}: {} steps, ns per segment-step", p.steps);
    for (name, ns) in p.parts() {
        println!("  {name:<30} {:>8.2}", per(ns));
    }
    println!(
        "  {:<30} {:>8.2}   (kernels {:.2}, total {:.2})",
        "runtime's share",
        per(runtime),
        per(kernels),
        per(runtime + kernels)
    );
}

fn main() -> Result<(), Box<dyn Error>> {
    let steps: usize = match std::env::args().nth(1) {
        Some(s) => s.parse()?,
        None => 20000,
    };
    for (label, ext) in [("hh cable", false), ("hh cable + extracellular", true)] {
        let mut model = cable(ext)?;
        model.finitialize(-65.0)?;
        // Warm-up, then the measured run.
        for _ in 0..steps / 10 {
            model.fadvance()?;
        }
        model.finitialize(-65.0)?;
        model.set_step_profiling(true);
        let start = std::time::Instant::now();
        for _ in 0..steps {
            model.fadvance()?;
        }
        let wall = start.elapsed().as_nanos() as f64 / (steps * SEGMENTS) as f64;
        let profile = model.step_profile().ok_or("profiling was not on")?;
        report(label, &profile);
        println!("  {:<30} {:>8.2}", "wall (with profiling)", wall);
    }
    Ok(())
}
