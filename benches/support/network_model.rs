//! The network of `network_spec.rs` built in a [`CableModel`]: NCELL-independent, so the bench
//! (1000 cells) and tests/threads_network.rs (10 and 24 cells, checked against NEURON) build
//! the very same cells and NetCons. Both include this file and `network_spec.rs` with
//! `#[path]`, as `crate::network_spec` and `crate::network_model`.

use rsnrn::runtime::{NetConSource, PointProcessId, SectionId};
use rsnrn::CableModel;

/// One ball-and-stick cell.
pub struct Cell {
    pub soma: SectionId,
    #[allow(dead_code)] // the bench records nothing on the dendrite; the test does
    pub dend: SectionId,
    /// The ExpSyn at dend(0.5).
    pub syn: PointProcessId,
}

/// `ncell` cells (hh soma 20 x 20 um; pas dendrite 200 x 1 um, 5 segments; ExpSyn tau 2 ms;
/// an IClamp pulse of 1 ms) and FANIN NetCons per cell from random other somas (threshold
/// 0 mV), drawn by `network_spec::draw`.
pub fn build(m: &mut CableModel, ncell: usize) -> Vec<Cell> {
    let (stims, conns) = crate::network_spec::draw(ncell);
    let mut cells = Vec::new();
    for (k, stim) in stims.iter().enumerate() {
        let soma = m.create_section(&format!("soma{k}")).unwrap();
        m.set_length(soma, 20.0).unwrap();
        m.set_diam(soma, 20.0).unwrap();
        m.insert(soma, "hh").unwrap();
        let dend = m.create_section(&format!("dend{k}")).unwrap();
        m.set_length(dend, 200.0).unwrap();
        m.set_diam(dend, 1.0).unwrap();
        m.set_nseg(dend, 5).unwrap();
        m.insert(dend, "pas").unwrap();
        m.set_range_all(dend, "g_pas", 0.001).unwrap();
        m.set_range_all(dend, "e_pas", -65.0).unwrap();
        m.connect(dend, 0.0, soma, 1.0).unwrap();
        let syn = m.add_point_process(dend, 0.5, "ExpSyn").unwrap();
        m.set_point(syn, "tau", 2.0).unwrap();
        m.set_point(syn, "e", 0.0).unwrap();
        let clamp = m.add_point_process(soma, 0.5, "IClamp").unwrap();
        m.set_point(clamp, "dur", 1.0).unwrap();
        m.set_point(clamp, "del", stim.delay).unwrap();
        m.set_point(clamp, "amp", stim.amp).unwrap();
        cells.push(Cell { soma, dend, syn });
    }
    for c in &conns {
        let source = NetConSource::Voltage {
            section: cells[c.source].soma,
            x: 0.5,
        };
        let nc = m.add_netcon(source, Some(cells[c.target].syn)).unwrap();
        m.set_netcon_threshold(nc, 0.0).unwrap();
        m.set_netcon_weight(nc, 0, c.weight).unwrap();
        m.set_netcon_delay(nc, c.delay).unwrap();
    }
    cells
}
