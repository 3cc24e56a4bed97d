: LINEAR and derivimplicit, written for rsnrn's tests.
NEURON { SUFFIX lintest RANGE a, b }
PARAMETER { k = 1 }
ASSIGNED { a b }
STATE { x y c (mM) }
INITIAL { SOLVE eqs x = 1 }
BREAKPOINT { SOLVE eqs SOLVE deriv METHOD derivimplicit }
LINEAR eqs {
    ~ x + y = 1
    ~ x - y = k
}
DERIVATIVE deriv { c' = -k * c + a }
PROCEDURE unused_here() { VERBATIM
    return 0;
ENDVERBATIM }
