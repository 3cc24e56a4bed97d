: KINETIC by euler: nocmodl turns the reactions into derivatives (COMPARTMENT divides them,
: CONSERVE is ignored) and runs the block again after the update.
NEURON {
    SUFFIX kineuler
    NONSPECIFIC_CURRENT i
    RANGE g, kf, kb, flux, i
}
PARAMETER {
    g = 0.001 (S/cm2)
    kf = 0.3 (/ms)
    kb = 0.1 (/ms)
}
ASSIGNED {
    v (mV)
    i (mA/cm2)
    diam (um)
    flux
}
STATE { a b c d }
INITIAL {
    a = 1
    b = 0
    c = 0
    d = 0.2
}
BREAKPOINT {
    SOLVE kin METHOD euler
    i = g*(b + c)*(v + 70)
}
KINETIC kin {
    COMPARTMENT diam {a b}
    ~ a <-> b (kf*exp((v + 65)/20), kb)
    ~ 2b <-> c (kf, kb)
    ~ b + d <-> c (0.05, 0.01)
    ~ d << (0.01*a)
    CONSERVE a + b + c = 1
    flux = f_flux - b_flux + c
}
