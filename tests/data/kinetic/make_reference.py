#!/usr/bin/env python3
"""Generates the NEURON 9.0.2 traces of tests/kinetic_vs_neuron.rs: ModelDB mechanisms whose
KINETIC blocks are solved by METHOD sparse (and STEADYSTATE sparse in INITIAL), and variants
of one solved by euler and runge (VARIANTS), in one compartment under an IClamp.

The .mod files are read from $RSNRN_SHARED/corpus/modeldb (they are not committed) and compiled
with nrnivmodl in a temporary folder. Each scenario is built here with NEURON's Python API and in
the Rust test with rsnrn's API; keep the two in step (SCENARIOS below is the whole description).
Values are sampled after finitialize and after every fadvance; every EVERY-th sample (from
row 0) is written with %.17g, one file per scenario: header `t col...` (column = the variable's
range name, array elements as `name[i]`), then one row per written sample.

Usage: RSNRN_SHARED=/work/shared /work/nrnvenv/bin/python make_reference.py
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("RSNRN_SHARED")
if not SHARED:
    sys.exit("set RSNRN_SHARED (the shared/ folder with corpus/modeldb)")
MODELDB = os.path.join(SHARED, "corpus", "modeldb")
EVERY = 4

# suffix: (file under corpus/modeldb, recorded range variables without the suffix; ion
# currents written by a mechanism are recorded as the ion's total in the scenario's extras)
MECHANISMS = {
    "Nav1_6": ("229585/Nav16.mod", ["C1", "C2", "C3", "C4", "C5", "I1", "I2", "I3", "I4",
                                    "I5", "I6", "O", "B"]),
    "pcNa": ("266842/pc_Na.mod", ["C1", "C3", "C5", "I1", "I3", "I6", "O", "B"]),
    "caL": ("140828/caL3d.mod", ["C", "O", "a", "b"]),
    "cadifus": ("3263/cadiv.mod", ["ca[0]", "ca[1]", "ca[2]", "ca[3]", "CaBuffer[0]",
                                   "CaBuffer[3]", "Buffer[0]", "Buffer[3]", "pump", "pumpca",
                                   "ipump"]),
    "Golgi_SK2": ("112685/Golgi_SK2.mod", ["c1", "c2", "c3", "c4", "o1", "o2"]),
    "Kca1_1": ("229585/Kca11.mod", ["C0", "C2", "C4", "O0", "O2", "O4"]),
    "iar": ("3343/Ih.mod", ["c1", "o1", "o2", "p0", "p1", "m"]),
    "iar_euler": ("3343/Ih.mod", ["c1", "o1", "o2", "p0", "p1", "m"]),
    "iar_runge": ("3343/Ih.mod", ["c1", "o1", "o2", "p0", "p1", "m"]),
}
# Variants: the file with its SUFFIX renamed to the key and BREAKPOINT's METHOD sparse
# replaced (written as <key>.mod in the build folder; the Rust test does the same in memory).
VARIANTS = {"iar_euler": ("iar", "euler"), "iar_runge": ("iar", "runge")}

# name: (mechanisms inserted besides pas, IClamp (del, dur, amp) at 0.5, tstop, secondorder,
#        extra columns (range names read directly)); values are recorded at soma(0.5).
# NSEG: scenarios with more than one segment (L = 30 instead of 10).
SCENARIOS = {
    "nav16": (["Nav1_6"], (2.0, 20.0, 0.02), 30.0, 0, ["ina"]),
    "pc_na_linear_initial": (["pcNa"], (2.0, 20.0, 0.02), 30.0, 0, ["ina"]),
    "calcium": (["caL", "cadifus", "Golgi_SK2", "Kca1_1"], (5.0, 30.0, 0.1), 50.0, 0,
                ["cai", "ica", "ik"]),
    "calcium_secondorder2": (["caL", "cadifus", "Golgi_SK2", "Kca1_1"], (5.0, 30.0, 0.1),
                             50.0, 2, ["cai", "ica", "ik"]),
    "ih": (["iar"], (5.0, 60.0, -0.03), 100.0, 0, ["ih"]),
    "ih_euler": (["iar_euler"], (5.0, 60.0, -0.03), 100.0, 0, ["ih"]),
    "ih_runge": (["iar_runge"], (5.0, 60.0, -0.03), 100.0, 2, ["ih"]),
    "calcium_nseg3": (["caL", "cadifus", "Golgi_SK2", "Kca1_1"], (5.0, 30.0, 0.3), 50.0, 0,
                      ["cai", "ica", "ik"]),
}
NSEG = {"calcium_nseg3": 3}


def compile_mods():
    build = tempfile.mkdtemp(prefix="rsnrn-kinetic-")
    for key, (path, _) in MECHANISMS.items():
        if key in VARIANTS:
            suffix, method = VARIANTS[key]
            with open(os.path.join(MODELDB, path)) as f:
                text = f.read()
            text = text.replace("SUFFIX " + suffix, "SUFFIX " + key)
            text = text.replace("METHOD sparse", "METHOD " + method)
            with open(os.path.join(build, key + ".mod"), "w") as f:
                f.write(text)
        else:
            shutil.copy(os.path.join(MODELDB, path), build)
    nrnivmodl = os.path.join(os.path.dirname(sys.executable), "nrnivmodl")
    subprocess.run([nrnivmodl], cwd=build, check=True, stdout=subprocess.DEVNULL)
    return build


def main():
    build = compile_mods()
    from neuron import h

    h.nrn_load_dll(os.path.join(build, "x86_64", "libnrnmech.so"))
    for name, (mechs, (delay, dur, amp), tstop, secondorder, extra) in SCENARIOS.items():
        soma = h.Section(name="soma")
        soma.L = soma.diam = 10
        if name in NSEG:
            soma.nseg = NSEG[name]
            soma.L = 30
        soma.insert("pas")
        for m in mechs:
            soma.insert(m)
        stim = h.IClamp(soma(0.5))
        stim.delay, stim.dur, stim.amp = delay, dur, amp
        seg = soma(0.5)
        columns = ["v"] + extra
        for m in mechs:
            columns += ["%s_%s" % (var.split("[")[0], m) + (
                "[" + var.split("[")[1] if "[" in var else "") for var in MECHANISMS[m][1]]

        def value(col):
            if "[" in col:
                base, index = col[:-1].split("[")
                return getattr(seg, base)[int(index)]
            return getattr(seg, col)

        h.dt = 0.025
        h.secondorder = secondorder
        h.finitialize(-65)
        rows = [[h.t] + [value(c) for c in columns]]
        while h.t < tstop - h.dt / 2:
            h.fadvance()
            rows.append([h.t] + [value(c) for c in columns])
        with open(os.path.join(HERE, name + ".txt"), "w") as out:
            out.write(" ".join(["t"] + columns) + "\n")
            for r in rows[::EVERY]:
                out.write(" ".join("%.17g" % x for x in r) + "\n")
        del stim
        h.delete_section(sec=soma)
    h.secondorder = 0
    shutil.rmtree(build)


main()
