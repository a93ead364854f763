#!/usr/bin/env bash
# Makes PostgreSQL's server binaries (initdb, pg_ctl) available for the tests, idempotently: installs
# Debian's `postgresql` package only when they are on neither PATH nor /usr/lib/postgresql/*/bin.
# Starts no server: each test file starts its own throwaway one (test/helpers/postgres.ts).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

found=""
if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
  found="$(dirname "$(command -v initdb)")"
else
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4nr); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then found="$dir"; break; fi
  done
fi
if [ -n "$found" ]; then
  echo "dura setup: PostgreSQL already installed ($found)"
  exit 0
fi

# The package's own cluster is not needed; Debian may start it, the tests never use it.
apt_install postgresql "PostgreSQL's server (initdb, pg_ctl)"
dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4nr | head -n1)"
echo "dura setup: installed PostgreSQL ($dir)"
