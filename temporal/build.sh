#!/usr/bin/env bash
# Prints the path of a `temporal` CLI (which embeds the dev server and the Web UI).
# Uses one on PATH; otherwise builds CLI v1.8.2 from the Go module proxy once into .tools/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
bin="$tools/temporal"

if [ -n "${TEMPORAL_CLI:-}" ] && [ -x "$TEMPORAL_CLI" ]; then echo "$TEMPORAL_CLI"; exit 0; fi
if command -v temporal >/dev/null 2>&1; then command -v temporal; exit 0; fi
if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then echo "$bin"; exit 0; fi

command -v go >/dev/null 2>&1 || { echo "temporal/build.sh: no 'temporal' on PATH and no Go toolchain to build it (need Go >= 1.26.4)" >&2; exit 1; }
mkdir -p "$tools"
echo "temporal/build.sh: building the Temporal CLI v1.8.2 from the Go module proxy (first run only, a few minutes)..." >&2
# v1.8.2's own go.mod replaces cliext with a local path, which `go install` refuses;
# temporal/cli-build pins cliext to the tag's commit instead (see its go.mod).
(
  cd "$root/temporal/cli-build"
  CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath \
    -ldflags "-X github.com/temporalio/cli/internal/temporalcli.Version=1.8.2" \
    -o "$bin.partial" github.com/temporalio/cli/cmd/temporal
) >&2
mv "$bin.partial" "$bin"
echo "$bin"
