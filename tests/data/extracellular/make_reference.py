#!/usr/bin/env python3
"""Generates the NEURON 9.0.2 traces of tests/extracellular_vs_neuron.rs: the extracellular
mechanism (two layers, non-default xraxial/xg/xc, a time-varying e_extracellular) and fast
i_membrane_, on an hh cable and on a branched tree that mixes sections with and without
extracellular.

Each scenario is built here with NEURON's Python API and in the Rust test with rsnrn's API;
keep the two in step. Values are sampled after finitialize and after every fadvance and written
with %.12g, one file per scenario: header `t col...`, then one row per step.
Layer-1 potentials are read through hoc (`vext[1](x)`), because Python's seg.vext[1] returns
layer 0 (NEURON_NUMERICS.md §9).

Usage: /work/nrnvenv/bin/python make_reference.py   (writes *.txt next to this script)
"""
import math
import os
from neuron import h

HERE = os.path.dirname(os.path.abspath(__file__))
h("func vext_at() { return vext[$1]($2) }")  # vext[k](x) of the accessed section


def vext(sec, k, x):
    sec.push()
    value = h.vext_at(k, x)
    h.pop_section()
    return value


def e_pulse(t, x, x0):
    """e_extracellular (mV) of the scenarios: a 1 kHz-ish sine burst around x0 from 1 to 6 ms."""
    if t < 1.0 or t >= 6.0:
        return 0.0
    return 40.0 * math.sin(2.0 * math.pi * (t - 1.0) / 2.5) * math.exp(-((x - x0) / 0.15) ** 2)


def run(name, secs, columns, tstop, v_init=-65.0, drive=None):
    """finitialize, then fadvance to tstop; drive(t) sets e_extracellular before each step."""
    h.finitialize(v_init)
    rows = [[h.t] + [f() for _, f in columns]]
    while h.t < tstop - h.dt / 2:
        if drive:
            drive(h.t)
        h.fadvance()
        rows.append([h.t] + [f() for _, f in columns])
    with open(os.path.join(HERE, name + ".txt"), "w") as out:
        out.write(" ".join(["t"] + [c for c, _ in columns]) + "\n")
        for r in rows:
            out.write(" ".join("%.12g" % v for v in r) + "\n")
    for s in secs:
        h.delete_section(sec=s)


h.dt = 0.025
CVODE = h.CVode()
h.celsius = 6.3


def ext_cable(secondorder, changing=False):
    """hh cable, nseg 21, extracellular with non-default layers, e_extracellular burst at 0.3.
    With changing, layer parameters change during the run: xg[0] and xc[1] at 4 ms, xraxial[0]
    at 8 ms."""
    h.secondorder = secondorder
    a = h.Section(name="axon")
    a.L, a.diam, a.nseg, a.Ra = 1000, 2, 21, 100
    a.insert("hh")
    a.insert("extracellular")
    for seg in a:
        seg.xraxial[0] = 3e7
        seg.xraxial[1] = 2e8
        seg.xg[0] = 0.5
        seg.xg[1] = 10
        seg.xc[0] = 0.2
        seg.xc[1] = 0.5
    stim = h.IClamp(a(0.9))
    stim.delay, stim.dur, stim.amp = 7, 0.5, 0.4

    def drive(t):
        for seg in a:
            seg.e_extracellular = e_pulse(t, seg.x, 0.3)
            if changing and abs(t - 4) < h.dt / 2:
                seg.xg[0], seg.xc[1] = 2, 1.5
            if changing and abs(t - 8) < h.dt / 2:
                seg.xraxial[0] = 1e8

    cols = [("v0.05", lambda: a(0.05).v), ("v0.3", lambda: a(0.3).v), ("v0.5", lambda: a(0.5).v),
            ("v0.95", lambda: a(0.95).v), ("v1", lambda: a(1).v),
            ("vext0_0.3", lambda: vext(a, 0, 0.3)), ("vext1_0.3", lambda: vext(a, 1, 0.3)),
            ("vext0_1", lambda: vext(a, 0, 1)), ("vext1_0", lambda: vext(a, 1, 0)),
            ("i_membrane0.3", lambda: a(0.3).i_membrane), ("ina0.3", lambda: a(0.3).ina),
            ("iclamp_i", lambda: stim.i)]
    name = "ext_cable_changing" if changing else "ext_cable_secondorder%d" % secondorder
    run(name, [a], cols, 12, drive=drive)
    h.secondorder = 0


# name, L, diam, nseg, mechanism, parent (index, x); d1 also has Ra 150
TREE = [("soma", 20, 20, 1, "hh", None), ("d1", 200, 2, 9, "pas", (0, 1)),
        ("d2", 150, 1.5, 5, "hh", (0, 0)), ("d3", 80, 1, 3, "pas", (1, 0.5)),
        ("d4", 120, 0.8, 7, "hh", (3, 1)), ("d5", 60, 0.7, 13, "pas", (4, 1)),
        ("d6", 50, 1.2, 21, "hh", (1, 0))]


def tree_sections():
    secs = []
    for name, length, diam, nseg, mech, parent in TREE:
        s = h.Section(name=name)
        s.L, s.diam, s.nseg = length, diam, nseg
        s.insert(mech)
        if name == "d1":
            s.Ra = 150
        if parent:
            s.connect(secs[parent[0]](parent[1]))
        secs.append(s)
    return secs


def ext_tree(end=None):
    """Branched: extracellular in soma, d1, d2, d3, d5, d6 but not d4 (so d5's layers have no
    parent layers); per-section layer values; e_extracellular burst along d1 and d2. With
    end="synapse", an AlphaSynapse at d3(1), the zero-area node between d3 and d4: a membrane
    (non-electrode) current there, from 4 ms on. With end="clamp", an SEClamp there instead:
    an electrode whose conductance on that node's diagonal goes away at 6 ms."""
    end_synapse = end == "synapse"
    secs = tree_sections()
    soma, d1, d2, d3, d4, d5, d6 = secs
    values = {soma: (1e7, 1e9, 0.1, 1e9, 0.0, 0.0), d1: (2e7, 5e8, 0.3, 20, 0.1, 1.0),
              d2: (5e7, 1e9, 0.05, 1e9, 0.3, 0.0), d3: (1e8, 1e8, 1.0, 5, 0.0, 0.2),
              d5: (4e7, 3e8, 0.2, 2, 0.5, 0.5), d6: (1e9, 1e9, 1e9, 1e9, 0.0, 0.0)}
    for s, (r0, r1, g0, g1, c0, c1) in values.items():
        s.insert("extracellular")
        for seg in s:
            seg.xraxial[0], seg.xraxial[1] = r0, r1
            seg.xg[0], seg.xg[1] = g0, g1
            seg.xc[0], seg.xc[1] = c0, c1
    for s in (d1, d3, d5):
        for seg in s:
            seg.g_pas, seg.e_pas = 2e-4, -65
    stim = h.IClamp(soma(0.5))
    stim.delay, stim.dur, stim.amp = 8, 1, 0.3
    if end_synapse:
        syn = h.AlphaSynapse(d3(1))
        syn.onset, syn.tau, syn.gmax, syn.e = 4, 1, 0.005, 0
    if end == "clamp":
        clamp = h.SEClamp(d3(1))
        clamp.dur1, clamp.amp1, clamp.rs = 6, -50, 2

    def drive(t):
        for seg in d1:
            seg.e_extracellular = e_pulse(t, seg.x, 0.6)
        for seg in d2:
            seg.e_extracellular = -0.5 * e_pulse(t, seg.x, 0.4)

    cols = [("soma_v0.5", lambda: soma(0.5).v), ("d1_v0.5", lambda: d1(0.5).v),
            ("d1_v1", lambda: d1(1).v), ("d2_v0.9", lambda: d2(0.9).v),
            ("d3_v0.5", lambda: d3(0.5).v), ("d4_v0.5", lambda: d4(0.5).v),
            ("d5_v0.5", lambda: d5(0.5).v), ("d6_v0.7", lambda: d6(0.7).v),
            ("d1_vext0_0.6", lambda: vext(d1, 0, 0.6)), ("d1_vext1_0.6", lambda: vext(d1, 1, 0.6)),
            ("d2_vext0_0.4", lambda: vext(d2, 0, 0.4)), ("d5_vext0_0.5", lambda: vext(d5, 0, 0.5)),
            ("soma_vext0_0", lambda: vext(soma, 0, 0)), ("d3_vext1_1", lambda: vext(d3, 1, 1)),
            ("d1_i_membrane0.6", lambda: d1(0.6).i_membrane),
            ("d5_i_membrane0.5", lambda: d5(0.5).i_membrane)]
    if end_synapse:
        cols.append(("d3_v1", lambda: d3(1).v))
        cols.append(("syn_i", lambda: syn.i))
    if end == "clamp":
        cols.append(("d3_v1", lambda: d3(1).v))
        cols.append(("clamp_i", lambda: clamp.i))
    run("ext_tree_end_" + end if end else "ext_tree", secs, cols, 15, drive=drive)


def fast_imem_tree(with_ext):
    """Fast i_membrane_ on the tree (optionally with extracellular in d1 and d2), and the sum of
    i_membrane_ over every node, which equals the IClamp current."""
    CVODE.use_fast_imem(1)
    secs = tree_sections()
    soma, d1, d2, d3, d4, d5, d6 = secs
    if with_ext:
        for s in (d1, d2):
            s.insert("extracellular")
            for seg in s:
                seg.xraxial[0], seg.xg[0], seg.xc[0] = 3e7, 0.4, 0.3
    stim = h.IClamp(d3(0.5))
    stim.delay, stim.dur, stim.amp = 2, 3, 0.2

    def total():
        s = soma(0).i_membrane_
        for sec in secs:
            s += sum(seg.i_membrane_ for seg in sec) + sec(1).i_membrane_
        return s

    def drive(t):
        if with_ext:
            for seg in d1:
                seg.e_extracellular = e_pulse(t, seg.x, 0.5)

    cols = [("soma_v0.5", lambda: soma(0.5).v), ("d3_v0.5", lambda: d3(0.5).v),
            ("soma_imem0", lambda: soma(0).i_membrane_), ("soma_imem0.5", lambda: soma(0.5).i_membrane_),
            ("d1_imem0.5", lambda: d1(0.5).i_membrane_), ("d1_imem1", lambda: d1(1).i_membrane_),
            ("d3_imem0.5", lambda: d3(0.5).i_membrane_), ("d6_imem0.3", lambda: d6(0.3).i_membrane_),
            ("itotal", total), ("iclamp_i", lambda: stim.i)]
    if with_ext:
        cols.append(("d1_i_membrane0.5", lambda: d1(0.5).i_membrane))
    run("fast_imem_tree" + ("_ext" if with_ext else ""), secs, cols, 10, drive=drive)
    CVODE.use_fast_imem(0)


ext_cable(0)
ext_cable(2)
ext_cable(0, changing=True)
ext_tree()
ext_tree(end="synapse")
ext_tree(end="clamp")
fast_imem_tree(False)
fast_imem_tree(True)
