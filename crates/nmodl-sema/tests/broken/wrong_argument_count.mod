: error: a FUNCTION called with the wrong number of arguments
NEURON { SUFFIX argc }
ASSIGNED { x v (mV) }
FUNCTION rate(v (mV), k) { rate = exp(v / k) }
BREAKPOINT { x = rate(v) }
