//! Throughput of the JIT-compiled hh kernels (nmodl/hh.mod) on 1000 instances, called through
//! the ABI exactly as the runtime calls them. `cargo xtask bench` turns the figures into ns per
//! instance-step.

use criterion::{criterion_group, criterion_main, Criterion};
use rsnrn_abi::{KernelContext, MechanismData, MechanismTable, SlotInfo};
use std::hint::black_box;

const INSTANCES: usize = 1000;

/// Structure-of-arrays data for `INSTANCES` hh instances, one per node, as the runtime lays it out.
struct Instances {
    _columns: Vec<Vec<f64>>,
    _column_ptrs: Vec<*mut f64>,
    _globals: Vec<f64>,
    _ion_values: Vec<Vec<f64>>,
    _slot_arrays: Vec<Vec<*mut f64>>,
    _slot_ptrs: Vec<*const *mut f64>,
    _node_index: Vec<u32>,
    _nodes: [Vec<f64>; 5],
    ctx: KernelContext,
    data: MechanismData,
}

fn instances(table: &MechanismTable) -> Instances {
    // SAFETY: the table comes from our JIT and its description is valid JSON.
    let info = unsafe { table.info() }.expect("hh describes itself");
    let mut columns: Vec<Vec<f64>> = Vec::new();
    for f in &info.range {
        for _ in 0..f.size {
            columns.push(vec![f.default; INSTANCES]);
        }
    }
    let mut column_ptrs: Vec<*mut f64> = columns.iter_mut().map(|c| c.as_mut_ptr()).collect();
    let mut globals: Vec<f64> = info.globals.iter().map(|g| g.default).collect();
    globals.resize(info.globals_len(), 0.0);
    let mut ion_values: Vec<Vec<f64>> = info
        .slots
        .iter()
        .map(|SlotInfo::Ion { var, .. }| {
            let value = match var.as_str() {
                "ena" => 50.0,
                "ek" => -77.0,
                _ => 0.0,
            };
            vec![value; INSTANCES]
        })
        .collect();
    let slot_arrays: Vec<Vec<*mut f64>> = ion_values
        .iter_mut()
        .map(|values| (0..INSTANCES).map(|i| &mut values[i] as *mut f64).collect())
        .collect();
    let slot_ptrs: Vec<*const *mut f64> = slot_arrays.iter().map(|a| a.as_ptr()).collect();
    let node_index: Vec<u32> = (0..INSTANCES as u32).collect();
    // v spread over -80..20 mV so both table ends and the middle are exercised.
    let v: Vec<f64> = (0..INSTANCES)
        .map(|i| -80.0 + 100.0 * i as f64 / INSTANCES as f64)
        .collect();
    let mut nodes = [
        v,
        vec![0.0; INSTANCES],
        vec![0.0; INSTANCES],
        vec![1000.0; INSTANCES],
        vec![10.0; INSTANCES],
    ];
    let ctx = KernelContext {
        t: 0.0,
        dt: 0.025,
        celsius: 6.3,
        secondorder: 0.0,
        v: nodes[0].as_mut_ptr(),
        rhs: nodes[1].as_mut_ptr(),
        d: nodes[2].as_mut_ptr(),
        area: nodes[3].as_ptr(),
        diam: nodes[4].as_ptr(),
        node_count: INSTANCES as u64,
        services: &rsnrn::runtime::SERVICES,
        events: std::ptr::null_mut(),
    };
    let data = MechanismData {
        count: INSTANCES as u64,
        node_index: node_index.as_ptr(),
        range: column_ptrs.as_mut_ptr() as *const *mut f64,
        globals: globals.as_mut_ptr(),
        slots: slot_ptrs.as_ptr(),
        mechanism: 0,
    };
    Instances {
        _columns: columns,
        _column_ptrs: column_ptrs,
        _globals: globals,
        _ion_values: ion_values,
        _slot_arrays: slot_arrays,
        _slot_ptrs: slot_ptrs,
        _node_index: node_index,
        _nodes: nodes,
        ctx,
        data,
    }
}

fn hh_kernels(c: &mut Criterion) {
    let (name, text) = rsnrn::builtins::SOURCES[1];
    let jit = rsnrn::compile::compile_source(name, text).expect("hh.mod compiles");
    let table = jit.table();
    let mut inst = instances(&table);
    let call = |kernel: Option<rsnrn_abi::Kernel>, inst: &mut Instances| {
        let kernel = kernel.expect("hh has this kernel");
        // SAFETY: `inst` holds SoA data laid out from hh's own description.
        let status = unsafe { kernel(&inst.ctx, &mut inst.data) };
        assert_eq!(status, 0);
    };
    call(table.table_check, &mut inst);
    call(table.initialize, &mut inst);
    let mut group = c.benchmark_group("hh_kernels");
    group.bench_function("current", |b| {
        b.iter(|| call(black_box(table.current), &mut inst))
    });
    group.bench_function("state", |b| {
        b.iter(|| call(black_box(table.state), &mut inst))
    });
    group.finish();
}

criterion_group!(benches, hh_kernels);
criterion_main!(benches);
