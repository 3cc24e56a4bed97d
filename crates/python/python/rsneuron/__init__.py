"""rsneuron: NEURON's Python interface over rsnrn.

``from rsneuron import h`` gives a view on one hoc interpreter (rsnrn-hoc) running over
rsnrn's simulator: sections, segments, mechanisms, point processes, Vectors and hoc code
all share its state.
"""

from ._rsneuron import h, load_mechanisms, Section, Segment, HocObject  # noqa: F401

__all__ = ["h", "load_mechanisms", "hclass"]


def hclass(c):
    """NEURON's ``hclass(h.Template)``: subclassing hoc classes is not available yet."""
    raise NotImplementedError(
        "rsneuron: hclass (Python subclasses of hoc templates) is not available yet"
    )
