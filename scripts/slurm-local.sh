#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for trying `pdepth study --slurm`
# and for the tests labelled slurm (Debian's slurm-wlm 22.05 and munge, from
# `scripts/install-deps.sh --slurm`; run as root).
#
# Usage: scripts/slurm-local.sh start|stop|status|env
#   start   starts munged, slurmctld and slurmd with their own munge key,
#           socket, configuration, state, spool, pid and log files under
#           $PDS_SLURM_DIR (default ${TMPDIR:-/tmp}/pds-slurm), waits until the
#           node takes jobs and prints `export SLURM_CONF=...` on stdout; a
#           cluster already running is left as it is.
#   stop    stops the three daemons by their pid files (nothing to do is fine).
#   status  says whether each daemon runs; exit status 0 when all three do.
#   env     prints `export SLURM_CONF=...`.
# Use it as:  eval "$(scripts/slurm-local.sh start)"; sbatch ...; scripts/slurm-local.sh stop
# The cluster keeps no accounting (slurmdbd would need a MariaDB server): sacct
# refuses, and `pdepth status` says so and reads states from squeue, which
# keeps ended jobs for MinJobAge=3600 s, and the member files (docs/slurm.md).
# Ports: $PDS_SLURM_PORT (slurmctld, default 6817) and the next one (slurmd).
set -euo pipefail

dir="${PDS_SLURM_DIR:-${TMPDIR:-/tmp}/pds-slurm}"
port="${PDS_SLURM_PORT:-6817}"
conf="$dir/slurm.conf"
daemons=(slurmd slurmctld munged)

say() { echo "slurm-local: $*" >&2; }

pid_of() { # prints the pid of a running daemon, or nothing
  local f="$dir/$1.pid"
  [[ -s "$f" ]] || return 0
  local pid
  pid=$(<"$f")
  if kill -0 "$pid" 2>/dev/null; then echo "$pid"; fi
}

running() { [[ -n "$(pid_of "$1")" ]]; }

print_env() { echo "export SLURM_CONF=$conf"; }

write_config() {
  local host cpus
  host=$(hostname -s)
  cpus=$(nproc)
  cat >"$conf" <<EOF
# Written by scripts/slurm-local.sh: one machine as controller and only node.
ClusterName=pds-local
SlurmctldHost=$host
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
ReturnToService=2
MinJobAge=3600
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
NodeName=$host CPUs=$cpus State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  if [[ $(id -u) -ne 0 ]]; then say "run as root (the daemons run as root here)"; exit 1; fi
  for tool in munged slurmctld slurmd sinfo; do
    command -v "$tool" >/dev/null || { say "$tool not found: run scripts/install-deps.sh --slurm"; exit 1; }
  done
  if running munged && running slurmctld && running slurmd; then
    say "already running in $dir"
    print_env
    return 0
  fi
  stop_daemons
  mkdir -p "$dir/state" "$dir/spool"
  if [[ ! -s "$dir/munge.key" ]]; then
    (umask 077; head -c 1024 /dev/urandom >"$dir/munge.key")
  fi
  write_config
  export SLURM_CONF="$conf"
  munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
    --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge.seed"
  slurmctld -c -f "$conf"
  slurmd -f "$conf"
  local host
  host=$(hostname -s)
  for _ in $(seq 1 60); do
    state=$(sinfo --noheader -n "$host" -o '%t' 2>/dev/null || true)
    case "$state" in
      idle*|mix*|alloc*)
        say "running in $dir (node $host, $(nproc) CPUs, partition local)"
        print_env
        return 0 ;;
    esac
    sleep 0.5
  done
  say "the node did not come up; see $dir/slurmctld.log and $dir/slurmd.log"
  stop_daemons
  exit 1
}

stop_daemons() {
  for d in "${daemons[@]}"; do
    local pid
    pid=$(pid_of "$d")
    [[ -n "$pid" ]] || continue
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
    say "stopped $d ($pid)"
  done
  rm -f "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munged.pid"
}

status() {
  local all=0
  for d in munged slurmctld slurmd; do
    local pid
    pid=$(pid_of "$d")
    if [[ -n "$pid" ]]; then echo "$d: running ($pid)"; else echo "$d: stopped"; all=1; fi
  done
  return $all
}

case "${1:-}" in
  start) start ;;
  stop) stop_daemons ;;
  status) status ;;
  env) print_env ;;
  *) echo "usage: scripts/slurm-local.sh start|stop|status|env" >&2; exit 2 ;;
esac
