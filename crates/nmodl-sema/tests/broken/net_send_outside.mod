: error: net_send in BREAKPOINT
NEURON { POINT_PROCESS nsout }
ASSIGNED { x }
BREAKPOINT { net_send(1, 1) }
NET_RECEIVE(w) { x = w }
