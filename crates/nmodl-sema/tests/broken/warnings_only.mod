: accepted with warnings: unused LOCAL, GLOBAL assigned in BREAKPOINT, ignored default,
: RANGE of an undeclared name, assignment to v
NEURON {
    SUFFIX warn
    RANGE ghost
    GLOBAL minf
    USEION na READ ena WRITE ina
}
PARAMETER { celsius = 22 (degC) ena = 50 (mV) }
ASSIGNED { v (mV) ina (mA/cm2) minf }
BREAKPOINT {
    LOCAL unused
    minf = 1 / (1 + exp(-v))
    ina = minf * (v - ena)
}
PROCEDURE clamp() { v = -65 }
