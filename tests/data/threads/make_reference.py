#!/usr/bin/env python3
"""Generates the NEURON 9.0.2 reference of tests/threads_network.rs: a network of hh
ball-and-stick cells with ExpSyn synapses and random NetCons.

Cell k: soma (L = diam = 20 um, hh) and dend (L = 200 um, diam = 1 um, nseg = 5, pas with
g = 0.001 S/cm2, e = -65 mV) attached at soma(1); an ExpSyn (tau 2 ms, e 0 mV) at dend(0.5);
an IClamp at soma(0.5) (del, amp drawn below, dur 1 ms). Each cell receives FANIN NetCons from
other cells (source soma(0.5) v, threshold 0 mV, weight and delay drawn below). Random numbers
come from a 64-bit LCG that tests/threads_network.rs implements identically, so both build the
same network from SEED.

Writes (for NCELL cells, 50 ms, dt 0.025 ms):
  spikes.txt  `cell t`: spike times of every soma (NetCon.record), %.17g
  traces.txt  t and soma v of every cell, every 10th step, %.17g

Usage: /work/nrnvenv/bin/python make_reference.py
"""
import os

from neuron import h

h.load_file("stdrun.hoc")

HERE = os.path.dirname(os.path.abspath(__file__))
NCELL = 10
FANIN = 3
SEED = 20261130
TSTOP = 50.0
EVERY = 10


class Lcg:
    """x <- x * 6364136223846793005 + 1442695040888963407 (mod 2^64); uniform = top 53 bits."""

    def __init__(self, seed):
        self.x = seed % 2**64

    def uniform(self, lo, hi):
        self.x = (self.x * 6364136223846793005 + 1442695040888963407) % 2**64
        return lo + (hi - lo) * ((self.x >> 11) * 2.0**-53)

    def below(self, n):
        return int(self.uniform(0.0, 1.0) * n)


rng = Lcg(SEED)
h.dt = 0.025
h.celsius = 6.3
cells = []
for k in range(NCELL):
    soma = h.Section(name="soma%d" % k)
    soma.L = soma.diam = 20
    soma.insert("hh")
    dend = h.Section(name="dend%d" % k)
    dend.L, dend.diam, dend.nseg = 200, 1, 5
    dend.insert("pas")
    for seg in dend:
        seg.pas.g, seg.pas.e = 0.001, -65
    dend.connect(soma(1), 0)
    syn = h.ExpSyn(dend(0.5))
    syn.tau, syn.e = 2, 0
    stim = h.IClamp(soma(0.5))
    stim.dur = 1
    stim.delay = rng.uniform(1.0, 20.0)
    stim.amp = rng.uniform(0.0, 0.4)
    cells.append((soma, dend, syn, stim))
ncs = []
for k in range(NCELL):
    for _ in range(FANIN):
        src = (k + 1 + rng.below(NCELL - 1)) % NCELL
        nc = h.NetCon(cells[src][0](0.5)._ref_v, cells[k][2], sec=cells[src][0])
        nc.threshold = 0
        nc.weight[0] = rng.uniform(0.0, 0.02)
        nc.delay = rng.uniform(1.0, 5.0)
        ncs.append(nc)
spikes = []
recorders = []
for k in range(NCELL):
    vec = h.Vector()
    nc = h.NetCon(cells[k][0](0.5)._ref_v, None, sec=cells[k][0])
    nc.threshold = 0
    nc.record(vec)
    recorders.append(nc)
    spikes.append(vec)
t = h.Vector().record(h._ref_t)
vs = [h.Vector().record(c[0](0.5)._ref_v) for c in cells]
h.finitialize(-65)
h.continuerun(TSTOP)
with open(os.path.join(HERE, "spikes.txt"), "w") as f:
    f.write("cell t\n")
    for k, vec in enumerate(spikes):
        for x in vec:
            f.write("%d %.17g\n" % (k, x))
with open(os.path.join(HERE, "traces.txt"), "w") as f:
    f.write("t " + " ".join("v%d" % k for k in range(NCELL)) + "\n")
    for i in range(0, len(t), EVERY):
        f.write(" ".join("%.17g" % x for x in [t[i]] + [v[i] for v in vs]) + "\n")
print("spikes:", sum(len(v) for v in spikes))
