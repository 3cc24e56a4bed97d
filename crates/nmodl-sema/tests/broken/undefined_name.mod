: error: a name that is declared nowhere
NEURON { SUFFIX undef }
ASSIGNED { x }
BREAKPOINT { x = gbar * 2 }
