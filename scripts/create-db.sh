#!/usr/bin/env bash
# Usage: create-db.sh <database> [--fresh]: creates the database when missing (or anew with --fresh) and migrates it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="$1"; fresh="${2:-}"
admin=(psql -q -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1)
[ "$fresh" = "--fresh" ] && "${admin[@]}" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)"
if [ -z "$("${admin[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'")" ]; then
  "${admin[@]}" -c "CREATE DATABASE \"$name\""
fi
cd "$root"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$name" npx node-pg-migrate -m migrations up --verbose false >&2
