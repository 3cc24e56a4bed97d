: printf from INITIAL and BREAKPOINT (C formats, escapes), interleaved with hoc's printing.
NEURON {
    SUFFIX printer
    RANGE done
}
ASSIGNED {
    v (mV)
    done
}
INITIAL {
    done = 0
    printf("INITIAL at t=%g: v=%.3f mV\t(%5.1f%%)\n", t, v, 12.5)
}
BREAKPOINT {
    if (t > 1 && done == 0) {
        done = 1
        printf("BREAKPOINT past 1 ms: t=%.6g v=%g %e\n", t, v, v*1e6)
    }
}
