COMMENT
Exposes NEURON's NMODL random functions to Python, for make_scop_reference.py.
ENDCOMMENT
NEURON { SUFFIX scoprand }
FUNCTION f_uniform() { f_uniform = scop_random() }
PROCEDURE f_seed(s) { set_seed(s) }
FUNCTION f_normal(m, s) { f_normal = normrand(m, s) }
FUNCTION f_negexp(m) { f_negexp = exprand(m) }
FUNCTION f_poisson(m) { f_poisson = poisrand(m) }
