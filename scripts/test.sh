#!/usr/bin/env bash
# Sets up a fresh Debian machine and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
source scripts/blas-env.sh
swift build --build-tests
swift test --skip-build --parallel --num-workers 2
