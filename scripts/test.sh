#!/usr/bin/env bash
# The one test command (npm test): lint, type-check, then every test against a real Temporal dev
# server, real Postgres and Redis, and the LLM simulator. Sets everything up itself.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh
bash scripts/ensure-compose-validator.sh >&2

if [ "${TEST_SKIP_CHECKS:-}" = "1" ]; then
  echo "== lint and type-check SKIPPED (TEST_SKIP_CHECKS=1; never in CI)" >&2
else
  echo "== lint and type-check" >&2
  npx eslint .
  npx tsc --noEmit
fi

echo "== test database" >&2
# TEST_DB and TEST_TEMPORAL_PORT let several test runs share a machine without touching each other.
test_db="${TEST_DB:-greenfood_test}"
export TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$test_db"
bash scripts/create-db.sh "$test_db" --fresh
DATABASE_URL="$TEST_DATABASE_URL" npx tsx src/db/seed.ts

echo "== Temporal dev server for tests" >&2
# A server of its own on other ports and a throwaway file, so a running platform is never touched.
test_state="$(mktemp -d)"
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
export TEMPORAL_PORT="${TEST_TEMPORAL_PORT:-$(free_port)}" TEMPORAL_UI_PORT="${TEST_TEMPORAL_UI_PORT:-$(free_port)}"
export TEMPORAL_DB_FILE="$test_state/temporal.db" TEMPORAL_SQLITE_SYNC=OFF
cleanup() { bash temporal/dev-server.sh stop || true; rm -rf "$test_state"; }
trap cleanup EXIT
bash temporal/dev-server.sh start
export TEMPORAL_CLI="$(bash temporal/build.sh)"
export TEST_TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT" TEST_TEMPORAL_UI_URL="http://127.0.0.1:$TEMPORAL_UI_PORT"

echo "== tests" >&2
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(test/*.test.ts)
node --import tsx --test --test-concurrency=1 --test-timeout=600000 "${files[@]}"
