"""NEURON 9.0.2's traces for tests/longitudinal_vs_neuron.rs: LONGITUDINAL_DIFFUSION along a
branched tree. cadiff.mod is ours; cad_long.mod (ModelDB 146565) is read from
$RSNRN_SHARED/corpus and not committed.

Run: RSNRN_SHARED=/path/to/shared /path/to/neuron-9.0.2-venv/bin/python make_reference.py
Writes <scenario>.txt: a header line of names, then one row per step (%.17g)."""
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("RSNRN_SHARED", os.path.join(HERE, "../../../../shared"))
CAD_LONG = os.path.join(SHARED, "corpus/modeldb/146565/cad_long.mod")

# Tree: soma (nseg 1) <- dend (nseg 5, at soma(1)) <- twig (nseg 3, at dend(0.5)); side
# (nseg 2) at soma(0). Recorded at these (section, x).
SITES = [("soma", 0.5), ("dend", 0.1), ("dend", 0.5), ("dend", 0.9), ("twig", 0.5),
         ("twig", 0.9), ("side", 0.25)]
# scenario -> (mechanism, variables, setup: {section: {name: value}})
SCENARIOS = {
    "cadiff": ("cadiff", ["c", "ca[0]", "ca[1]"], {"soma": {"influx": 0.002},
                                                     "twig": {"influx": -0.0001}}),
    "cad_long": ("cad", ["ca[0]", "ca[3]", "cai"], {}),
    "nadiff": ("nadiff", ["nai"], {}),
}
# scenario -> sections that also get a source: caleak (calcium, ours), hh for nadiff
LEAKS = {
    "cad_long": ["soma", "twig"],
    "nadiff": ["soma"],
}


def build():
    d = tempfile.mkdtemp()
    shutil.copy(os.path.join(HERE, "cadiff.mod"), d)
    shutil.copy(os.path.join(HERE, "caleak.mod"), d)
    shutil.copy(os.path.join(HERE, "nadiff.mod"), d)
    shutil.copy(CAD_LONG, d)
    subprocess.run(["nrnivmodl"], cwd=d, check=True, stdout=subprocess.DEVNULL)
    return d


def main():
    d = build()
    from neuron import h
    h.load_file("stdrun.hoc")
    h.nrn_load_dll(os.path.join(d, "x86_64", "libnrnmech.so"))
    for name, (mech, names, setup) in SCENARIOS.items():
        secs = {n: h.Section(name=n) for n in ("soma", "dend", "twig", "side")}
        secs["soma"].L = secs["soma"].diam = 10
        secs["dend"].L, secs["dend"].diam, secs["dend"].nseg = 50, 2, 5
        secs["twig"].L, secs["twig"].diam, secs["twig"].nseg = 20, 1, 3
        secs["side"].L, secs["side"].diam, secs["side"].nseg = 15, 1.5, 2
        secs["dend"].connect(secs["soma"](1))
        secs["twig"].connect(secs["dend"](0.5))
        secs["side"].connect(secs["soma"](0))
        for s in secs.values():
            s.insert("pas")
            s.insert(mech)
            for k, value in setup.get(s.name(), {}).items():
                for seg in s:
                    setattr(seg, k + "_" + mech, value)
        for sec in LEAKS.get(name, []):
            secs[sec].insert("hh" if name == "nadiff" else "caleak")
        stim = h.IClamp(secs["soma"](0.5))
        stim.delay, stim.dur, stim.amp = 1, 3, 0.5
        columns, vecs = ["t"], [h.Vector().record(h._ref_t)]
        for sec, x in SITES:
            for n in names:
                ref = n.replace("[", "_" + mech + "[") if "[" in n else n + ("" if n in ("cai", "nai") else "_" + mech)
                columns.append("%s(%g).%s" % (sec, x, n))
                if "[" in n:
                    base, index = n[:-1].split("[")
                    vecs.append(h.Vector().record(getattr(secs[sec](x), "_ref_" + base + "_" + mech)[int(index)]))
                else:
                    vecs.append(h.Vector().record(getattr(secs[sec](x), "_ref_" + ref)))
        h.dt = 0.025
        h.finitialize(-65)
        h.continuerun(10)
        with open(os.path.join(HERE, name + ".txt"), "w") as out:
            out.write(" ".join(columns) + "\n")
            for row in zip(*[list(v) for v in vecs]):
                out.write(" ".join("%.17g" % x for x in row) + "\n")
        del stim, secs
    shutil.rmtree(d)


if __name__ == "__main__":
    main()
