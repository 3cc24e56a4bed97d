: error: GLOBAL names a variable that is declared nowhere
NEURON { SUFFIX globund GLOBAL tau }
PARAMETER { gbar = 1 }
