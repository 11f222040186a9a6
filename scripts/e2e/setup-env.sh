#!/usr/bin/env bash
# Set up a local, offline end-to-end environment for pgbake (CI and contributors on Debian only;
# pgbake itself needs none of this: see scripts/e2e/preflight.sh for what it refuses):
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
#   PGBAKE_E2E_MIN_FREE_GB    free disk the e2e run needs; less is reclaimed first (space.sh)
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
# shellcheck source=scripts/e2e/preflight.sh
source "$HERE/preflight.sh"
preflight
mkdir -p "$STATE_DIR"
T0=$(date +%s)
# One setup at a time (e.g. a developer and CI on the same machine).
# The daemons started below get `9>&-` so they do not inherit (and hold) it.
exec 9>"$STATE_DIR/setup.lock"
if ! flock -n 9; then
  log "another setup-env.sh is running; waiting for it"
  flock 9
fi

# shellcheck source=scripts/e2e/packages.sh
source "$HERE/packages.sh"
# shellcheck source=scripts/e2e/daemons.sh
source "$HERE/daemons.sh"
# shellcheck source=scripts/e2e/space.sh
source "$HERE/space.sh"
# shellcheck source=scripts/e2e/bases.sh
source "$HERE/bases.sh"
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
ensure_space
build_bases
smoke
write_bases_json
log "done in $(($(date +%s) - T0))s"
