"""rsneuron: NEURON's Python interface over rsnrn.

``from rsneuron import h`` gives a view on one hoc interpreter (rsnrn-hoc) running over
rsnrn's simulator: sections, segments, mechanisms, point processes, Vectors and hoc code
all share its state.
"""

from ._rsneuron import h, load_mechanisms, Section, Segment, HocObject  # noqa: F401

__all__ = ["h", "load_mechanisms", "hclass"]


def hclass(c):
    """NEURON's ``hclass(h.Template)``: a Python base class for subclassing a hoc class.

    ``class MyVec(hclass(h.Vector)): ...`` then ``MyVec(args)`` makes a hoc Vector exactly as
    ``h.Vector(args)`` does; the subclass's Python methods and attributes come first, the hoc
    object's members after them.
    """
    from ._rsneuron import HocClass

    if not isinstance(c, HocClass):
        raise TypeError("hclass() argument must be a hoc class such as h.Vector, not %r" % (c,))

    def __new__(cls, *args, **kwargs):
        return HocObject.__new__(cls, c, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        # The hoc object was made by __new__; a subclass's own __init__ may still run first
        # and call super().__init__() with any arguments.
        pass

    return type("hclass_" + str(c), (HocObject,), {"__new__": __new__, "__init__": __init__})
