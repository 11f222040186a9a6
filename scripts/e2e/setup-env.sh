#!/usr/bin/env bash
# Set up a local, offline end-to-end environment for pgbake:
#   - Debian's docker.io (engine + client, from sid) with BuildKit, buildx,
#     containerd image store; dockerd started in the background
#   - a local registry (docker-registry) on 127.0.0.1:5000, no auth
#   - debootstrap'ed Debian base images pushed as localhost:5000/debian:<codename>
#     (bookworm, trixie: linux/amd64 + linux/arm64 index; sid: linux/amd64)
#   - $STATE_DIR/bases.json: codename -> digest
#   - smoke checks (buildx build of postgresql-17 on trixie, bake --check)
#
# Idempotent: every step checks first and is skipped when already done, so a
# warm rerun takes a few seconds. Run as root. Environment knobs:
#   PGBAKE_E2E_STATE   state dir (default /var/lib/pgbake-e2e)
#   PGBAKE_E2E_SKIP_SMOKE=1   skip step 6 (the postgresql-17 test build)
#   PGBAKE_E2E_REBUILD=1      rebuild/re-push base images even if present
#   PGBAKE_E2E_NO_ARM64=1     amd64-only bases (saves ~3 min of qemu debootstrap
#                             on a cold run); a later run without it adds arm64
#
# Nothing here names a mirror host: apt sources are derived from the host's
# own /etc/apt/sources.list.d/debian.sources at run time (see lib.sh).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/e2e/lib.sh
source "$HERE/lib.sh"

[[ $(id -u) -eq 0 ]] || die "must run as root"
mkdir -p "$STATE_DIR"
T0=$(date +%s)
# One setup at a time (e.g. a developer and CI on the same machine).
# The daemons started below get `9>&-` so they do not inherit (and hold) it.
exec 9>"$STATE_DIR/setup.lock"
if ! flock -n 9; then
  log "another setup-env.sh is running; waiting for it"
  flock 9
fi

# ---------------------------------------------------------------------------
# 1. packages
# ---------------------------------------------------------------------------
SID_SOURCES=/etc/apt/sources.list.d/pgbake-sid.sources
SID_PIN=/etc/apt/preferences.d/pgbake-sid
HOST_PKGS=(containerd runc docker-registry debootstrap qemu-user-static binfmt-support curl jq xz-utils ca-certificates)
SID_PKGS=(docker.io docker-cli docker-buildx tini-static)
APT_UPDATED=0

apt_update_once() {
  if [[ $APT_UPDATED == 0 ]]; then
    log "apt-get update"
    apt-get update -qq
    APT_UPDATED=1
  fi
}

setup_sid_source() {
  local want
  want="# pgbake e2e: sid, pinned low (see $SID_PIN); only named packages come from it
$(derive_sources sid only-main)"
  if [[ ! -f $SID_SOURCES ]] || [[ $(cat "$SID_SOURCES") != "$want" ]]; then
    log "writing $SID_SOURCES (host's bookworm entry, suite sid)"
    printf '%s\n' "$want" >"$SID_SOURCES"
    APT_UPDATED=0
  fi
  if [[ ! -f $SID_PIN ]]; then
    log "pinning sid at priority 50 ($SID_PIN)"
    cat >"$SID_PIN" <<'EOF'
# pgbake e2e: never upgrade to sid implicitly; install named packages with pkg/sid
Package: *
Pin: release n=sid
Pin-Priority: 50
EOF
    APT_UPDATED=0
  fi
  # Needed for the (frozen) sid Release file; the host normally has it already.
  # (no `cmd | grep -q` under pipefail: grep exiting early makes SIGPIPE fail the pipe)
  if [[ $(apt-config dump) != *'Acquire::Check-Valid-Until "false"'* ]]; then
    log "disabling Acquire::Check-Valid-Until for apt"
    echo 'Acquire::Check-Valid-Until "false";' >/etc/apt/apt.conf.d/99pgbake-valid-until
  fi
}

pkg_installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == 'install ok installed' ]]; }
pkg_from_sid() { # installed version is the sid candidate?
  local inst sid
  inst=$(dpkg-query -W -f='${Version}' "$1" 2>/dev/null) || return 1
  sid=$(apt-cache madison "$1" 2>/dev/null | awk -F'|' '$3 ~ /sid/ { gsub(/ /, "", $2); print $2; exit }')
  [[ -n $sid && $inst == "$sid" ]]
}

install_packages() {
  setup_sid_source
  local missing=() p
  for p in "${HOST_PKGS[@]}"; do pkg_installed "$p" || missing+=("$p"); done
  for p in "${SID_PKGS[@]}"; do
    if ! pkg_installed "$p"; then missing+=("$p/sid")
    elif [[ $APT_UPDATED == 1 ]] && ! pkg_from_sid "$p"; then missing+=("$p/sid")
    fi
  done
  if ((${#missing[@]} == 0)); then
    log "packages: all present"
  else
    apt_update_once
    log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$STATE_DIR/apt-install.log" 2>&1 ||
      { tail -n 40 "$STATE_DIR/apt-install.log" >&2; die "apt-get install failed"; }
  fi
  # Make `docker` resolve to the sid client everywhere.
  if [[ -e /usr/local/bin/docker && ! -L /usr/local/bin/docker ]]; then
    mkdir -p /usr/local/lib/pgbake-e2e
    log "moving old /usr/local/bin/docker to /usr/local/lib/pgbake-e2e/docker.orig; symlinking to $DOCKER"
    mv /usr/local/bin/docker /usr/local/lib/pgbake-e2e/docker.orig
  fi
  if [[ -e /usr/local/bin/docker || -L /usr/local/bin/docker ]] && [[ $(readlink /usr/local/bin/docker) != "$DOCKER" ]]; then
    rm -f /usr/local/bin/docker
  fi
  [[ -L /usr/local/bin/docker ]] || ln -s "$DOCKER" /usr/local/bin/docker
  hash -r
}


# ---------------------------------------------------------------------------
# binfmt: qemu-user-static for linux/arm64 (debootstrap of arm64 rootfs, and
# RUN steps of arm64 builds). The kernel does not mount binfmt_misc here and
# there is no systemd, so mount it and enable the qemu-aarch64 entry (which
# has the F "fix binary" flag, so it also works inside containers/chroots).
# ---------------------------------------------------------------------------
setup_binfmt() {
  if [[ ! -e /proc/sys/fs/binfmt_misc/register ]]; then
    log "mounting binfmt_misc"
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  fi
  if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    log "registering qemu-aarch64 (update-binfmts --enable)"
    update-binfmts --enable qemu-aarch64 || true
  fi
  if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
    die "could not register qemu-aarch64 in binfmt_misc"
  fi
  if [[ $(cat /proc/sys/fs/binfmt_misc/qemu-aarch64) != enabled* ]]; then
    echo 1 >/proc/sys/fs/binfmt_misc/qemu-aarch64
  fi
  log "binfmt: qemu-aarch64 $(head -n1 /proc/sys/fs/binfmt_misc/qemu-aarch64), flags $(awk '/^flags:/ { print $2 }' /proc/sys/fs/binfmt_misc/qemu-aarch64)"
}

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

docker_up() { "$DOCKER" version --format '{{.Server.Version}}' >/dev/null 2>&1; }

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
    log "starting dockerd (log: $DOCKERD_LOG)"
    # setsid: own session, so it outlives the shell that ran this script.
    setsid /usr/sbin/dockerd --config-file "$DAEMON_JSON" --pidfile "$DOCKERD_PID" \
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
  setsid /usr/bin/docker-registry serve "$REG_CONFIG" >>"$REG_LOG" 2>&1 </dev/null 9>&- &
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
# 4. base images: debootstrap --variant=minbase, docker import, push
# ---------------------------------------------------------------------------
# codename -> architectures
declare -A BASE_ARCHES=(
  [bookworm]="amd64 arm64"
  [trixie]="amd64 arm64"
  [sid]="amd64"
)
BASE_ORDER=(bookworm trixie sid)
if [[ ${PGBAKE_E2E_NO_ARM64:-0} == 1 ]]; then
  for c in "${!BASE_ARCHES[@]}"; do BASE_ARCHES[$c]=amd64; done
fi
CACHE_DIR=$STATE_DIR/cache
ROOTFS_DIR=$STATE_DIR/rootfs

# Files a Debian docker image (debuerreotype minimizing config) carries,
# plus our own 99pgbake (sid's frozen Release file is past Valid-Until).
customize_rootfs() { # DIR CODENAME
  local d=$1 codename=$2
  rm -f "$d/etc/apt/sources.list"
  mkdir -p "$d/etc/apt/sources.list.d" "$d/etc/apt/apt.conf.d" "$d/etc/dpkg/dpkg.cfg.d"
  {
    echo "# derived by pgbake scripts/e2e/setup-env.sh from the build host's apt sources"
    sources_for "$codename"
  } >"$d/etc/apt/sources.list.d/debian.sources"
  cat >"$d/etc/apt/apt.conf.d/99pgbake" <<'EOF2'
// pgbake e2e base image: the mirror's Release files may be past Valid-Until
Acquire::Check-Valid-Until "false";
EOF2
  cat >"$d/usr/sbin/policy-rc.d" <<'EOF2'
#!/bin/sh
# Do not start services during "docker build" (as in Debian's docker images).
exit 101
EOF2
  chmod 0755 "$d/usr/sbin/policy-rc.d"
  echo 'force-unsafe-io' >"$d/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
  cat >"$d/etc/apt/apt.conf.d/docker-clean" <<'EOF2'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF2
  echo 'Acquire::Languages "none";' >"$d/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true";' >"$d/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$d/etc/apt/apt.conf.d/docker-autoremove-suggests"
  # clean debootstrap leftovers / host specifics
  rm -rf "$d"/var/lib/apt/lists/* "$d"/var/cache/apt/archives/*.deb "$d"/var/cache/apt/*.bin \
    "$d"/var/log/bootstrap.log "$d"/debootstrap
  : >"$d/etc/resolv.conf"
  echo localhost >"$d/etc/hostname"
}

debootstrap_tar() { # CODENAME ARCH -> path of cached tarball
  local codename=$1 arch=$2
  local tarball=$CACHE_DIR/debian-$codename-$arch.tar
  if [[ -s $tarball && ${PGBAKE_E2E_REBUILD:-0} != 1 ]]; then
    log "rootfs $codename/$arch: cached ($tarball)"
    echo "$tarball"; return
  fi
  local dir=$ROOTFS_DIR/$codename-$arch mirror t0
  mirror=$(main_mirror)
  mkdir -p "$CACHE_DIR" "$ROOTFS_DIR"
  rm -rf "$dir"
  t0=$(date +%s)
  log "debootstrap --variant=minbase --arch $arch $codename (log: $CACHE_DIR/debootstrap-$codename-$arch.log)"
  # A foreign arch (arm64) runs in one go: the qemu-aarch64 binfmt entry
  # has the F flag, so the chroot's binaries execute through qemu.
  if ! debootstrap --variant=minbase --arch "$arch" "$codename" "$dir" "$mirror" \
      >"$CACHE_DIR/debootstrap-$codename-$arch.log" 2>&1; then
    tail -n 30 "$CACHE_DIR/debootstrap-$codename-$arch.log" >&2
    [[ -f $dir/debootstrap/debootstrap.log ]] && tail -n 30 "$dir/debootstrap/debootstrap.log" >&2
    die "debootstrap $codename/$arch failed"
  fi
  customize_rootfs "$dir" "$codename"
  tar -C "$dir" --numeric-owner --xattrs -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
  rm -rf "$dir"
  log "rootfs $codename/$arch: built in $(($(date +%s) - t0))s, $(du -h "$tarball" | cut -f1)"
  echo "$tarball"
}

push_base() { # CODENAME ARCH
  local codename=$1 arch=$2 tarball ref=$REGISTRY/debian:$1-$2
  if registry_has_tag debian "$codename-$arch" && [[ ${PGBAKE_E2E_REBUILD:-0} != 1 ]]; then
    log "$ref: already in registry"; return
  fi
  tarball=$(debootstrap_tar "$codename" "$arch")
  log "docker import --platform linux/$arch $ref"
  "$DOCKER" import --platform "linux/$arch" --change 'CMD ["bash"]' \
    --message "pgbake e2e debootstrap minbase $codename $arch" - "$ref" <"$tarball" >/dev/null
  log "docker push $ref"
  "$DOCKER" push -q "$ref" >/dev/null
}

index_arches() { # REF -> "amd64 arm64" (platforms of an index, attestations excluded)
  "$DOCKER" buildx imagetools inspect "$1" --format '{{json .Manifest}}' 2>/dev/null |
    jq -r '[.manifests[]?.platform | select(.os == "linux") | .architecture] | join(" ")'
}

build_bases() {
  local codename arch arches refs have missing
  for codename in "${BASE_ORDER[@]}"; do
    arches=${BASE_ARCHES[$codename]}
    if [[ ${PGBAKE_E2E_REBUILD:-0} != 1 ]] && registry_has_tag debian "$codename"; then
      have=$(index_arches "$REGISTRY/debian:$codename")
      missing=0
      for arch in $arches; do [[ " $have " == *" $arch "* ]] || missing=1; done
      if [[ $missing == 0 ]]; then
        log "$REGISTRY/debian:$codename: already in registry ($have)"
        continue
      fi
      log "$REGISTRY/debian:$codename: has '$have', want '$arches': completing"
      # keep arches already published (e.g. arm64 from an earlier full run)
      for arch in $have; do [[ " $arches " == *" $arch "* ]] || arches+=" $arch"; done
    fi
    refs=()
    for arch in $arches; do
      push_base "$codename" "$arch"
      refs+=("$REGISTRY/debian:$codename-$arch")
    done
    # Always publish an index (even for one arch) so every base has the
    # same shape: an OCI/Docker manifest list naming its platforms.
    log "imagetools create -t $REGISTRY/debian:$codename ${refs[*]}"
    "$DOCKER" buildx imagetools create -t "$REGISTRY/debian:$codename" "${refs[@]}" >&2
  done
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

# ---------------------------------------------------------------------------
# 5. digests -> $STATE_DIR/bases.json  ({"bookworm": "sha256:...", ...})
# ---------------------------------------------------------------------------
write_bases_json() {
  local codename digest platforms json='{}' m
  for codename in "${BASE_ORDER[@]}"; do
    m=$("$DOCKER" buildx imagetools inspect "$REGISTRY/debian:$codename" --format '{{json .Manifest}}')
    digest=$(jq -r .digest <<<"$m")
    platforms=$(jq -r '[.manifests[]?.platform | "\(.os)/\(.architecture)"] | join(",")' <<<"$m")
    [[ $digest == sha256:* ]] || die "no digest for $REGISTRY/debian:$codename"
    log "$REGISTRY/debian:$codename@$digest ($platforms)"
    json=$(jq --arg k "$codename" --arg v "$digest" '. + {($k): $v}' <<<"$json")
  done
  printf '%s\n' "$json" >"$STATE_DIR/bases.json.tmp"
  mv "$STATE_DIR/bases.json.tmp" "$STATE_DIR/bases.json"
  log "wrote $STATE_DIR/bases.json"
}

# ---------------------------------------------------------------------------
# 6. smoke checks (never a `# syntax=` line: that would pull an image)
# ---------------------------------------------------------------------------
smoke() {
  local d=$STATE_DIR/smoke t0
  mkdir -p "$d"
  # 6a. multi-platform build + push of an OCI index (with provenance) via the docker driver
  printf '%s\n' "FROM $REGISTRY/debian:trixie" \
    'RUN uname -m >/arch' >"$d/Dockerfile.multi"
  t0=$(date +%s)
  "$DOCKER" buildx build -q --platform linux/amd64,linux/arm64 -f "$d/Dockerfile.multi" \
    -t "$REGISTRY/pgbake-e2e/smoke:multi" --push "$d" >/dev/null
  log "smoke: multi-platform build+push ok ($(($(date +%s) - t0))s): $("$DOCKER" buildx imagetools inspect "$REGISTRY/pgbake-e2e/smoke:multi" --format '{{json .Manifest}}' |
    jq -r '[.manifests[].platform | "\(.os)/\(.architecture)"] | join(",")')"

  # 6b. buildx bake --check on a trivial bake file (offline lint)
  cat >"$d/docker-bake.hcl" <<EOF2
group "default" {
  targets = ["multi"]
}
target "multi" {
  context    = "."
  dockerfile = "Dockerfile.multi"
  platforms  = ["linux/amd64", "linux/arm64"]
  tags       = ["$REGISTRY/pgbake-e2e/smoke:bake"]
}
EOF2
  (cd "$d" && "$DOCKER" buildx bake --progress=quiet --check >"$d/bake-check.log" 2>&1) ||
    { cat "$d/bake-check.log" >&2; die "buildx bake --check failed"; }
  log "smoke: bake --check ok ($(tail -n1 "$d/bake-check.log"))"

  # 6c. postgresql-17 from trixie
  if [[ ${PGBAKE_E2E_SKIP_SMOKE:-0} == 1 ]]; then
    log "smoke: postgresql-17 build skipped (PGBAKE_E2E_SKIP_SMOKE=1)"
    return
  fi
  printf '%s\n' "FROM $REGISTRY/debian:trixie" \
    'RUN apt-get update && apt-get install -y --no-install-recommends postgresql-17' >"$d/Dockerfile.pg17"
  t0=$(date +%s)
  "$DOCKER" buildx build --progress=plain --platform linux/amd64 -f "$d/Dockerfile.pg17" \
    -t pgbake-e2e/smoke:pg17 --load "$d" >"$d/build-pg17.log" 2>&1 ||
    { tail -n 40 "$d/build-pg17.log" >&2; die "postgresql-17 smoke build failed"; }
  log "smoke: postgresql-17 build ok ($(($(date +%s) - t0))s): $("$DOCKER" run --rm pgbake-e2e/smoke:pg17 /usr/lib/postgresql/17/bin/postgres --version)"
}

# ---------------------------------------------------------------------------
install_packages
setup_binfmt
start_dockerd
start_registry
setup_builder
build_bases
smoke
write_bases_json
log "done in $(($(date +%s) - T0))s"
