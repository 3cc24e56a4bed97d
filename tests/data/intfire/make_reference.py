#!/usr/bin/env python3
"""Generates the NEURON 9.0.2 reference of tests/intfire_vs_neuron.rs: IntFire2 and IntFire4
cells driven by NetStims (our own scenario).

  c1: IntFire2 taum 10, taus 20, ib 0.8: excitatory inputs every 7 ms (weight 0.15, from 3 ms)
      and inhibitory ones every 3 ms (weight -0.1, from 30.5 ms)
  c2: IntFire2 taum 4, taus 12, ib 1.2 (fires on its own): inhibitory inputs every 11 ms
      (weight -0.6, from 5 ms), and c1's spikes (weight 0.5, delay 2 ms)
  c3: IntFire2 taum 8, taus 9, ib 0: excitatory inputs every 2 ms from 10 ms (weight 0.4),
      a burst the integration has to catch up with
  c4: IntFire4 with NEURON's time constants (5, 10, 20, 50): excitatory inputs every 3 ms
      (weight 0.4, from 1 ms) and inhibitory ones every 5 ms (weight -0.5, from 20 ms)
  c5: IntFire4 taue 2, taui1 6, taui2 9, taum 15: excitatory inputs every 2 ms from 10 ms
      (weight 0.4), c4's spikes (weight -0.8, delay 1 ms) and c1's (weight 0.9, delay 3 ms)

Writes spikes.txt (`cell t`, NetCon.record, %.17g) and finals.txt (`name value`: m and i of
the IntFire2 cells after 200 ms).

Usage: /work/nrnvenv/bin/python make_reference.py
"""
import os

from neuron import h

h.load_file("stdrun.hoc")
HERE = os.path.dirname(os.path.abspath(__file__))
h.dt = 0.025


def stim(start, interval, number):
    ns = h.NetStim()
    ns.start, ns.interval, ns.number, ns.noise = start, interval, number, 0
    return ns


def link(src, target, weight, delay):
    nc = h.NetCon(src, target)
    nc.weight[0] = weight
    nc.delay = delay
    return nc


cells = {}
for name, (taum, taus, ib) in [("c1", (10, 20, 0.8)), ("c2", (4, 12, 1.2)),
                              ("c3", (8, 9, 0))]:
    c = h.IntFire2()
    c.taum, c.taus, c.ib = taum, taus, ib
    cells[name] = c
for name, (taue, taui1, taui2, taum) in [("c4", (5, 10, 20, 50)), ("c5", (2, 6, 9, 15))]:
    c = h.IntFire4()
    c.taue, c.taui1, c.taui2, c.taum = taue, taui1, taui2, taum
    cells[name] = c
keep = [
    stim(3, 7, 25), stim(30.5, 3, 10), stim(5, 11, 15), stim(10, 2, 12),
    stim(1, 3, 30), stim(20, 5, 5), stim(10, 2, 40),
]
keep += [
    link(keep[0], cells["c1"], 0.15, 1),
    link(keep[1], cells["c1"], -0.1, 0.5),
    link(keep[2], cells["c2"], -0.6, 1),
    link(cells["c1"], cells["c2"], 0.5, 2),
    link(keep[3], cells["c3"], 0.4, 1),
    link(keep[4], cells["c4"], 0.4, 0),
    link(keep[5], cells["c4"], -0.5, 0),
    link(keep[6], cells["c5"], 0.4, 1),
    link(cells["c4"], cells["c5"], -0.8, 1),
    link(cells["c1"], cells["c5"], 0.9, 3),
]
spikes = {}
for name, c in cells.items():
    vec = h.Vector()
    nc = h.NetCon(c, None)
    nc.record(vec)
    keep.append(nc)
    spikes[name] = vec
h.finitialize(-65)
h.continuerun(200)
with open(os.path.join(HERE, "spikes.txt"), "w") as f:
    f.write("cell t\n")
    for name, vec in spikes.items():
        for x in vec:
            f.write("%s %.17g\n" % (name, x))
with open(os.path.join(HERE, "finals.txt"), "w") as f:
    for name in ("c1", "c2", "c3"):
        c = cells[name]
        f.write("%s.m %.17g\n%s.i %.17g\n" % (name, c.m, name, c.i))
print({k: len(v) for k, v in spikes.items()})
