TITLE netstim.mod   regular spike generator (rsnrn built-in)

COMMENT
Fires `number` spikes, the first at `start` ms, then one every `interval` ms. An external event
with positive weight (re)starts a sequence when none is running; a negative weight stops it.
NEURON's `noise` (randomised intervals) is not available yet: rsnrn has no random streams, so
this NetStim has no noise parameter and is always regular (NEURON's behaviour with noise = 0).
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL NetStim
    RANGE interval, number, start
}

PARAMETER {
    interval = 10 (ms) <1e-9, 1e9>
    number = 10 <0, 1e9>
    start = 50 (ms)
}

ASSIGNED {
    event (ms)
    on
    ispike
}

INITIAL {
    on = 0
    ispike = 0
    if (start >= 0 && number > 0) {
        on = 1
        : NEURON's arithmetic with noise = 0: start + interval - interval*(1 - 0)
        event = start + interval - interval*(1 - 0)
        if (event < 0) {
            event = 0
        }
        net_send(event, 3)
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
            net_send(interval, 1)
        }
    }
}
