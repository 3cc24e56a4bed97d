#!/usr/bin/env bash
# Regenerates NEURON 9.0.2's traces for tests/solve_methods.rs (needs nrnivmodl and nrniv on
# PATH, e.g. from `pip install neuron==9.0.2`). Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"
build=$(mktemp -d)
cp hhdi.mod hheu.mod "$build/"
(cd "$build" && nrnivmodl >/dev/null)
rm -f soma_secondorder*.txt
for mech in hhdi hheu; do
    nrniv -nogui -dll "$build/x86_64/libnrnmech.so" -c "strdef mech" -c "mech = \"$mech\"" soma.hoc -c 'quit()' >/dev/null
done
rm -rf "$build"
