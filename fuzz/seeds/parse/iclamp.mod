TITLE iclamp.mod   current clamp: a square current pulse (rsnrn built-in)

COMMENT
Injects amp (nA) into the segment from t = del for dur ms. Positive amp depolarizes:
ELECTRODE_CURRENT counts current into the cell as positive.
Python names `del` `delay` (del is a Python keyword); both name the same parameter.
ENDCOMMENT

UNITS {
    (nA) = (nanoamp)
}

NEURON {
    POINT_PROCESS IClamp
    RANGE del, dur, amp, i
    ELECTRODE_CURRENT i
    THREADSAFE
}

PARAMETER {
    del (ms)
    dur (ms) <0, 1e9>
    amp (nA)
}

ASSIGNED {
    i (nA)
}

INITIAL {
    i = 0
}

BREAKPOINT {
    if (t < del + dur && t >= del) {
        i = amp
    } else {
        i = 0
    }
}
