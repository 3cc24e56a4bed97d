: state_discontinuity in the fixed-step method: the state takes the new value, here from a
: BREAKPOINT at the first evaluation past t = 10 ms (PROTECT and MUTEXLOCK ride along).
NEURON {
    SUFFIX discon
    NONSPECIFIC_CURRENT i
    RANGE g, e, done, count
}
PARAMETER {
    tau = 3 (ms)
    e = 0 (mV)
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    done
    count
}
STATE { g (S/cm2) }
INITIAL {
    g = 0
    done = 0
    count = 0
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    if (t > 10 && done == 0) {
        state_discontinuity(g, g + 0.0002)
        done = 1
    }
    PROTECT count = count + 1
    MUTEXLOCK
    MUTEXUNLOCK
    i = g*(v - e)
}
DERIVATIVE states {
    g' = -g/tau
}
