TITLE intfire2.mod   leaky integrator driven by a decaying synaptic current (rsnrn built-in)

COMMENT
NEURON's documented IntFire2: a membrane state m with time constant taum driven by a total
current i = ib + isyn, where ib is a constant bias and isyn a synaptic current that decays
with time constant taus (taus > taum) and jumps by w when an event of weight w arrives:

    taum dm/dt = i - m,   taus disyn/dt = -isyn

When m reaches 1 the cell fires, m restarts from 0 and integration goes on (isyn is kept).

Between events both equations are solved exactly. With B = isyn*taus/(taus - taum),

    m(s) = ib + (m0 - ib - B)*exp(-s/taum) + B*exp(-s/taus)

so m - 1 has at most two zeros. After every change the first time m reaches 1 is found (a
bracket, then bisection to the last bit) and a self-event is sent for it; each prediction has
its own flag (a counter), so a prediction that a later input made stale is ignored when it
arrives. m and i hold their values at the last event, as in NEURON; M() is m now.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL IntFire2
    RANGE taum, taus, ib, i, m
}

PARAMETER {
    taum = 10 (ms)
    taus = 20 (ms)
    ib = 0
}

ASSIGNED {
    m
    i
    isyn
    t0 (ms)
    prediction
}

INITIAL {
    LOCAL s
    m = 0
    isyn = 0
    i = ib
    t0 = t
    : the flag of the self-event that predicts the next firing; earlier ones become stale
    prediction = 1
    s = first_crossing()
    if (s >= 0) {
        net_send(s, prediction)
    }
}

: m after s ms from (m0, isyn0) at the last event.
FUNCTION m_after(m0, isyn0, s (ms)) {
    LOCAL b
    b = isyn0*taus/(taus - taum)
    m_after = ib + (m0 - ib - b)*exp(-s/taum) + b*exp(-s/taus)
}

FUNCTION M() {
    M = m_after(m, isyn, t - t0)
}

: Brings m and isyn from t0 up to t.
PROCEDURE advance() {
    m = m_after(m, isyn, t - t0)
    isyn = isyn*exp(-(t - t0)/taus)
    t0 = t
}

: The delay until m first reaches 1, or -1 if it never does.
FUNCTION first_crossing() {
    LOCAL b, ca, cb, s_ext, lo, hi, mid
    if (m >= 1) {
        first_crossing = 0
    } else {
        : the one interior extremum of m, where dm/ds = 0
        b = isyn*taus/(taus - taum)
        ca = (m - ib - b)/taum
        cb = -b/taus
        s_ext = -1
        if (ca*cb > 0) {
            s_ext = log(ca/cb)/(1/taum - 1/taus)
        }
        hi = -1
        if (s_ext > 0) {
            if (m_after(m, isyn, s_ext) >= 1) {
                hi = s_ext
            }
        }
        if (hi < 0 && ib > 1) {
            : m tends to ib > 1: step out from the extremum until m is past 1
            hi = taum
            if (s_ext > 0) {
                hi = s_ext + taum
            }
            while (m_after(m, isyn, hi) < 1) {
                hi = 2*hi
            }
        }
        if (hi < 0) {
            first_crossing = -1
        } else {
            : m < 1 at 0 and >= 1 at hi, with exactly one zero of m - 1 between:
            : halve until the bracket is two neighbouring doubles
            lo = 0
            mid = hi/2
            while (mid > lo && mid < hi) {
                if (m_after(m, isyn, mid) >= 1) {
                    hi = mid
                } else {
                    lo = mid
                }
                mid = lo + (hi - lo)/2
            }
            first_crossing = hi
        }
    }
}

NET_RECEIVE (w) {
    LOCAL s
    if (flag == 0 || flag == prediction) {
        advance()
        if (flag == 0) {
            isyn = isyn + w
        } else {
            net_event(t)
            m = 0
        }
        i = ib + isyn
        prediction = prediction + 1
        s = first_crossing()
        if (s >= 0) {
            net_send(s, prediction)
        }
    }
}
