#!/usr/bin/env bash
# `npm start`: the whole engine on embedded defaults. The engine arrives with the CLI issue.
set -euo pipefail
bash "$(dirname "$0")/setup.sh" --engine-only
echo "dura: npm start is not implemented yet" >&2
exit 1
