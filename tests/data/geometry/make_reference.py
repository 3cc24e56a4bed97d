#!/usr/bin/env python3
"""Generates reference.txt: small morphology cases run through NEURON 9.0.2, for
tests/geometry_vs_neuron.rs.

Each case is a list of operations in a tiny line language that both this script (through NEURON's
Python API) and the Rust test (through rsnrn's CableModel API) execute. Query lines carry NEURON's
answer after '=':

    case NAME                      start a new, empty model
    create S                       new section (NEURON defaults)
    L S v | diam S v | Ra S v | nseg S n
    diamx S x v                    diam of the segment containing x
    connect C end P x              connect C(end), P(x)
    pt3dadd S x y z d | pt3dinsert S i x y z d | pt3dremove S i
    pt3dchange S i x y z d | pt3dchanged S i d | pt3dclear S
    define_shape
    origin S x                     distance(0, S(x))
    ? L S = v                      section length
    ? diam S x = v | ? area S x = v | ? ri S x = v
    ? n3d S = n
    ? pt S i = x y z d arc         x3d, y3d, z3d, diam3d, arc3d
    ? dist S x = v                 distance(S(x)) from the origin
    ? dist2 A xa B xb = v          distance(A(xa), B(xb))
    ? children S = C1 C2 ...       sec.children() order
    ? trueparent S = P x           trueparentseg (or "none")
    ? root S = R

Usage: /work/nrnvenv/bin/python make_reference.py > reference.txt
(any Python with NEURON 9.0.2's `neuron` module).
"""
import random
from neuron import h

OUT = []
SECS = {}


def g(v):
    return repr(float(v))


def emit(line):
    OUT.append(line)


def op(line):
    """Executes an operation in NEURON and records it."""
    emit(line)
    w = line.split()
    k = w[0]
    if k == "case":
        for s in list(SECS.values()):
            h.delete_section(sec=s)
        SECS.clear()
    elif k == "create":
        SECS[w[1]] = h.Section(name=w[1])
    elif k == "L":
        SECS[w[1]].L = float(w[2])
    elif k == "diam":
        SECS[w[1]].diam = float(w[2])
    elif k == "Ra":
        SECS[w[1]].Ra = float(w[2])
    elif k == "nseg":
        SECS[w[1]].nseg = int(w[2])
    elif k == "diamx":
        SECS[w[1]](float(w[2])).diam = float(w[3])
    elif k == "connect":
        SECS[w[1]].connect(SECS[w[3]](float(w[4])), float(w[2]))
    elif k == "pt3dadd":
        h.pt3dadd(*map(float, w[2:6]), sec=SECS[w[1]])
    elif k == "pt3dinsert":
        h.pt3dinsert(int(w[2]), *map(float, w[3:7]), sec=SECS[w[1]])
    elif k == "pt3dremove":
        h.pt3dremove(int(w[2]), sec=SECS[w[1]])
    elif k == "pt3dchange":
        h.pt3dchange(int(w[2]), *map(float, w[3:7]), sec=SECS[w[1]])
    elif k == "pt3dchanged":
        h.pt3dchange(int(w[2]), float(w[3]), sec=SECS[w[1]])
    elif k == "pt3dclear":
        h.pt3dclear(sec=SECS[w[1]])
    elif k == "define_shape":
        h.define_shape()
    elif k == "origin":
        h.distance(0, SECS[w[1]](float(w[2])))
    else:
        raise ValueError(line)


def q(line):
    """Asks NEURON and records the query with its answer."""
    w = line.split()
    k = w[0]
    s = SECS.get(w[1]) if len(w) > 1 else None
    if k == "L":
        ans = g(s.L)
    elif k == "diam":
        ans = g(s(float(w[2])).diam)
    elif k == "area":
        ans = g(s(float(w[2])).area())
    elif k == "ri":
        ans = g(s(float(w[2])).ri())
    elif k == "n3d":
        ans = str(int(s.n3d()))
    elif k == "pt":
        i = int(w[2])
        ans = " ".join(g(v) for v in (s.x3d(i), s.y3d(i), s.z3d(i), s.diam3d(i), s.arc3d(i)))
    elif k == "dist":
        ans = g(h.distance(s(float(w[2]))))
    elif k == "dist2":
        ans = g(h.distance(s(float(w[2])), SECS[w[3]](float(w[4]))))
    elif k == "children":
        ans = " ".join(c.name() for c in s.children())
    elif k == "trueparent":
        seg = s.trueparentseg()
        ans = "none" if seg is None else "%s %s" % (seg.sec.name(), g(seg.x))
    elif k == "root":
        ans = h.SectionRef(sec=s).root.name()
    else:
        raise ValueError(line)
    emit("? %s = %s" % (line, ans))


def xs(s):
    """Locations worth asking about: ends, every segment centre, and a point inside a segment."""
    n = s.nseg
    return [0.0] + [(j + 0.5) / n for j in range(n)] + [0.3, 1.0]


def survey(names):
    """Everything about the given sections."""
    for name in names:
        s = SECS[name]
        q("L %s" % name)
        q("n3d %s" % name)
        for i in range(int(s.n3d())):
            q("pt %s %d" % (name, i))
        for x in xs(s):
            q("diam %s %s" % (name, g(x)))
            q("area %s %s" % (name, g(x)))
            q("ri %s %s" % (name, g(x)))


def points(name, pts):
    for p in pts:
        op("pt3dadd %s %s" % (name, " ".join(g(v) for v in p)))


random.seed(20240517)


def wiggly(n, start=(0.0, 0.0, 0.0), step=3.0):
    """n points of a random 3-D walk with random diameters (values not exact in float)."""
    x, y, z = start
    out = []
    for _ in range(n):
        out.append((x, y, z, random.uniform(0.3, 4.0)))
        x += random.uniform(0.1, step)
        y += random.uniform(-step, step)
        z += random.uniform(-step / 2, step / 2)
    return out


# ---- cases ----------------------------------------------------------------------------------
op("case tapered")
op("create a")
op("Ra a 123.4")
points("a", [(0, 0, 0, 2), (10, 0, 0, 4), (25, 3, 0, 1)])
op("nseg a 3")
survey(["a"])
for n in (1, 2, 7, 20):
    op("nseg a %d" % n)
    survey(["a"])

op("case wiggly")
op("create w")
op("Ra w 71.3")
points("w", wiggly(37))
for n in (1, 3, 10, 41):
    op("nseg w %d" % n)
    survey(["w"])

op("case coincident")
op("create c")
op("nseg c 3")
# duplicated points at the start, in the middle, and at segment boundaries (arc 10 and 20)
points("c", [(0, 0, 0, 2), (0, 0, 0, 4), (5, 0, 0, 4), (7, 0, 0, 1), (7, 0, 0, 3),
             (10, 0, 0, 3), (10, 0, 0, 6), (20, 0, 0, 6), (20, 0, 0, 2), (30, 0, 0, 2),
             (30, 0, 0, 5)])
survey(["c"])
op("nseg c 2")
survey(["c"])

op("case single_point")
op("create s")
op("L s 50")
op("diam s 3")
points("s", [(1, 2, 3, 7)])
survey(["s"])
points("s", [(11, 2, 3, 7)])
survey(["s"])
op("pt3dclear s")
survey(["s"])
op("L s 20")
survey(["s"])

op("case edits")
op("create e")
op("nseg e 3")
points("e", [(0, 0, 0, 2), (0, 0, 0, 4), (5, 0, 0, 4)])
survey(["e"])
op("pt3dinsert e 1 2 0 0 3")
survey(["e"])
op("pt3dremove e 0")
survey(["e"])
op("pt3dchanged e 0 9")
survey(["e"])
op("pt3dchange e 2 5.5 1.25 -0.7 2.5")
survey(["e"])
op("pt3dinsert e 3 9.1 2.2 0.3 1.7")
survey(["e"])

op("case scale_and_diam")
# NUMERICS's add_spines example: L scales the points, diam(x) assignments move into them
op("create sp")
op("nseg sp 2")
points("sp", [(5, 1, 0, 2), (15, 1, 0, 4), (25, 1, 0, 6)])
survey(["sp"])
op("L sp 30")
survey(["sp"])
for x in (0, 0.25, 0.75, 1):
    d = SECS["sp"](x).diam
    q("diam sp %s" % g(x))
    op("diamx sp %s %s" % (g(x), g(2 * d)))
    survey(["sp"])
op("create sq")
op("nseg sq 3")
points("sq", wiggly(9, step=5))
survey(["sq"])
op("L sq 77.7")
survey(["sq"])
op("diamx sq 0.1 10")
op("diamx sq 0.9 1")
survey(["sq"])
op("diam sq 2.5")
survey(["sq"])
op("nseg sq 5")
survey(["sq"])
op("create sr")
op("nseg sr 3")
points("sr", [(0, 0, 0, 2), (4, 0, 0, 4), (10, 0, 0, 6), (17, 0, 0, 8), (30, 0, 0, 3)])
q("diam sr 0.5")
op("diamx sr 0.5 10")
op("nseg sr 5")
survey(["sr"])

op("case tree")
op("create soma")
op("nseg soma 3")
points("soma", [(0, 0, 0, 12), (4, 0.5, 0, 15), (9, 1, 0.5, 14), (15, 1, 1, 9)])
op("create d1")
op("nseg d1 5")
points("d1", wiggly(12, start=(15, 1, 1), step=6))
op("connect d1 0 soma 1")
op("create d2")
op("L d2 140")
op("diam d2 1.5")
op("nseg d2 7")
op("connect d2 0 soma 0")
op("create d3")
op("nseg d3 4")
points("d3", [(30, 30, 30, 3), (34, 33, 30, 2.5), (40, 35, 31, 2), (50, 40, 31, 1)])
op("connect d3 1 d1 0.63")
op("create d4")
op("L d4 33")
op("diam d4 0.8")
op("nseg d4 3")
op("connect d4 0 d1 0")
op("create d5")
op("L d5 21")
op("diam d5 0.6")
op("connect d5 0 d3 1")
op("create d6")
op("L d6 18")
op("nseg d6 2")
op("connect d6 0 d2 0.5")
op("create d7")
op("L d7 18")
op("connect d7 0 d2 0.5")
op("create other")
op("L other 40")
op("diam other 2")
op("nseg other 3")
op("Ra soma 80")
op("Ra d1 150")
op("Ra d3 99")
names = ["soma", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "other"]
survey(names)
for n in names:
    q("children %s" % n)
    q("trueparent %s" % n)
    q("root %s" % n)
op("origin soma 0.5")
for n in names:
    for x in xs(SECS[n]):
        q("dist %s %s" % (n, g(x)))
op("origin d3 0.1")
for n in names:
    for x in xs(SECS[n]):
        q("dist %s %s" % (n, g(x)))
q("dist2 d4 0.7 d6 0.2")
q("dist2 d5 1 d5 0")
q("dist2 d3 0.37 d1 0.9")
op("define_shape")
survey(names)
op("nseg d2 3")
survey(["d2"])

op("case fans")
op("create r")
op("L r 100")
op("diam r 2")
op("nseg r 3")
for k in range(4):
    op("create k%d" % k)
    op("L k%d %d" % (k, 10 * (k + 1)))
    op("diam k%d 1" % k)
    op("connect k%d 0 r 1" % k)
for k, x in enumerate([0.1, 0.5, 0.5, 0.5, 0.7, 0.0, 0.0]):
    op("create m%d" % k)
    op("L m%d 20" % k)
    op("nseg m%d %d" % (k, k % 3 + 1))
    op("diam m%d 1" % k)
    op("connect m%d 0 r %s" % (k, g(x)))
op("create rev")
op("L rev 15")
op("nseg rev 2")
op("diamx rev 0.25 1")
op("diamx rev 0.75 3")
op("connect rev 1 k0 1")
for k, x in enumerate([0.2, 0.8, 0.0, 1.0]):
    op("create q%d" % k)
    op("L q%d 10" % k)
    op("diam q%d 0.5" % k)
    op("connect q%d 0 rev %s" % (k, g(x)))
op("create r2")
op("L r2 10")
op("create shaped")
points("shaped", wiggly(5, start=(100.1, 100.2, 100.3)))
op("connect shaped 0 rev 0.5")
op("create shaped_rev")
points("shaped_rev", [(0, 0, 0, 1), (10, 0, 0, 5)])
op("nseg shaped_rev 2")
op("connect shaped_rev 1 m1 1")
op("define_shape")
survey(["r", "k0", "k1", "k2", "k3"] + ["m%d" % k for k in range(7)]
       + ["rev", "q0", "q1", "q2", "q3", "r2", "shaped", "shaped_rev"])

print("\n".join(OUT))
