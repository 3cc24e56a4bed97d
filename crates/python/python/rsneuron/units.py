"""Units as NEURON's ``neuron.units``: multiply to convert into NEURON's ms, mV, um and mM.

The mu forms use Greek mu (U+03BC), as Python's NFKC identifier normalization makes the
micro sign in source code (``units.µm``) refer to them.
"""

# time (ms)
ms = 1
us = 0.001
s = 1000.0
sec = 1000.0
minute = 60000.0
hour = 3600000.0
day = 86400000.0
# voltage (mV)
mV = 1
uV = 0.001
V = 1000.0
# length (um)
um = 1
nm = 0.001
mm = 1000
cm = 10000
m = 1000000
# concentration (mM)
mM = 1
uM = 0.001
nM = 1e-06
M = 1000.0

globals().update({"\u03bcm": um, "\u03bcs": us, "\u03bcV": uV, "\u03bcM": uM})
