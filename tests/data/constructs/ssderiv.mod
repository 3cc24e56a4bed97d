: INITIAL's SOLVE ... STEADYSTATE derivimplicit of a block BREAKPOINT integrates by
: derivimplicit: NEURON 9.0.2 takes one backward-Euler step of 1e-9 ms.
NEURON {
    SUFFIX ssderiv
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
    SOLVE st METHOD derivimplicit
    i = g*(a + b)*(v + 50)
}
DERIVATIVE st {
    a' = (1/(1 + exp(-(v + 40)/5)) - a)/tau
    b' = k*a - b*b - 0.1*b + 0.001*dt
}
