#!/usr/bin/env bash
# Starts or stops a single-node Slurm cluster on this machine (munged, slurmctld, slurmd) for
# the Slurm backend's tests. `start` prints the SLURM_CONF to export. Needs root.
set -euo pipefail
dir=${PLEINAIR_SLURM_DIR:-/tmp/pleinair-slurm}
conf=$dir/slurm.conf

stop() {
  [ -f "$conf" ] && SLURM_CONF=$conf scancel --quiet --user="$(id -un)" 2>/dev/null || true
  for daemon in slurmd slurmctld; do
    if [ -f "$dir/$daemon.pid" ]; then kill "$(cat "$dir/$daemon.pid")" 2>/dev/null || true; rm -f "$dir/$daemon.pid"; fi
  done
}

case "${1:-}" in
start)
  command -v slurmctld >/dev/null || { echo "slurm-wlm is not installed" >&2; exit 1; }
  stop
  rm -rf "$dir/state" "$dir/spool"
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  host=$(hostname)
  cpus=$(nproc)
  memory=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 * 8 / 10 ))
  cat > "$conf" <<CONF
ClusterName=pleinair
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MinJobAge=3600
JobAcctGatherType=jobacct_gather/linux
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=$host CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
  if [ ! -s /etc/munge/munge.key ]; then
    mkdir -p /etc/munge
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
    chown munge:munge /etc/munge/munge.key 2>/dev/null || true
    chmod 400 /etc/munge/munge.key
  fi
  if ! pgrep -x munged >/dev/null; then
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
    munged --force 2>/dev/null || su -s /bin/sh munge -c "munged --force"
  fi
  SLURM_CONF=$conf slurmctld
  SLURM_CONF=$conf slurmd
  for _ in $(seq 60); do
    if SLURM_CONF=$conf sinfo -h -o %t 2>/dev/null | grep -q idle; then echo "export SLURM_CONF=$conf"; exit 0; fi
    sleep 0.5
  done
  echo "the Slurm cluster did not come up; see $dir/log" >&2
  exit 1
  ;;
stop) stop ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
