"""``import rsneuron.gui``: no graphics (rsnrn is headless); loads stdrun.hoc as NEURON's gui does."""

from . import h

h.load_file("stdrun.hoc")
