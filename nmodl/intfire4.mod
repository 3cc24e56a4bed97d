TITLE intfire4.mod   integrator with excitatory and alpha-like inhibitory currents (rsnrn built-in)

COMMENT
NEURON's documented IntFire4: a membrane state m driven by an excitatory current e and an
inhibitory current i2 that is itself driven by i1:

    taue  de/dt  = -e
    taui1 di1/dt = -i1
    taui2 di2/dt = -i2 + i1
    taum  dm/dt  = -m + e + i2

An event of weight w > 0 adds ke*w to e, one of weight w < 0 adds ki*w to i1, where ke and ki
make a single event of weight 1 (-1) from rest move m to a peak of 1 (-1). When m reaches 1
the cell fires and m restarts from 0 (the currents go on). The four time constants must
differ from each other.

Between events the equations are solved exactly: with Ex = exp(-s/taux),

    i2(s) = c*E1 + (i2_0 - c)*E2,                 c  = i1_0*taui1/(taui1 - taui2)
    m(s)  = ae*Ee + a1*E1 + a2*E2 + (m0 - ae - a1 - a2)*Em
            ae = e0*taue/(taue - taum), a1 = c*taui1/(taui1 - taum),
            a2 = (i2_0 - c)*taui2/(taui2 - taum)

After every change the first time m reaches 1 is searched: m is sampled in steps of an
eighth of the shortest time constant until it is >= 1 (then bisection to the last bit) or
until the sum of the magnitudes of its decaying terms is below 1 (it can never get there).
Each prediction is a self-event with its own flag (a counter), so one a later input made
stale is ignored when it arrives. e, i1, i2 and m hold their values at the last event; M()
is m now. NEURON finds firing times by a search of its own that stops short of the exact
crossing (its times differ from it by up to ~2e-5 ms in tests/intfire_vs_neuron.rs).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL IntFire4
    RANGE taue, taui1, taui2, taum, e, i1, i2, m
}

PARAMETER {
    taue = 5 (ms)
    taui1 = 10 (ms)
    taui2 = 20 (ms)
    taum = 50 (ms)
}

ASSIGNED {
    e
    i1
    i2
    m
    t0 (ms)
    ke
    ki
    prediction
}

INITIAL {
    LOCAL s
    e = 0
    i1 = 0
    i2 = 0
    m = 0
    t0 = t
    ke = 1/peak(1, 0)
    ki = 1/peak(0, 1)
    prediction = 1
    s = first_crossing()
    if (s >= 0) {
        net_send(s, prediction)
    }
}

: m after s ms from the states (e0, i10, i20, m0).
FUNCTION m_from(e0, i10, i20, m0, s (ms)) {
    LOCAL c, ae, a1, a2
    c = i10*taui1/(taui1 - taui2)
    ae = e0*taue/(taue - taum)
    a1 = c*taui1/(taui1 - taum)
    a2 = (i20 - c)*taui2/(taui2 - taum)
    m_from = ae*exp(-s/taue) + a1*exp(-s/taui1) + a2*exp(-s/taui2) + (m0 - ae - a1 - a2)*exp(-s/taum)
}

: A bound on |m| from s ms on, for the states (e0, i10, i20, m0).
FUNCTION m_bound(e0, i10, i20, m0, s (ms)) {
    LOCAL c, ae, a1, a2
    c = i10*taui1/(taui1 - taui2)
    ae = e0*taue/(taue - taum)
    a1 = c*taui1/(taui1 - taum)
    a2 = (i20 - c)*taui2/(taui2 - taum)
    m_bound = fabs(ae)*exp(-s/taue) + fabs(a1)*exp(-s/taui1) + fabs(a2)*exp(-s/taui2) + fabs(m0 - ae - a1 - a2)*exp(-s/taum)
}

: The largest m after a lone impulse (e0, i10) from rest; m rises once and decays, so a
: golden-section search finds it.
FUNCTION peak(e0, i10) {
    LOCAL a, b, c1, c2, g, k
    g = (sqrt(5) - 1)/2
    a = 0
    b = 20*taum
    if (taui2 > taum) {
        b = 20*taui2
    }
    FROM k = 1 TO 200 {
        c1 = b - g*(b - a)
        c2 = a + g*(b - a)
        if (m_from(e0, i10, 0, 0, c1) > m_from(e0, i10, 0, 0, c2)) {
            b = c2
        } else {
            a = c1
        }
    }
    peak = m_from(e0, i10, 0, 0, (a + b)/2)
}

FUNCTION M() {
    M = m_from(e, i1, i2, m, t - t0)
}

: Brings the states from t0 up to t.
PROCEDURE advance() {
    LOCAL s, c
    s = t - t0
    m = m_from(e, i1, i2, m, s)
    c = i1*taui1/(taui1 - taui2)
    i2 = c*exp(-s/taui1) + (i2 - c)*exp(-s/taui2)
    i1 = i1*exp(-s/taui1)
    e = e*exp(-s/taue)
    t0 = t
}

: The delay until m first reaches 1, or -1 if it never does.
FUNCTION first_crossing() {
    LOCAL h, s, lo, hi, mid, going
    if (m >= 1) {
        first_crossing = 0
    } else {
        h = taue
        if (taui1 < h) {
            h = taui1
        }
        if (taui2 < h) {
            h = taui2
        }
        if (taum < h) {
            h = taum
        }
        h = h/8
        hi = -1
        s = 0
        going = 1
        while (going) {
            if (m_bound(e, i1, i2, m, s) < 1) {
                going = 0
            } else {
                s = s + h
                if (m_from(e, i1, i2, m, s) >= 1) {
                    hi = s
                    going = 0
                }
            }
        }
        if (hi < 0) {
            first_crossing = -1
        } else {
            : m < 1 at lo and >= 1 at hi: halve until they are neighbouring doubles
            lo = hi - h
            mid = lo + (hi - lo)/2
            while (mid > lo && mid < hi) {
                if (m_from(e, i1, i2, m, mid) >= 1) {
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
            if (w > 0) {
                e = e + ke*w
            } else {
                i1 = i1 + ki*w
            }
        } else {
            net_event(t)
            m = 0
        }
        prediction = prediction + 1
        s = first_crossing()
        if (s >= 0) {
            net_send(s, prediction)
        }
    }
}
