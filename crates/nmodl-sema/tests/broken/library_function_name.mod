: error: a FUNCTION named like a function of NEURON's library (nocmodl refuses it)
NEURON { SUFFIX libname }
FUNCTION poisson(m) { poisson = m }
