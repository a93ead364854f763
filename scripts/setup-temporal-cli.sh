#!/usr/bin/env bash
# Builds the official Temporal CLI (dev server) into a per-user cache keyed by version.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
if [ -x "$TEMPORAL_CLI_BIN" ]; then echo "$TEMPORAL_CLI_BIN"; exit 0; fi
need go "Go >= 1.25 (Debian 12's golang package is too old: use the official Go release)"
gover=$(go env GOVERSION | sed 's/^go//')
major=${gover%%.*}; rest=${gover#*.}; minor=${rest%%.*}
if [ "$major" -lt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -lt 25 ]; }; then
  echo "dura setup: Go $gover is too old: install Go >= 1.25" >&2; exit 1
fi
mkdir -p "$DURA_CACHE/temporal-cli"
# Two setups at once (parallel test files, npm start beside a test run) build once.
exec 9>"$DURA_CACHE/temporal-cli/.lock"
flock 9
if [ -x "$TEMPORAL_CLI_BIN" ]; then echo "$TEMPORAL_CLI_BIN"; exit 0; fi
tmp="$DURA_CACHE/temporal-cli/.build-$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "dura setup: building Temporal CLI $TEMPORAL_CLI_VERSION (first time only, a few minutes)" >&2
GOBIN="$tmp" GOFLAGS=-trimpath go install \
  -ldflags="-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION#v}" \
  "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" >&2
mkdir -p "$(dirname "$TEMPORAL_CLI_BIN")"
mv "$tmp/temporal" "$TEMPORAL_CLI_BIN"
echo "$TEMPORAL_CLI_BIN"
