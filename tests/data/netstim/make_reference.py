"""NEURON 9.0.2's spike times of noisy NetStims for tests/netstim_noise_vs_neuron.rs.

Run: /path/to/neuron-9.0.2-venv/bin/python make_reference.py   (writes spikes.txt here)
Three NetStims made in this order (noise 1, 0.5, 0), 200 ms, run twice without touching the
generators: NEURON's streams continue from where the first run stopped."""
import os
from neuron import h

h.load_file("stdrun.hoc")
HERE = os.path.dirname(os.path.abspath(__file__))
stims, recs, ncs = [], [], []
for noise, interval, number in [(1.0, 10.0, 30), (0.5, 5.0, 40), (0.0, 7.0, 10)]:
    ns = h.NetStim()
    ns.noise, ns.interval, ns.number, ns.start = noise, interval, number, 2
    nc = h.NetCon(ns, None)
    vec = h.Vector()
    nc.record(vec)
    stims.append(ns)
    ncs.append(nc)
    recs.append(vec)
with open(os.path.join(HERE, "spikes.txt"), "w") as out:
    for run in (1, 2):
        h.finitialize(-65)
        h.continuerun(200)
        for k, vec in enumerate(recs):
            out.write("run%d stim%d %s\n" % (run, k, " ".join("%.17g" % x for x in vec)))
