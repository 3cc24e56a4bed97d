: error: a math function called with the wrong number of arguments
NEURON { SUFFIX mathargc }
ASSIGNED { x }
BREAKPOINT { x = pow(2) }
