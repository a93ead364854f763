#!/usr/bin/env bash
# Builds the real Temporal server and its SQL schema tool (the production profile, scripts/production.sh)
# into a per-user cache keyed by version, beside the PostgreSQL schemas they apply. Prints the directory:
# DIR/temporal-server, DIR/temporal-sql-tool, DIR/schema/postgresql/v12/{temporal,visibility}/versioned.
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
dir="$TEMPORAL_SERVER_DIR"
done_marker="$dir/.complete" # written last: a build cut short is redone, not half-used
if [ -f "$done_marker" ]; then echo "$dir"; exit 0; fi
[ "$TEMPORAL_SERVER_VERSION" != v ] ||
  { echo "dura setup: no temporalio/server image version found in docker-compose.yml" >&2; exit 1; }
need go "Go >= 1.25 (Debian 12's golang package is too old: use the official Go release)"
mkdir -p "$DURA_CACHE/temporal-server"
# Two setups at once build once.
exec 9>"$DURA_CACHE/temporal-server/.lock"
flock 9
if [ -f "$done_marker" ]; then echo "$dir"; exit 0; fi
tmp="$DURA_CACHE/temporal-server/.build-$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
echo "dura setup: building Temporal server $TEMPORAL_SERVER_VERSION (first time only, a few minutes)" >&2
module="go.temporal.io/server@$TEMPORAL_SERVER_VERSION"
GOBIN="$tmp" GOFLAGS=-trimpath go install -ldflags="-s -w" \
  "go.temporal.io/server/cmd/server@$TEMPORAL_SERVER_VERSION" \
  "go.temporal.io/server/cmd/tools/sql@$TEMPORAL_SERVER_VERSION" >&2
# The schemas ship in the module, not in the binaries; go install has just put it in the module cache.
src="$(go env GOMODCACHE)/$module/schema/postgresql"
rm -rf "$dir"
mkdir -p "$dir/schema"
cp -R "$src" "$dir/schema/postgresql"
chmod -R u+w "$dir/schema" # the module cache is read-only; a later rm -rf must not fail
mv "$tmp/server" "$dir/temporal-server"
mv "$tmp/sql" "$dir/temporal-sql-tool"
touch "$done_marker"
echo "$dir"
