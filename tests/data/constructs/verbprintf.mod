: A VERBATIM block that only prints variables (as ModelDB's Gfluct does): rsnrn prints it
: like NMODL's printf.
NEURON {
    SUFFIX verbprintf
    GLOBAL level
}
PARAMETER { level = 3 }
PROCEDURE new_seed(seed) {
    set_seed(seed)
    VERBATIM
    printf("Setting random generator with seed = %g\n", _lseed);
    printf("level %g and seed %g\n", level, _lseed);
    ENDVERBATIM
}
