: error: a USEION variable re-declared in CONSTANT (nocmodl rejects this)
NEURON { SUFFIX ionconst USEION ca READ cao }
CONSTANT { cao = 2 (mM) }
