#!/bin/sh
# Lays out an extension's files in CloudNativePG's image-volume layout under $OUT:
#   lib/ (PostgreSQL's pkglibdir), share/ (its sharedir, so share/extension/ holds control files),
#   licenses/<package>/, system/ (shared libraries the extension needs beyond the base image).
# Usage: pgbake-collect.sh package PKG...   files that Debian packages installed
#        pgbake-collect.sh staging DIR      files that `make install DESTDIR=DIR` wrote
#        pgbake-collect.sh system PKG...    shared libraries of runtime packages
set -eu
: "${PG_MAJOR:?}" "${OUT:?}"
libdir="/usr/lib/postgresql/$PG_MAJOR/lib"
sharedir="/usr/share/postgresql/$PG_MAJOR"

place() { # place SOURCE-PATH INSTALLED-PATH LICENSE-NAME
  case "$2" in
    "$libdir"/*) dest="$OUT/lib/${2#"$libdir"/}" ;;
    "$sharedir"/*) dest="$OUT/share/${2#"$sharedir"/}" ;;
    /usr/share/doc/*/copyright) dest="$OUT/licenses/$3/copyright" ;;
    *) return 0 ;;
  esac
  mkdir -p "$(dirname "$dest")"
  cp -a "$1" "$dest"
}

mode=$1
shift
mkdir -p "$OUT/lib" "$OUT/share/extension" "$OUT/licenses" "$OUT/system"
case "$mode" in
  package)
    for pkg in "$@"; do
      dpkg -L "$pkg" | while IFS= read -r f; do
        if [ -f "$f" ] || [ -L "$f" ]; then place "$f" "$f" "$pkg"; fi
      done
    done
    # Names that maintainer scripts make through update-alternatives (postgis.control ->
    # /etc/alternatives/... -> postgis-3.control) belong to no package: keep each whose final
    # target is a file placed above, as a copy of it (an image volume cannot follow /etc).
    for link in $(find "$libdir" "$sharedir/extension" -maxdepth 1 -type l 2>/dev/null); do
      target=$(readlink -f "$link")
      case "$target" in
        "$libdir"/*) placed="$OUT/lib/${target#"$libdir"/}" ;;
        "$sharedir"/*) placed="$OUT/share/${target#"$sharedir"/}" ;;
        *) continue ;;
      esac
      [ -f "$placed" ] || continue
      case "$link" in
        "$libdir"/*) dest="$OUT/lib/${link#"$libdir"/}" ;;
        *) dest="$OUT/share/${link#"$sharedir"/}" ;;
      esac
      if [ ! -e "$dest" ] && [ ! -L "$dest" ]; then cp "$placed" "$dest"; fi
    done ;;
  staging)
    root=$1
    find "$root" \( -type f -o -type l \) | while IFS= read -r f; do place "$f" "${f#"$root"}" staging; done ;;
  system)
    for pkg in "$@"; do
      dpkg -L "$pkg" | while IFS= read -r f; do
        case "$f" in
          /usr/lib/*/*.so|/usr/lib/*/*.so.*) cp -a "$f" "$OUT/system/" ;;
          /usr/share/doc/"$pkg"/copyright) mkdir -p "$OUT/licenses/$pkg"; cp -aL "$f" "$OUT/licenses/$pkg/" ;;
        esac
      done
    done ;;
  *) echo "pgbake-collect: unknown mode $mode" >&2; exit 2 ;;
esac
