#!/usr/bin/env bash
# Makes Debian's Chromium available for the browser tests (test/helpers/browser.ts drives it with
# playwright-core), idempotently: installs the `chromium` package only when /usr/bin/chromium is missing.
# Nothing is downloaded by a test tool: playwright's own browser builds are never used.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  echo "dura setup: Chromium already installed (/usr/bin/chromium)"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 ||
  { echo "dura setup: /usr/bin/chromium not found and no apt-get: install Debian's chromium package" >&2; exit 1; }
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update >&2
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >&2
[ -x /usr/bin/chromium ] || { echo "dura setup: installed chromium but /usr/bin/chromium is missing" >&2; exit 1; }
echo "dura setup: installed Chromium ($(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium))"
