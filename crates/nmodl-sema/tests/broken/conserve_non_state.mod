: error: CONSERVE over a variable that is not a STATE
NEURON { SUFFIX consns }
STATE { c o }
ASSIGNED { b }
BREAKPOINT { SOLVE scheme METHOD sparse }
KINETIC scheme {
    ~ c <-> o (1, 2)
    CONSERVE c + o + b = 1
}
