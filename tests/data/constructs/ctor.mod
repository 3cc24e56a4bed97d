: CONSTRUCTOR and DESTRUCTOR without C: the constructor runs when the object is made (after
: the parameter defaults, before any INITIAL), the destructor when it is removed.
NEURON {
    POINT_PROCESS Ctor
    RANGE a, vmade
    GLOBAL made, gone
}
PARAMETER { a = 1 }
ASSIGNED {
    v (mV)
    made
    gone
    vmade (mV)
}
CONSTRUCTOR {
    made = made + 1
    a = 10*made
    vmade = v
}
DESTRUCTOR {
    gone = gone + 1
}
INITIAL {
    a = a + 1
}
