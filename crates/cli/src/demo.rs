//! `rsnrn-demo [OUTDIR]`: rsnrn's demo. Runs demo/ballstick.hoc (a templated ball-and-stick
//! cell of our own, with our hh and pas mechanisms) in the hoc interpreter, then plots its
//! traces: OUTDIR/ballstick.txt and OUTDIR/ballstick.png (default OUTDIR: `out`).

use plotters::prelude::*;
use rsnrn::runtime::trace_io::read_table;
use rsnrn_hoc::{Flow, Interp};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const DEMO: &str = include_str!("../../../demo/ballstick.hoc");

/// Text needs a font: the first DejaVu/Liberation sans of the system, when there is one.
fn register_system_font() -> bool {
    let candidates = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ];
    for path in candidates {
        if let Ok(bytes) = std::fs::read(path) {
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                return true;
            }
        }
    }
    false
}

fn plot(table: &Path, png: &Path) -> Result<(), String> {
    let traces = read_table(table).map_err(|e| format!("reading {}: {e}", table.display()))?;
    let t = traces.column("t").ok_or("the traces have no t column")?;
    let series = [
        ("soma_v0.5", "soma", RED),
        ("dend_v0.5", "dendrite, middle", BLUE),
        ("dend_v1", "dendrite, tip", GREEN),
    ];
    let with_text = register_system_font();
    let root = BitMapBackend::new(png, (1000, 600)).into_drawing_area();
    let draw_err = |e: DrawingAreaErrorKind<_>| format!("drawing {}: {e}", png.display());
    root.fill(&WHITE).map_err(draw_err)?;
    let t_end = t.last().copied().unwrap_or(1.0);
    let mut builder = ChartBuilder::on(&root);
    builder.margin(20);
    if with_text {
        builder
            .caption(
                "rsnrn demo: ball-and-stick cell, IClamp 0.2 nA",
                ("sans-serif", 24),
            )
            .x_label_area_size(40)
            .y_label_area_size(50);
    }
    let mut chart = builder
        .build_cartesian_2d(0.0..t_end, -90.0..60.0)
        .map_err(draw_err)?;
    if with_text {
        chart
            .configure_mesh()
            .x_desc("t (ms)")
            .y_desc("v (mV)")
            .draw()
            .map_err(draw_err)?;
    }
    for (column, label, color) in series {
        let v = traces
            .column(column)
            .ok_or_else(|| format!("the traces have no {column} column"))?;
        let line = chart
            .draw_series(LineSeries::new(
                t.iter().copied().zip(v.iter().copied()),
                color,
            ))
            .map_err(draw_err)?;
        if with_text {
            line.label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
        }
    }
    if with_text {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(draw_err)?;
    }
    root.present().map_err(draw_err)?;
    Ok(())
}

fn run(outdir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(outdir).map_err(|e| format!("creating {}: {e}", outdir.display()))?;
    let mut hoc = Interp::new("rsnrn-demo")?;
    hoc.progress = rsnrn_hoc::progress::RunProgress::new(std::io::stderr().is_terminal());
    let outdir_text = outdir
        .display()
        .to_string()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    let setup = format!("strdef outdir\noutdir = \"{outdir_text}\"\n");
    let result = hoc
        .run_string("rsnrn-demo", &setup)
        .and_then(|()| hoc.run_string("demo/ballstick.hoc", DEMO));
    hoc.flush();
    match result {
        Ok(()) | Err(Flow::Quit(0)) => {}
        Err(Flow::Error(e)) => return Err(hoc.render_error(&e)),
        Err(_) => return Err("the demo stopped early".into()),
    }
    let table = outdir.join("ballstick.txt");
    let png = outdir.join("ballstick.png");
    plot(&table, &png)?;
    println!("rsnrn-demo: plot written to {}", png.display());
    Ok(())
}

fn main() -> ExitCode {
    let outdir = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "out".into()));
    match run(&outdir) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rsnrn-demo: {}", e.trim_end());
            ExitCode::FAILURE
        }
    }
}
