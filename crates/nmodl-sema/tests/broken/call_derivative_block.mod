: error: calling a DERIVATIVE block like a PROCEDURE
NEURON { SUFFIX callder }
STATE { m }
BREAKPOINT { states() }
DERIVATIVE states { m' = -m }
