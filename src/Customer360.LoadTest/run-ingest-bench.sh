#!/usr/bin/env bash
# Runs the ingestion benchmark end to end on this machine, twice:
#
#   1. PostgreSQL: starts the development PostgreSQL server (deploy/postgres/start-postgres.sh),
#      applies the schema, starts the Customer360 server (Release) on it, and runs
#      `c360-load ingest` with both PostgreSQL baselines on the same database.
#   2. SQLite: starts the server on the embedded store in a fresh temporary data folder and runs
#      `c360-load ingest --skip-baselines`.
#
# Each server gets a service and cluster id of its own, so data from earlier runs never takes
# part. Each report is printed as it finishes and both again at the end; the JSON results, the
# reports (text and Markdown) and the server logs are kept in the output folder.
#
# Usage: src/Customer360.LoadTest/run-ingest-bench.sh [c360-load ingest options...]
#   e.g. src/Customer360.LoadTest/run-ingest-bench.sh --touchpoints 20000 --rate 5000
# The options are passed to both runs.
#
# Settings (environment):
#   C360_BENCH_RUNS       runs of each store, alternating, summarised by median (default 1)
#   C360_BENCH_STORES     which stores to run: "postgres sqlite" (default), "postgres" or "sqlite"
#   C360_BENCH_OUT        output folder            (default: a new folder under /tmp)
#   C360_BENCH_PORT       the server's gRPC port   (default 5360)
#   C360_BENCH_SILO_PORT  the silo's port          (default 11111)
#   C360_BENCH_GATEWAY_PORT  the silo's gateway port (default 30000)
#   C360_BENCH_KEEP_DATA  1 to keep what each PostgreSQL run's server stored (by default it is
#                         removed after the run with deploy/postgres/remove-service.sh)
#   and those of deploy/postgres/start-postgres.sh (C360_PG_DATA, C360_PG_PORT, ...).
#
# Exit status: 0 when both runs were clean; otherwise that of the first run that failed.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
port="${C360_BENCH_PORT:-5360}"
silo_port="${C360_BENCH_SILO_PORT:-11111}"
gateway_port="${C360_BENCH_GATEWAY_PORT:-30000}"
out_dir="${C360_BENCH_OUT:-$(mktemp -d /tmp/c360-bench.XXXXXX)}"
mkdir -p "$out_dir"
run_tag="bench-$(date -u +%Y%m%d-%H%M%S)-$$"
startup_timeout=180

server_dll="$repo_root/src/Customer360.Server/bin/Release/net10.0/Customer360.Server.dll"
load_dll="$repo_root/src/Customer360.LoadTest/bin/Release/net10.0/c360-load.dll"

say() { printf 'run-ingest-bench: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

server_pid=""
sqlite_dir=""

# Stops the server with SIGTERM (a graceful shutdown), and with SIGKILL if it hangs.
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    say "stopping the server (pid $server_pid)"
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 300); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      say "the server did not stop within 30 s; killing it"
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
    wait "$server_pid" 2>/dev/null || true
    server_pid=""

    # A server still listening would be measured by the next run in place of the one it starts.
    for _ in $(seq 1 100); do
      port_open "$port" || return 0
      sleep 0.1
    done
    die "127.0.0.1:$port still accepts connections after the server stopped"
  fi
  server_pid=""
}

# Called from the EXIT trap.
# shellcheck disable=SC2317
cleanup() {
  stop_server
  if [ -n "$sqlite_dir" ]; then
    rm -rf "$sqlite_dir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts the Release server in the background with the given environment assignments, and
# waits until its gRPC port accepts connections.
start_server() {
  local name="$1"
  shift
  local log="$out_dir/server-$name.log"
  say "starting the server on $name (log: $log)"
  # Run from the project folder, as `dotnet run` does, so appsettings.json is the project's.
  (
    cd "$repo_root/src/Customer360.Server"
    exec env "$@" \
      Customer360__Grpc__Port="$port" \
      Customer360__Silo__SiloPort="$silo_port" \
      Customer360__Silo__GatewayPort="$gateway_port" \
      dotnet "$server_dll"
  ) >"$log" 2>&1 &
  server_pid=$!

  local waited=0
  until port_open "$port"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then
      tail -n 30 "$log" >&2 || true
      server_pid=""
      die "the server on $name exited during start-up"
    fi
    if [ "$waited" -ge $((startup_timeout * 10)) ]; then
      tail -n 30 "$log" >&2 || true
      die "the server on $name did not listen on 127.0.0.1:$port within $startup_timeout s"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  say "the server is listening on 127.0.0.1:$port"
}

# The JSON results of this invocation's runs, the only ones summarised: an output folder given
# with C360_BENCH_OUT may hold results of earlier invocations.
results=()

# Runs c360-load ingest, printing its report and keeping a copy; returns its exit status.
run_load() {
  local name="$1"
  shift
  local status=0
  rm -f "$out_dir/ingest-$name.json"
  say "running c360-load ingest against the server on $name"
  # --cpu: where the machine's cores went during the measured phase, by process (this script
  # runs the server, PostgreSQL and the tool on one machine, which is what it accounts for).
  dotnet "$load_dll" ingest --server "http://127.0.0.1:$port" --json "$out_dir/ingest-$name.json" --markdown "$out_dir/ingest-$name.md" --cpu "$@" \
    | tee "$out_dir/report-$name.txt" || status=$?
  if [ -f "$out_dir/ingest-$name.json" ]; then
    results+=("$out_dir/ingest-$name.json")
  fi
  if [ "$status" -ne 0 ]; then
    say "c360-load reported a problem on $name (exit status $status)"
  fi
  return "$status"
}

# Anything already listening would be measured instead of the server started here.
for p in "$port" "$silo_port" "$gateway_port"; do
  if port_open "$p"; then
    die "127.0.0.1:$p is already in use; stop what listens there or choose other ports (C360_BENCH_PORT, C360_BENCH_SILO_PORT, C360_BENCH_GATEWAY_PORT)"
  fi
done

say "building the server and c360-load (Release)"
dotnet build -c Release -nologo -v quiet "$repo_root/src/Customer360.Server/Customer360.Server.csproj" >&2
dotnet build -c Release -nologo -v quiet "$repo_root/src/Customer360.LoadTest/Customer360.LoadTest.csproj" >&2

say "starting PostgreSQL"
connection="$(bash "$repo_root/deploy/postgres/start-postgres.sh")"
bash "$repo_root/deploy/postgres/apply-schema.sh" "$connection"
pg_label="PostgreSQL $(psql --version | awk '{print $3}'), local on loopback"

overall=0
runs="${C360_BENCH_RUNS:-1}"
case "$runs" in ''|*[!0-9]*|0) die "C360_BENCH_RUNS must be a whole number of runs, at least 1" ;; esac
stores=" ${C360_BENCH_STORES:-postgres sqlite} "
for store in $stores; do
  case "$store" in postgres|sqlite) ;; *) die "C360_BENCH_STORES lists postgres and/or sqlite, got '$store'" ;; esac
done
wants() { [[ "$stores" == *" $1 "* ]]; }

for run in $(seq 1 "$runs"); do
  suffix=""
  [ "$runs" -eq 1 ] || { suffix="-$run"; say "run $run of $runs"; }

  # 1. PostgreSQL, with both baselines on the same database.
  if wants postgres; then
    start_server "postgres$suffix" \
      Customer360__Storage__Provider=postgres \
      Customer360__Storage__ConnectionString="$connection" \
      Customer360__Silo__ServiceId="$run_tag-pg$suffix" \
      Customer360__Silo__ClusterId="$run_tag-pg$suffix"
    pg_status=0
    run_load "postgres$suffix" --postgres "$connection" --store-label "$pg_label" "$@" || pg_status=$?
    stop_server
    [ "$overall" -ne 0 ] || overall="$pg_status"
    # The run's service id is its own, and its server has stopped (hence --force: its segments
    # changed moments ago). Without this, each run would leave its customers and log entries
    # behind, about 100 MB a run at the default sizes. --vacuum: PostgreSQL's autovacuum would
    # otherwise clear the removed rows out of the log and its indexes some time in the next
    # minute, which is during the next run, and that run would pay for it.
    if [ "${C360_BENCH_KEEP_DATA:-0}" != 1 ]; then
      bash "$repo_root/deploy/postgres/remove-service.sh" "$run_tag-pg$suffix" --cluster "$run_tag-pg$suffix" --force --vacuum "$connection" >/dev/null \
        || say "could not remove the run's data (service $run_tag-pg$suffix); the next runs are not affected"
    fi
  fi

  # 2. SQLite, in a data folder of its own; there is no database for the baselines here.
  if wants sqlite; then
    sqlite_dir="$(mktemp -d /tmp/c360-bench-sqlite.XXXXXX)"
    start_server "sqlite$suffix" \
      Customer360__Storage__Provider=sqlite \
      Customer360__Storage__DataPath="$sqlite_dir" \
      Customer360__Silo__ServiceId="$run_tag-sqlite$suffix" \
      Customer360__Silo__ClusterId="$run_tag-sqlite$suffix"
    sqlite_status=0
    run_load "sqlite$suffix" --skip-baselines --store-label "embedded SQLite (WAL, synchronous=FULL), fresh data folder" "$@" || sqlite_status=$?
    stop_server
    rm -rf "$sqlite_dir"
    sqlite_dir=""
    [ "$overall" -ne 0 ] || overall="$sqlite_status"
  fi
done

if [ "$runs" -eq 1 ]; then
  if wants postgres; then
    printf '\n==================== PostgreSQL ====================\n'
    cat "$out_dir/report-postgres.txt"
  fi
  if wants sqlite; then
    printf '\n====================== SQLite ======================\n'
    cat "$out_dir/report-sqlite.txt"
  fi
else
  # Medians and spread over the runs, as BENCHMARKS.md quotes them.
  printf '\n================ %s runs: medians ================\n' "$runs"
  summary_status=0
  if [ "${#results[@]}" -eq 0 ]; then
    say "no run wrote its results; nothing to summarise"
    summary_status=1
  else
    dotnet "$load_dll" summarize "${results[@]}" --markdown "$out_dir/summary.md" || summary_status=$?
  fi
  [ "$overall" -ne 0 ] || overall="$summary_status"
fi
say "results, reports and server logs are in $out_dir"
exit "$overall"
