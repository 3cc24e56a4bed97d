TITLE netstim.mod   regular spike generator (rsnrn built-in)

COMMENT
Fires `number` spikes, the first at `start` ms, then one every `interval` ms. An external event
with positive weight (re)starts a sequence when none is running; a negative weight stops it.
With noise f in (0, 1] each interval is (1 - f)*interval + f*interval*E with E an exponential
deviate of mean 1 from the instance's Random123 stream `ranvar` (ids 1, 0, n for the n-th
instance made with a RANDOM variable), which INITIAL rewinds to its start.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL NetStim
    RANGE interval, number, start, noise
    RANDOM ranvar
}

PARAMETER {
    interval = 10 (ms) <1e-9, 1e9>
    number = 10 <0, 1e9>
    start = 50 (ms)
    noise = 0 <0, 1>
}

ASSIGNED {
    event (ms)
    on
    ispike
}

INITIAL {
    if (noise < 0) {
        noise = 0
    }
    if (noise > 1) {
        noise = 1
    }
    random_setseq(ranvar, 0)
    on = 0
    ispike = 0
    if (start >= 0 && number > 0) {
        on = 1
        : the first interval is shortened by its deterministic part
        event = start + invl(interval) - interval*(1 - noise)
        if (event < 0) {
            event = 0
        }
        net_send(event, 3)
    }
}

FUNCTION invl(mean (ms)) (ms) {
    if (mean <= 0) {
        mean = .01
    }
    if (noise == 0) {
        invl = mean
    } else {
        invl = (1 - noise)*mean + noise*mean*random_negexp(ranvar)
    }
}

PROCEDURE restart() {
    if (number > 0) {
        on = 1
        event = 0
        ispike = 0
    }
}

PROCEDURE next_spike() {
    if (ispike >= number) {
        on = 0
    }
}

NET_RECEIVE(w) {
    if (flag == 0) {
        : an external event
        if (w > 0 && on == 0) {
            restart()
            net_send(0, 1)
        } else if (w < 0) {
            on = 0
        }
    }
    if (flag == 3) {
        : the start event scheduled by INITIAL
        if (on == 1) {
            restart()
            net_send(0, 1)
        }
    }
    if (flag == 1 && on == 1) {
        ispike = ispike + 1
        net_event(t)
        next_spike()
        if (on == 1) {
            net_send(invl(interval), 1)
        }
    }
}
