#!/usr/bin/env bash
# The one command that runs GREENFOOD on this machine (npm start): Temporal dev server with the
# Web UI, Postgres migrations and demo data, all workers, and a stream of demo orders.
# Ctrl-C stops the workers and the demo; the dev server keeps running (stop: bash temporal/dev-server.sh stop).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh

db_name="${GREENFOOD_DB:-greenfood}"
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/$db_name}"
bash scripts/create-db.sh "$db_name"
npx tsx src/db/seed.ts

bash temporal/dev-server.sh start
export TEMPORAL_ADDRESS="127.0.0.1:${TEMPORAL_PORT:-7233}"
export TEMPORAL_UI_URL="http://127.0.0.1:${TEMPORAL_UI_PORT:-8233}"
# Monthly settlement (1st, 02:00 Europe/Kyiv) and the daily batch watch; idempotent.
npx tsx scripts/install-schedules.ts

pids=()
stop() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

npx tsx src/workers/all.ts "$@" &
pids+=($!)

cat <<BANNER

  GREENFOOD is running.
  Temporal Web UI:  $TEMPORAL_UI_URL   (filter: Crew="fulfill_order")
  Place an order:   npm run cli -- order place examples/order.json
  Recent orders:    npm run cli -- order list

BANNER

if [ "${DEMO_ORDERS:-true}" = "true" ]; then
  npx tsx scripts/demo-orders.ts &
  pids+=($!)
fi
wait "${pids[0]}"
