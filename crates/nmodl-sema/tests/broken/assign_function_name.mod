: error: assigning a FUNCTION's name outside that FUNCTION
NEURON { SUFFIX asfn }
FUNCTION f(x) { f = x * 2 }
BREAKPOINT { f = 3 }
