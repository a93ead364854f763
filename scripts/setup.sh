#!/usr/bin/env bash
# Installs what dura needs on a fresh machine, idempotently: npm packages, the Temporal CLI (dev
# server) and, for the tests (unless --engine-only), the time-skipping test server, the real Temporal
# server (the production profile), PostgreSQL and Chromium (the browser tests).
# A second run takes well under a second.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
. "$here/lib.sh"

need node "Node.js >= 20.3"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=3)?0:1)' ||
  { echo "dura setup: Node.js $(node --version) is too old: install Node.js >= 20.3" >&2; exit 1; }

# npm packages: reinstall only when the lockfile changed since the last install.
if [ ! -f "$root/node_modules/.package-lock.json" ] ||
  [ "$root/package-lock.json" -nt "$root/node_modules/.package-lock.json" ]; then
  echo "dura setup: installing npm packages" >&2
  # Exactly the lockfile (which lists @swc/core's optional platform packages, so npm ci accepts it).
  (cd "$root" && npm ci --no-audit --no-fund >&2)
fi

bash "$here/setup-temporal-cli.sh" >/dev/null
if [ "${1:-}" != "--engine-only" ]; then
  bash "$here/setup-test-server.sh" >/dev/null
  bash "$here/setup-temporal-server.sh" >/dev/null # the production profile's server
  bash "$here/setup-postgres.sh" >&2
  bash "$here/setup-chromium.sh" >&2
fi
echo "dura setup: done: tools and packages installed (cache: $DURA_CACHE)" >&2
