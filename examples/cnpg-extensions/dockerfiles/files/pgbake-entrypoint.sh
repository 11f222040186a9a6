#!/bin/sh
# A small entrypoint for plain Docker use (CloudNativePG ignores it): initialise $PGDATA on
# first start, then run the server in the foreground as the image's non-root user.
set -eu
if [ "${1:-}" = "postgres" ]; then
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    mkdir -p "$PGDATA"
    chmod 700 "$PGDATA"
    if [ -n "${POSTGRES_PASSWORD:-}" ]; then
      pwfile=$(mktemp)
      printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
      initdb --username=postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 >/dev/null
      rm -f "$pwfile"
      printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
    else
      initdb --username=postgres --auth-local=trust --auth-host=reject >/dev/null
    fi
    printf "listen_addresses = '*'\n" >> "$PGDATA/postgresql.conf"
  fi
  shift
  exec postgres -D "$PGDATA" "$@"
fi
exec "$@"
