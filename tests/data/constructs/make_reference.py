"""NEURON 9.0.2's traces for tests/constructs_vs_neuron.rs: one small mechanism per NMODL
construct (the .mod files here are ours), each in a soma under an IClamp.

Run: /path/to/neuron-9.0.2-venv/bin/python make_reference.py  (from anywhere; needs nrnivmodl)
Writes <scenario>.txt: a header line of names, then one row per step (%.17g), and
<case>.hoc.neuron-9.0.2.out: what nrniv prints for each hoc case here."""
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# name -> (mechanism suffix, variables recorded at soma(0.5) besides t and v)
SCENARIOS = {
    "vcopy": ("vcopy", ["m_vcopy", "i_vcopy", "vseen_vcopy", "minf_vcopy"]),
    "discon": ("discon", ["g_discon", "i_discon", "done_discon", "count_discon"]),
    "hooks": ("hooks", ["s_hooks", "i_hooks", "nbi_hooks", "nai_hooks", "nbb_hooks", "nas_hooks",
                        "nbs_hooks", "tbb_hooks", "sas_hooks", "vas_hooks", "ibb_hooks"]),
    "nonlin": ("nonlin", ["u_nonlin", "w_nonlin", "z_nonlin", "q_nonlin", "r_nonlin",
                          "i_nonlin"]),
    "ssderiv": ("ssderiv", ["a_ssderiv", "b_ssderiv", "i_ssderiv"]),
    "sscnexp": ("sscnexp", ["a_sscnexp", "b_sscnexp", "i_sscnexp"]),
    "sscnexp2": ("sscnexp", ["a_sscnexp", "b_sscnexp", "i_sscnexp"], 2),
    "kineuler": ("kineuler", ["a_kineuler", "b_kineuler", "c_kineuler", "d_kineuler",
                              "flux_kineuler", "i_kineuler"]),
    "kinrunge": ("kinrunge", ["a_kinrunge", "b_kinrunge", "c_kinrunge", "d_kinrunge",
                              "flux_kinrunge", "i_kinrunge"]),
    "kinrunge2": ("kinrunge", ["a_kinrunge", "b_kinrunge", "c_kinrunge", "d_kinrunge",
                               "flux_kinrunge", "i_kinrunge"], 2),
    "derivrunge": ("derivrunge", ["a_derivrunge", "b_derivrunge", "i_derivrunge"]),
    "derivrunge2": ("derivrunge", ["a_derivrunge", "b_derivrunge", "i_derivrunge"], 2),
}
# A third element is the secondorder of the run (0 without it).


def main():
    build = tempfile.mkdtemp()
    for f in os.listdir(HERE):
        if f.endswith(".mod"):
            shutil.copy(os.path.join(HERE, f), build)
    subprocess.run(["nrnivmodl"], cwd=build, check=True, stdout=subprocess.DEVNULL)
    # One process per scenario: NEURON 9.0.2 crashes at the next finitialize after a run of
    # ssderiv (nocmodl defines the Newton workspace of STEADYSTATE derivimplicit twice).
    for name in SCENARIOS:
        subprocess.run([sys.executable, os.path.abspath(__file__), name, build], check=True)
    from neuron import h
    h.load_file("stdrun.hoc")
    h.nrn_load_dll(os.path.join(build, "x86_64", "libnrnmech.so"))
    h.secondorder = 0
    pointer_scenario(h)
    # hoc cases: what nrniv prints for each *.hoc here, run beside the built mechanisms.
    for f in sorted(os.listdir(HERE)):
        if f.endswith(".hoc"):
            out = subprocess.run(["nrniv", "-nogui", os.path.join(HERE, f), "-c", "quit()"],
                                 cwd=build, check=True, capture_output=True, text=True).stdout
            with open(os.path.join(HERE, f + ".neuron-9.0.2.out"), "w") as o:
                o.write(out)
    shutil.rmtree(build)


def scenario(name, build):
    """Runs SCENARIOS[name] with the mechanisms built in `build`."""
    from neuron import h
    h.load_file("stdrun.hoc")
    h.nrn_load_dll(os.path.join(build, "x86_64", "libnrnmech.so"))
    mech, names, *rest = SCENARIOS[name]
    h.secondorder = rest[0] if rest else 0
    soma = h.Section(name="soma")
    soma.L = soma.diam = 20
    soma.insert("pas")
    soma.insert(mech)
    stim = h.IClamp(soma(0.5))
    stim.delay, stim.dur, stim.amp = 5, 30, 0.3
    columns = ["t", "v"] + names
    vecs = [h.Vector().record(h._ref_t), h.Vector().record(soma(0.5)._ref_v)]
    for n in names:
        vecs.append(h.Vector().record(getattr(soma(0.5), "_ref_" + n)))
    h.dt = 0.025
    h.finitialize(-65)
    h.continuerun(50)
    with open(os.path.join(HERE, name + ".txt"), "w") as out:
        out.write(" ".join(columns) + "\n")
        for row in zip(*[list(v) for v in vecs]):
            out.write(" ".join("%.17g" % x for x in row) + "\n")
    sys.stdout.flush()
    os._exit(0)


def pointer_scenario(h):
    """Two unconnected cells: `pre` (hh + pas, IClamp) drives PtrSyn on `post` (pas) through
    setpointer; PtrSyn's INITIAL writes e_pas of `pre` through its second POINTER."""
    pre = h.Section(name="pre")
    post = h.Section(name="post")
    for sec in (pre, post):
        sec.L = sec.diam = 20
        sec.insert("pas")
    pre.insert("hh")
    stim = h.IClamp(pre(0.5))
    stim.delay, stim.dur, stim.amp = 5, 30, 0.3
    syn = h.PtrSyn(post(0.5))
    h.setpointer(pre(0.5)._ref_v, "pre", syn)
    h.setpointer(pre(0.5)._ref_e_pas, "sink", syn)
    columns = ["t", "v_pre", "v_post", "g", "i", "open"]
    vecs = [h.Vector().record(r) for r in (h._ref_t, pre(0.5)._ref_v, post(0.5)._ref_v,
                                           syn._ref_g, syn._ref_i, syn._ref_open)]
    h.dt = 0.025
    h.finitialize(-65)
    h.continuerun(50)
    assert pre(0.5).e_pas == -68
    with open(os.path.join(HERE, "ptrsyn.txt"), "w") as out:
        out.write(" ".join(columns) + "\n")
        for row in zip(*[list(v) for v in vecs]):
            out.write(" ".join("%.17g" % x for x in row) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        scenario(sys.argv[1], sys.argv[2])
    else:
        main()
