TITLE alphasynapse.mod   alpha-function synaptic conductance, not event driven (rsnrn built-in)

COMMENT
g = gmax*x*exp(1 - x) with x = (t - onset)/tau for 0 <= x <= 10, else 0; i = g*(v - e).
ENDCOMMENT

NEURON {
    POINT_PROCESS AlphaSynapse
    RANGE onset, tau, gmax, e, i
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    onset = 0 (ms)
    tau = .1 (ms)
    gmax = 0 (uS)
    e = 0 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)
}

BREAKPOINT {
    g = gmax*alpha((t - onset)/tau)
    i = g*(v - e)
}

FUNCTION alpha(x) {
    if (x < 0 || x > 10) {
        alpha = 0
    } else {
        alpha = x*exp(1 - x)
    }
}
