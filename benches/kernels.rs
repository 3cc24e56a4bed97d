//! Throughput of JIT-compiled kernels on 1000 instances, called through the ABI exactly as
//! the runtime calls them: our nmodl/hh.mod, and (with RSNRN_SHARED set) every mechanism of
//! the STN model of ../shared/models/stn151460. `cargo xtask bench` turns the figures into ns
//! per instance-step.

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

/// A plausible value for an ion variable: NEURON's default concentrations and reversal
/// potentials near them; currents start at 0.
fn ion_value(var: &str) -> f64 {
    match var {
        "ena" => 50.0,
        "ek" => -77.0,
        "eca" => 132.5,
        "nai" => 10.0,
        "nao" => 140.0,
        "ki" => 54.4,
        "ko" => 2.5,
        "cai" => 5e-5,
        "cao" => 2.0,
        _ => 0.0,
    }
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
        .map(|slot| {
            let value = match slot {
                SlotInfo::Ion { var, .. } => ion_value(var),
                // A POINTER reads a presynaptic voltage.
                SlotInfo::Pointer { .. } => -65.0,
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
        randoms: std::ptr::null(),
        function_tables: std::ptr::null(),
        mechanism: 0,
        // As the runtime sets it: the instances' nodes and ion values are consecutive here.
        affine: u64::from(
            node_index.windows(2).all(|w| w[1] == w[0] + 1)
                && slot_arrays
                    .iter()
                    .all(|a| a.windows(2).all(|w| w[0].wrapping_add(1) == w[1])),
        ),
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

/// Calls `kernel` (when the mechanism has it) once over all instances.
fn call(kernel: Option<rsnrn_abi::Kernel>, inst: &mut Instances) {
    let Some(kernel) = kernel else { return };
    // SAFETY: `inst` holds SoA data laid out from the mechanism's own description.
    let status = unsafe { kernel(&inst.ctx, &mut inst.data) };
    assert_eq!(status, 0);
}

fn hh_kernels(c: &mut Criterion) {
    let (name, text) = rsnrn::builtins::SOURCES[1];
    let jit = rsnrn::compile::compile_source(name, text).expect("hh.mod compiles");
    let table = jit.table();
    let mut inst = instances(&table);
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

/// Every STN mechanism: `<name>_current` and `<name>_state` for the kernels it has.
fn stn_kernels(c: &mut Criterion) {
    let Some(shared) = std::env::var_os("RSNRN_SHARED") else {
        eprintln!("RSNRN_SHARED is unset: the STN mechanism kernels are not benchmarked");
        return;
    };
    let dir = std::path::Path::new(&shared).join("models/stn151460");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the STN model folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "mod"))
        .collect();
    files.sort();
    let mut group = c.benchmark_group("stn_kernels");
    for file in files {
        let jit = match rsnrn::compile::compile_file(&file) {
            Ok(jit) => jit,
            Err(e) => {
                eprintln!(
                    "{}: not benchmarked, it does not compile:\n{e}",
                    file.display()
                );
                continue;
            }
        };
        let table = jit.table();
        let name = jit.info().name.clone();
        let mut inst = instances(&table);
        call(table.table_check, &mut inst);
        call(table.initialize, &mut inst);
        for (kernel, which) in [(table.current, "current"), (table.state, "state")] {
            if kernel.is_some() {
                group.bench_function(format!("{name}_{which}"), |b| {
                    b.iter(|| call(black_box(kernel), &mut inst))
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, hh_kernels, stn_kernels);
criterion_main!(benches);
