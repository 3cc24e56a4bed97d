: Tables, loops, LOCAL arrays and random numbers, written for rsnrn's tests.
NEURON {
    SUFFIX proctest
    NONSPECIFIC_CURRENT il
    RANGE gl, el, noise
    THREADSAFE
}
DEFINE N 4
PARAMETER { gl = 0.001 (S/cm2) el = -70 (mV) amp = 0 }
ASSIGNED { v (mV) il (mA/cm2) noise minf tab[N] }
INITIAL { rates(v) set_seed(1) }
BREAKPOINT {
    LOCAL k[N], j
    rates(v)
    FROM j = 0 TO N - 1 { k[j] = j * 2 tab[j] = k[j] }
    noise = amp * normrand(0, 1) + exprand(1) * 0 + unirand() * 0
    if (at_time(5)) { noise = noise + 1 }
    il = gl * (v - el) * minf
}
PROCEDURE rates(v (mV)) {
    TABLE minf DEPEND el FROM -100 TO 100 WITH 200
    minf = 1 / (1 + exp(-(v - el) / 10))
}
FUNCTION sq(x) { sq = x * x }
