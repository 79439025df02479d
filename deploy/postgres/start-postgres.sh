#!/usr/bin/env bash
# Starts a private PostgreSQL server for Customer360 on the loopback interface.
#
# Installs PostgreSQL from the distribution's packages when it is missing (as root), creates
# its own cluster in a data directory of its own, starts it on 127.0.0.1, and makes sure the
# application role and database exist. Safe to run again: a running server is left as it is.
#
# The Npgsql connection string goes to standard output (and to a file); progress goes to
# standard error, so this works:
#   export C360_POSTGRES="$(deploy/postgres/start-postgres.sh)"
#
# Settings (environment):
#   C360_PG_DATA      base directory              (default /tmp/c360-pg)
#   C360_PG_PORT      TCP port on 127.0.0.1       (default 15432; keep it below 32768, outside
#                     Linux's range of ephemeral ports: while the server is down, a client
#                     retrying to connect to a port in that range can be given the port itself
#                     as its own end of the connection, a TCP self-connection, and that keeps
#                     the server from listening on it again)
#   C360_PG_DATABASE  application database        (default customer360)
#   C360_PG_USER      application role            (default customer360)
#   C360_PG_PASSWORD  application role's password (default: generated once, kept in the
#                     base directory)
#
# Layout under C360_PG_DATA: data/ (the cluster), run/ (Unix socket), postgres.log,
# password, connection-string. Only loopback TCP with a password and the private Unix
# socket are accepted.
set -euo pipefail

base_dir="${C360_PG_DATA:-/tmp/c360-pg}"
port="${C360_PG_PORT:-15432}"
database="${C360_PG_DATABASE:-customer360}"
app_user="${C360_PG_USER:-customer360}"

data_dir="$base_dir/data"
socket_dir="$base_dir/run"
log_file="$base_dir/postgres.log"
password_file="$base_dir/password"
connection_file="$base_dir/connection-string"

say() { printf 'start-postgres: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

case "$port" in
  ''|*[!0-9]*) die "C360_PG_PORT must be a number, got '$port'" ;;
esac
case "$database$app_user" in
  *[!A-Za-z0-9_]*) die "C360_PG_DATABASE and C360_PG_USER may hold only letters, digits and '_'" ;;
esac

# PostgreSQL's server programs live in a versioned directory; take the newest one.
find_bin_dir() {
  local dir
  dir="$(for d in /usr/lib/postgresql/*/bin; do if [ -x "$d/pg_ctl" ]; then printf '%s\n' "$d"; fi; done | sort -V | tail -n 1)"
  if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    printf '%s\n' "$dir"
    return
  fi
  dir="$(dirname "$(command -v initdb 2>/dev/null || echo /nonexistent/initdb)")"
  if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
    printf '%s\n' "$dir"
  fi
}

bin_dir="$(find_bin_dir)"
if [ -z "$bin_dir" ]; then
  [ "$(id -u)" -eq 0 ] || die "PostgreSQL is not installed; run as root to install it, or install the 'postgresql' package"
  say "installing PostgreSQL from the distribution's packages"
  export DEBIAN_FRONTEND=noninteractive
  for attempt in 1 2 3; do
    if apt-get update -q >&2 && apt-get install -y -q --no-install-recommends postgresql >&2; then
      break
    fi
    [ "$attempt" -lt 3 ] || die "apt-get could not install postgresql"
    say "apt-get failed (attempt $attempt), retrying"
    sleep $((attempt * 5))
  done
  bin_dir="$(find_bin_dir)"
  [ -n "$bin_dir" ] || die "postgresql is installed but initdb/pg_ctl were not found"
fi
psql_bin="$bin_dir/psql"
[ -x "$psql_bin" ] || psql_bin="$(command -v psql)" || die "psql not found"

# initdb and the server refuse to run as root: as root, run them as the 'postgres' account.
if [ "$(id -u)" -eq 0 ]; then
  server_user=postgres
  id "$server_user" >/dev/null 2>&1 || die "the '$server_user' account does not exist (it comes with the postgresql package)"
  as_server() {
    if command -v runuser >/dev/null 2>&1; then
      runuser -u "$server_user" -- "$@"
    else
      su -s /bin/sh -c "$(printf '%q ' "$@")" "$server_user"
    fi
  }
else
  server_user="$(id -un)"
  as_server() { "$@"; }
fi

mkdir -p "$base_dir"
chmod 0755 "$base_dir"
for dir in "$data_dir" "$socket_dir"; do
  mkdir -p "$dir"
  [ "$(id -u)" -ne 0 ] || chown "$server_user": "$dir"
  chmod 0700 "$dir"
done
touch "$log_file"
[ "$(id -u)" -ne 0 ] || chown "$server_user": "$log_file"
as_server test -w "$data_dir" || die "'$server_user' cannot write to $data_dir; choose a C360_PG_DATA it can reach"

# The password is generated once and kept next to the cluster, so re-runs agree with it.
if [ -n "${C360_PG_PASSWORD:-}" ]; then
  password="$C360_PG_PASSWORD"
elif [ -s "$password_file" ]; then
  password="$(cat "$password_file")"
else
  password="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"
fi
(umask 077 && printf '%s\n' "$password" > "$password_file")

if [ ! -s "$data_dir/PG_VERSION" ]; then
  say "creating a cluster in $data_dir"
  # Local socket connections are trusted (the socket directory is private to the server's
  # account); TCP connections need a password.
  as_server "$bin_dir/initdb" -D "$data_dir" -U postgres -E UTF8 --no-locale \
    --auth-local=trust --auth-host=scram-sha-256 >>"$log_file" 2>&1 \
    || { tail -n 20 "$log_file" >&2 || true; die "initdb failed"; }
fi

# Room for many silos and test servers side by side (each pools its own connections).
server_options="-c listen_addresses=127.0.0.1 -c max_connections=300 -p $port -k $socket_dir"
if as_server "$bin_dir/pg_ctl" -D "$data_dir" status >/dev/null 2>&1; then
  running_port="$(sed -n '4p' "$data_dir/postmaster.pid" 2>/dev/null || true)"
  if [ "$running_port" != "$port" ]; then
    die "a server for $data_dir is already running on port ${running_port:-?}, not $port; stop it with stop-postgres.sh first"
  fi
  say "already running on 127.0.0.1:$port"
else
  say "starting on 127.0.0.1:$port (log: $log_file)"
  as_server "$bin_dir/pg_ctl" -D "$data_dir" -l "$log_file" -w -t 60 -o "$server_options" start >&2 \
    || { tail -n 20 "$log_file" >&2 || true; die "the server did not start"; }
fi

# Role and database. psql variables (:'name', :"name") quote the values safely.
as_server "$psql_bin" -X -q -v ON_ERROR_STOP=1 -h "$socket_dir" -p "$port" -U postgres -d postgres \
  -v app_user="$app_user" -v app_password="$password" -v app_db="$database" >&2 <<'SQL'
SELECT format('CREATE ROLE %I LOGIN', :'app_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \gexec
ALTER ROLE :"app_user" WITH LOGIN PASSWORD :'app_password';
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8''', :'app_db', :'app_user')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'app_db') \gexec
SQL

connection_string="Host=127.0.0.1;Port=$port;Database=$database;Username=$app_user;Password=$password"
(umask 077 && printf '%s\n' "$connection_string" > "$connection_file")
say "ready; connection string written to $connection_file"
printf '%s\n' "$connection_string"
