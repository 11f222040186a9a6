#!/bin/sh
# pgbake-apt-pin.sh PACKAGE=PATTERN...: before `apt-get install`, checks that the apt lists hold a
# version of each pinned package that matches its pattern, so a pin the repository has moved past
# fails with the pin and the way out (`pgbake update`) instead of a bare "Version not found".
# Arguments without `=` (unpinned packages) are skipped.
set -euf
missing=0
for pin in "$@"; do
  case "$pin" in *=*) ;; *) continue ;; esac
  pkg=${pin%%=*}
  pattern=${pin#*=}
  have=$(apt-cache madison "$pkg" 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' | sort -u | tr '\n' ' ')
  found=
  for v in $have; do
    # shellcheck disable=SC2254 # the pattern is a glob on purpose
    case "$v" in $pattern) found=1 ;; esac
  done
  if [ -z "$found" ]; then
    echo "pgbake: the pinned version $pkg=$pattern is not in this image's apt repositories (they have: ${have:-no $pkg at all})" >&2
    missing=1
  fi
done
if [ "$missing" -ne 0 ]; then
  echo "pgbake: the repository has moved past the pin: run 'pgbake update' to move it (or keep it installable with the base's apt.pgdg_archive or a snapshot source, see the README)" >&2
  exit 100
fi
