# Sourced by the scripts: picks OpenBLAS's fast kernel for tests and benchmarks, which load
# OpenBLAS directly. (The pleinair executable does the same by itself; see BLASKernel.)
# OpenBLAS 0.3.21 misdetects this CPU and falls back to a kernel ~5x slower (PLATFORM.md).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then export OPENBLAS_CORETYPE=SkylakeX
  elif grep -qw avx2 /proc/cpuinfo 2>/dev/null; then export OPENBLAS_CORETYPE=Haswell
  fi
fi
# Idle OpenBLAS workers spin 2^20 cycles (~0.4 ms), not 2^28 (~0.1 s), as the runner gives every
# stage's child (ProcessBackend.blasVariables): tests and benchmarks measure what a stage does.
export OPENBLAS_THREAD_TIMEOUT=${OPENBLAS_THREAD_TIMEOUT:-20}
