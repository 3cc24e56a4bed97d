: NMODL's random numbers called from hoc: the scop_random family on NEURON's one generator
: state. (RANDOM variables are checked through NetStim in tests/netstim_noise_vs_neuron.rs:
: nrniv 9.0.2 crashes when hoc calls a density mechanism's FUNCTION that uses one.)
NEURON {
    SUFFIX randoms
}
FUNCTION uniform() { uniform = scop_random() }
PROCEDURE seed(s) { set_seed(s) }
FUNCTION normal(m, s) { normal = normrand(m, s) }
FUNCTION negexp(m) { negexp = exprand(m) }
FUNCTION count(m) { count = poisrand(m) }
