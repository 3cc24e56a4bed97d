: error: dt is NEURON's and cannot be assigned
NEURON { SUFFIX setdt }
INITIAL { dt = 0.01 }
