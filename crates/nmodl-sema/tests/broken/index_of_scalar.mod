: error: indexing a variable that is not an array
NEURON { SUFFIX idxs }
ASSIGNED { x y }
BREAKPOINT { y = x[2] }
