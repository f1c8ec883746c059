#!/usr/bin/env bash
# Makes Debian's headless-capable Chromium available for the Web UI browser test (test/web-ui.test.ts).
# Idempotent: does nothing when /usr/bin/chromium exists. Installs only Debian's packages (apt), never
# a browser build downloaded by a tool, so it works where only package registries are reachable.
# Without root (or apt) it only reports; the browser test then fails with this message.
set -euo pipefail
bin="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$bin" ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $bin is missing; install Debian's chromium package (apt-get install chromium chromium-driver)" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian packages chromium and chromium-driver" >&2
export DEBIAN_FRONTEND=noninteractive
# A stale package list can name versions the mirror no longer has; refresh once, then install.
if ! apt-get install -y --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null 2>&1; then
  apt-get update -qq >/dev/null
  apt-get install -y --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
fi
"$bin" --version >&2
