: error: cnexp cannot integrate a KINETIC block
NEURON { SUFFIX solvemeth }
STATE { c o }
BREAKPOINT { SOLVE scheme METHOD cnexp }
KINETIC scheme { ~ c <-> o (1, 2) }
