: error: a UNITS constant whose factor rsnrn cannot compute
NEURON { SUFFIX badunit }
UNITS { X = (furlong) (parsec) }
