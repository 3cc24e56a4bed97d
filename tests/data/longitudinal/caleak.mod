: A calcium leak of our own, so that cad_long has a source to diffuse from.
NEURON {
    SUFFIX caleak
    USEION ca WRITE ica
    RANGE g
}
PARAMETER { g = 0.0002 (S/cm2) }
ASSIGNED {
    v (mV)
    ica (mA/cm2)
}
BREAKPOINT { ica = g*(v - 120) }
