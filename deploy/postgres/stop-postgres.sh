#!/usr/bin/env bash
# Stops the private PostgreSQL server started by start-postgres.sh.
#
#   deploy/postgres/stop-postgres.sh           stop it, keep its data
#   deploy/postgres/stop-postgres.sh --purge   stop it and delete C360_PG_DATA entirely
#
# Uses the same C360_PG_DATA as start-postgres.sh (default /tmp/c360-pg). Stopping a server
# that is not running is not an error.
set -euo pipefail

base_dir="${C360_PG_DATA:-/tmp/c360-pg}"
data_dir="$base_dir/data"
purge=false

say() { printf 'stop-postgres: %s\n' "$*" >&2; }

for arg in "$@"; do
  case "$arg" in
    --purge) purge=true ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) say "unknown argument: $arg"; exit 2 ;;
  esac
done

bin_dir="$(for d in /usr/lib/postgresql/*/bin; do if [ -x "$d/pg_ctl" ]; then printf '%s\n' "$d"; fi; done | sort -V | tail -n 1)"
if [ -z "$bin_dir" ] || [ ! -x "$bin_dir/pg_ctl" ]; then
  bin_dir="$(dirname "$(command -v pg_ctl 2>/dev/null || echo /nonexistent/pg_ctl)")"
fi

if [ -x "$bin_dir/pg_ctl" ] && [ -s "$data_dir/PG_VERSION" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_server() { runuser -u postgres -- "$@"; }
  else
    as_server() { "$@"; }
  fi
  if as_server "$bin_dir/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
    say "stopping the server in $data_dir"
    as_server "$bin_dir/pg_ctl" -D "$data_dir" -m fast -w -t 60 stop >&2
  else
    say "no server is running for $data_dir"
  fi
else
  say "no cluster at $data_dir"
fi

if [ "$purge" = true ]; then
  case "$base_dir" in
    ''|/) say "refusing to delete '$base_dir'"; exit 1 ;;
  esac
  say "deleting $base_dir"
  rm -rf -- "$base_dir"
fi
