TITLE fornetcons.mod   test mechanism for rsnrn's event tests: FOR_NETCONS

COMMENT
On every event, walks all NetCons targeting this point process with FOR_NETCONS: numbers them
k = 1, 2, ... in the loop's order, stores t + k in each NetCon's third weight element and adds
weight*k to total, so the order of the walk and the locals shared with the loop both show.
ENDCOMMENT

NEURON {
    POINT_PROCESS ForNetcons
    RANGE total, count
}

ASSIGNED {
    total
    count
}

INITIAL {
    total = 0
    count = 0
}

NET_RECEIVE(w, seen, last) {
    LOCAL k
    INITIAL {
        seen = 0
        last = -1
    }
    k = 0
    seen = seen + 1
    FOR_NETCONS(w1, seen1, last1) {
        k = k + 1
        last1 = t + k
        total = total + w1*k
    }
    count = count + 1
}
