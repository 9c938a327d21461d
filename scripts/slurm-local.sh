#!/usr/bin/env bash
# One-node Slurm cluster for tests that submit real jobs (Debian 12, run as root, no systemd).
#
#   scripts/slurm-local.sh start    # idempotent: munge + slurmctld + slurmd, waits for the node to be idle
#   scripts/slurm-local.sh stop     # stops slurmd, slurmctld (and munged if this script started it)
#   scripts/slurm-local.sh env      # eval "$(scripts/slurm-local.sh env)" -> SLURM_CONF for clients
#   scripts/slurm-local.sh status   # daemons, node state, queue
#
# Everything (slurm.conf, state, spool, logs, pid files) lives in ${NB_SLURM_DIR:-/tmp/nbloop-slurm}.
# Exit codes: 0 ok, 1 failure (with log tail), 2 usage, 3 Slurm/munge packages not installed.
set -euo pipefail

DIR="${NB_SLURM_DIR:-/tmp/nbloop-slurm}"
CONF="$DIR/slurm.conf"
CTLD_PORT="${NB_SLURM_CTLD_PORT:-6817}"
SLURMD_PORT="${NB_SLURM_SLURMD_PORT:-6818}"
PARTITION=debug
MUNGE_KEY=/etc/munge/munge.key
MUNGE_SOCKET=/run/munge/munge.socket.2
SLURMCTLD=/usr/sbin/slurmctld
SLURMD=/usr/sbin/slurmd
MUNGED=/usr/sbin/munged

log() { printf 'slurm-local: %s\n' "$*" >&2; }

die() {
  # die MESSAGE [LOGFILE]: the log tail is usually the only clue why a daemon did not come up.
  log "error: $1"
  if [[ -n "${2:-}" && -f "$2" ]]; then
    log "last lines of $2:"
    tail -n 25 "$2" | sed 's/^/    /' >&2
  fi
  exit 1
}

check_packages() {
  local missing=() b
  for b in sbatch squeue sinfo scontrol scancel munge unmunge; do
    command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  for b in "$SLURMCTLD" "$SLURMD" "$MUNGED"; do
    [[ -x "$b" ]] || missing+=("$b")
  done
  if ((${#missing[@]})); then
    log "Slurm/munge not installed (missing: ${missing[*]}); on Debian: apt-get install slurm-wlm munge"
    exit 3
  fi
}

# proc_running PID: exists and is not a zombie (a killed daemon can stay a zombie for a while
# when PID 1 is slow to reap, and kill -0 still succeeds on it).
proc_running() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ -n "$stat" && "${stat:0:1}" != [ZX] ]]
}

# pid_alive PIDFILE NAME: true if the pid file names a running process whose command is NAME.
pid_alive() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(tr -dc '0-9' <"$1")"
  [[ -n "$pid" ]] || return 1
  proc_running "$pid" || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2"* ]]
}

# stop_pidfile PIDFILE NAME: TERM, wait up to 15 s, then KILL.
stop_pidfile() {
  local pid i
  pid_alive "$1" "$2" || { rm -f "$1"; return 0; }
  pid="$(tr -dc '0-9' <"$1")"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 150; i++)); do
    proc_running "$pid" || break
    sleep 0.1
  done
  if proc_running "$pid"; then
    log "$2 (pid $pid) ignored SIGTERM; killing"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

munge_ok() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

ensure_munge() {
  munge_ok && return 0

  # Debian's postinst normally creates the key; make one in the same place if it is missing.
  if [[ ! -s "$MUNGE_KEY" ]]; then
    log "no $MUNGE_KEY; creating one"
    install -d -m 0700 -o munge -g munge "$(dirname "$MUNGE_KEY")" 2>/dev/null || mkdir -p "$(dirname "$MUNGE_KEY")"
    if command -v mungekey >/dev/null 2>&1; then
      mungekey --create --keyfile="$MUNGE_KEY" --force >/dev/null
    else
      dd if=/dev/urandom of="$MUNGE_KEY" bs=1024 count=1 status=none
    fi
    chown munge:munge "$MUNGE_KEY" 2>/dev/null || true
    chmod 0400 "$MUNGE_KEY"
  fi

  # No systemd, so /run/munge (tmpfs) may not exist; munged insists it is owned by its user.
  local mlog="$DIR/log/munged.log" pidf="$DIR/run/munged.pid"
  install -d -m 0755 -o munge -g munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
  : >"$mlog"
  chown munge:munge "$mlog" 2>/dev/null || true

  # Preferred: run as the munge user (what the init script does). As root, munged rejects the
  # munge-owned key ("should be owned by UID 0") unless --force, so that is only the fallback.
  if id munge >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
    runuser -u munge -- "$MUNGED" --socket="$MUNGE_SOCKET" --key-file="$MUNGE_KEY" \
      --log-file="$mlog" >>"$mlog" 2>&1 9>&- || true
  fi
  if ! munge_ok; then
    sleep 0.5
  fi
  if ! munge_ok; then
    "$MUNGED" --force --socket="$MUNGE_SOCKET" --key-file="$MUNGE_KEY" \
      --log-file="$mlog" >>"$mlog" 2>&1 9>&- || true
    sleep 0.5
  fi
  munge_ok || die "munged could not be started (munge -n | unmunge still fails)" "$mlog"

  # Remember that we own this munged so that `stop` may stop it (and never someone else's).
  local mpid
  mpid="$(cat /run/munge/munged.pid 2>/dev/null || true)"
  if [[ -z "$mpid" ]]; then mpid="$(pgrep -n -x munged || true)"; fi
  [[ -n "$mpid" ]] && echo "$mpid" >"$pidf"
  log "started munged (pid ${mpid:-?})"
}

write_conf() {
  local node="$1" cpus mem_mb real_mem tmp
  cpus="$(nproc)"
  # RealMemory must not exceed what slurmd detects, or the node is drained as "Low RealMemory".
  mem_mb="$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)"
  real_mem=1000
  ((mem_mb > 0 && mem_mb < real_mem)) && real_mem="$mem_mb"

  tmp="$(mktemp "$DIR/slurm.conf.XXXXXX")"
  cat >"$tmp" <<EOF
# Generated by scripts/slurm-local.sh; rewritten on every start.
ClusterName=nblocal
SlurmctldHost=${node}(127.0.0.1)
SlurmctldPort=${CTLD_PORT}
SlurmdPort=${SLURMD_PORT}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true

# No cgroups: keep process tracking/binding trivial so it works in containers.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
# Start queued array tasks as soon as others end (the defaults wait up to 3 s per round of tasks).
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,sched_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU

# No slurmdbd: sacct is unavailable; finished jobs are visible in scontrol for MinJobAge seconds
# and are also appended to the job completion log below.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=${DIR}/log/jobcomp.log

# Short timeouts: this is a throwaway test cluster.
ReturnToService=2
SlurmdTimeout=30
SlurmctldTimeout=30
InactiveLimit=30
MinJobAge=30
KillWait=5
MessageTimeout=10

StateSaveLocation=${DIR}/state
SlurmdSpoolDir=${DIR}/spool/slurmd-%n
SlurmctldPidFile=${DIR}/run/slurmctld.pid
SlurmdPidFile=${DIR}/run/slurmd.pid
SlurmctldLogFile=${DIR}/log/slurmctld.log
SlurmdLogFile=${DIR}/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info

NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${real_mem} State=UNKNOWN
PartitionName=${PARTITION} Nodes=${node} Default=YES MaxTime=INFINITE State=UP
EOF
  # Only replace the conf when it changed, so a running cluster is not disturbed needlessly.
  CONF_CHANGED=0
  if [[ -f "$CONF" ]] && cmp -s "$tmp" "$CONF"; then
    rm -f "$tmp"
  else
    mv -f "$tmp" "$CONF"
    chmod 0644 "$CONF"
    CONF_CHANGED=1
  fi
}

# True when the controller answering on our port was started from this conf.
ctld_is_ours() {
  [[ "$(scontrol show config 2>/dev/null | awk -F' = ' '/^SLURM_CONF / {print $2}')" == "$CONF" ]]
}

node_state() {
  sinfo -h -N -n "$(hostname -s)" -o '%T' 2>/dev/null | head -n 1
}

cmd_start() {
  check_packages
  local node
  node="$(hostname -s)"
  mkdir -p "$DIR/state" "$DIR/spool/slurmd-$node" "$DIR/log" "$DIR/run"
  export SLURM_CONF="$CONF"

  # Tests may call start concurrently; serialize so only one of them launches daemons.
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$DIR/run/start.lock"
    flock -w 120 9 || die "another start holds $DIR/run/start.lock"
    # (daemons below are started with 9>&- so they do not inherit, and keep, this lock)
  fi

  ensure_munge
  write_conf "$node"

  # Only a cluster we started from this conf counts as "already running".
  local ctld_up=0 slurmd_up=0
  pid_alive "$DIR/run/slurmctld.pid" slurmctld && ctld_up=1
  pid_alive "$DIR/run/slurmd.pid" slurmd && slurmd_up=1
  if ((CONF_CHANGED && (ctld_up || slurmd_up))); then
    log "slurm.conf changed; restarting daemons"
    stop_pidfile "$DIR/run/slurmd.pid" slurmd
    stop_pidfile "$DIR/run/slurmctld.pid" slurmctld
    ctld_up=0 slurmd_up=0
  fi

  if ((!ctld_up)); then
    "$SLURMCTLD" -f "$CONF" >>"$DIR/log/slurmctld.log" 2>&1 9>&- ||
      die "slurmctld failed to start (is another slurmctld using port $CTLD_PORT?)" "$DIR/log/slurmctld.log"
  fi
  # slurmctld daemonizes before it is ready; wait until it answers. A controller of another
  # cluster on the same port would answer too, so it must report this conf.
  local i
  for ((i = 0; i < 100; i++)); do
    ctld_is_ours && break
    pid_alive "$DIR/run/slurmctld.pid" slurmctld || ((i < 10)) ||
      die "slurmctld exited during startup (another slurmctld on port $CTLD_PORT?)" "$DIR/log/slurmctld.log"
    sleep 0.2
  done
  ctld_is_ours || die "slurmctld for $CONF does not answer" "$DIR/log/slurmctld.log"

  if ((!slurmd_up)); then
    "$SLURMD" -f "$CONF" >>"$DIR/log/slurmd.log" 2>&1 9>&- ||
      die "slurmd failed to start (is another slurmd using port $SLURMD_PORT?)" "$DIR/log/slurmd.log"
  fi

  # Wait for the node to register; a node left down/drained by an earlier run is resumed.
  local state resumed=0
  for ((i = 0; i < 120; i++)); do
    state="$(node_state)"
    case "$state" in
      idle | mixed | allocated | completing) break ;;
      down* | drain* | fail*)
        if ((!resumed)); then
          scontrol update nodename="$node" state=resume >/dev/null 2>&1 || true
          resumed=1
        fi
        ;;
    esac
    pid_alive "$DIR/run/slurmd.pid" slurmd || ((i < 10)) ||
      die "slurmd exited during startup" "$DIR/log/slurmd.log"
    sleep 0.5
  done
  pid_alive "$DIR/run/slurmd.pid" slurmd ||
    die "slurmd exited (another slurmd on port $SLURMD_PORT?)" "$DIR/log/slurmd.log"
  case "$state" in
    idle | mixed | allocated | completing) ;;
    *)
      sinfo -N -l >&2 || true
      scontrol show node "$node" >&2 || true
      die "node $node is '${state:-unknown}' after 60 s, not idle" "$DIR/log/slurmd.log"
      ;;
  esac

  echo "slurm-local: cluster up (node $node, $(nproc) CPUs, partition $PARTITION, state $state); SLURM_CONF=$CONF"
}

cmd_stop() {
  stop_pidfile "$DIR/run/slurmd.pid" slurmd
  stop_pidfile "$DIR/run/slurmctld.pid" slurmctld
  # munged only if this script started it (others may rely on a system munged).
  if pid_alive "$DIR/run/munged.pid" munged; then
    stop_pidfile "$DIR/run/munged.pid" munged
  else
    rm -f "$DIR/run/munged.pid"
  fi
  echo "slurm-local: stopped (state kept in $DIR)"
}

cmd_env() {
  printf 'export SLURM_CONF=%q\n' "$CONF"
}

cmd_status() {
  local rc=0 d
  for d in slurmctld slurmd munged; do
    if pid_alive "$DIR/run/$d.pid" "$d"; then
      echo "$d: running (pid $(tr -dc '0-9' <"$DIR/run/$d.pid"))"
    elif [[ "$d" == munged ]] && munge_ok; then
      echo "munged: running (not started by this script)"
    else
      echo "$d: not running"
      [[ "$d" == munged ]] || rc=1
    fi
  done
  if ((rc == 0)); then
    export SLURM_CONF="$CONF"
    sinfo -N || rc=1
    squeue || rc=1
  fi
  return "$rc"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) cmd_env ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 {start|stop|env|status}" >&2
    exit 2
    ;;
esac
