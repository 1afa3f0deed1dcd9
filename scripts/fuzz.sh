#!/usr/bin/env bash
# Fuzzes PleinAir's parsers of outside input with libFuzzer (docs/fuzzing.md).
#   bash scripts/fuzz.sh [SECONDS] [TARGET…]     (default: 20 s each, every target)
#   FUZZ_TIMEOUT=60 bash scripts/fuzz.sh 600 …   (one input's limit in wall seconds, default 10;
#                                                 raise it on a loaded machine: see docs/fuzzing.md)
# Builds the instrumented binary in .build-fuzz/, runs each target on a temporary copy of its
# seeds in fuzz/corpus/ (the committed seeds are never changed), prints one line per target and
# exits 1 if any target found a crash, hang or oversized allocation, naming the input that did it.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=20
timeout=${FUZZ_TIMEOUT:-10}
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then seconds=$1; shift; fi
all=(spec pickle torchscript safetensors npy answers archive image http mask scripts authors)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")

# Longest input worth mutating per target: a little above the largest seed.
declare -A max_len=([spec]=8192 [pickle]=16384 [torchscript]=16384 [safetensors]=32768 [npy]=4096 [answers]=4096 [archive]=8192 [image]=8192 [http]=4096 [mask]=4096 [scripts]=4096 [authors]=8192)
for t in "${targets[@]}"; do
  [ -n "${max_len[$t]:-}" ] || { echo "unknown target '$t' (targets: ${all[*]})" >&2; exit 2; }
done

bash scripts/install-deps.sh
source scripts/blas-env.sh
echo "building pleinair-fuzz (libFuzzer + AddressSanitizer)…"
nice -n 10 swift build --scratch-path .build-fuzz --product pleinair-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING 2>&1 | grep -v "Cannot export local symbol" | tail -3
binary=$(swift build --scratch-path .build-fuzz --show-bin-path)/pleinair-fuzz

work=$(mktemp -d "${TMPDIR:-/tmp}/pleinair-fuzz.XXXXXX")
# The Swift runtime's backtracer reads the stack in a way AddressSanitizer reports as an overflow.
export ASAN_OPTIONS="detect_leaks=0:${ASAN_OPTIONS:-}" SWIFT_BACKTRACE=enable=no
found=0
for t in "${targets[@]}"; do
  mkdir -p "$work/corpus/$t" "$work/findings"
  cp fuzz/corpus/"$t"/* "$work/corpus/$t/" 2>/dev/null || true
  log="$work/$t.log"
  set +e
  # TMPDIR: the file-based harnesses' scratch files land in $work and go with it.
  PLEINAIR_FUZZ_TARGET=$t TMPDIR="$work" nice -n 19 "$binary" "$work/corpus/$t" -max_total_time="$seconds" \
    -rss_limit_mb=2048 -timeout="$timeout" -report_slow_units="$timeout" -max_len="${max_len[$t]}" -detect_leaks=0 -print_final_stats=1 \
    -artifact_prefix="$work/findings/$t-" >"$log" 2>&1
  rc=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1 || true)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
  artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1 || true)
  if [ $rc -eq 0 ] && [ -z "$artifact" ]; then
    echo "$t: ${execs:-?} execs, ${cov:-cov: ?}, no finding"
  else
    found=1
    # The Swift runtime's message when there is one (a trap), else libFuzzer's or ASan's verdict.
    kind=$(grep -oE 'Fatal error: .*' "$log" | head -1 || true)
    [ -n "$kind" ] || kind=$(grep -oE '(libFuzzer|AddressSanitizer): [^(]*[a-z]' "$log" | head -1 || true)
    echo "$t: ${execs:-?} execs, ${cov:-cov: ?}, FINDING (${kind:-exit $rc}): input ${artifact:-none written}, log $log"
  fi
done
if [ $found -eq 0 ]; then rm -rf "$work"; else echo "findings kept in $work"; fi
exit $found
