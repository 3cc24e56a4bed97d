: error: a derivative equation for an ASSIGNED variable
NEURON { SUFFIX dns }
STATE { m }
ASSIGNED { minf }
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states {
    m' = (minf - m) / 2
    minf' = 0
}
