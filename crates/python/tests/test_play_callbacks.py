"""Vector.play, FInitializeHandler and CVode.event with Python callables. The expected values
are what NEURON 9.0.2 prints for the same statements (the same script run with
`from neuron import h`)."""

import pytest

from rsneuron import h


def clamp_cell(name):
    soma = h.Section(name=name)
    soma.L = soma.diam = 10
    soma.insert("pas")
    ic = h.IClamp(soma(0.5))
    ic.delay = 0
    ic.dur = 1e9
    return soma, ic


def test_continuous_and_discrete_play():
    soma, ic = clamp_cell("t_play")
    tv = h.Vector([0.02, 0.03, 0.03, 0.06, 0.1])
    yv = h.Vector([1, 2, 5, 6, 7])
    assert yv.play(ic._ref_amp, tv, True) == yv
    discrete = h.Vector([1, 2, 3])
    discrete.play(soma(0.5)._ref_e_pas, 0.025)
    amp = h.Vector().record(ic._ref_amp)
    current = h.Vector().record(ic._ref_i)
    h.dt = 0.025
    h.finitialize(-65)
    for _ in range(4):
        h.fadvance()
    # amp at t_n; the current was computed at t_n - dt/2 (interpolated there)
    assert list(amp) == pytest.approx([0, 1, 5.666666666666667, 6.375, 7.0], abs=1e-12)
    assert list(current) == pytest.approx([0, 1, 5.25, 6.0625, 6.6875], abs=1e-12)
    assert soma(0.5).e_pas == 3.0
    yv.play_remove()
    discrete.play_remove()
    h.finitialize(-65)
    for _ in range(4):
        h.fadvance()
    assert list(amp) == [7.0] * 5


def test_finitialize_handlers_and_events_call_python():
    soma, ic = clamp_cell("t_fih")
    log = []
    f3 = h.FInitializeHandler(3, lambda: log.append(("t3", h.t)))
    f0 = h.FInitializeHandler(0, lambda: log.append(("t0", soma(0.5).v)))
    f1 = h.FInitializeHandler(lambda: log.append(("t1", h.t)))
    f2 = h.FInitializeHandler(2, lambda: log.append(("t2", h.t)))
    cv = h.CVode()

    def later():
        log.append(("ev", h.t))
        ic.amp = 0.5

    fs = h.FInitializeHandler(lambda: cv.event(0.05, later))
    h.t = 3
    h.finitialize(-70)
    for _ in range(4):
        h.fadvance()
    assert log[:4] == [("t3", 3.0), ("t0", -70.0), ("t1", 0.0), ("t2", 0.0)]
    assert log[4][0] == "ev" and log[4][1] == pytest.approx(0.05, abs=1e-12)
    assert len(log) == 5 and ic.amp == 0.5
    del f3, f0, f1, f2, fs


def test_exception_in_callback_is_a_runtime_error():
    clamp_cell("t_bad")

    def bad():
        raise ValueError("boom")

    fb = h.FInitializeHandler(bad)
    with pytest.raises(RuntimeError, match="boom"):
        h.finitialize(-65)
    del fb
    h.finitialize(-65)


def test_python_objects_round_trip_through_hoc():
    items = [1, 2]
    h("objref py_tmp_obj")
    h.py_tmp_obj = items
    assert h.py_tmp_obj is items
    lst = h.List()
    f = lambda: 3
    lst.append(f)
    assert lst.o(0) is f and lst.count() == 1


def test_hoc_reaches_python_objects_and_refs():
    import __main__

    __main__.rsneuron_test_value = 17
    h("objref po_test")
    h("po_test = new PythonObject()")
    h("rsneuron_test_x = po_test.rsneuron_test_value + 1")
    assert h.rsneuron_test_x == 18
    h.po_test = [10, 20, 30]
    h("rsneuron_test_x = po_test._[1] + po_test.__len__()")
    assert h.rsneuron_test_x == 23
    h("proc setref_test() { $&1 = 42 }")
    r = h.ref(5)
    h.setref_test(r)
    assert r[0] == 42.0
