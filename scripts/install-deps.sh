#!/usr/bin/env bash
# Installs the Debian packages PleinAir builds against (PLATFORM.md), only those missing.
# Needs root (or sudo). Safe to run again.
set -euo pipefail
packages=(libyaml-dev libopenblas-dev libpng-dev libturbojpeg0-dev libsqlite3-dev libfaiss-dev pkg-config)
packages+=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
