: accepted with unit warnings (modlunit's checks): a current assigned a potential, a rate
: equation in the wrong unit, a sum of a potential and a time; UNITSOFF silences one
NEURON { SUFFIX unitmis NONSPECIFIC_CURRENT i RANGE g, e }
UNITS { (mA) = (milliamp) (mV) = (millivolt) (S) = (siemens) (mM) = (milli/liter) }
PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) tau = 5 (ms) }
ASSIGNED { v (mV) i (mA/cm2) x (mV) }
STATE { c (mM) }
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g * (v - e)
    x = g * v
    x = v + tau
    UNITSOFF
    x = tau
    UNITSON
}
DERIVATIVE states { c' = c * tau }
