: error: INCLUDE of a file that does not exist
NEURON { SUFFIX incmiss }
INCLUDE "no_such_file.inc"
