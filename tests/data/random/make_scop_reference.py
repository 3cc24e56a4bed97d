"""Reference sequences of NEURON 9.0.2's NMODL random functions (scop_random, set_seed,
normrand, exprand, poisrand), for rsnrn's random::nmodl.

Run in a scratch copy of this folder:
    /work/nrnvenv/bin/nrnivmodl   (compiles scoprand.mod)
    /work/nrnvenv/bin/python make_scop_reference.py > scop_reference.txt
Each line: `<use_mcell_ran4> <seed> <function>:<args> <n>|<values>` with set_seed(seed)
before the sequence (seed `-` for none: the state at start-up); values are Python reprs.
"""
from neuron import h

COUNT = 200


def sequence(mcell, seed, call, n=COUNT):
    h.use_mcell_ran4(mcell)
    if seed != "-":
        h.f_seed_scoprand(float(seed))
    name, *args = call.split(":")
    f = getattr(h, "f_" + name + "_scoprand")
    values = [f(*(float(a) for a in args)) for _ in range(n)]
    print(f"{mcell} {seed} {call} {n}|" + " ".join(repr(v) for v in values))


sequence(0, "-", "uniform", 20)
for mcell in (0, 1):
    for seed in ("1", "0", "2", "12345", "4294967295", "3.7"):
        sequence(mcell, seed, "uniform", 500)
    for call in ("normal:0:1", "normal:3:2", "negexp:2", "poisson:3", "poisson:0.5",
                 "poisson:11.5", "poisson:12", "poisson:20", "poisson:150"):
        sequence(mcell, "7", call)
