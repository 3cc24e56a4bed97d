"""Reference sequences of NEURON 9.0.2's NMODL RANDOM variables (Random123 streams):
random_uniform, random_negexp, random_normal, random_ipick, random_dpick.

Run in a scratch copy of this folder:
    /work/nrnvenv/bin/nrnivmodl   (compiles ranvar.mod)
    /work/nrnvenv/bin/python make_ranvar_reference.py > ranvar_reference.txt
Each line: `<id1>:<id2>:<id3> <function>:<args> <n>|<values>`, every sequence from
set_ids(...) and set_seq(0); values are Python reprs.
"""
from neuron import h

COUNT = 300

section = h.Section(name="s")
point = h.RanVar(section(0.5))

for ids in ("1:2:3", "7:0:42", "4294967295:5:1"):
    for call in ("dpick", "ipick", "uni", "uniab:10:20", "uniab:-1:3", "nexp", "nexpm:2",
                 "nexpm:0.3", "norm", "normms:3:2", "normms:-1:0.1"):
        point.rv.set_ids(*(float(i) for i in ids.split(":")))
        point.rv.set_seq(0)
        name, *args = call.split(":")
        f = getattr(point, name)
        values = [f(*(float(a) for a in args)) for _ in range(COUNT)]
        print(f"{ids} {call} {COUNT}|" + " ".join(repr(v) for v in values))
