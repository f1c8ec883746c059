#!/usr/bin/env bash
# Starts (or reuses) a Temporal dev server with a persistent SQLite file, the Web UI,
# GREENFOOD's search attributes and dynamic config. Usage: dev-server.sh start|stop|status
# Environment: TEMPORAL_PORT (7233), TEMPORAL_UI_PORT (8233), TEMPORAL_DB_FILE (.data/temporal.db),
#              TEMPORAL_SQLITE_SYNC (NORMAL; tests use OFF), TEMPORAL_NAMESPACE (default).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
port="${TEMPORAL_PORT:-7233}"
ui_port="${TEMPORAL_UI_PORT:-8233}"
db_file="${TEMPORAL_DB_FILE:-$root/.data/temporal.db}"
namespace="${TEMPORAL_NAMESPACE:-default}"
sync_mode="${TEMPORAL_SQLITE_SYNC:-NORMAL}"
state_dir="$(dirname "$db_file")"
pid_file="$state_dir/temporal-$port.pid"
log_file="$state_dir/temporal-$port.log"
address="127.0.0.1:$port"

cli="$("$root/temporal/build.sh")"

healthy() { "$cli" operator cluster health --address "$address" >/dev/null 2>&1; }

register_search_attributes() {
  # --search-attribute only applies when the namespace is created, so on an existing
  # database file the attributes are (re)registered here; "already exists" is fine.
  while IFS='=' read -r name type; do
    [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
    out="$("$cli" operator search-attribute create --address "$address" --namespace "$namespace" \
      --name "$name" --type "$type" 2>&1)" || {
      echo "$out" | grep -qi 'already' || { echo "search attribute $name: $out" >&2; return 1; }
    }
  done < "$root/temporal/search-attributes.txt"
}

case "${1:-start}" in
  start)
    mkdir -p "$state_dir"
    if healthy; then
      echo "Temporal already serving on $address" >&2
    else
      args=(server start-dev --ip 127.0.0.1 --port "$port" --ui-port "$ui_port" --namespace "$namespace"
            --db-filename "$db_file" --ui-disable-news-fetch --log-level warn
            --sqlite-pragma journal_mode=WAL --sqlite-pragma "synchronous=$sync_mode")
      while IFS='=' read -r name type; do
        [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
        args+=(--search-attribute "$name=$type")
      done < "$root/temporal/search-attributes.txt"
      while IFS= read -r kv; do
        [ -z "$kv" ] || [ "${kv:0:1}" = "#" ] && continue
        args+=(--dynamic-config-value "$kv")
      done < "$root/temporal/dynamic-config.txt"
      nohup "$cli" "${args[@]}" >"$log_file" 2>&1 &
      echo $! > "$pid_file"
      for _ in $(seq 1 120); do
        healthy && break
        kill -0 "$(cat "$pid_file")" 2>/dev/null || { echo "Temporal dev server exited; see $log_file" >&2; tail -20 "$log_file" >&2; exit 1; }
        sleep 0.5
      done
      healthy || { echo "Temporal dev server did not become healthy on $address" >&2; exit 1; }
    fi
    register_search_attributes
    echo "Temporal on $address, Web UI http://127.0.0.1:$ui_port" >&2
    ;;
  stop)
    if [ -f "$pid_file" ]; then kill "$(cat "$pid_file")" 2>/dev/null || true; rm -f "$pid_file"; fi
    ;;
  status)
    healthy && echo "up" || { echo "down"; exit 1; }
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
