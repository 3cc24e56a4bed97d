#!/usr/bin/env python3
"""Generates the NEURON 9.0.2 reference of tests/events_vs_neuron.rs: synapses and NetCons.

Cell A (hh soma) gets an ExpSyn, an Exp2Syn and an AlphaSynapse, driven by two NetStims through
NetCons with different delays and weights (two NetCons of equal delay onto the ExpSyn, so two
events arrive at the same time); cell B (hh soma) gets an ExpSyn driven by A's spikes (threshold
detection on A's v) and an APCount. An IntFire1 gets events from a NetStim and from A. watchcount.mod (our own
test mechanism next to this script) uses WATCH, net_send, net_move and net_event and a
NET_RECEIVE INITIAL block; fornetcons.mod walks its NetCons with FOR_NETCONS. The scenario runs twice (finitialize again in between, with changed
parameters) to check that finitialize resets the events.

Writes, per run k (1, 2):
  traces{k}.txt  t and other variables as Vector.record samples them (%.17g)
  spikes{k}.txt  `id t`: NetCon.record spike times, id = name of the source
  finals{k}.txt  `name value`: NetCon weight vectors after the run

Usage: /work/nrnvenv/bin/python make_reference.py   (compiles watchcount.mod in a temp folder)
"""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)

build = tempfile.mkdtemp()
for mod in ("watchcount.mod", "fornetcons.mod"):
    shutil.copy(os.path.join(HERE, mod), build)
subprocess.run([os.path.join(BIN, "nrnivmodl")], cwd=build, check=True,
               stdout=subprocess.DEVNULL)

from neuron import h  # noqa: E402

h.nrn_load_dll(os.path.join(build, "x86_64", "libnrnmech.so"))
h.dt = 0.025
h.celsius = 6.3


def soma(name):
    s = h.Section(name=name)
    s.L = s.diam = 20
    s.insert("hh")
    return s


a = soma("a")
b = soma("b")
syn1 = h.ExpSyn(a(0.5))
syn1.tau, syn1.e = 2, 0
syn2 = h.Exp2Syn(a(0.5))
syn2.tau1, syn2.tau2, syn2.e = 0.5, 5, 0
alpha = h.AlphaSynapse(a(0.5))
alpha.onset, alpha.tau, alpha.gmax, alpha.e = 42, 0.7, 0.004, 0
syn_b = h.ExpSyn(b(0.5))
syn_b.tau, syn_b.e = 3, 0
apc = h.APCount(b(0.5))
apc.thresh = -30
watch = h.WatchCount(a(0.5))
walker = h.ForNetcons(a(0.5))
watch.lag = 12  # longer than the time between crossings: net_move is used
ns1 = h.NetStim()
ns1.start, ns1.interval, ns1.number = 5, 10, 4
ns2 = h.NetStim()
ns2.start, ns2.interval, ns2.number = 3.33, 7.77, 3
fire = h.IntFire1()
fire.tau, fire.refrac = 4, 3


def netcon(src, target, weight, delay, threshold=None, sec=None):
    nc = h.NetCon(src, target, sec=sec) if sec is not None else h.NetCon(src, target)
    nc.weight[0] = weight
    nc.delay = delay
    if threshold is not None:
        nc.threshold = threshold
    return nc


ncs = {
    "ns1_syn1": netcon(ns1, syn1, 0.01, 1),
    "ns1_syn1b": netcon(ns1, syn1, 0.004, 1),
    "ns1_syn2": netcon(ns1, syn2, 0.005, 2.5),
    "ns2_syn2": netcon(ns2, syn2, 0.003, 0.1234),
    "a_synb": netcon(a(0.5)._ref_v, syn_b, 0.05, 2, threshold=-10, sec=a),
    "ns1_fire": netcon(ns1, fire, 0.6, 0),
    "a_fire": netcon(a(0.5)._ref_v, fire, 0.7, 1, sec=a),
    "ns2_watch": netcon(ns2, watch, 2, 0.5),
    "ns1_walker": netcon(ns1, walker, 0.5, 0.3),
    "ns2_walker": netcon(ns2, walker, 0.25, 0.7),
    "a_walker": netcon(a(0.5)._ref_v, walker, 0.125, 0.2, sec=a),
}
recorders = {
    "a": netcon(a(0.5)._ref_v, None, 0, 1, sec=a),
    "b": netcon(b(0.5)._ref_v, None, 0, 1, threshold=0, sec=b),
    "ns1": netcon(ns1, None, 0, 1),
    "ns2": netcon(ns2, None, 0, 1),
    "fire": netcon(fire, None, 0, 1),
    "watch": netcon(watch, None, 0, 1),
}
spike_vectors = {}
for name, nc in recorders.items():
    spike_vectors[name] = h.Vector()
    nc.record(spike_vectors[name])

columns = [
    ("t", h._ref_t), ("va", a(0.5)._ref_v), ("vb", b(0.5)._ref_v),
    ("syn1_g", syn1._ref_g), ("syn1_i", syn1._ref_i),
    ("syn2_A", syn2._ref_A), ("syn2_B", syn2._ref_B),
    ("syn2_g", syn2._ref_g), ("syn2_i", syn2._ref_i),
    ("alpha_i", alpha._ref_i), ("synb_g", syn_b._ref_g), ("synb_i", syn_b._ref_i),
    ("watch_n", watch._ref_n), ("watch_hits", watch._ref_hits),
    ("watch_late", watch._ref_late),
    ("apc_n", apc._ref_n), ("apc_time", apc._ref_time),
    ("walker_total", walker._ref_total), ("walker_count", walker._ref_count),
]
vectors = []
for _, ref in columns:
    vectors.append(h.Vector())
    vectors[-1].record(ref)


def run(k, tstop):
    """finitialize, fadvance to tstop; the columns are Vector.record samples."""
    h.finitialize(-65)
    while h.t < tstop - h.dt / 2:
        h.fadvance()
    with open(os.path.join(HERE, "traces%d.txt" % k), "w") as out:
        out.write(" ".join(c for c, _ in columns) + "\n")
        for i in range(len(vectors[0])):
            out.write(" ".join("%.17g" % v[i] for v in vectors) + "\n")
    with open(os.path.join(HERE, "spikes%d.txt" % k), "w") as out:
        out.write("id t\n")
        for name, vec in spike_vectors.items():
            for t in vec:
                out.write("%s %.17g\n" % (name, t))
    with open(os.path.join(HERE, "finals%d.txt" % k), "w") as out:
        for name, nc in ncs.items():
            for i in range(int(nc.wcnt())):
                out.write("%s[%d] %.17g\n" % (name, i, nc.weight[i]))


run(1, 60)
# Second run: changed parameters, same objects; finitialize must start the events afresh.
ns1.number = 6
ns1.interval = 6.5
ncs["a_synb"].delay = 0.6
ncs["ns1_syn1"].weight[0] = 0.02
ncs["a_fire"].threshold = 0  # threshold of a's source, shared with the "a" recorder
run(2, 45)
shutil.rmtree(build)
