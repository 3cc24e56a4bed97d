: LONGITUDINAL_DIFFUSION of our own: a scalar STATE and a two-element array STATE diffuse
: along the tree; calcium enters where `influx` is set and is buffered in ca[1].
NEURON {
    SUFFIX cadiff
    RANGE influx, c, ca, D
}
PARAMETER {
    D = 0.6 (um2/ms)
    influx = 0
    kon = 0.2 (/ms)
    koff = 0.05 (/ms)
}
ASSIGNED { diam (um) }
STATE { c ca[2] }
INITIAL {
    c = 0.001
    ca[0] = 0.0001
    ca[1] = 0
}
BREAKPOINT { SOLVE kin METHOD sparse }
KINETIC kin {
    COMPARTMENT diam*diam {c}
    COMPARTMENT i, diam*diam*(i + 1) {ca}
    LONGITUDINAL_DIFFUSION D*diam*diam {c}
    LONGITUDINAL_DIFFUSION i, D*diam*diam*(2 - i) {ca}
    ~ c << (influx*diam)
    ~ ca[0] << (0.5*influx*diam)
    ~ ca[0] <-> ca[1] (kon*diam*diam, koff*diam*diam)
}
