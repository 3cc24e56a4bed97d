TITLE apcount.mod   counts action potentials at a location (rsnrn built-in)

COMMENT
After every voltage update (and in INITIAL) v is compared with thresh: an upward crossing
counts one more spike in n and sets time to the present time; the count re-arms when v has
fallen below thresh again.
ENDCOMMENT

NEURON {
    POINT_PROCESS APCount
    RANGE n, thresh, time, firing
}

UNITS {
    (mV) = (millivolt)
}

PARAMETER {
    n = 0
    thresh = -20 (mV)
    time (ms)
}

ASSIGNED {
    firing
    v (mV)
}

INITIAL {
    n = 0
    firing = 0
    check()
}

BREAKPOINT {
    SOLVE check METHOD after_cvode
}

PROCEDURE check() {
    if (v >= thresh && !firing) {
        firing = 1
        time = t
        n = n + 1
    }
    if (firing && v < thresh) {
        firing = 0
    }
}
