//! The reference scenarios of issue "Foundations", built through the Rust API by the examples
//! and compared with NEURON 9.0.2's traces by ../shared/reference/compare.py.

mod common;

#[path = "../examples/hh_cable_cn.rs"]
mod hh_cable_cn;
#[path = "../examples/hh_soma.rs"]
mod hh_soma;
#[path = "../examples/passive_cable.rs"]
mod passive_cable;

#[test]
fn hh_soma_matches_neuron_with_and_without_tables() {
    let Some(shared) = common::shared_dir("hh_soma_matches_neuron_with_and_without_tables") else {
        return;
    };
    let out = common::out_dir("hh_soma");
    hh_soma::run(&out).expect("hh_soma runs");
    let reference = shared.join("reference/neuron-9.0.2/hh_soma");
    for file in ["hh_soma.txt", "hh_soma_usetable0.txt"] {
        common::compare(
            &shared,
            &reference.join(file),
            &out.join(file),
            common::EXACT,
        );
    }
}

#[test]
fn passive_cable_matches_neuron() {
    let Some(shared) = common::shared_dir("passive_cable_matches_neuron") else {
        return;
    };
    let out = common::out_dir("passive_cable");
    passive_cable::run(&out).expect("passive_cable runs");
    let reference = shared.join("reference/neuron-9.0.2/passive_cable/passive_cable.txt");
    common::compare(
        &shared,
        &reference,
        &out.join("passive_cable.txt"),
        &["--vtol", "1e-5", "--rtol", "1e-5", "--atol", "1e-9"],
    );
}

#[test]
fn hh_cable_cn_matches_neuron_with_secondorder_2_and_0() {
    let Some(shared) = common::shared_dir("hh_cable_cn_matches_neuron_with_secondorder_2_and_0")
    else {
        return;
    };
    let out = common::out_dir("hh_cable_cn");
    hh_cable_cn::run(&out).expect("hh_cable_cn runs");
    let reference = shared.join("reference/neuron-9.0.2/hh_cable_cn");
    for file in [
        "hh_cable_cn_secondorder2.txt",
        "hh_cable_cn_secondorder0.txt",
    ] {
        common::compare(
            &shared,
            &reference.join(file),
            &out.join(file),
            common::EXACT,
        );
    }
}
