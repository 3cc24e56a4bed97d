: error: TABLE in a DERIVATIVE block
NEURON { SUFFIX tabder }
STATE { m }
ASSIGNED { v (mV) }
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states {
    TABLE DEPEND v FROM -100 TO 100 WITH 10
    m' = -m
}
