: error: COMPARTMENT in a DERIVATIVE block
NEURON { SUFFIX compout }
STATE { ca }
ASSIGNED { diam }
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states {
    COMPARTMENT diam * diam { ca }
    ca' = -ca
}
