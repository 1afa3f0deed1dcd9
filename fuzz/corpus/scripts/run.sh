#!/bin/bash
set -euo pipefail
# source commented.sh
. ./env.sh && source "conf/vars.sh"
export PYTHONPATH="$PWD/src:${PYTHONPATH:-}"
PYTHONPATH=lib:. env nice -n 5 python3 -u -W ignore tools/train.py "$@" 2>&1 | tee log.txt
python3 -m pkg.mod --flag > out.txt
bash -e scripts/other.sh; sh -c 'echo $(dirname "$0")'
cat <<EOT
source heredoc.sh
EOT
echo "`date` $((1 + 2))" > /dev/null
