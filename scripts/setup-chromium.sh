#!/usr/bin/env bash
# Makes Debian's Chromium available for the browser tests (test/helpers/browser.ts drives it with
# playwright-core), idempotently: installs the `chromium` package only when /usr/bin/chromium is missing.
# Nothing is downloaded by a test tool: playwright's own browser builds are never used.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

if [ -x /usr/bin/chromium ]; then
  echo "dura setup: Chromium already installed (/usr/bin/chromium)"
  exit 0
fi

apt_install chromium /usr/bin/chromium
[ -x /usr/bin/chromium ] || { echo "dura setup: installed chromium but /usr/bin/chromium is missing" >&2; exit 1; }
echo "dura setup: installed Chromium ($(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium))"
