: DERIVATIVE by runge: scopmath's fourth-order Runge-Kutta step; the block reads t, which
: the stages advance.
NEURON {
    SUFFIX derivrunge
    NONSPECIFIC_CURRENT i
    RANGE g, i
}
PARAMETER { g = 0.001 (S/cm2) }
ASSIGNED {
    v (mV)
    i (mA/cm2)
}
STATE { a b }
INITIAL {
    a = 0.2
    b = 0.1
}
BREAKPOINT {
    SOLVE st METHOD runge
    i = g*(a - b)*(v + 70)
}
DERIVATIVE st {
    a' = (1/(1 + exp(-(v + 40)/5)) - a)/2 - 0.1*a*b
    b' = 0.05*a*a - b/(3 + 0.01*t)
}
