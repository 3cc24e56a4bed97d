: An event-driven synapse with a self-event, written for rsnrn's tests.
NEURON {
    POINT_PROCESS ExpSynTest
    RANGE tau, e, i, total
    NONSPECIFIC_CURRENT i
    POINTER pre
}
PARAMETER { tau = 2 (ms) e = 0 (mV) }
ASSIGNED { v (mV) i (nA) total pre }
STATE { g (uS) }
INITIAL { g = 0 total = 0 net_send(5, 2) }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g * (v - e)
}
DERIVATIVE state { g' = -g / tau }
NET_RECEIVE(weight (uS), last (ms)) {
    INITIAL { last = -1e9 }
    if (flag == 0) {
        g = g + weight
        total = total + weight
        last = t
        net_event(t)
    } else if (flag == 2) {
        WATCH (v > -20) 3
        FOR_NETCONS(w, l) { printf("weight %g last %g\n", w, l) }
    } else {
        if (nrn_pointing(pre)) { g = g + pre * 0 }
    }
}
