: A three-state calcium-gated channel written for rsnrn's tests.
NEURON {
    SUFFIX kin3
    USEION ca READ cai
    USEION k READ ek WRITE ik
    RANGE gbar, g
    GLOBAL kon
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}
PARAMETER {
    gbar = 0.01 (mho/cm2) <0, 1e9>
    kon = 10 (/mM-ms)
    koff = 0.5 (/ms)
    kopen = 2 (/ms)
    kclose = 1 (/ms)
}
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) g (mho/cm2) cai (mM) }
STATE { C C1 O }
INITIAL { SOLVE scheme STEADYSTATE sparse }
BREAKPOINT {
    SOLVE scheme METHOD sparse
    g = gbar * O
    ik = g * (v - ek)
}
KINETIC scheme {
    ~ C + 2 cai <-> C1 (kon, koff)
    ~ C1 <-> O (kopen, kclose)
    CONSERVE C + C1 + O = 1
}
