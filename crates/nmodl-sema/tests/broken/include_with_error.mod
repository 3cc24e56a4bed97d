: error: the included file uses an undefined name
NEURON { SUFFIX incerr }
ASSIGNED { x }
INCLUDE "helper_with_error.inc"
BREAKPOINT { x = helper(1) }
