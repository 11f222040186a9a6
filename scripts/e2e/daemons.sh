# shellcheck shell=bash
# Steps 2-3 of setup-env.sh: dockerd with the containerd image store, the registry on 127.0.0.1:5000, the buildx builder.
# Sourced by setup-env.sh (after lib.sh, as root, with STATE_DIR created); defines settings and functions, runs nothing.

# ---------------------------------------------------------------------------
# 2. dockerd + registry
# ---------------------------------------------------------------------------
# Builder choice (documented; verified on this machine):
#   The `docker-container` buildx driver would need the moby/buildkit image
#   from Docker Hub, which is unreachable here. We therefore use the default
#   `docker` driver (the BuildKit embedded in dockerd 28.5) with the
#   containerd image store enabled ("containerd-snapshotter": true). With the
#   containerd store the docker driver supports (all checked here):
#     - multi-platform builds (--platform linux/amd64,linux/arm64; arm64 RUN
#       steps run through qemu binfmt, roughly 10-20x slower than amd64)
#     - pushing OCI image indexes to localhost:5000 (plain HTTP is allowed
#       for localhost/127.0.0.0/8 without "insecure-registries")
#     - provenance attestations (buildx default mode=min, pushed as
#       unknown/unknown attestation manifests; registry 2.8 accepts them).
#       SBOM attestations do NOT work offline: they need the
#       docker/buildkit-syft-scanner image from Docker Hub.
#     - --cache-to/--cache-from type=registry and type=local, --output type=oci
#     - `buildx build --check` / `buildx bake --check` (built-in Dockerfile
#       frontend; never add a `# syntax=` line, that pulls an image)
#   The embedded BuildKit runs RUN steps with host networking, so builds do
#   not depend on the bridge/iptables; `docker run` containers use the bridge
#   with iptables NAT (nft backend works as is, no tweaks needed).
DAEMON_JSON=$STATE_DIR/daemon.json
DOCKERD_LOG=$STATE_DIR/dockerd.log
DOCKERD_PID=$STATE_DIR/dockerd.pid
REG_DIR=$STATE_DIR/registry
REG_CONFIG=$REG_DIR/config.yml
REG_LOG=$STATE_DIR/registry.log
REG_PID=$STATE_DIR/registry.pid

# in_root CMD...: CMD with / as its working directory. A daemon keeps the directory it started in
# for life: started from a checkout that is later deleted or re-cloned, dockerd's BuildKit fails
# every git source ("git: unable to get current working directory").
in_root() { cd / && exec "$@"; }

docker_up() { "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# Inside a container on a cgroup v2 host (CI's debian container on GitHub), the container's root
# cgroup holds processes, so the kernel refuses to delegate controllers to dockerd's children.
# Move those processes into a leaf cgroup first, as docker-in-docker setups do. Never on a host:
# there the root cgroup belongs to the init system.
nest_cgroup_v2() {
  [[ -f /.dockerenv && -f /sys/fs/cgroup/cgroup.controllers ]] || return 0
  [[ $(</proc/self/cgroup) == "0::/"* ]] || return 0
  mkdir -p /sys/fs/cgroup/pgbake-init
  local pid
  while read -r pid; do echo "$pid" >/sys/fs/cgroup/pgbake-init/cgroup.procs 2>/dev/null || true; done </sys/fs/cgroup/cgroup.procs
  sed -e 's/ / +/g' -e 's/^/+/' </sys/fs/cgroup/cgroup.controllers >/sys/fs/cgroup/cgroup.subtree_control
  log "cgroup v2 in a container: controllers delegated ($(cat /sys/fs/cgroup/cgroup.subtree_control))"
}

start_dockerd() {
  local want
  want=$(cat <<EOF2
{
  "data-root": "$STATE_DIR/docker",
  "features": { "containerd-snapshotter": true },
  "hosts": ["unix:///var/run/docker.sock"],
  "iptables": true,
  "log-level": "info"
}
EOF2
)
  if [[ ! -f $DAEMON_JSON ]] || [[ $(cat "$DAEMON_JSON") != "$want" ]]; then
    log "writing $DAEMON_JSON"
    printf '%s\n' "$want" >"$DAEMON_JSON"
    if docker_up && [[ -f $DOCKERD_PID ]] && kill -0 "$(cat "$DOCKERD_PID")" 2>/dev/null; then
      log "config changed: restarting our dockerd"
      kill "$(cat "$DOCKERD_PID")"
      for _ in $(seq 60); do kill -0 "$(cat "$DOCKERD_PID")" 2>/dev/null || break; sleep 1; done
    fi
  fi
  if docker_up; then
    log "dockerd: already running ($("$DOCKER" version --format '{{.Server.Version}}'))"
  else
    # A pid file left by a dockerd that is gone (e.g. machine restarted)
    # makes dockerd refuse to start if the pid was reused.
    if [[ -f $DOCKERD_PID ]] && ! kill -0 "$(cat "$DOCKERD_PID")" 2>/dev/null; then
      rm -f "$DOCKERD_PID"
    elif [[ -f $DOCKERD_PID ]] && [[ $(tr '\0' ' ' <"/proc/$(cat "$DOCKERD_PID")/cmdline" 2>/dev/null) != *dockerd* ]]; then
      rm -f "$DOCKERD_PID"
    fi
    nest_cgroup_v2
    log "starting dockerd (log: $DOCKERD_LOG)"
    # setsid: own session, so it outlives the shell that ran this script. From / (see in_root).
    in_root setsid /usr/sbin/dockerd --config-file "$DAEMON_JSON" --pidfile "$DOCKERD_PID" \
      >>"$DOCKERD_LOG" 2>&1 </dev/null 9>&- &
    local i
    for i in $(seq 120); do
      docker_up && break
      sleep 0.5
    done
    docker_up || { tail -n 30 "$DOCKERD_LOG" >&2; die "dockerd did not come up"; }
    log "dockerd: up after ~$((i / 2))s ($("$DOCKER" version --format '{{.Server.Version}}'))"
  fi
  local store
  store=$("$DOCKER" info --format '{{.DriverStatus}}')
  [[ $store == *io.containerd.snapshotter* ]] ||
    die "dockerd is not using the containerd image store (DriverStatus: $store); is a foreign dockerd running?"
}

start_registry() {
  mkdir -p "$REG_DIR/data"
  cat >"$REG_CONFIG.new" <<EOF2
version: 0.1
log:
  level: info
  fields:
    service: registry
storage:
  filesystem:
    rootdirectory: $REG_DIR/data
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:5000
  headers:
    X-Content-Type-Options: [nosniff]
EOF2
  if ! cmp -s "$REG_CONFIG.new" "$REG_CONFIG"; then
    mv "$REG_CONFIG.new" "$REG_CONFIG"
    log "wrote $REG_CONFIG"
    if [[ -f $REG_PID ]] && kill -0 "$(cat "$REG_PID")" 2>/dev/null; then
      log "registry config changed: restarting"
      kill "$(cat "$REG_PID")"; sleep 1
    fi
  else
    rm -f "$REG_CONFIG.new"
  fi
  if curl -fsS --max-time 5 http://127.0.0.1:5000/v2/ >/dev/null 2>&1; then
    log "registry: already answering on 127.0.0.1:5000"
    return
  fi
  log "starting docker-registry on 127.0.0.1:5000 (log: $REG_LOG)"
  in_root setsid /usr/bin/docker-registry serve "$REG_CONFIG" >>"$REG_LOG" 2>&1 </dev/null 9>&- &
  echo $! >"$REG_PID"
  for _ in $(seq 60); do
    curl -fsS --max-time 2 http://127.0.0.1:5000/v2/ >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fsS --max-time 5 http://127.0.0.1:5000/v2/ >/dev/null ||
    { tail -n 20 "$REG_LOG" >&2; die "registry did not come up"; }
  log "registry: up ($(curl -s http://127.0.0.1:5000/v2/))"
}


# ---------------------------------------------------------------------------
# 3. buildx builder: the default `docker` driver (see the comment at step 2)
# ---------------------------------------------------------------------------
setup_builder() {
  "$DOCKER" buildx use default
  local driver
  driver=$("$DOCKER" buildx inspect default | awk '/^Driver:/ { print $2; exit }')
  [[ $driver == docker ]] || die "buildx default builder has driver '$driver', expected 'docker'"
  local platforms
  platforms=$("$DOCKER" buildx inspect default | awk -F': *' '/^Platforms:/ { print $2; exit }')
  [[ $platforms == *linux/arm64* ]] || die "builder lacks linux/arm64 (binfmt?): $platforms"
  log "buildx $("$DOCKER" buildx version | awk '{ print $2 }'): builder 'default' (driver docker, containerd store), platforms: $platforms"
}

