#!/usr/bin/env bash
# Regenerates NEURON 9.0.2's traces for tests/derivimplicit.rs (needs nrnivmodl/nrniv on PATH,
# e.g. from `pip install neuron==9.0.2`). Run from this folder.
set -euo pipefail
cd "$(dirname "$0")"
build=$(mktemp -d)
cp hhdi.mod "$build/"
(cd "$build" && nrnivmodl >/dev/null)
nrniv -nogui -dll "$build/x86_64/libnrnmech.so" soma.hoc -c 'quit()' >/dev/null
rm -rf "$build"
