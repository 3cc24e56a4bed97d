COMMENT
Exposes the functions of an NMODL RANDOM variable to Python, for make_ranvar_reference.py.
ENDCOMMENT
NEURON {
  POINT_PROCESS RanVar
  RANDOM rv
}
FUNCTION uni() { uni = random_uniform(rv) }
FUNCTION uniab(a, b) { uniab = random_uniform(rv, a, b) }
FUNCTION nexp() { nexp = random_negexp(rv) }
FUNCTION nexpm(m) { nexpm = random_negexp(rv, m) }
FUNCTION norm() { norm = random_normal(rv) }
FUNCTION normms(m, s) { normms = random_normal(rv, m, s) }
FUNCTION ipick() { ipick = random_ipick(rv) }
FUNCTION dpick() { dpick = random_dpick(rv) }
