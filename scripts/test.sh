#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs the whole test suite, the Slurm backend's tests
# against a single-node Slurm cluster started here for the run; chromium runs the study sheets headless.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh slurm-wlm munge chromium
source scripts/blas-env.sh
swift build --build-tests
eval "$(bash scripts/slurm-cluster.sh start)"
trap 'bash scripts/slurm-cluster.sh stop' EXIT
report=.build/test-results.xml
status=0
swift test --skip-build --parallel --num-workers 2 --disable-swift-testing --xunit-output "$report" || status=$?
tests=$(grep -o 'tests="[0-9]*"' "$report" | head -1 | tr -dc 0-9)
failures=$(grep -o 'failures="[0-9]*"' "$report" | head -1 | tr -dc 0-9)
errors=$(grep -o 'errors="[0-9]*"' "$report" | head -1 | tr -dc 0-9)
failed=$((failures + errors))
echo "XCTest: $((tests - failed)) passed, $failed failed"
exit $status
