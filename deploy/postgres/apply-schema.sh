#!/usr/bin/env bash
# Applies deploy/postgres/schema.sql with psql, in one transaction. Safe to run repeatedly:
# tables and indexes are created only when missing and the stored query texts are refreshed.
#
# The database: the first argument (an Npgsql connection string), else as deploy/postgres/connection.sh
# says (C360_POSTGRES, the development server's connection-string file, or the libpq variables):
#   deploy/postgres/apply-schema.sh "Host=127.0.0.1;Port=15432;Database=customer360;Username=customer360;Password=..."
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
schema_file="${C360_PG_SCHEMA:-$script_dir/schema.sql}"

say() { printf 'apply-schema: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# shellcheck source=connection.sh
. "$script_dir/connection.sh"
c360_connect "${1:-}"

[ -r "$schema_file" ] || die "cannot read $schema_file"
command -v psql >/dev/null 2>&1 || die "psql not found (it comes with the postgresql-client package)"

say "applying $(basename "$schema_file") to $(c360_target)"
PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}" PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
  psql -X -q -v ON_ERROR_STOP=1 --single-transaction -f "$schema_file" >/dev/null
say "done"
