: error: SOLVE names a block that does not exist
NEURON { SUFFIX solvemiss }
STATE { m }
BREAKPOINT { SOLVE sates METHOD cnexp }
DERIVATIVE states { m' = -m }
