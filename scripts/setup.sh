#!/usr/bin/env bash
# Shared setup of both README commands: dependencies, services, the Temporal CLI.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
bash scripts/ensure-services.sh
bash temporal/build.sh >/dev/null
