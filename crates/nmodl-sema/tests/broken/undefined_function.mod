: error: a call of a function that does not exist
NEURON { SUFFIX undeffn }
ASSIGNED { x v (mV) }
BREAKPOINT { x = alpha_m(v) }
