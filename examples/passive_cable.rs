//! The passive_cable reference scenario (../shared/reference/scenarios/passive_cable.hoc)
//! through the Rust API: a passive soma with two dendrites attached at both of its ends,
//! IClamp 0.1 nA from 5 to 25 ms at the soma. Writes OUTDIR/passive_cable.txt.
//!
//!     cargo run --release --example passive_cable -- OUTDIR

use rsnrn::runtime::trace_io::write_table;
use rsnrn::RecordTarget;
use std::error::Error;
use std::path::{Path, PathBuf};

#[allow(dead_code)] // tests include this file for `run`
fn main() -> Result<(), Box<dyn Error>> {
    let outdir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    run(&outdir)
}

/// Builds and runs the scenario, writing its trace file into `outdir`.
pub fn run(outdir: &Path) -> Result<(), Box<dyn Error>> {
    std::fs::create_dir_all(outdir)?;
    let mut model = rsnrn::builtins::model()?;

    let soma = model.create_section("soma")?;
    let dend1 = model.create_section("dend1")?;
    let dend2 = model.create_section("dend2")?;
    for (sec, nseg, length, diam) in [
        (soma, 1, 20.0, 20.0),
        (dend1, 11, 300.0, 2.0),
        (dend2, 21, 500.0, 1.0),
    ] {
        model.set_nseg(sec, nseg)?;
        model.set_length(sec, length)?;
        model.set_diam(sec, diam)?;
    }
    model.connect(dend1, 0.0, soma, 1.0)?;
    model.connect(dend2, 0.0, soma, 0.0)?;
    for sec in [soma, dend1, dend2] {
        model.set_ra(sec, 150.0)?;
        model.set_cm(sec, 1.0)?;
        model.insert(sec, "pas")?;
        model.set_range_all(sec, "g_pas", 5e-5)?;
        model.set_range_all(sec, "e_pas", -65.0)?;
    }
    model.set_celsius(6.3)?;

    let stim = model.add_point_process(soma, 0.5, "IClamp")?;
    model.set_point(stim, "del", 5.0)?;
    model.set_point(stim, "dur", 20.0)?;
    model.set_point(stim, "amp", 0.1)?;

    let header = "t soma_v0.5 dend1_v0.5 dend1_v1 dend2_v0.1 dend2_v0.5 dend2_v1 iclamp_i";
    let mut records = vec![model.record(RecordTarget::time())?];
    for (sec, x) in [
        (soma, 0.5),
        (dend1, 0.5),
        (dend1, 1.0),
        (dend2, 0.1),
        (dend2, 0.5),
        (dend2, 1.0),
    ] {
        records.push(model.record(RecordTarget::range(sec, x, "v"))?);
    }
    records.push(model.record(RecordTarget::point(stim, "i"))?);

    model.set_dt(0.025)?;
    model.set_secondorder(0)?;
    model.finitialize(-70.0)?;
    model.continuerun(50.0)?;

    let columns: Vec<&[f64]> = records
        .iter()
        .map(|&r| model.recording(r))
        .collect::<Result<_, _>>()?;
    let path = outdir.join("passive_cable.txt");
    write_table(&path, header, &columns)?;
    println!(
        "passive_cable: wrote {} rows to {}",
        columns[0].len(),
        path.display()
    );
    Ok(())
}
