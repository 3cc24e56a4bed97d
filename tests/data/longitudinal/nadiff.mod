: LONGITUDINAL_DIFFUSION of an ion concentration declared STATE (nai), fed by the sodium
: current, as ModelDB's nadifl.mod-style mechanisms do.
NEURON {
    SUFFIX nadiff
    USEION na READ ina WRITE nai
    RANGE D
}
UNITS {
    FARADAY = (faraday) (coulomb)
    PI = (pi) (1)
}
PARAMETER { D = 0.6 (um2/ms) }
ASSIGNED {
    ina (mA/cm2)
    diam (um)
}
STATE { nai (mM) }
INITIAL { nai = 10 }
BREAKPOINT { SOLVE conc METHOD sparse }
KINETIC conc {
    COMPARTMENT PI*diam*diam/4 {nai}
    LONGITUDINAL_DIFFUSION D*PI*diam*diam/4 {nai}
    ~ nai << (-ina/FARADAY*PI*diam*(1e4))
}
