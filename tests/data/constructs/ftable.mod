: A potassium-like conductance whose time constant comes from a FUNCTION_TABLE that hoc
: fills (table_tautab_ftable), and a second table used as a constant scale factor.
NEURON {
    SUFFIX ftable
    NONSPECIFIC_CURRENT i
    RANGE gbar, g, i, tauv
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S) = (siemens)
}

PARAMETER {
    gbar = 0.005 (S/cm2)
    erev = -80 (mV)
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    g (S/cm2)
    tauv (ms)
}

STATE { m }

INITIAL {
    m = minf(v)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*scale(v, m)
    i = g*(v - erev)
}

DERIVATIVE states {
    tauv = tautab(v)
    m' = (minf(v) - m)/tauv
}

FUNCTION minf(v (mV)) {
    minf = 1/(1 + exp(-(v + 50)/6))
}

FUNCTION tauscaled(v (mV)) (ms) {
    tauscaled = 2*tautab(v)
}

FUNCTION_TABLE tautab(v (mV)) (ms)
FUNCTION_TABLE scale(v (mV), x)
