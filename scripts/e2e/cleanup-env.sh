#!/usr/bin/env bash
# Tear down what scripts/e2e/setup-env.sh started: the docker-registry and the
# dockerd (with its containerd) it launched, then remove its state dir
# ($PGBAKE_E2E_STATE, default /var/lib/pgbake-e2e: docker data-root, registry
# data, logs, debootstrap tarball cache, bases.json).
#
# Installed packages are left alone. Options:
#   --keep-cache   keep $STATE/cache (debootstrap tarballs) for a fast re-setup
#   --all          also remove the sid apt source/pin written by setup-env.sh
#                  and restore the original /usr/local/bin/docker client
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/e2e/lib.sh
source "$HERE/lib.sh"

KEEP_CACHE=0
ALL=0
for arg in "$@"; do
  case $arg in
    --keep-cache) KEEP_CACHE=1 ;;
    --all) ALL=1 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) die "unknown option: $arg" ;;
  esac
done
[[ $(id -u) -eq 0 ]] || die "must run as root"

# alive PID: running and not a zombie waiting to be reaped
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

# stop_pidfile NAME PIDFILE EXPECTED-COMMAND-SUBSTRING
# Only signals the pid recorded by setup-env.sh, and only if that process is
# still the program we started (guards against pid reuse).
stop_pidfile() {
  local name=$1 pidfile=$2 expect=$3 pid cmd
  if [[ ! -f $pidfile ]]; then
    log "$name: no pid file ($pidfile), nothing to stop"
    return
  fi
  pid=$(cat "$pidfile")
  if ! [[ $pid =~ ^[0-9]+$ ]] || ! kill -0 "$pid" 2>/dev/null; then
    log "$name: pid ${pid:-?} not running"
    rm -f "$pidfile"
    return
  fi
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
  if [[ $cmd != *"$expect"* ]]; then
    log "$name: pid $pid is '$cmd', not ours; leaving it"
    rm -f "$pidfile"
    return
  fi
  log "$name: stopping pid $pid"
  kill -TERM "$pid"
  for _ in $(seq 60); do
    alive "$pid" || break
    sleep 0.5
  done
  if alive "$pid"; then
    log "$name: still running after 30s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$pidfile"
}

stop_pidfile registry "$STATE_DIR/registry.pid" docker-registry
stop_pidfile dockerd "$STATE_DIR/dockerd.pid" dockerd

# Anything still mounted below the state dir (container rootfs, netns, ...)
# would make rm -rf fail; unmount deepest first.
if [[ -d $STATE_DIR ]]; then
  mapfile -t mounts < <(awk -v p="$STATE_DIR/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r)
  for m in "${mounts[@]}"; do
    log "unmounting $m"
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
fi

if [[ -d $STATE_DIR ]]; then
  if [[ $KEEP_CACHE == 1 ]]; then
    log "removing $STATE_DIR (keeping $STATE_DIR/cache)"
    find "$STATE_DIR" -mindepth 1 -maxdepth 1 ! -name cache -exec rm -rf {} +
  else
    log "removing $STATE_DIR"
    rm -rf "$STATE_DIR"
  fi
fi

if [[ $ALL == 1 ]]; then
  for f in /etc/apt/sources.list.d/pgbake-sid.sources /etc/apt/preferences.d/pgbake-sid \
           /etc/apt/apt.conf.d/99pgbake-valid-until; do
    [[ -e $f ]] && { log "removing $f"; rm -f "$f"; }
  done
  if [[ -f /usr/local/lib/pgbake-e2e/docker.orig ]]; then
    log "restoring original /usr/local/bin/docker"
    rm -f /usr/local/bin/docker
    mv /usr/local/lib/pgbake-e2e/docker.orig /usr/local/bin/docker
    rmdir /usr/local/lib/pgbake-e2e 2>/dev/null || true
  fi
fi
log "cleanup done"
