: error: NET_RECEIVE in a density mechanism
NEURON { SUFFIX nrdens }
ASSIGNED { g }
NET_RECEIVE(w) { g = g + w }
