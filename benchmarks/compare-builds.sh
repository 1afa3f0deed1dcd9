#!/usr/bin/env bash
# Two builds of PleinAir side by side: the no-op rerun of a 40-stage cmd pipeline and the engine
# group's ratios to PyTorch, rounds alternating between the builds so that load from other work
# falls on both; prints each round and the median of each side.
#   bash benchmarks/compare-builds.sh OLD_BIN_DIR NEW_BIN_DIR [ROUNDS]
# Each BIN_DIR is a release build folder holding pleinair, pleinair-stage and pleinair-bench
# (swift build -c release --product pleinair --product … in each checkout).
set -euo pipefail
old=$1 new=$2 rounds=${3:-5}
source "$(dirname "$0")/../scripts/blas-env.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/data"; echo seed > "$work/data/seed.txt"
{
  echo "experiment: noop"; echo "stages:"
  for i in $(seq 0 39); do
    input=$([ "$i" -eq 0 ] && echo data/seed.txt || echo "s$((i - 1)).out")
    printf '  s%d:\n    kind: cmd\n    inputs: {in: %s}\n    cmd: "cat ${inputs.in} > ${outputs.out}; echo %d >> ${outputs.out}"\n    outputs: {out: file}\n' "$i" "$input" "$i"
  done
} > "$work/exp.yaml"
noop() {  # median of 15 whole-process no-op reruns, in ms
  local bin=$1 ws=$2
  (cd "$work" && "$bin/pleinair" run exp.yaml --workspace "$ws" >/dev/null 2>&1)
  for _ in $(seq 15); do
    s=$(date +%s%N); (cd "$work" && "$bin/pleinair" run exp.yaml --workspace "$ws" >/dev/null 2>&1); e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | sort -n | sed -n 8p | awk '{printf "%.1f", $1 / 1000}'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
: > "$work/old.txt"; : > "$work/new.txt"
for r in $(seq "$rounds"); do
  for side in old new; do
    bin=$([ "$side" = old ] && echo "$old" || echo "$new")
    ms=$(noop "$bin" "$work/ws-$side")
    out=$("$bin/pleinair-bench" engine 2>&1)
    step=$(echo "$out" | grep -m1 'ratio PleinAir/PyTorch' | sed -E 's/.*training step ([0-9.]+).*/\1/')
    fwd=$(echo "$out" | grep -m1 'ratio PleinAir/PyTorch' | sed -E 's/.*no-grad forward ([0-9.]+).*/\1/')
    conv=$(echo "$out" | grep -m1 'lowest single shape' | sed -E 's/.*lowest single shape ([0-9.]+)%.*/\1/')
    echo "$ms $step $fwd $conv" >> "$work/$side.txt"
    echo "round $r $side: no-op ${ms} ms, step/PyTorch $step, forward/PyTorch $fwd, lowest conv ${conv}% of sgemm"
  done
done
for side in old new; do
  f=$work/$side.txt
  echo "$side (median of $rounds): no-op $(cut -d' ' -f1 "$f" | median) ms, step/PyTorch $(cut -d' ' -f2 "$f" | median)," \
       "forward/PyTorch $(cut -d' ' -f3 "$f" | median), lowest conv $(cut -d' ' -f4 "$f" | median)% of sgemm"
done
