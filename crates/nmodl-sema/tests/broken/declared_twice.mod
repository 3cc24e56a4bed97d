: error: the same name in PARAMETER and ASSIGNED
NEURON { SUFFIX twice }
PARAMETER { gbar = 1 }
ASSIGNED { gbar }
