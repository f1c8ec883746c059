#!/usr/bin/env bash
# Makes `docker-compose` (used by test/compose.test.ts to validate docker-compose.yml without an engine)
# available if it can. Idempotent. Always exits 0: without it the test still runs its own YAML checks.
set -uo pipefail

if command -v docker-compose >/dev/null 2>&1; then
  echo "ensure-compose-validator: docker-compose already available ($(command -v docker-compose))"
  exit 0
fi

warn() {
  echo "ensure-compose-validator: WARNING: $*; test/compose.test.ts will validate with its built-in checks only" >&2
  exit 0
}

[ "$(id -u)" -eq 0 ] || warn "docker-compose is missing and installing it needs root"
command -v apt-get >/dev/null 2>&1 || warn "docker-compose is missing and there is no apt-get to install it"

export DEBIAN_FRONTEND=noninteractive
echo "ensure-compose-validator: installing docker-compose with apt-get"
if ! apt-get install -y -q docker-compose >/dev/null 2>&1; then
  # Package lists are often absent in fresh containers; refresh only when the plain install failed.
  echo "ensure-compose-validator: install failed; running apt-get update and retrying"
  apt-get update -q >/dev/null 2>&1 || warn "apt-get update failed"
  apt-get install -y -q docker-compose >/dev/null 2>&1 || warn "apt-get install docker-compose failed"
fi

if command -v docker-compose >/dev/null 2>&1; then
  echo "ensure-compose-validator: installed $(docker-compose version --short 2>/dev/null || echo docker-compose)"
else
  warn "docker-compose still not on PATH after install"
fi
