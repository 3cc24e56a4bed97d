//! The README's demo: demo/ballstick.hoc through rsnrn-demo writes traces equal to NEURON
//! 9.0.2's (demo/ballstick.neuron-9.0.2.txt, made with nrniv from the same file) and a PNG.

use rsnrn::runtime::trace_io::read_table;
use std::path::Path;
use std::process::Command;

#[test]
fn demo_writes_neuron_equal_traces_and_a_plot() {
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("demo");
    let _ = std::fs::remove_dir_all(&out);
    let status = Command::new(env!("CARGO_BIN_EXE_rsnrn-demo"))
        .arg(&out)
        .status()
        .expect("rsnrn-demo runs");
    assert!(status.success());
    let png = std::fs::read(out.join("ballstick.png")).expect("the plot exists");
    assert!(png.starts_with(b"\x89PNG"), "ballstick.png is a PNG");

    let ours = read_table(out.join("ballstick.txt")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../demo");
    let neuron = read_table(root.join("ballstick.neuron-9.0.2.txt")).unwrap();
    for column in ["t", "soma_v0.5", "dend_v0.5", "dend_v1"] {
        let (a, b) = (ours.column(column).unwrap(), neuron.column(column).unwrap());
        assert_eq!(a.len(), b.len(), "{column}: rows");
        let worst = a
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        assert!(worst <= 1e-6, "{column} differs from NEURON by {worst} mV");
    }
}
