TITLE intfire1.mod   leaky integrate-and-fire cell driven by events (rsnrn built-in)

COMMENT
Between events the state m decays with time constant tau; it is brought up to date only
when an event arrives: m = m*exp(-(t - t0)/tau) + w. When m exceeds 1 the cell fires at
that moment and ignores every input for refrac ms, after which m restarts from 0.
M() is the present value of m for display.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL IntFire1
    RANGE tau, refrac, m
}

PARAMETER {
    tau = 10 (ms)
    refrac = 5 (ms)
}

ASSIGNED {
    m
    t0 (ms)
    refractory
}

INITIAL {
    m = 0
    t0 = 0
    refractory = 0
}

FUNCTION M() {
    if (refractory == 0) {
        M = m*exp(-(t - t0)/tau)
    } else {
        M = 0
    }
}

NET_RECEIVE(w) {
    if (flag == 1) {
        : end of the refractory period
        refractory = 0
        m = 0
        t0 = t
    } else if (refractory == 0) {
        m = m*exp(-(t - t0)/tau)
        t0 = t
        m = m + w
        if (m > 1) {
            refractory = 1
            m = 0
            net_send(refrac, 1)
            net_event(t)
        }
    }
}
