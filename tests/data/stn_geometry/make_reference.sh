#!/bin/sh
# NEURON 9.0.2's output for stn_areas.hoc: compiles the STN model's mechanisms with nrnivmodl in a
# temporary folder and runs nrniv here. Usage: RSNRN_SHARED=/path/to/shared ./make_reference.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
model="$RSNRN_SHARED/models/stn151460"
build=$(mktemp -d)
cp "$model"/*.mod "$model"/*.inc "$build"/
(cd "$build" && nrnivmodl >/dev/null 2>&1)
cd "$here"
nrniv -nogui -dll "$build/x86_64/libnrnmech.so" -c 'strdef modeldir' -c "modeldir=\"$model\"" \
    stn_areas.hoc -c 'quit()' < /dev/null 2>/dev/null > stn_areas.neuron-9.0.2.out
rm -rf "$build"
