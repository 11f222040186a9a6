# shellcheck shell=bash
# Shared helpers for scripts/e2e/*.sh (sourced, not executed).
#
# No registry or mirror host name is ever written here: apt sources are
# derived at run time from the machine's own deb822 entry
# (/etc/apt/sources.list.d/debian.sources, suite bookworm).

: "${PGBAKE_E2E_STATE:=/var/lib/pgbake-e2e}"
: "${PGBAKE_E2E_HOST_SOURCES:=/etc/apt/sources.list.d/debian.sources}"
# shellcheck disable=SC2034 # used by the scripts sourcing this file
STATE_DIR=$PGBAKE_E2E_STATE
# The registry always listens on 127.0.0.1:5000; images are named localhost:5000/...
# shellcheck disable=SC2034
REGISTRY=localhost:5000
HOST_SOURCES=$PGBAKE_E2E_HOST_SOURCES
# The Debian packages install the engine/client/buildx under /usr/bin; an
# older standalone client in /usr/local/bin would otherwise shadow it.
# shellcheck disable=SC2034
DOCKER=/usr/bin/docker

log() { printf '[pgbake-e2e %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# derive_sources CODENAME [only-main]
# Prints a deb822 sources file: the host's debian.sources with every suite
# "bookworm" / "bookworm-<x>" renamed to CODENAME / CODENAME-<x>. Comments
# are dropped. With a second argument "only-main", only the plain CODENAME
# suite is kept (no -updates/-security). Suites listed in $SKIP_SUITES
# (space separated, e.g. "sid-updates sid-security") are dropped; stanzas
# left without a suite are dropped entirely.
derive_sources() {
  local codename=$1 mode=${2:-all}
  [[ -r $HOST_SOURCES ]] || die "cannot read $HOST_SOURCES"
  awk -v cn="$codename" -v mode="$mode" -v skip=" ${SKIP_SUITES:-} " '
    function flush(   s, n, i, out, parts) {
      if (nlines == 0) return
      out = ""
      n = split(suites, parts, /[ \t]+/)
      for (i = 1; i <= n; i++) {
        s = parts[i]
        if (s == "") continue
        if (s !~ /^bookworm(-|$)/) continue
        sub(/^bookworm/, cn, s)
        if (mode == "only-main" && s != cn) continue
        if (index(skip, " " s " ") > 0) continue
        out = out (out == "" ? "" : " ") s
      }
      if (out != "") {
        if (printed++) print ""
        for (i = 1; i <= nlines; i++) {
          if (lines[i] ~ /^Suites:/) print "Suites: " out
          else print lines[i]
        }
      }
      nlines = 0; suites = ""
    }
    /^[ \t]*#/ { next }
    /^[ \t]*$/ { flush(); next }
    {
      lines[++nlines] = $0
      if ($0 ~ /^Suites:/) { suites = $0; sub(/^Suites:[ \t]*/, "", suites) }
    }
    END { flush() }
  ' "$HOST_SOURCES"
}

# derive_suite_uris CODENAME: prints "URI SUITE" for every suite of the host entry
# (first URI of each stanza), used to probe which derived suites exist.
derive_suite_uris() {
  local codename=$1
  derive_sources "$codename" | awk '
    /^URIs:/ { split($0, a, /[ \t]+/); uri = a[2] }
    /^Suites:/ { for (i = 2; i <= NF; i++) print uri, $i }
  '
}

# main_mirror: first URI of the stanza carrying the plain "bookworm" suite.
main_mirror() {
  derive_sources bookworm only-main | awk '/^URIs:/ { print $2; exit }'
}

# existing_suites CODENAME: the derived suites whose Release file exists
# on the mirror (e.g. trixie, trixie-updates, trixie-security; sid only).
existing_suites() {
  local codename=$1 uri suite out=()
  while read -r uri suite; do
    if [[ $suite == "$codename" ]] ||
       curl -fsS -o /dev/null --max-time 20 -I "${uri%/}/dists/$suite/InRelease" 2>/dev/null ||
       curl -fsS -o /dev/null --max-time 20 -I "${uri%/}/dists/$suite/Release" 2>/dev/null; then
      out+=("$suite")
    fi
  done < <(derive_suite_uris "$codename")
  echo "${out[*]}"
}

# sources_for CODENAME: derived sources restricted to suites that exist.
sources_for() {
  local codename=$1 all keep s
  all=$(derive_suite_uris "$codename" | awk '{ print $2 }' | tr '\n' ' ')
  keep=" $(existing_suites "$codename") "
  local skip=""
  for s in $all; do
    [[ $keep == *" $s "* ]] || skip+="$s "
  done
  SKIP_SUITES="$skip" derive_sources "$codename"
}

registry_has_tag() { # REPO TAG
  curl -fsS -o /dev/null -I \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://127.0.0.1:5000/v2/$1/manifests/$2" 2>/dev/null
}
