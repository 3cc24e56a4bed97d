: Assigning v changes the mechanism's own copy of the membrane potential only: the rest of
: that evaluation sees the new value, the cell does not.
NEURON {
    SUFFIX vcopy
    NONSPECIFIC_CURRENT i
    RANGE g, e, vseen, minf
}
PARAMETER {
    g = 0.002 (S/cm2)
    e = -70 (mV)
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    vseen (mV)
    minf
    tau (ms)
}
STATE { m }
INITIAL {
    rates()
    m = minf
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    rates()
    i = g*m*(v - e)
    vseen = v
}
DERIVATIVE states {
    rates()
    m' = (minf - m)/tau
}
PROCEDURE rates() {
    if (v > -60) {
        v = v + 15
    }
    minf = 1/(1 + exp(-(v + 40)/5))
    tau = 2
}
