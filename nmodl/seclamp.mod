TITLE seclamp.mod   single-electrode voltage clamp with three levels (rsnrn built-in)

COMMENT
From t = 0 the command potential vc is amp1 for dur1 ms, then amp2 for dur2 ms, then amp3 for
dur3 ms; after dur1 + dur2 + dur3 the clamp is off and injects nothing. The electrode is the
series resistance rs between vc and the cell, so the current into the cell is
i = (vc - v)/rs (nA = mV/megohm); ELECTRODE_CURRENT counts it as positive into the cell.

BREAKPOINT (t in the middle of the step) picks the level and gives the matrix i and di/dv.
After the voltage update the state step recomputes i with the new v and the level chosen in
the step, so that the recorded i belongs to the recorded v, as in NEURON.
With extracellular, v here is the internal potential (v + vext), as for every electrode.
ENDCOMMENT

NEURON {
    POINT_PROCESS SEClamp
    ELECTRODE_CURRENT i
    RANGE dur1, amp1, dur2, amp2, dur3, amp3, rs, vc, i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
}

PARAMETER {
    rs = 1 (megohm) <1e-9, 1e9>
    dur1 (ms)
    amp1 (mV)
    dur2 (ms) <0, 1e9>
    amp2 (mV)
    dur3 (ms) <0, 1e9>
    amp3 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    vc (mV)
    clamp_on    : 1 while a level applies, 0 after the last one
}

INITIAL {
    clamp_on = 0
}

BREAKPOINT {
    SOLVE follow_v
    command_level()
    electrode()
}

: The state step's part: i with the v of the end of the step.
PROCEDURE follow_v() {
    electrode()
}

PROCEDURE command_level() {
    clamp_on = 1
    if (t < dur1) {
        vc = amp1
    } else if (t < dur1 + dur2) {
        vc = amp2
    } else if (t < dur1 + dur2 + dur3) {
        vc = amp3
    } else {
        vc = 0
        clamp_on = 0
    }
}

PROCEDURE electrode() {
    if (clamp_on) {
        i = (vc - v)/rs
    } else {
        i = 0
    }
}
