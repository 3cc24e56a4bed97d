TITLE vclamp.mod   two-electrode voltage clamp with three levels (rsnrn built-in)

COMMENT
The clamp NEURON documents as VClamp, written from its documented circuit and from what NEURON
9.0.2 does (measured; tests/data/vclamp/make_reference.py).

Command: from t = 0 the command vcmd is amp[0] while t < dur[0], amp[1] while
t < dur[0] + dur[1], else amp[2]; after dur[0] + dur[1] + dur[2] the clamp is off.

Circuit (all potentials in mV): the measuring amplifier's output vi feeds the summing node e
through a resistor R in parallel with a capacitor C (tau1 = R*C); the command enters the same
node through a second resistor R as -vcmd. Current balance at e:
    tau1*d(e - vi)/dt = vi - vcmd - 2*e                        (1)
so in a steady state e = (vi - vcmd)/2. The control amplifier (gain, time constant tau2)
inverts e:
    tau2*dvo/dt = -gain*e - vo                                  (2)
and drives the cell through rstim: i = (vo - v)/rstim (nA = mV/megohm; an electrode current, so
positive i depolarizes). The measuring amplifier is ideal except that it sees the fraction fac
of the drop across rstim:
    vi = v + fac*(vo - v)                                       (3)
(fac = 0: vi = v).

The three equations are stiff (gain 1e5, tau1 1 us), so NEURON takes one backward-Euler step
of (1)-(3) over dt from the last committed states e0, vo0, vi0 (these PARAMETERs double as
the committed values, as in NEURON, where hoc sees them change during a run). With
a = tau1/dt and b = tau2/dt the step is linear:
    (2 + a)*e = (1 + a)*vi - vcmd + a*(e0 - vi0)
    (1 + b)*vo = b*vo0 - gain*e
    vi = v + fac*(vo - v)
solved by elimination (procedure step_from_committed). The arithmetic is ours, so the last
digits differ: e is a small difference of potentials near v and vcmd and carries a round-off of
a few 1e-15 mV, which gain multiplies in vo and i; at a level change the current is about
gain*(change)/2 nA and its derivative (the v + 0.001 difference) is defined only to that
current's round-off / 0.001. Measured against NEURON (tests/vclamp_vs_neuron.rs): v, vi, e to
<= 5e-10 mV (1.7e-9 with secondorder 2), vo and i to <= 2.5e-5 (8.6e-5 with secondorder 2),
as much as NEURON's own trace moves when an input changes by one unit in the last place.

Timing, as NEURON does it:
- BREAKPOINT (t in the middle of the step, v = v_n) takes the step with v_n, so the matrix sees
  i(v) including the clamp's own response to v (its derivative through the v + 0.001
  evaluation is about -gain/2 per megohm); the clamp injects while t <= the total duration.
- After the voltage update the SOLVE procedure takes the step again with v_{n+1} and the
  level chosen in BREAKPOINT, recomputes i, and commits e0, vo0, vi0 = e, vo, vi; the recorded
  i then belongs to the recorded v. It steps only while t < the total duration (strictly);
  in a step whose middle is exactly the total duration, BREAKPOINT injects but the state step
  does not, and i is 0 afterwards (measured). The commit happens in every step.
- INITIAL sets e0 = 0, vo0 = vi0 = v whatever the user set; the current evaluation of
  finitialize then takes a step from there (t = 0 is always on).
With extracellular, v here is the internal potential (v + vext), as for every electrode.
NEURON advises secondorder = 0 for this stiff model; the step above uses dt in every case.
ENDCOMMENT

NEURON {
    POINT_PROCESS VClamp
    ELECTRODE_CURRENT i
    RANGE dur, amp, gain, rstim, tau1, tau2, fac, i, e0, vo0, vi0
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
}

PARAMETER {
    dur[3] (ms)
    amp[3] (mV)
    gain = 1e5 (1)
    rstim = 1 (megohm)
    tau1 = 0.001 (ms)
    tau2 = 0 (ms)
    e0 (mV)
    vo0 (mV)
    vi0 (mV)
    fac = 0 (1)
}

ASSIGNED {
    v (mV)
    dt (ms)
    i (nA)
    vcmd (mV)    : the command level of this step
    injecting    : 1 while t <= the total duration: BREAKPOINT applies the clamp
    stepping     : 1 while t < the total duration: the state step runs
}

STATE {
    e (mV)
    vo (mV)
    vi (mV)
}

INITIAL {
    e0 = 0
    vo0 = v
    vi0 = v
    e = e0
    vo = vo0
    vi = vi0
}

BREAKPOINT {
    SOLVE follow_v
    command_level()
    if (injecting) {
        step_from_committed()
        i = (vo - v)/rstim
    } else {
        i = 0
    }
}

: After the voltage update: the step with v_{n+1}, then the commit.
PROCEDURE follow_v() {
    if (stepping) {
        step_from_committed()
        i = (vo - v)/rstim
    } else {
        i = 0
    }
    e0 = e
    vo0 = vo
    vi0 = vi
}

PROCEDURE command_level() {
    LOCAL total
    total = dur[0] + dur[1] + dur[2]
    if (t < dur[0]) {
        vcmd = amp[0]
    } else if (t < dur[0] + dur[1]) {
        vcmd = amp[1]
    } else {
        vcmd = amp[2]
    }
    injecting = 1
    if (t > total) {
        injecting = 0
    }
    stepping = 0
    if (t < total) {
        stepping = 1
    }
}

: One backward-Euler step of (1)-(3) from e0, vo0, vi0 to e, vo, vi with this v and vcmd,
: solved for the deviations w = vo - v and x = vi - v. The summing node e is a small difference
: of potentials near v and vcmd, so it carries a round-off of a few 1e-15 mV; w is solved for
: directly instead of as -gain*e, so that with fac > 0 this round-off is divided by the loop
: gain rather than multiplied by gain (which made di/dv, taken by the v + 0.001 difference,
: wrong by 1e-8 relative and v by 1e-7 mV at a level change). v - vcmd and v - vi0 are nearly
: exact; fac = 0 gives x = 0 and vi = v exactly.
:   e_open = ((v - vcmd) + a*(e0 + (v - vi0)))/(2 + a)      e of (1) if vi were v
:   e = e_open + (1 + a)/(2 + a)*x                           (1)
:   (1 + b)*w = b*(vo0 - v) - gain*e - v                     (2)
:   x = fac*w                                                (3)
PROCEDURE step_from_committed() {
    LOCAL a, b, e_open, w, x
    a = tau1/dt
    b = tau2/dt
    e_open = ((v - vcmd) + a*(e0 + (v - vi0)))/(2 + a)
    w = (b*(vo0 - v) - gain*e_open - v)/((1 + b) + fac*gain*(1 + a)/(2 + a))
    x = fac*w
    e = e_open + (1 + a)/(2 + a)*x
    vi = v + x
    vo = v + w
}
