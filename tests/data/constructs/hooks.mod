: BEFORE/AFTER blocks: each counts its calls and notes what it sees, so the recorded values
: show when NEURON runs it relative to INITIAL, the currents, the states and recording.
NEURON {
    SUFFIX hooks
    NONSPECIFIC_CURRENT i
    RANGE g, nbi, nai, nbb, nas, nbs, tbb, sas, vas, ibb
}
PARAMETER { g = 0.0005 (S/cm2) }
ASSIGNED {
    v (mV)
    i (mA/cm2)
    nbi nai nbb nas nbs
    tbb (ms)
    sas
    vas (mV)
    ibb
}
STATE { s }
BEFORE INITIAL {
    nbi = nbi + 1
    nai = 0
    nbb = 0
    nas = 0
    nbs = 0
    s = 5
}
INITIAL {
    s = s + 1
}
AFTER INITIAL {
    nai = nai + 1
    s = s*2
}
BEFORE BREAKPOINT {
    nbb = nbb + 1
    tbb = t
    ibb = i
}
BREAKPOINT {
    SOLVE st METHOD cnexp
    i = g*s*(v + 60)/12
}
DERIVATIVE st {
    s' = -s/20
}
AFTER SOLVE {
    LOCAL k
    k = 2
    nas = nas + 1
    sas = s*k
    vas = v
}
BEFORE STEP {
    nbs = nbs + 1
}
