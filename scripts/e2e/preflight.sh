# shellcheck shell=bash
# Refusals of setup-env.sh, before it touches anything: it installs Debian's Docker engine from
# sid, adds an apt source and starts dockerd, which is right for CI and a contributor's Debian
# box and wrong anywhere else. Sourced after lib.sh; runs nothing. Test knobs:
#   PGBAKE_E2E_OS_RELEASE    os-release file to read (default /etc/os-release)
#   PGBAKE_E2E_DOCKER_SOCK   the engine socket to look for (default /var/run/docker.sock)
#   PGBAKE_E2E_PREFLIGHT_ONLY=1  stop after the checks ("preflight ok")
: "${PGBAKE_E2E_OS_RELEASE:=/etc/os-release}"
: "${PGBAKE_E2E_DOCKER_SOCK:=/var/run/docker.sock}"

preflight() {
  local id
  id=$( (. "$PGBAKE_E2E_OS_RELEASE" 2>/dev/null && echo "${ID:-}") || true)
  if [[ $id != debian ]]; then
    die "refusing: this sets up a build environment from Debian's own packages (an apt source, dockerd) and runs on Debian only; $PGBAKE_E2E_OS_RELEASE says ID=${id:-unknown}. pgbake itself needs none of it: use your own Docker engine with buildx >= 0.29 (and a registry on localhost:5000 for the e2e tests)."
  fi
  # An engine that someone else started is theirs: never reconfigure, restart or replace it.
  # Only a socket that accepts a connection is an engine: a socket file left by a dockerd that
  # is gone (a restarted machine or container snapshot) is not, and dockerd replaces it on start.
  if [[ -S $PGBAKE_E2E_DOCKER_SOCK ]] && socket_accepts "$PGBAKE_E2E_DOCKER_SOCK"; then
    local pid=""
    [[ -f $STATE_DIR/dockerd.pid ]] && pid=$(cat "$STATE_DIR/dockerd.pid")
    if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then
      local why="a Docker engine this script did not start is listening on $PGBAKE_E2E_DOCKER_SOCK (no running dockerd recorded in $STATE_DIR/dockerd.pid)"
      # CI's machine is disposable and its own: use the engine when it has the containerd
      # image store (start_dockerd checks), as setup-env.sh always did there.
      if [[ ${PGBAKE_CI:-0} == 1 ]]; then
        log "warning: $why; PGBAKE_CI=1, so using it"
      else
        die "refusing: $why. Use that engine directly (buildx >= 0.29, a registry on localhost:5000), or stop it first."
      fi
    fi
  fi
  if [[ ${PGBAKE_E2E_PREFLIGHT_ONLY:-0} == 1 ]]; then
    log "preflight ok"
    exit 0
  fi
}

# socket_accepts PATH: true when something accepts a connection on the unix socket PATH. Node is
# there wherever pgbake is; without it (or curl) assume an engine, which refuses rather than clobbers.
socket_accepts() {
  if command -v node >/dev/null; then
    node -e 'const s=require("net").connect(process.argv[1]);s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1));setTimeout(()=>process.exit(0),3000)' "$1"
  elif command -v curl >/dev/null; then
    curl -s -o /dev/null --max-time 3 --unix-socket "$1" http://localhost/_ping || [[ $? -ne 7 ]]
  else
    return 0
  fi
}
