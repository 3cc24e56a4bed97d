: error: a RANDOM function called on a variable that is not a RANDOM stream
NEURON { POINT_PROCESS rnd RANDOM r }
ASSIGNED { x y }
BREAKPOINT { x = random_negexp(y) }
