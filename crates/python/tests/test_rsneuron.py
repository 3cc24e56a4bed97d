"""rsneuron's own tests: each checks a value NEURON 9.0.2 gives (or its documented
behaviour), so a wrong implementation fails them."""

import math

import numpy as np
import pytest

from rsneuron import h, units


def fresh_soma(name):
    s = h.Section(name=name)
    s.L = s.diam = 20
    return s


def test_section_defaults_and_types():
    s = h.Section(name="t_defaults")
    assert (s.L, s.diam, s.Ra, s.cm, s.nseg) == (100.0, 500.0, 35.4, 1.0, 1)
    assert type(s.nseg) is int and type(s.L) is float
    assert s.name() == "t_defaults" and str(s) == "t_defaults"
    assert s(0.5).sec is s
    assert s(0.5).v == -65.0


def test_segment_errors():
    s = h.Section(name="t_segerr")
    with pytest.raises(ValueError):
        s(1.5)
    with pytest.raises(AttributeError):
        s(0.5).gnabar_hh
    with pytest.raises(AttributeError):
        s(0.5).hh
    with pytest.raises(ValueError):
        s.insert("no_such_mechanism")
    with pytest.raises(TypeError):
        s.insert(5)
    with pytest.raises(AttributeError):
        s.no_such_attribute


def test_mechanism_access_styles():
    s = fresh_soma("t_mech")
    assert s.insert("hh") is s
    seg = s(0.5)
    assert seg.hh.gnabar == seg.gnabar_hh == 0.12
    seg.hh.gnabar = 0.2
    assert seg.gnabar_hh == 0.2
    s.gkbar_hh = 0.05
    assert [x.gkbar_hh for x in s] == [0.05]
    assert s.has_membrane("hh") and not s.has_membrane("pas")


def test_nseg_segments_and_equality():
    s = h.Section(name="t_nseg")
    s.nseg = 4
    assert [round(seg.x, 3) for seg in s] == [0.125, 0.375, 0.625, 0.875]
    assert s(0.3) == s(0.4)
    assert s(0.3) != s(0.6)
    assert len(list(s.allseg())) == 6
    with pytest.raises(ValueError):
        s.nseg = 0


def test_connect_and_allsec():
    soma = h.Section(name="t_soma")
    dend = h.Section(name="t_dend")
    assert dend.connect(soma(1)) is dend
    assert dend.parentseg().sec is soma
    assert soma.children() == [dend]
    names = [sec.name() for sec in h.allsec()]
    assert "t_soma" in names and "t_dend" in names
    with pytest.raises(TypeError):
        dend.connect(3)
    with pytest.raises(ValueError):
        dend.connect(soma(1), 0.5)


def test_hoc_code_and_values_share_state():
    assert h("double t_num_thing\nt_num_thing = 42") is True
    assert h.t_num_thing == 42.0
    h.t_num_thing = 7
    assert h("t_num_thing == 7") is True
    assert h("this is not hoc (") is False
    with pytest.raises(AttributeError):
        h.t_undefined_name
    with pytest.raises(LookupError):
        h.t_undefined_name = 1
    with pytest.raises(TypeError):
        h.t_num_thing = "text"


def test_hoc_errors_are_runtime_errors():
    with pytest.raises(RuntimeError):
        h.sqrt()
    assert h.sqrt(16) == 4.0


def test_templates_from_python():
    h(
        """
begintemplate TCell
public soma, dend, n
create soma, dend[3]
proc init() { n = $1 }
endtemplate TCell
"""
    )
    c = h.TCell(5)
    assert str(c) == "TCell[0]"
    assert c.n == 5.0
    assert len(c.dend) == 3
    assert [str(s) for s in c.dend] == ["TCell[0].dend[0]", "TCell[0].dend[1]", "TCell[0].dend[2]"]
    with pytest.raises(AttributeError):
        c.nothing_here
    with pytest.raises(RuntimeError):
        h.TCell()


def test_vector_python_and_numpy():
    v = h.Vector([1, 2, 3])
    assert len(v) == 3 and list(v) == [1.0, 2.0, 3.0]
    assert v[-1] == 3.0 and list(v[::-1]) == [3.0, 2.0, 1.0]
    a = np.array(v)
    assert a.dtype == np.float64 and a.tolist() == [1.0, 2.0, 3.0]
    w = h.Vector(np.arange(4, dtype=np.float32))
    assert w.to_python() == [0.0, 1.0, 2.0, 3.0]
    assert v.size() == 3 and type(v.size()) is int
    assert v.sum() == 6.0
    assert list(v + 1) == [2.0, 3.0, 4.0] and list(2 * v) == [2.0, 4.0, 6.0]
    with pytest.raises(IndexError):
        v[3]
    with pytest.raises(IndexError):
        v[0:2] = [1.0]
    with pytest.raises(AttributeError):
        v.no_such_method()
    with pytest.raises(RuntimeError):
        h.Vector(["a"])


def test_iclamp_delay_alias_and_location():
    s = fresh_soma("t_iclamp")
    ic = h.IClamp(s(0.5))
    ic.delay = 2
    assert ic.delay == 2.0 and getattr(ic, "del") == 2.0
    assert ic.get_segment().sec is s
    with pytest.raises(LookupError):
        ic.not_a_field = 1


def test_hh_simulation_matches_neuron():
    """hh soma, 20 um, IClamp 0.1 nA from 1 ms for 1 ms; the numbers are NEURON 9.0.2's."""
    soma = fresh_soma("t_sim")
    soma.insert("hh")
    ic = h.IClamp(soma(0.5))
    ic.delay, ic.dur, ic.amp = 1, 1, 0.1
    v = h.Vector().record(soma(0.5)._ref_v)
    t = h.Vector().record(h._ref_t)
    h.finitialize(-65 * units.mV)
    while h.t < 5 - 1e-9:
        h.fadvance()
    assert len(v) == len(t) == 201
    assert t[0] == 0.0 and math.isclose(t[-1], 5.0)
    assert "%.10g %.10g %.10g" % (v[80], max(v), v[-1]) == "-58.05353009 37.29690426 14.76971475"
    soma.uninsert("hh")
    ic.amp = 0


def test_vclamp_array_fields_match_neuron():
    """VClamp's dur[]/amp[] from Python; the numbers are NEURON 9.0.2's."""
    soma = fresh_soma("t_vclamp")
    soma.insert("hh")
    vc = h.VClamp(soma(0.5))
    assert len(vc.amp) == 3 and list(vc.dur) == [0.0, 0.0, 0.0]
    with pytest.raises(IndexError):
        vc.amp[3]
    with pytest.raises(IndexError):
        vc.amp[-1]
    for j, (d, a) in enumerate([(1, -65), (1, -20), (1, -80)]):
        vc.dur[j] = d
        vc.amp[j] = a
    vc.tau2 = 0.005
    assert (vc.amp[1], vc.dur[2], vc.gain) == (-20.0, 1.0, 100000.0)
    i = h.Vector().record(vc._ref_i)
    h.finitialize(-65)
    while h.t < 4 - 1e-9:
        h.fadvance()
    assert len(i) == 161
    got = "%.6g %.6g %.6g %.6g" % (i[60], i[100], i[110], i[-1])
    assert got == "-10.3575 -0.163419 -0.155333 0"
    got = "%.6f %.6f %.6f %.6f" % (soma(0.5).v, vc.e0, vc.vo, vc.vi)
    assert got == "-73.982589 0.000801 -80.146945 -79.998397"
    soma.uninsert("hh")


def test_stdrun_continuerun():
    h.load_file("stdrun.hoc")
    assert h.tstop == 5.0 and h.steps_per_ms == 40.0
    s = fresh_soma("t_stdrun")
    s.insert("pas")
    h.finitialize(-70)
    h.continuerun(1)
    assert math.isclose(h.t, 1.0)
    assert math.isclose(s(0.5).v, -70.0)


def test_units():
    assert units.ms == 1 and units.mV == 1 and units.um == 1
    assert units.s == 1000.0 and type(units.s) is float
    assert getattr(units, "\u03bcm") == 1


def test_gui_is_a_no_op_that_loads_stdrun():
    import rsneuron.gui  # noqa: F401

    assert h.tstop >= 0


def test_missing_features_raise():
    # NEURON's default generator (ACG) is not available: a pick says which ones are.
    r = h.Random()
    with pytest.raises(RuntimeError, match="Random123"):
        r.uniform(0, 1)


def test_as_numpy_shares_memory_np_array_copies():
    v = h.Vector([1, 2, 3])
    a = v.as_numpy()
    a[0] = 100
    assert v[0] == 100.0
    v[1] = 200
    assert a[1] == 200.0
    c = np.array(v)
    c[2] = -1
    assert v[2] == 3.0


def test_tree_queries():
    root = h.Section(name="t_root")
    a = h.Section(name="t_a")
    b = h.Section(name="t_b")
    a.connect(root(0.5))
    b.connect(a(0))
    assert str(b.parentseg()) == "t_a(0)"
    assert str(b.trueparentseg()) == "t_root(0.5)"
    assert [s.name() for s in root.subtree()] == ["t_root", "t_a", "t_b"]
    assert [s.name() for s in b.wholetree()] == ["t_root", "t_a", "t_b"]
    b.disconnect()
    assert b.parentseg() is None
    sl = h.SectionList([root, a])
    assert len(sl) == 2 and [s.name() for s in sl] == ["t_root", "t_a"]
    assert h.distance(root(0.5), b(0.5)) == 1e20


def test_cas_and_push():
    s = h.Section(name="t_cas")
    s.push()
    assert h.cas() is s
    h.pop_section()


def test_hoc_arrays_from_python():
    h("double t_m[2][3]")
    h.t_m[1][2] = 6
    assert len(h.t_m) == 2 and len(h.t_m[0]) == 3
    assert [list(r) for r in h.t_m] == [[0.0, 0.0, 0.0], [0.0, 0.0, 6.0]]
    with pytest.raises(IndexError):
        h.t_m[2]
    h("objref t_obs[2]")
    h.t_obs[1] = h.List()
    assert str(h.t_obs[0]) == "None" and h.t_obs[1].hname().startswith("List[")


def test_point_process_dir_and_mechanism_names():
    s = fresh_soma("t_dir")
    ic = h.IClamp(s(0.5))
    assert "delay" in dir(ic) and "amp" in dir(ic)
    s.insert("pas")
    assert dir(s(0.5).pas) == ["e", "g", "i"]
    assert type(s(0.5).pas).__name__ == "Mechanism"
    s.uninsert("pas")


def test_psection_dict():
    soma = h.Section(name="t_ps")
    soma.L, soma.diam, soma.nseg = 20, 15, 2
    soma.insert("pas")
    ic = h.IClamp(soma(0.5))
    d = soma.psection()
    assert d["name"] == "t_ps" and d["nseg"] == 2 and d["cm"] == [1.0, 1.0]
    assert d["morphology"]["diam"] == [15.0, 15.0] and d["morphology"]["parent"] is None
    assert d["density_mechs"]["pas"] == {"g": [0.001, 0.001], "e": [-70.0, -70.0], "i": [0.0, 0.0]}
    assert list(d["point_processes"]["IClamp"])[0] == ic
    soma.uninsert("pas")


def test_setpointer_matches_neuron():
    """h.setpointer on a POINTER of our own mechanism (tests/data/constructs/ptrsyn.mod);
    every recorded value equals NEURON 9.0.2's trace ptrsyn.txt made from the same scenario."""
    import os
    import rsneuron

    data = os.path.join(os.path.dirname(__file__), "..", "..", "..", "tests", "data", "constructs")
    rsneuron.load_mechanisms(os.path.join(data, "ptrsyn.mod"))
    pre = h.Section(name="ptr_pre")
    post = h.Section(name="ptr_post")
    for sec in (pre, post):
        sec.L = sec.diam = 20
        sec.insert("pas")
    pre.insert("hh")
    stim = h.IClamp(pre(0.5))
    stim.delay, stim.dur, stim.amp = 5, 30, 0.3
    syn = h.PtrSyn(post(0.5))
    with pytest.raises(RuntimeError, match="no POINTER"):
        h.setpointer(pre(0.5)._ref_v, "nothing", syn)
    h.setpointer(pre(0.5)._ref_v, "pre", syn)
    h.setpointer(pre(0.5)._ref_e_pas, "sink", syn)
    refs = (h._ref_t, pre(0.5)._ref_v, post(0.5)._ref_v, syn._ref_g, syn._ref_i, syn._ref_open)
    vecs = [h.Vector().record(r) for r in refs]
    h.dt = 0.025
    h.celsius = 6.3
    h.finitialize(-65)
    h.continuerun(50)
    assert pre(0.5).e_pas == -68
    with open(os.path.join(data, "ptrsyn.txt")) as f:
        names = f.readline().split()
        rows = [[float(x) for x in line.split()] for line in f]
    assert len(rows) == len(vecs[0])
    for k, name in enumerate(names):
        ours = list(vecs[k])
        worst = max(abs(r[k] - o) / max(abs(r[k]), 1e-3) for r, o in zip(rows, ours))
        assert worst <= 1e-9, (name, worst)
    stim.amp = 0


def test_hclass_subclass_of_a_hoc_class():
    import rsneuron

    class Doubling(rsneuron.hclass(h.Vector)):
        def twice_sum(self):
            return 2 * self.sum()

    v = Doubling([1, 2, 3])
    assert isinstance(v, Doubling)
    assert v.hname().startswith("Vector[")
    assert v.twice_sum() == 12.0
    v.add(1)  # a hoc method on the subclass's hoc object
    assert v.to_python() == [2.0, 3.0, 4.0]
    with pytest.raises(TypeError):
        rsneuron.hclass(3)


def test_unlocated_point_process_until_loc():
    s = h.Section(name="t_unloc")
    ic = h.IClamp()
    assert ic.has_loc() == 0
    with pytest.raises(TypeError):
        ic.amp
    ic.loc(s(0.25))
    assert ic.has_loc() == 1
    assert ic.get_segment().sec is s
    ic.amp = 0.5
    assert ic.amp == 0.5


def test_ions_stay_after_uninsert_with_their_values():
    s = h.Section(name="t_ions")
    s.insert("hh")
    s(0.5).ena = 42
    s.uninsert("hh")
    assert sorted(m.name() for m in s(0.5)) == ["k_ion", "na_ion"]
    assert s(0.5).ena == 42
