//! The hh_cable_cn reference scenario (../shared/reference/scenarios/hh_cable_cn.hoc) through
//! the Rust API: a 2000 um x 2 um Hodgkin-Huxley axon (nseg 101, Ra 100) stimulated twice at
//! x = 0.005 (0.5 nA for 0.5 ms at 1 and 15 ms), run with secondorder = 2 (Crank-Nicolson with
//! NEURON's ion-current correction) and then secondorder = 0. Writes
//! OUTDIR/hh_cable_cn_secondorder2.txt and OUTDIR/hh_cable_cn_secondorder0.txt.
//!
//!     cargo run --release --example hh_cable_cn -- OUTDIR

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
    let axon = model.create_section("axon")?;
    model.set_nseg(axon, 101)?;
    model.set_length(axon, 2000.0)?;
    model.set_diam(axon, 2.0)?;
    model.set_ra(axon, 100.0)?;
    model.set_cm(axon, 1.0)?;
    model.insert(axon, "hh")?;
    model.set_celsius(6.3)?;

    for del in [1.0, 15.0] {
        let stim = model.add_point_process(axon, 0.005, "IClamp")?;
        model.set_point(stim, "del", del)?;
        model.set_point(stim, "dur", 0.5)?;
        model.set_point(stim, "amp", 0.5)?;
    }

    let header = "t v0.1 v0.5 v0.9 ina0.5 m_hh0.5";
    let mut records = vec![model.record(RecordTarget::time())?];
    for (x, name) in [
        (0.1, "v"),
        (0.5, "v"),
        (0.9, "v"),
        (0.5, "ina"),
        (0.5, "m_hh"),
    ] {
        records.push(model.record(RecordTarget::range(axon, x, name))?);
    }

    model.set_dt(0.025)?;
    for secondorder in [2u8, 0] {
        model.set_secondorder(secondorder)?;
        model.finitialize(-65.0)?;
        model.continuerun(30.0)?;
        let columns: Vec<&[f64]> = records
            .iter()
            .map(|&r| model.recording(r))
            .collect::<Result<_, _>>()?;
        let path = outdir.join(format!("hh_cable_cn_secondorder{secondorder}.txt"));
        write_table(&path, header, &columns)?;
        println!(
            "hh_cable_cn: secondorder={secondorder} wrote {} rows to {}",
            columns[0].len(),
            path.display()
        );
    }
    model.set_secondorder(0)?;
    Ok(())
}
