: error: WATCH outside NET_RECEIVE
NEURON { POINT_PROCESS watchout }
ASSIGNED { v (mV) }
INITIAL { WATCH (v > 0) 1 }
NET_RECEIVE(w) { }
