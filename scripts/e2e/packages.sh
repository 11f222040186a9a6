# shellcheck shell=bash
# Step 1 of setup-env.sh: Debian packages (sid named packages pinned low) and qemu binfmt for arm64.
# Sourced by setup-env.sh (after lib.sh, as root, with STATE_DIR created); defines settings and functions, runs nothing.

# ---------------------------------------------------------------------------
# 1. packages
# ---------------------------------------------------------------------------
SID_SOURCES=/etc/apt/sources.list.d/pgbake-sid.sources
SID_PIN=/etc/apt/preferences.d/pgbake-sid
# apt-utils (apt-ftparchive), gpg and git: the update tests build, sign and serve a local apt repository and bare git remotes.
HOST_PKGS=(containerd runc docker-registry debootstrap qemu-user-static binfmt-support curl jq xz-utils ca-certificates apt-utils gpg gpgv git)
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
