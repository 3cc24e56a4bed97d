#!/usr/bin/env python3
"""Generates the NEURON 9.0.2 reference of tests/vclamp_vs_neuron.rs: the VClamp point process.

One soma (L = diam = 20 um, hh and pas) under a VClamp at soma(0.5), finitialize(-65), fixed
steps to tstop. Each scenario varies the step protocol (three levels, then off), dt,
secondorder and the amplifier (gain, rstim, tau1, tau2, fac). Recorded every step with
Vector.record: t, v, the clamp current i, the states e (summing node), vo (control amplifier
output), vi (measuring amplifier output) and e0, vo0, vi0 (NEURON's committed values).

Writes one file per scenario, SCENARIO.txt: a first line `# key=value ...` with the scenario's
settings (the Rust test builds the same model from it), a second line `# sensitivity
column=value ...`, then a header and the rows (%.17g).

The sensitivity line says how far NEURON's own trace moves when an input changes by one unit in
the last place: the largest |difference| per column over three extra runs, with v_init, the
three amp levels, or gain moved by 1 ulp. The clamp is stiff (di/dv is about -gain/(2*rstim)),
so its current and amplifier output are only defined to about gain times the round-off of the
summing-node potential; the Rust test accepts differences up to a small multiple of this.

Columns v_ours, i_ours, e_ours, vo_ours: the same scenario run by NEURON with OUR
nmodl/vclamp.mod (compiled by nrnivmodl under the name VClampOurs). They separate the two
sources of difference: rsnrn against them checks the simulator (same equations, same
arithmetic); NEURON's VClamp against them is the arithmetic of the two .mod files.

Usage: /work/nrnvenv/bin/python make_reference.py
"""
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)

build = tempfile.mkdtemp()
with open(os.path.join(HERE, "../../../nmodl/vclamp.mod")) as f:
    ours = f.read().replace("POINT_PROCESS VClamp", "POINT_PROCESS VClampOurs")
with open(os.path.join(build, "vclampours.mod"), "w") as f:
    f.write(ours)
subprocess.run([os.path.join(BIN, "nrnivmodl")], cwd=build, check=True,
               stdout=subprocess.DEVNULL)

from neuron import h  # noqa: E402

h.nrn_load_dll(os.path.join(build, "x86_64", "libnrnmech.so"))

DEFAULTS = dict(dt=0.025, secondorder=0, tstop=7.0, gain=1e5, rstim=1.0, tau1=0.001,
                tau2=0.0, fac=0.0)
SCENARIOS = [
    # The default (ideal) clamp: hold, depolarizing step (sodium and potassium currents),
    # hyperpolarizing step, then off at 5.5 ms (the cell is free for the rest).
    ("default", dict(dur=(1, 3, 1.5), amp=(-65, -20, -80))),
    ("default_dt001", dict(dt=0.01, dur=(1, 3, 1.5), amp=(-65, -20, -80))),
    ("default_secondorder2", dict(secondorder=2, dur=(1, 3, 1.5), amp=(-65, -20, -80))),
    # A slow amplifier with a large electrode resistance: the clamp lags and rings.
    ("slow_amplifier", dict(gain=1000, rstim=5, tau1=0.02, tau2=0.01, dur=(0.5, 2, 2),
                            amp=(-70, 0, -50))),
    # Series-resistance error fac, fast amplifier, dt 0.01 and secondorder 2.
    ("fac", dict(dt=0.01, secondorder=2, gain=3e4, rstim=0.5, tau1=0.005, tau2=0.002,
                 fac=0.3, tstop=4.0, dur=(1, 1, 1), amp=(-60, -30, -90))),
    # The middle of the first step is exactly the total duration: BREAKPOINT still clamps,
    # the state step does not (i = 0 afterwards).
    ("edge_first_step", dict(tstop=1.0, dur=(0.0125, 0, 0), amp=(-40, 0, 0))),
    # All durations 0: on at finitialize only (level amp[2]), off from the first step.
    ("off_at_zero", dict(tstop=1.0, dur=(0, 0, 0), amp=(-50, -60, -70))),
]
COLUMNS = ["t", "v", "i", "e", "vo", "vi", "e0", "vo0", "vi0"]
OURS_COLUMNS = ["v", "i", "e", "vo"]


def run(s, perturb=None, clamp="VClamp"):
    """The scenario's recorded columns; perturb names an input to move by one ulp."""
    ulp = lambda x: math.nextafter(x, 0.0)  # noqa: E731
    soma = h.Section(name="soma")
    soma.L = soma.diam = 20
    soma.insert("hh")
    soma.insert("pas")
    vc = getattr(h, clamp)(soma(0.5))
    for j in range(3):
        vc.dur[j] = s["dur"][j]
        vc.amp[j] = ulp(s["amp"][j]) if perturb == "amp" else s["amp"][j]
    for k in ("gain", "rstim", "tau1", "tau2", "fac"):
        setattr(vc, k, s[k])
    if perturb == "gain":
        vc.gain = ulp(s["gain"])
    h.dt = s["dt"]
    h.secondorder = s["secondorder"]
    refs = {"t": h._ref_t, "v": soma(0.5)._ref_v}
    for k in COLUMNS[2:]:
        refs[k] = getattr(vc, "_ref_" + k)
    vecs = {k: h.Vector().record(refs[k]) for k in COLUMNS}
    h.finitialize(ulp(-65.0) if perturb == "v_init" else -65.0)
    while h.t < s["tstop"] - h.dt / 2:
        h.fadvance()
    h.secondorder = 0
    h.dt = 0.025
    return {k: list(vecs[k]) for k in COLUMNS}


def write(name, settings):
    s = dict(DEFAULTS)
    s.update(settings)
    cols = run(s)
    ours = run(s, clamp="VClampOurs")
    for k in OURS_COLUMNS:
        cols[k + "_ours"] = ours[k]
    names = COLUMNS + [k + "_ours" for k in OURS_COLUMNS]
    sensitivity = {k: 0.0 for k in COLUMNS}
    for perturb in ("v_init", "amp", "gain"):
        moved = run(s, perturb)
        for k in COLUMNS:
            d = max(abs(a - b) for a, b in zip(cols[k], moved[k]))
            sensitivity[k] = max(sensitivity[k], d)
    with open(os.path.join(HERE, name + ".txt"), "w") as f:
        settings_line = " ".join(
            "%s=%s" % (k, ",".join(repr(float(x)) for x in v) if isinstance(v, tuple)
                       else repr(float(v)))
            for k, v in sorted(s.items()))
        f.write("# " + settings_line + "\n")
        f.write("# sensitivity " + " ".join("%s=%.3g" % (k, sensitivity[k]) for k in COLUMNS)
                + "\n")
        f.write(" ".join(names) + "\n")
        for r in range(len(cols["t"])):
            f.write(" ".join("%.17g" % cols[k][r] for k in names) + "\n")


for name, settings in SCENARIOS:
    write(name, settings)
