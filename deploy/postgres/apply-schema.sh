#!/usr/bin/env bash
# Applies deploy/postgres/schema.sql with psql, in one transaction. Safe to run repeatedly:
# tables and indexes are created only when missing and the stored query texts are refreshed.
#
# The target database is taken from the first of these that is set:
#   1. the first argument, an Npgsql connection string
#        deploy/postgres/apply-schema.sh "Host=127.0.0.1;Port=55432;Database=customer360;Username=customer360;Password=..."
#   2. C360_POSTGRES, an Npgsql connection string
#   3. the connection-string file written by start-postgres.sh under C360_PG_DATA
#      (default /tmp/c360-pg)
#   4. the usual libpq variables: PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD
# Npgsql strings are read for Host/Server, Port, Database, Username/User Id and Password;
# values must not contain ';'.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
schema_file="${C360_PG_SCHEMA:-$script_dir/schema.sql}"

say() { printf 'apply-schema: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

connection="${1:-${C360_POSTGRES:-}}"
if [ -z "$connection" ]; then
  connection_file="${C360_PG_DATA:-/tmp/c360-pg}/connection-string"
  if [ -z "${PGHOST:-}${PGDATABASE:-}" ] && [ -r "$connection_file" ]; then
    connection="$(cat "$connection_file")"
  fi
fi

# Turn an Npgsql connection string into libpq environment variables.
if [ -n "$connection" ]; then
  IFS=';' read -r -a parts <<< "$connection"
  for part in "${parts[@]}"; do
    [ -n "${part// /}" ] || continue
    key="${part%%=*}"
    value="${part#*=}"
    key="$(printf '%s' "$key" | tr '[:upper:]' '[:lower:]' | tr -d ' ')"
    case "$key" in
      host|server) export PGHOST="$value" ;;
      port) export PGPORT="$value" ;;
      database|db) export PGDATABASE="$value" ;;
      username|userid|user|uid) export PGUSER="$value" ;;
      password|pwd) export PGPASSWORD="$value" ;;
      *) ;; # pooling, timeouts and the like do not matter to psql
    esac
  done
fi

[ -r "$schema_file" ] || die "cannot read $schema_file"
command -v psql >/dev/null 2>&1 || die "psql not found (it comes with the postgresql-client package)"

say "applying $(basename "$schema_file") to ${PGDATABASE:-?} on ${PGHOST:-local socket}:${PGPORT:-5432} as ${PGUSER:-$(id -un)}"
PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}" PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
  psql -X -q -v ON_ERROR_STOP=1 --single-transaction -f "$schema_file" >/dev/null
say "done"
