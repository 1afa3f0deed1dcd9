#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs the whole test suite: the Slurm backend's tests against a
# single-node Slurm cluster started here, the study sheets in headless chromium, the cross-checks
# against PyTorch (Debian's python3-torch, python3-scipy, python3-pil: tests only, the product never
# runs Python), the full-size FID golden on an Inception state dict written by torch here, and a
# short libFuzzer run of every parser of outside input.
# Everything a test could skip for is installed, and required (PLEINAIR_REQUIRE=all): a skip fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh slurm-wlm munge chromium python3-torch python3-scipy python3-pil \
  python3-torchvision python3-tqdm python3-requests python3-pip
source scripts/blas-env.sh
export PLEINAIR_REQUIRE=${PLEINAIR_REQUIRE:-all}

# The published 95 MB Inception file cannot be downloaded here; a torch-written state dict with the
# same keys and layout (seeded hash weights) is the stand-in, as .pth and .safetensors.
weights=$PWD/.build/fid-hash-weights
if [ ! -s "$weights/fid_hash.pth" ] || [ ! -s "$weights/fid_hash.safetensors" ]; then
  /usr/bin/python3 scripts/reference/fid_reference.py --full-weights "$weights" --weights-only
fi
export PLEINAIR_FID_WEIGHTS_DIR=$weights

# clean-fid itself, for the KID and clean-resize cross-checks (its modules import torch, torchvision,
# SciPy, PIL, tqdm and requests: the Debian packages above). Test-only; cached between runs.
cleanfid=$PWD/.build/cleanfid
if [ ! -f "$cleanfid/cleanfid/fid.py" ]; then
  /usr/bin/python3 -m pip install --quiet --no-deps --target "$cleanfid" clean-fid==0.1.35
fi
export PLEINAIR_CLEANFID_DIR=$cleanfid

swift build --build-tests
eval "$(bash scripts/slurm-cluster.sh start)"
trap 'bash scripts/slurm-cluster.sh stop' EXIT
report=.build/test-results.xml skiplog=.build/test-skips.tsv
rm -f "$report" "$skiplog"
status=0
PLEINAIR_SKIP_LOG=$PWD/$skiplog swift test --skip-build --parallel --num-workers 2 --disable-swift-testing --xunit-output "$report" || status=$?
# A short run of every parser's fuzzer (docs/fuzzing.md); `bash scripts/fuzz.sh 600 pickle` runs one longer.
bash scripts/fuzz.sh "${PLEINAIR_FUZZ_SECONDS:-15}" || { echo "fuzzing found a problem (above)"; status=1; }
# Last, so the closing line is the tests' count.
bash scripts/test-summary.sh "$report" "$skiplog" || status=1
exit $status
