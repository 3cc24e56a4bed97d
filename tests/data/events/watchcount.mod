TITLE watchcount.mod   test mechanism for rsnrn's event tests: WATCH, net_send, net_move

COMMENT
Counts upward crossings of thresh by v with WATCH, re-arming on the way down (thresh - 10),
and sends itself a flag-1 event `lag` ms after a crossing; a crossing while that event is
pending moves it (net_move) to lag ms after itself (NEURON moves only flag-1 events). Every
crossing and every flag-1 event spikes (net_event),
so a NetCon from this point process records both. An external event (flag 0) bumps `hits` by its
weight and keeps a running sum in its second weight element.
ENDCOMMENT

NEURON {
    POINT_PROCESS WatchCount
    RANGE thresh, lag, n, hits, late
}

PARAMETER {
    thresh = -20 (mV)
    lag = 0.3 (ms)
}

ASSIGNED {
    v (mV)
    n
    hits
    late
    pending
}

INITIAL {
    n = 0
    hits = 0
    late = 0
    pending = 0
    net_send(0, 5)
}

NET_RECEIVE(w, total) {
    INITIAL {
        total = 100
    }
    if (flag == 0) {
        hits = hits + w
        total = total + w
    } else if (flag == 5) {
        WATCH (v > thresh) 2
    } else if (flag == 2) {
        n = n + 1
        net_event(t)
        if (pending == 1) {
            net_move(t + lag)
        } else {
            pending = 1
            net_send(lag, 1)
        }
        WATCH (v < thresh - 10) 3
    } else if (flag == 3) {
        WATCH (v > thresh) 2
    } else if (flag == 1) {
        pending = 0
        late = late + 1
        net_event(t)
    }
}
