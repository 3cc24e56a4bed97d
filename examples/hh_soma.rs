//! The hh_soma reference scenario (../shared/reference/scenarios/hh_soma.hoc) through the Rust
//! API: a 20 um Hodgkin-Huxley soma, IClamp 0.15 nA from 5 to 45 ms, run with usetable_hh = 1
//! and 0. Writes OUTDIR/hh_soma.txt and OUTDIR/hh_soma_usetable0.txt in NEURON's format.
//!
//!     cargo run --release --example hh_soma -- OUTDIR

use rsnrn::runtime::trace_io::write_table;
use rsnrn::RecordTarget;
use std::error::Error;
use std::path::{Path, PathBuf};

#[allow(dead_code)] // tests include this file for `run`
fn main() -> Result<(), Box<dyn Error>> {
    let outdir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    run(&outdir)
}

/// Builds and runs the scenario, writing its two trace files into `outdir`.
pub fn run(outdir: &Path) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(outdir)?;
    let mut model = rsnrn::builtins::model()?;
    let soma = model.create_section("soma")?;
    model.set_nseg(soma, 1)?;
    model.set_length(soma, 20.0)?;
    model.set_diam(soma, 20.0)?;
    model.set_ra(soma, 100.0)?;
    model.set_cm(soma, 1.0)?;
    model.insert(soma, "hh")?;
    model.set_celsius(6.3)?;

    let stim = model.add_point_process(soma, 0.5, "IClamp")?;
    model.set_point(stim, "del", 5.0)?;
    model.set_point(stim, "dur", 40.0)?;
    model.set_point(stim, "amp", 0.15)?;

    let header = "t v m_hh h_hh n_hh ina ik il_hh iclamp_i";
    let mut records = vec![model.record(RecordTarget::time())?];
    for name in ["v", "m_hh", "h_hh", "n_hh", "ina", "ik", "il_hh"] {
        records.push(model.record(RecordTarget::range(soma, 0.5, name))?);
    }
    records.push(model.record(RecordTarget::point(stim, "i"))?);

    model.set_dt(0.025)?;
    model.set_secondorder(0)?;
    for (usetable, suffix) in [(1.0, ""), (0.0, "_usetable0")] {
        model.set_global("usetable_hh", usetable)?;
        model.finitialize(-65.0)?;
        model.continuerun(50.0)?;
        let columns: Vec<&[f64]> = records
            .iter()
            .map(|&r| model.recording(r))
            .collect::<Result<_, _>>()?;
        let path = outdir.join(format!("hh_soma{suffix}.txt"));
        write_table(&path, header, &columns)?;
        println!(
            "hh_soma: usetable_hh={usetable} wrote {} rows to {}",
            columns[0].len(),
            path.display()
        );
    }
    Ok(())
}
