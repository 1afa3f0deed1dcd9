#!/usr/bin/env bash
# Sets up a fresh Debian machine, builds PleinAir in release mode, runs the demo experiment
# on the embedded demo scenes and prints its results table.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
swift build -c release --product pleinair
bin="$(swift build -c release --show-bin-path)/pleinair"
"$bin" run experiments/demo.yaml
"$bin" results experiments/demo.yaml
