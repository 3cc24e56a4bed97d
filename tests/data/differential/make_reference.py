#!/usr/bin/env python3
"""NEURON 9.0.2's traces for tests/differential_vs_neuron.rs.

For every entry of mechanisms.json: the entry's .mod files (paths relative to $RSNRN_SHARED,
with the .inc files of their folders) are compiled with nrnivmodl in a temporary folder, one
compartment is built as the entry says, and two protocols are run with dt = 0.025 ms:

  vclamp  SEClamp (rs 1 MOhm) holding -70 mV with steps to -40, -10 and +20 mV (50 ms);
  iclamp  IClamp from 5 to 35 ms (50 ms).

Every step is recorded (every 4th row is written): t, v, every STATE and RANGE ASSIGNED variable of the mechanisms the
entry names in "record" (default: everything it inserts), the point process's fields, and e, i,
inside and outside concentration of every ion in the section.
A "point" may be an ARTIFICIAL_CELL ("artificial"), have POINTERs set to range variables of the
compartment ("pointers": {"pre": "v"}) and receive events from a NetStim ("netstim"). One table per (entry, protocol)
is written here as <entry>.<protocol>.txt.

usage (with NEURON 9.0.2's python, e.g. `cargo xtask neuron-diff`):
    RSNRN_SHARED=../shared python make_reference.py [ENTRY ...]

The scenario (compartment, protocols, what is recorded) is repeated by the Rust test; change
both together. Each entry runs in its own process, because NEURON loads one mechanism library
per process and entries of different models may share mechanism names.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DT = 0.025
TSTOP = 50.0
# (time until which the level holds, SEClamp level in mV)
VCLAMP_LEVELS = [(5, -70), (15, -40), (20, -70), (30, -10), (35, -70), (45, 20), (50, -70)]
ICLAMP = {"delay": 5.0, "dur": 30.0}
PRECISION = "%.10g"
# Every step is recorded; every ROW_EVERY-th row (0.1 ms) is written, to keep the committed
# tables small (an error in a state carries over into the rows that are written).
ROW_EVERY = int(os.environ.get("ROW_EVERY", 4))


def load_entries():
    with open(os.path.join(HERE, "mechanisms.json")) as f:
        return json.load(f)


def compile_mods(shared, files, build):
    """Copies `files` and the .inc files beside them into `build` and runs nrnivmodl there."""
    for rel in files:
        src = os.path.join(shared, rel)
        shutil.copy(src, build)
        folder = os.path.dirname(src)
        for name in os.listdir(folder):
            if name.endswith(".inc"):
                shutil.copy(os.path.join(folder, name), build)
    nrnivmodl = os.path.join(os.path.dirname(sys.executable), "nrnivmodl")
    # nrnivmodl registers the mechanisms in the order `ls` lists the files, which is the
    # mechanisms' order in every node (currents summed, states updated in it). LC_ALL=C makes
    # it byte order of the file names, as the Rust test registers them.
    env = dict(os.environ, LC_ALL="C")
    out = subprocess.run([nrnivmodl], cwd=build, capture_output=True, text=True, env=env)
    if out.returncode != 0 or not os.path.isdir(os.path.join(build, "x86_64")):
        sys.exit(f"nrnivmodl failed in {build}:\n{out.stdout}\n{out.stderr}")


# ---------------------------------------------------------------------------------------------
# one entry, in a process of its own (cwd = the build folder, so that NEURON loads x86_64/)


def range_names(h, mech, vartype):
    """Names NEURON gives to the RANGE variables of `mech` of one kind (3 STATE, 2 ASSIGNED),
    array elements as name[k]."""
    ms = h.MechanismStandard(mech, vartype)
    names = []
    for k in range(int(ms.count())):
        ref = h.ref("")
        size = int(ms.name(ref, k))
        name = ref[0]
        names.extend([name] if size == 1 else [f"{name}[{j}]" for j in range(size)])
    return names


def ions_in(h, sec):
    mt = h.MechanismType(0)
    out = []
    for k in range(int(mt.count())):
        mt.select(k)
        ref = h.ref("")
        mt.selected(ref)
        name = ref[0]
        if mt.is_ion() and h.ismembrane(name, sec=sec):
            out.append(name[: -len("_ion")])
    return out


def ref_to(obj, name):
    """A pointer to obj.name, or to element k of an array written name[k]."""
    if name.endswith("]"):
        base, k = name[:-1].split("[")
        return getattr(obj, "_ref_" + base)[int(k)]
    return getattr(obj, "_ref_" + name)


def simulate(entry, protocol, out_path):
    from neuron import h

    h.load_file("stdrun.hoc")
    assert h.nrnversion(5) == "9.0.2", f"NEURON {h.nrnversion(5)}, not 9.0.2"
    soma = h.Section(name="soma")
    soma.L = soma.diam = 20.0
    soma.Ra = 100.0
    soma.nseg = 1
    for name, value in entry.get("globals", {}).items():
        setattr(h, name, value)
    h.celsius = entry.get("celsius", 6.3)
    inserted = ["pas"] + entry.get("insert", [])
    for mech in inserted:
        soma.insert(mech)
    seg = soma(0.5)
    for name, value in entry.get("set", {}).items():
        setattr(seg, name, value)
    point, keep = None, []
    if "point" in entry:
        spec = entry["point"]
        # An ARTIFICIAL_CELL lives in no section.
        point = getattr(h, spec["name"])() if spec.get("artificial") else getattr(h, spec["name"])(seg)
        for name, value in spec.get("set", {}).items():
            setattr(point, name, value)
        for name, target in spec.get("pointers", {}).items():
            h.setpointer(ref_to(seg, target), name, point)
        if "netstim" in spec:
            stim = dict(spec["netstim"])
            weight, delay = stim.pop("weight"), stim.pop("delay")
            netstim = h.NetStim()
            for name, value in stim.items():
                setattr(netstim, name, value)
            netcon = h.NetCon(netstim, point)
            netcon.weight[0] = weight
            netcon.delay = delay
            keep += [netstim, netcon]

    if protocol == "vclamp":
        clamp = h.SEClamp(seg)
        clamp.dur1 = 1e9
        clamp.amp1 = VCLAMP_LEVELS[0][1]
    else:
        clamp = h.IClamp(seg)
        clamp.delay = ICLAMP["delay"]
        clamp.dur = ICLAMP["dur"]
        clamp.amp = entry.get("iclamp_amp", 0.1)

    names, refs = ["t", "v"], [h._ref_t, seg._ref_v]
    for mech in entry.get("record", entry.get("insert", [])):
        for vartype in (3, 2):
            for name in range_names(h, mech, vartype):
                names.append(name)
                refs.append(ref_to(seg, name))
    if point is not None:
        pname = entry["point"]["name"]
        for vartype in (3, 2):
            for name in range_names(h, pname, vartype):
                names.append(f"{pname}.{name}")
                refs.append(ref_to(point, name))
    for ion in ions_in(h, soma):
        for name in (f"e{ion}", f"{ion}i", f"{ion}o", f"i{ion}"):
            names.append(name)
            refs.append(ref_to(seg, name))
    if protocol == "vclamp":
        names += ["SEClamp.i", "SEClamp.vc"]
        refs += [clamp._ref_i, clamp._ref_vc]
    else:
        names.append("IClamp.i")
        refs.append(clamp._ref_i)
    vectors = []
    for r in refs:
        vec = h.Vector()
        vec.record(r)
        vectors.append(vec)

    h.dt = DT
    h.steps_per_ms = 1.0 / DT
    h.finitialize(entry.get("v_init", -70.0))
    if protocol == "vclamp":
        for until, level in VCLAMP_LEVELS:
            clamp.amp1 = level
            h.continuerun(until)
    else:
        h.continuerun(TSTOP)

    columns = [list(v) for v in vectors]
    with open(out_path, "w") as f:
        f.write(f"# {entry['name']} {protocol}: NEURON {h.nrnversion(5)}, made by make_reference.py\n")
        f.write(" ".join(names) + "\n")
        for row in list(zip(*columns))[::ROW_EVERY]:
            f.write(" ".join(PRECISION % x for x in row) + "\n")


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--simulate":
        _, _, name, protocol, out_path = sys.argv
        entry = next(e for e in load_entries() if e["name"] == name)
        simulate(entry, protocol, out_path)
        return
    shared = os.environ.get("RSNRN_SHARED")
    if not shared:
        sys.exit("make_reference.py: set RSNRN_SHARED to the shared/ folder (corpus and STN model)")
    entries = load_entries()
    wanted = sys.argv[1:]
    unknown = [w for w in wanted if w not in {e["name"] for e in entries}]
    if unknown:
        sys.exit(f"make_reference.py: not in mechanisms.json: {' '.join(unknown)}")
    builds, failed = {}, []
    try:
        for entry in entries:
            if wanted and entry["name"] not in wanted:
                continue
            key = tuple(entry["files"])
            if key not in builds:
                builds[key] = tempfile.mkdtemp(prefix="rsnrn-diff-")
                compile_mods(shared, entry["files"], builds[key])
            for protocol in ("vclamp", "iclamp"):
                out_path = os.path.join(HERE, f"{entry['name']}.{protocol}.txt")
                run = subprocess.run(
                    [sys.executable, os.path.abspath(__file__), "--simulate", entry["name"], protocol, out_path],
                    cwd=builds[key], capture_output=True, text=True)
                if run.returncode != 0:
                    failed.append(entry["name"])
                    print(f"{entry['name']} {protocol} FAILED:\n{run.stdout}\n{run.stderr}", file=sys.stderr)
                    break
                print(f"{entry['name']}.{protocol}.txt")
    finally:
        for build in builds.values():
            shutil.rmtree(build, ignore_errors=True)
    if failed:
        sys.exit(f"make_reference.py: no tables for {' '.join(failed)}")


if __name__ == "__main__":
    main()
