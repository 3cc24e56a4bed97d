"""Reference sequences of NEURON 9.0.2's Random class for rsnrn's random module.

Run: /work/nrnvenv/bin/python make_reference.py > reference.txt
Each line: `<generator> <distribution> <n>|<values>`; generator `r123:id1:id2:id3:globalindex`
or `mcell:highindex:lowindex`, distribution `<method>:<arg>:<arg>`. The first value is what
the distribution method returns, the rest are repick()s; values are Python reprs (exact).
"""
from neuron import h

COUNT = 200


def make(gen):
    kind, *args = gen.split(":")
    r = h.Random()
    if kind == "r123":
        id1, id2, id3, gi = (int(a) for a in args)
        # The global index is read when a stream is made.
        r.Random123_globalindex(gi)
        r.Random123(id1, id2, id3)
        r.Random123_globalindex(0)
    else:
        high, low = (int(a) for a in args)
        r.MCellRan4(high, low)
    return r


def sequence(gen, dist, n=COUNT):
    r = make(gen)
    method, *args = dist.split(":")
    values = [getattr(r, method)(*(float(a) for a in args))]
    values += [r.repick() for _ in range(n - 1)]
    print(f"{gen} {dist} {n}|" + " ".join(repr(v) for v in values))


GENERATORS_UNIFORM = [
    "r123:1:2:3:0", "r123:0:0:0:0", "r123:5:0:0:0", "r123:4294967295:1:0:0",
    "r123:7:8:9:5", "r123:123456:654321:42:17",
    "mcell:12345:0", "mcell:12345:7", "mcell:1:0", "mcell:4294967200:3",
]
for gen in GENERATORS_UNIFORM:
    sequence(gen, "uniform:0:1", 500)

DISTRIBUTIONS = [
    "uniform:10:20", "normal:0:1", "normal:3:4", "negexp:2", "poisson:3", "poisson:0.5",
    "poisson:20", "discunif:1:6", "discunif:-3:3", "lognormal:2:3", "binomial:20:0.3",
    "geometric:0.7", "hypergeo:2:5", "erlang:2:0.5", "weibull:2:3",
]
for gen in ["r123:7:8:9:0", "mcell:12345:0"]:
    for dist in DISTRIBUTIONS:
        sequence(gen, dist)
