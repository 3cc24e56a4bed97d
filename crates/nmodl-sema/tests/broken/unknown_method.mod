: error: an integration method NEURON does not know
NEURON { SUFFIX unkmeth }
STATE { m }
BREAKPOINT { SOLVE states METHOD rk45 }
DERIVATIVE states { m' = -m }
