: error: FOR_NETCONS with fewer arguments than NET_RECEIVE
NEURON { POINT_PROCESS fnc }
NET_RECEIVE(w, tlast (ms)) {
    FOR_NETCONS(ww) { ww = 0 }
}
