#!/usr/bin/env bash
# Removes everything one Customer360 service stored in PostgreSQL: its customers and their log
# entries, snapshots, segments, checkpoints and grain state; with --cluster, also that cluster's
# membership rows. Other services sharing the database are untouched. All in one transaction,
# so either everything of the service goes or nothing does.
#
# For retiring a service id, or clearing what a load test wrote under a service id of its own
# (run-ingest-bench.sh does so after each run). Stop every server of the service first: the
# script refuses while the service's segments changed, or the cluster had a live silo, in the
# last two minutes, unless --force is given.
#
# With --vacuum, the tables the rows were removed from are vacuumed and analyzed afterwards, so
# their space is reused at once and PostgreSQL's autovacuum has nothing of the removal left to do
# at some later moment, under other work (run-ingest-bench.sh passes it, so that no run pays
# for the clean-up of the one before). It takes a pass over those tables and their indexes.
#
# Usage: deploy/postgres/remove-service.sh SERVICE_ID [--cluster CLUSTER_ID] [--force] [--vacuum] [CONNECTION_STRING]
# The database: CONNECTION_STRING (Npgsql), else as deploy/postgres/connection.sh says.
# Exit status: 0 when removed (the rows removed from each table are printed); 3 when refused or a
# statement failed, with nothing changed; 4 when removed but the vacuum failed; 2 when the
# database cannot be reached.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

say() { printf 'remove-service: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

service=""
cluster=""
force="no"
vacuum="no"
connection=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --cluster) [ "$#" -ge 2 ] || die "--cluster needs a cluster id"; cluster="$2"; shift 2 ;;
    --force) force="yes"; shift ;;
    --vacuum) vacuum="yes"; shift ;;
    -*) die "unknown option $1" ;;
    *)
      if [ -z "$service" ]; then service="$1"
      elif [ -z "$connection" ]; then connection="$1"
      else die "unexpected argument $1"
      fi
      shift ;;
  esac
done
[ -n "$service" ] || die "usage: remove-service.sh SERVICE_ID [--cluster CLUSTER_ID] [--force] [--vacuum] [CONNECTION_STRING]"

# shellcheck source=connection.sh
. "$script_dir/connection.sh"
c360_connect "$connection"
command -v psql >/dev/null 2>&1 || die "psql not found (it comes with the postgresql-client package)"

say "removing service '$service'${cluster:+ and cluster '$cluster'} from $(c360_target)"
PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}" PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
  psql -X -q -At -F ': ' -v ON_ERROR_STOP=1 --single-transaction \
    -v service="$service" -v cluster="$cluster" -v force="$force" \
    -f "$script_dir/remove-service.sql"

if [ "$vacuum" = yes ]; then
  say "vacuuming the tables the service's rows were removed from"
  # VACUUM cannot run inside a transaction, so it is a psql call of its own.
  PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-10}" PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" \
    psql -X -q -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE) customer360_log, customer360_customer, customer360_snapshot,
      customer360_checkpoint, customer360_segment_bucket, customer360_segment_member, customer360_segment,
      Customer360GrainState, Customer360Membership, Customer360MembershipVersion" \
    || { say "the service is removed, but the vacuum failed"; exit 4; }
fi
