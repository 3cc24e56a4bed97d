: error: a reaction in a DERIVATIVE block
NEURON { SUFFIX rxout }
STATE { c o }
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states {
    c' = -c
    ~ c <-> o (1, 2)
}
