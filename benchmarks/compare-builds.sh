#!/usr/bin/env bash
# Two builds of PleinAir side by side: the no-op rerun of a 40-stage cmd pipeline and the engine
# group's ratios to PyTorch, rounds alternating between the builds so that load from other work
# falls on both; prints each round and the median of each side.
#   bash benchmarks/compare-builds.sh OLD_BIN_DIR NEW_BIN_DIR [ROUNDS]
# Each BIN_DIR is a release build folder holding pleinair, pleinair-stage and pleinair-bench
# (swift build -c release --product pleinair, then --product pleinair-stage, … in each checkout).
#   STAGES="1000 10000": also the runner at those sizes, as `pleinair-bench pipeline` builds them (cmd
#     chains of 40 over a matrix axis): no-op rerun and --dry-run, median of 5 whole processes each.
#     Both sides share one history: the old build runs the experiment once, its workspace is copied,
#     and the new build's first (untimed) rerun of the copy upgrades its ledger.
#   ENGINE=0: leave the engine group out (the runner alone).
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
sizes=${STAGES:-}
for n in $sizes; do  # one history for both sides (see above)
  dir=$work/scale-$n; mkdir -p "$dir"
  {
    echo "experiment: scale"; echo "matrix:"; echo "  chain: [$(seq -s ', ' 0 $((n / 40 - 1)))]"; echo "stages:"
    for i in $(seq 0 39); do
      input=$([ "$i" -eq 0 ] && echo "" || echo "    inputs: {in: s$((i - 1)).out}")
      read=$([ "$i" -eq 0 ] && echo "" || echo 'cat ${inputs.in} > ${outputs.out}; ')
      printf '  s%d:\n    kind: cmd\n    foreach: chain\n' "$i"; [ -n "$input" ] && echo "$input"
      printf '    cmd: "%secho ${matrix.chain} %d >> ${outputs.out}"\n    outputs: {out: file}\n' "$read" "$i"
    done
  } > "$dir/exp.yaml"
  (cd "$dir" && "$old/pleinair" run exp.yaml --workspace "$dir/ws-old" -j 2 >/dev/null 2>&1)
  cp -a "$dir/ws-old" "$dir/ws-new"
  (cd "$dir" && "$new/pleinair" run exp.yaml --workspace "$dir/ws-new" -j 2 >/dev/null 2>&1)
done
scale() {  # median of 5 whole-process runs of the N-stage experiment, in ms: scale BIN SIDE N [--dry-run]
  local bin=$1 side=$2 n=$3; shift 3
  for _ in 1 2 3 4 5; do
    s=$(date +%s%N); (cd "$work/scale-$n" && "$bin/pleinair" run exp.yaml --workspace "$work/scale-$n/ws-$side" -j 2 "$@" >/dev/null 2>&1); e=$(date +%s%N)
    echo $(( (e - s) / 1000 ))
  done | sort -n | sed -n 3p | awk '{printf "%.0f", $1 / 1000}'
}
: > "$work/old.txt"; : > "$work/new.txt"
for r in $(seq "$rounds"); do
  for side in old new; do
    bin=$([ "$side" = old ] && echo "$old" || echo "$new")
    ms=$(noop "$bin" "$work/ws-$side")
    step=- fwd=- conv=-
    if [ "${ENGINE:-1}" != 0 ]; then
      out=$("$bin/pleinair-bench" engine 2>&1)
      step=$(echo "$out" | grep -m1 'ratio PleinAir/PyTorch' | sed -E 's/.*training step ([0-9.]+).*/\1/')
      fwd=$(echo "$out" | grep -m1 'ratio PleinAir/PyTorch' | sed -E 's/.*no-grad forward ([0-9.]+).*/\1/')
      conv=$(echo "$out" | grep -m1 'lowest single shape' | sed -E 's/.*lowest single shape ([0-9.]+)%.*/\1/')
    fi
    runner=""
    for n in $sizes; do runner="$runner $(scale "$bin" "$side" "$n") $(scale "$bin" "$side" "$n" --dry-run)"; done
    echo "$ms $step $fwd $conv$runner" >> "$work/$side.txt"
    line="round $r $side: no-op ${ms} ms"
    [ "${ENGINE:-1}" != 0 ] && line="$line, step/PyTorch $step, forward/PyTorch $fwd, lowest conv ${conv}% of sgemm"
    set -- $runner
    for n in $sizes; do line="$line; $n stages: no-op $1 ms, --dry-run $2 ms"; shift 2; done
    echo "$line"
  done
done
for side in old new; do
  f=$work/$side.txt
  line="$side (median of $rounds): no-op $(cut -d' ' -f1 "$f" | median) ms"
  [ "${ENGINE:-1}" != 0 ] && line="$line, step/PyTorch $(cut -d' ' -f2 "$f" | median), forward/PyTorch $(cut -d' ' -f3 "$f" | median), lowest conv $(cut -d' ' -f4 "$f" | median)% of sgemm"
  column=5
  for n in $sizes; do
    line="$line; $n stages: no-op $(cut -d' ' -f$column "$f" | median) ms, --dry-run $(cut -d' ' -f$((column + 1)) "$f" | median) ms"
    column=$((column + 2))
  done
  echo "$line"
done
