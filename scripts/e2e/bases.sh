# shellcheck shell=bash
# Steps 4-5 of setup-env.sh: debootstrapped base images pushed to the local registry, and their digests.
# Sourced by setup-env.sh (after lib.sh, as root, with STATE_DIR created); defines settings and functions, runs nothing.

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

