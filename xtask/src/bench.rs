//! `cargo xtask bench`: our figures from criterion, NEURON's measured in the same run.

use crate::{neuron, workspace_root};
use std::path::Path;
use std::process::Command;

/// The whole-run workload of `benches/cable.rs`, restated for NEURON: a 5100 um hh cable of
/// 510 segments driven at its 0 end, 500 ms at dt 0.025. Keep the two in step.
const CABLE_SEGMENTS: f64 = 510.0;
const CABLE_STEPS: f64 = 20000.0;
const CABLE_HOC: &str = r#"
{ load_file("stdrun.hoc") }
create cable
cable { nseg = 510  L = 5100  diam = 1  Ra = 100  insert hh }
objref stim
cable stim = new IClamp(0)
{ stim.del = 1  stim.dur = 1e9  stim.amp = 0.1 }
dt = 0.025
steps_per_ms = 40
tstop = 500
{ finitialize(-65) }
wall0 = startsw()
{ continuerun(tstop) }
{ printf("elapsed %.6f\n", startsw() - wall0) }
"#;

#[path = "../../benches/support/network_spec.rs"]
mod network_spec;

/// The network of `benches/network.rs` as hoc (the same spec, drawn by the same generator),
/// run on `threads` threads (ParallelContext.nthread); prints `elapsed <s>` and the spike count.
fn network_hoc(threads: usize) -> String {
    use network_spec::*;
    use std::fmt::Write;
    let (stims, conns) = draw(NCELL);
    let mut hoc = format!(
        r#"{{ load_file("stdrun.hoc") }}
create soma[{NCELL}], dend[{NCELL}]
objref syn[{NCELL}], stim[{NCELL}], nc[{n}], pc, spikes, nil, rec
spikes = new Vector()
proc cell() {{
    soma[$1] {{ L = 20  diam = 20  insert hh }}
    dend[$1] {{ L = 200  diam = 1  nseg = 5  insert pas  g_pas = 0.001  e_pas = -65 }}
    connect dend[$1](0), soma[$1](1)
    dend[$1] syn[$1] = new ExpSyn(0.5)
    syn[$1].tau = 2  syn[$1].e = 0
    soma[$1] stim[$1] = new IClamp(0.5)
    stim[$1].dur = 1  stim[$1].del = $2  stim[$1].amp = $3
    soma[$1] rec = new NetCon(&v(0.5), nil)
    rec.threshold = 0
    rec.record(spikes)
}}
proc conn() {{
    soma[$2] nc[$1] = new NetCon(&v(0.5), syn[$3])
    nc[$1].threshold = 0  nc[$1].weight = $4  nc[$1].delay = $5
}}
"#,
        n = conns.len()
    );
    for (k, s) in stims.iter().enumerate() {
        let _ = writeln!(hoc, "cell({k}, {:?}, {:?})", s.delay, s.amp);
    }
    for (k, c) in conns.iter().enumerate() {
        let _ = writeln!(
            hoc,
            "conn({k}, {}, {}, {:?}, {:?})",
            c.source, c.target, c.weight, c.delay
        );
    }
    let _ = write!(
        hoc,
        r#"pc = new ParallelContext()
{{ pc.nthread({threads}) }}
dt = {DT:?}
steps_per_ms = {spm}
tstop = {TSTOP:?}
{{ finitialize(-65) }}
wall0 = startsw()
{{ continuerun(tstop) }}
{{ printf("elapsed %.6f\nspikes %d\n", startsw() - wall0, spikes.size()) }}
"#,
        spm = 1.0 / DT
    );
    hoc
}

/// Seconds and spike count `program` (nrniv or rsnrniv) printed for `network_hoc`.
fn network_timing(program: &std::path::PathBuf, threads: usize) -> Result<(f64, usize), String> {
    let out = neuron::run_hoc(program, &network_hoc(threads))?;
    let field = |key: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(key))
            .map(|s| s.trim().to_string())
            .ok_or_else(|| format!("no {key} in {}'s output:\n{out}", program.display()))
    };
    let seconds = field("elapsed ")?
        .parse()
        .map_err(|e| format!("{}'s time: {e}", program.display()))?;
    let spikes = field("spikes ")?
        .parse()
        .map_err(|e| format!("{}'s spike count: {e}", program.display()))?;
    Ok((seconds, spikes))
}

/// Instances per iteration of the kernel benches (`benches/kernels.rs`).
const KERNEL_INSTANCES: f64 = 1000.0;

fn cargo_bench(bench: &str, quick: bool) -> Result<(), String> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(workspace_root())
        .args(["bench", "--quiet", "--bench", bench, "--"]);
    if quick {
        cmd.arg("--quick");
    }
    let status = cmd
        .status()
        .map_err(|e| format!("running cargo bench: {e}"))?;
    if !status.success() {
        return Err(format!("cargo bench --bench {bench} failed"));
    }
    Ok(())
}

/// Mean time per iteration (ns) criterion estimated for `group/id`.
fn criterion_mean_ns(group: &str, id: &str) -> Result<f64, String> {
    let path = criterion_dir()
        .join(group)
        .join(id)
        .join("new/estimates.json");
    read_mean(&path)
}

fn read_mean(path: &Path) -> Result<f64, String> {
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("parsing {}: {e}", path.display()))?;
    json["mean"]["point_estimate"]
        .as_f64()
        .ok_or_else(|| format!("{} has no mean estimate", path.display()))
}

/// The figures of benches/kernels.rs's `stn_kernels` group, one line per mechanism.
fn print_stn_kernels() -> Result<(), String> {
    let dir = criterion_dir().join("stn_kernels");
    if std::env::var_os("RSNRN_SHARED").is_none() || !dir.is_dir() {
        println!("STN mechanism kernels: not measured (RSNRN_SHARED unset)");
        return Ok(());
    }
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .map_err(|e| format!("reading {}: {e}", dir.display()))?
        .flatten()
        .filter(|e| e.path().join("new/estimates.json").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    println!("STN model mechanisms (ns per instance-step, {KERNEL_INSTANCES} instances per call):");
    for id in ids {
        let ns = criterion_mean_ns("stn_kernels", &id)?;
        let (mech, kernel) = id.rsplit_once('_').unwrap_or((&id, ""));
        println!("  {mech:<12} {kernel:<8} {:>8.2}", ns / KERNEL_INSTANCES);
    }
    Ok(())
}

fn criterion_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
        .join("criterion")
}

pub fn run(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick");
    if args.iter().any(|a| a == "--scenarios") {
        return crate::bench_scenarios::run();
    }
    if args.iter().any(|a| a == "--python") {
        return crate::bench_python::run();
    }
    if args.iter().any(|a| a == "--network") {
        return print_network();
    }
    if args.iter().any(|a| a == "--cable") {
        return print_cable();
    }
    cargo_bench("kernels", quick)?;
    println!();
    println!("channel kernels (JIT-compiled nmodl/hh.mod), {KERNEL_INSTANCES} instances per call:");
    for kernel in ["current", "state"] {
        let ns = criterion_mean_ns("hh_kernels", kernel)?;
        println!(
            "  hh {kernel:<8} {:>8.2} ns per instance-step",
            ns / KERNEL_INSTANCES
        );
    }
    print_stn_kernels()?;
    if quick {
        return Ok(());
    }
    cargo_bench("frontend", false)?;
    let ms = criterion_mean_ns("frontend", "corpus")? / 1e6;
    println!();
    println!("NMODL front end (parse + analysis, one thread) over the corpus: {ms:.1} ms per pass");
    match criterion_mean_ns("stn_jit", "all") {
        Ok(ns) => println!(
            "JIT compile of the STN model's .mod files in process (parse to kernels): {:.1} ms",
            ns / 1e6
        ),
        Err(_) => println!("JIT compile of the STN model: not measured (RSNRN_SHARED unset)"),
    }
    print_cable()?;
    print_network()?;
    crate::bench_scenarios::run()?;
    crate::bench_python::run()
}

/// benches/cable.rs (the 510-segment hh cable), and NEURON's figure for the same run.
fn print_cable() -> Result<(), String> {
    cargo_bench("cable", false)?;
    let ours = criterion_mean_ns("hh_cable", "run_500ms")? / (CABLE_SEGMENTS * CABLE_STEPS);
    println!();
    println!("whole run: 5100 um hh cable, 510 segments, 500 ms at dt 0.025");
    println!("  rsnrn    {ours:>8.1} ns per segment-step");
    match neuron::find_nrniv() {
        None => println!(
            "  NEURON   not measured: no nrniv on PATH or in $NRN_VENV (pip install neuron==9.0.2)"
        ),
        Some(nrniv) => {
            let out = neuron::run_hoc(&nrniv, CABLE_HOC)?;
            let seconds: f64 = out
                .lines()
                .find_map(|l| l.strip_prefix("elapsed "))
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| format!("no timing in nrniv's output:\n{out}"))?;
            let theirs = seconds * 1e9 / (CABLE_SEGMENTS * CABLE_STEPS);
            println!(
                "  NEURON   {theirs:>8.1} ns per segment-step ({})",
                nrniv.display()
            );
            println!(
                "  ratio    {:>8.2}x (NEURON time / rsnrn time)",
                theirs / ours
            );
        }
    }
    Ok(())
}

/// The figures of benches/network.rs, and NEURON's for the same network on 1 and 2 threads.
fn print_network() -> Result<(), String> {
    use network_spec::{FANIN, NCELL, TSTOP};
    cargo_bench("network", false)?;
    println!();
    println!(
        "network: {NCELL} hh ball-and-stick cells (soma + 5-segment dend), ExpSyn, {} random NetCons, {TSTOP} ms at dt 0.025",
        NCELL * FANIN
    );
    let nrniv = neuron::find_nrniv();
    let rsnrniv = crate::bench_scenarios::build_rsnrniv()?;
    for threads in [1, 2] {
        let ours = criterion_mean_ns("hh_network", &format!("threads_{threads}"))? / 1e9;
        // The same hoc as nrniv runs (stdrun's continuerun): what a hoc user gets.
        let (hoc_seconds, hoc_spikes) = network_timing(&rsnrniv, threads)?;
        print!(
            "  {threads} thread(s): rsnrn {ours:>7.3} s, rsnrniv {hoc_seconds:>7.3} s ({hoc_spikes} spikes)"
        );
        match &nrniv {
            None => println!(", NEURON not measured (no nrniv)"),
            // nrniv 9.0.2 sometimes aborts on threads ("double free or corruption"): say so
            // and go on with the other figures.
            Some(nrniv) => match network_timing(nrniv, threads) {
                Ok((theirs, spikes)) => println!(
                    ", NEURON {theirs:>7.3} s ({spikes} spikes), ratio {:.2}x (NEURON time / rsnrn time)",
                    theirs / ours
                ),
                Err(e) => println!(
                    ", NEURON not measured: {}",
                    e.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("nrniv failed")
                ),
            },
        }
    }
    Ok(())
}
