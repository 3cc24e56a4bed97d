: error: two PROCEDUREs with one name (nocmodl crashes on this)
NEURON { SUFFIX deftwice }
PROCEDURE rates() { }
PROCEDURE rates() { }
