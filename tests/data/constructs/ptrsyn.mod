: POINTER: a synapse whose conductance opens while the presynaptic voltage `pre` (a
: setpointer to another cell's v) is above threshold, and that writes through `sink` (a
: setpointer to the presynaptic cell's e_pas) once at INITIAL.
NEURON {
    POINT_PROCESS PtrSyn
    POINTER pre, sink
    RANGE gmax, e, thresh, tau, i, open
    NONSPECIFIC_CURRENT i
}
PARAMETER {
    gmax = 0.02 (uS)
    e = 0 (mV)
    thresh = -20 (mV)
    tau = 2 (ms)
}
ASSIGNED {
    v (mV)
    i (nA)
    pre (mV)
    sink (mV)
    open
}
STATE { g (uS) }
INITIAL {
    g = 0
    open = 0
    sink = -68
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g*(v - e)
}
FUNCTION drive(k) {
    : called from hoc as syn.drive(k): this instance's values
    drive = k*gmax + g + pre
}

DERIVATIVE states {
    open = pre > thresh
    g' = (gmax*open - g)/tau
}
