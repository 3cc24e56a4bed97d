: error: an array whose size is a name nobody DEFINEd
NEURON { SUFFIX arrsz }
ASSIGNED { x[NSEG] y }
BREAKPOINT { y = x[0] }
