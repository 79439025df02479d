# Sourced by the scripts in this folder: points psql at the engine's database by setting the
# libpq variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD), from the first of these
# that is set:
#   1. the connection string given to c360_connect (a script's first argument)
#   2. C360_POSTGRES, an Npgsql connection string
#   3. the connection-string file written by start-postgres.sh under C360_PG_DATA
#      (default /tmp/c360-pg)
#   4. the usual libpq variables, already set
# Npgsql strings are read for Host/Server, Port, Database, Username/User Id and Password;
# values must not contain ';'. "Search Path" becomes PGOPTIONS' search_path, so that a
# connection string that works for the server works here too.

c360_connect() {
  local connection="${1:-${C360_POSTGRES:-}}"
  if [ -z "$connection" ]; then
    local connection_file="${C360_PG_DATA:-/tmp/c360-pg}/connection-string"
    if [ -z "${PGHOST:-}${PGDATABASE:-}" ] && [ -r "$connection_file" ]; then
      connection="$(cat "$connection_file")"
    fi
  fi

  [ -n "$connection" ] || return 0
  local parts part key value
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
      searchpath) export PGOPTIONS="${PGOPTIONS:-} -c search_path=$value" ;;
      *) ;; # pooling, timeouts and the like do not matter to psql
    esac
  done
}

# Where psql connects, for messages.
c360_target() {
  printf '%s on %s:%s as %s' "${PGDATABASE:-?}" "${PGHOST:-local socket}" "${PGPORT:-5432}" "${PGUSER:-$(id -un)}"
}
