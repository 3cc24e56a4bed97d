: error: STEADYSTATE with a method that cannot find a steady state
NEURON { SUFFIX sscnexp }
STATE { m }
INITIAL { SOLVE states STEADYSTATE cnexp }
BREAKPOINT { SOLVE states METHOD cnexp }
DERIVATIVE states { m' = 1 - m }
