: error: a syntax error (the parser reports it; analysis does not run)
NEURON { SUFFIX synerr }
PARAMETER { gbar = 1 (S/cm2)
BREAKPOINT { }
