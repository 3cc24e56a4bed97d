#!/usr/bin/env bash
# NEURON 9.0.2's outputs of the tutorial's runnable scripts ($RSNRN_SHARED/seed/examples), for
# crates/python/tests/test_seed_examples.py: each script's stdout, and its trace gzipped.
#
# usage: RSNRN_SHARED=../shared NRN_PYTHON=/path/to/venv/bin/python tests/data/seed_examples/make_reference.sh
# (NRN_PYTHON: a Python with neuron==9.0.2; its nrnivmodl must be beside it.)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${RSNRN_SHARED:?set RSNRN_SHARED to the shared data folder}"
: "${NRN_PYTHON:?set NRN_PYTHON to a Python with neuron==9.0.2}"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$RSNRN_SHARED"/models/stn151460/*.mod "$RSNRN_SHARED"/models/stn151460/*.inc "$WORK"/
(cd "$WORK" && PATH="$(dirname "$NRN_PYTHON"):$PATH" nrnivmodl > nrnivmodl.log 2>&1)
cd "$RSNRN_SHARED/seed/examples"
for script in seed_2_load seed_3_hoc seed_4_together seed_5_dbs seed_6_lfp; do
    # seed_4 ends with a matplotlib plot; without matplotlib it stops there, after its trace.
    NEURON_IMPL=neuron MECH_LIB="$WORK/x86_64/libnrnmech.so" OUTDIR="$WORK" \
        "$NRN_PYTHON" "$script.py" > "$HERE/$script.stdout" 2> "$WORK/$script.stderr" || true
    if [ -f "$WORK/$script.txt" ]; then
        gzip -9 -n -c "$WORK/$script.txt" > "$HERE/$script.txt.gz"
    fi
done
ls -l "$HERE"
