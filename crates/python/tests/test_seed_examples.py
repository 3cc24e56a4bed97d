"""The tutorial's runnable scripts ($RSNRN_SHARED/seed/examples) with NEURON_IMPL=rsneuron,
against what NEURON 9.0.2 printed and wrote for them (tests/data/seed_examples, made by
make_reference.sh there): identical stdout, traces at the exact level (v within 1e-3 mV, spike
times within 1e-3 ms, other columns within 1e-6 relative) by ../shared/reference/compare.py.

The STN mechanisms are built by rsnrnivmodl: $RSNRNIVMODL, else the one cargo built in the
workspace's target folder (crates/python/ci.sh sets RSNRNIVMODL)."""

import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT / "tests" / "data" / "seed_examples"
SHARED = os.environ.get("RSNRN_SHARED")
SCRIPTS = ["seed_2_load", "seed_3_hoc", "seed_4_together", "seed_5_dbs", "seed_6_lfp"]

pytestmark = pytest.mark.skipif(
    not SHARED, reason="NOT RUN seed examples: RSNRN_SHARED is unset (set it to ../shared)"
)


def rsnrnivmodl():
    given = os.environ.get("RSNRNIVMODL")
    if given:
        return Path(given)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for profile in ("release", "debug"):
        candidate = target / profile / "rsnrnivmodl"
        if candidate.is_file():
            return candidate
    pytest.fail("no rsnrnivmodl: build it (cargo build -p rsnrn-cli) or set RSNRNIVMODL")


@pytest.fixture(scope="module")
def mech_lib(tmp_path_factory):
    model = Path(SHARED) / "models" / "stn151460"
    work = tmp_path_factory.mktemp("stn_mods")
    for f in list(model.glob("*.mod")) + list(model.glob("*.inc")):
        shutil.copy(f, work)
    subprocess.run([str(rsnrnivmodl())], cwd=work, check=True, capture_output=True)
    lib = next(work.glob("*/librsnrnmech.so"))
    return lib


def run_script(name, mech_lib, outdir):
    env = dict(os.environ, NEURON_IMPL="rsneuron", MECH_LIB=str(mech_lib), OUTDIR=str(outdir))
    env.pop("DISPLAY", None)
    return subprocess.run(
        [sys.executable, name + ".py"],
        cwd=Path(SHARED) / "seed" / "examples",
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


@pytest.mark.parametrize("name", SCRIPTS)
def test_seed_script_matches_neuron(name, mech_lib, tmp_path):
    run = run_script(name, mech_lib, tmp_path)
    ran_to_plot = name == "seed_4_together" and "matplotlib" in run.stderr
    assert run.returncode == 0 or ran_to_plot, run.stderr
    expected = (REFERENCE / (name + ".stdout")).read_text()
    assert run.stdout == expected
    trace = REFERENCE / (name + ".txt.gz")
    if not trace.exists():
        return
    ref = tmp_path / (name + ".neuron.txt")
    ref.write_bytes(gzip.decompress(trace.read_bytes()))
    compare = Path(SHARED) / "reference" / "compare.py"
    verdict = subprocess.run(
        [sys.executable, str(compare), str(ref), str(tmp_path / (name + ".txt")),
         "--vtol", "1e-3", "--spike-tol", "1e-3", "--rtol", "1e-6", "--quiet"],
        capture_output=True,
        text=True,
    )
    assert verdict.returncode == 0, verdict.stdout + verdict.stderr
    if name == "seed_4_together" and not ran_to_plot:
        assert (tmp_path / "seed_4_together.png").is_file()
