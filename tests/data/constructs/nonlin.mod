: NONLINEAR blocks: `SOLVE eq` in BREAKPOINT, in INITIAL and inside a PROCEDURE; the two
: unknowns follow v, and the current depends on them.
NEURON {
    SUFFIX nonlin
    NONSPECIFIC_CURRENT i
    RANGE g, p, q, r, i
}
PARAMETER {
    g = 0.0005 (S/cm2)
    p = 2
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    q
    r
}
STATE { w u z }
INITIAL {
    u = 1
    w = 1
    SOLVE eq
    z = 0.5
    settle()
}
BREAKPOINT {
    SOLVE eq
    settle()
    q = u + w
    i = g*(u - w)*(v + 60)
}
PROCEDURE settle() {
    SOLVE zeq
    r = z*z
}
NONLINEAR eq {
    LOCAL s
    s = p*p + 0.01*v
    ~ u*u + w*w = s
    ~ u = w*w*w - 0.5
}
NONLINEAR zeq {
    ~ z*exp(z) = 1 + 0.001*(v + 65)
}
