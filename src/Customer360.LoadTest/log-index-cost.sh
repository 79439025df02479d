#!/usr/bin/env bash
# What each of the customer log's indexes costs PostgreSQL per entry, measured on PostgreSQL
# alone (no engine, no load tool): pgbench inserts entries shaped like the log's, 100 a statement
# (the size of a group commit's batch), from two clients (the engine's two commits in flight),
# into copies of the log that differ only in their indexes. Each copy starts with 1,000,000
# entries over 100,000 customers, and each statement's entries go to customers spread over all
# of them, as a busy engine's batches do.
#
# For each variant it prints entries/s, the CPU that PostgreSQL's processes used per entry
# (from /proc, so run it on the database's machine), and the write-ahead log written per entry,
# full-page images included. A checkpoint is taken before each variant when the role may.
#
# Usage: src/Customer360.LoadTest/log-index-cost.sh [seconds per variant, default 15]
#   C360_INDEX_COST_CUSTOMERS  the customers the inserts go to, the first n of the 100,000
#                              (default all of them)
# Connects as deploy/postgres/connection.sh does (C360_POSTGRES, or the development server's
# connection-string file). Works in a schema of its own, c360_index_cost, dropped at the end.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../../deploy/postgres/connection.sh
. "$script_dir/../../deploy/postgres/connection.sh"
c360_connect
seconds="${1:-15}"
# How many of the 100,000 customers the inserts go to: fewer keep the indexes' pages they touch
# in the caches, as a benchmark run's new customers do.
customers="${C360_INDEX_COST_CUSTOMERS:-100000}"
pgbench="$(command -v pgbench || ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1 || true)"
[ -x "$pgbench" ] || { echo "log-index-cost: pgbench not found (it comes with Debian's postgresql package)" >&2; exit 1; }
work="$(mktemp -d /tmp/c360-index-cost.XXXXXX)"
trap 'psql -X -q -c "DROP SCHEMA IF EXISTS c360_index_cost CASCADE" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

sql() { psql -X -q -t -A -v ON_ERROR_STOP=1 -c "$1"; }

# CPU ticks of every PostgreSQL process, including the children that have ended.
postgres_ticks() {
  local total=0 pid ticks
  for pid in $(pgrep -x postgres); do
    ticks=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pid/stat" 2>/dev/null || echo 0)
    total=$((total + ticks))
  done
  echo "$total"
}

# name | indexes, after the table's columns are in place
variants=(
  "heap only|"
  "primary key (customer, sequence)|ALTER TABLE t ADD PRIMARY KEY (customer_key, sequence)"
  "unique (customer, event id)|CREATE UNIQUE INDEX ON t (customer_key, event_id)"
  "unique (customer, 64-bit hash of the event id)|CREATE UNIQUE INDEX ON t (customer_key, event_hash)"
  "primary key + event id|ALTER TABLE t ADD PRIMARY KEY (customer_key, sequence); CREATE UNIQUE INDEX ON t (customer_key, event_id)"
  "primary key + event id + time|ALTER TABLE t ADD PRIMARY KEY (customer_key, sequence); CREATE UNIQUE INDEX ON t (customer_key, event_id); CREATE INDEX ON t (customer_key, occurred_ticks) WHERE kind = 1"
  "the log as built: + position|ALTER TABLE t ADD PRIMARY KEY (customer_key, sequence); CREATE UNIQUE INDEX ON t (customer_key, event_id); CREATE INDEX ON t (customer_key, occurred_ticks) WHERE kind = 1; CREATE INDEX ON t (position)"
)

cat > "$work/insert.sql" <<'SQL'
\set k random(1, CUSTOMERS)
INSERT INTO c360_index_cost.t (position, customer_key, sequence, kind, event_id, event_hash, occurred_ticks, recorded_ticks, fingerprint, payload, touchpoint_kind, amount)
SELECT nextval('c360_index_cost.positions'), (:k + g * 997) % CUSTOMERS + 1, nextval('c360_index_cost.sequences'), 1,
       md5(random()::text), ('x' || substr(md5(random()::text), 1, 16))::bit(64)::bigint,
       638000000000000000 + g, 638000000000000000, g, repeat('x', 300), 1, 12.34
FROM generate_series(1, 100) AS g;
SQL
sed -i "s/CUSTOMERS/$customers/g" "$work/insert.sql"

printf '| %-46s | %9s | %21s | %13s |\n' "indexes" "entries/s" "PostgreSQL CPU, µs/entry" "WAL, B/entry"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..48})" "-----------" "-----------------------" "---------------"
for variant in "${variants[@]}"; do
  name="${variant%%|*}"
  indexes="${variant#*|}"
  psql -X -q -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<SQL
DROP SCHEMA IF EXISTS c360_index_cost CASCADE;
CREATE SCHEMA c360_index_cost;
SET search_path = c360_index_cost;
CREATE SEQUENCE positions;
CREATE SEQUENCE sequences;
CREATE TABLE t (
    customer_key bigint NOT NULL, sequence bigint NOT NULL, position bigint NOT NULL, kind smallint NOT NULL,
    event_id text COLLATE "C", event_hash bigint, occurred_ticks bigint, recorded_ticks bigint NOT NULL,
    fingerprint bigint NOT NULL, payload text NOT NULL, touchpoint_kind smallint, amount numeric);
INSERT INTO t SELECT g % 100000 + 1, nextval('sequences'), nextval('positions'), 1, md5(g::text),
    ('x' || substr(md5(g::text), 1, 16))::bit(64)::bigint, 638000000000000000 + g, 638000000000000000, g,
    repeat('x', 300), 1, 12.34
FROM generate_series(1, 1000000) AS g;
$indexes;
VACUUM ANALYZE t;
SQL
  # Every variant starts just after a checkpoint, so that each pays for the same full-page
  # images. Taking one needs a superuser or the pg_checkpoint role.
  if ! sql "CHECKPOINT" >/dev/null 2>&1 && [ -z "${warned:-}" ]; then
    echo "log-index-cost: this role may not take a checkpoint, so the variants are not started alike" >&2
    warned=1
  fi
  wal_before=$(sql "SELECT wal_bytes FROM pg_stat_wal")
  ticks_before=$(postgres_ticks)
  report=$("$pgbench" -n -M prepared -c 2 -j 1 -T "$seconds" -f "$work/insert.sql" 2>&1) || { echo "$report" >&2; exit 1; }
  ticks_after=$(postgres_ticks)
  wal_after=$(sql "SELECT wal_bytes FROM pg_stat_wal")
  statements=$(grep -oE 'number of transactions actually processed: [0-9]+' <<<"$report" | grep -oE '[0-9]+$')
  entries=$((statements * 100))
  hertz=$(getconf CLK_TCK)
  awk -v n="$name" -v e="$entries" -v s="$seconds" -v t=$((ticks_after - ticks_before)) -v hz="$hertz" -v w=$((wal_after - wal_before)) \
    'BEGIN { printf "| %-46s | %9d | %23.1f | %13d |\n", n, e / s, t * 1e6 / hz / e, w / e }'
done
