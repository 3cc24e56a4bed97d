: The same under cnexp: NEURON 9.0.2 takes one cnexp step of 1e-9 ms in INITIAL.
NEURON {
    SUFFIX sscnexp
    NONSPECIFIC_CURRENT i
    RANGE g, k, tau, i
}
PARAMETER {
    g = 0.001 (S/cm2)
    k = 0.5
    tau = 3 (ms)
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
}
STATE { a b }
INITIAL {
    a = 0.1
    b = 0.2
    SOLVE st STEADYSTATE derivimplicit
}
BREAKPOINT {
    SOLVE st METHOD cnexp
    i = g*(a + b)*(v + 50)
}
DERIVATIVE st {
    a' = (1/(1 + exp(-(v + 40)/5)) - a)/tau
    b' = k*a - b*b - 0.1*b
}
