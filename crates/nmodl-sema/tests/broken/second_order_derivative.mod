: error: a second-order derivative equation
NEURON { SUFFIX secord }
STATE { x }
BREAKPOINT { SOLVE states METHOD derivimplicit }
DERIVATIVE states { x'' = -x }
