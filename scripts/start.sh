#!/usr/bin/env bash
# `npm start`: the whole engine on embedded defaults. The Temporal dev server keeps its state in
# data/temporal.sqlite (WAL), so a later `npm start` resumes every agreement in flight, timers included;
# the records go to data/dura.sqlite and, without SMTP_URL, mail to data/outbox/. Ctrl-C stops it all.
# DURA_DATA_DIR moves data/; TEMPORAL_ADDRESS and DURA_UI_PORT move the server and its UI.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"
bash "$here/setup.sh" --engine-only
temporal="$(bash "$here/setup-temporal-cli.sh")"
# Rebuild only when a source is newer than the last build: a restart should be quick.
if [[ ! -f lib/workflow-bundle.js || -n "$(find workflows activities worker client common scripts \
  package.json tsconfig.json -newer lib/workflow-bundle.js -print -quit)" ]]; then
  npm run --silent build
fi

address="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
host="${address%:*}"
port="${address##*:}"
ui_port="${DURA_UI_PORT:-8233}"
data="${DURA_DATA_DIR:-data}"
mkdir -p "$data/outbox"
export TEMPORAL_ADDRESS="$address"
export DATABASE_URL="${DATABASE_URL:-sqlite:$data/dura.sqlite}"
export DURA_DATA_DIR="$data"

search_attributes=()
for sa in DuraStage=Keyword DuraInstitution=Keyword DuraTiers=KeywordList DuraInitiationDueBy=Datetime \
  DuraNextReminderAt=Datetime DuraOverdue=Bool; do
  search_attributes+=(--search-attribute "$sa")
done

pids=()
stop() {
  trap - INT TERM EXIT
  echo "dura: stopping" >&2
  # The worker first (it finishes its tasks), then the server.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap stop INT TERM EXIT

"$temporal" server start-dev --ip "$host" --port "$port" --ui-port "$ui_port" \
  --db-filename "$data/temporal.sqlite" --sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=NORMAL \
  --log-level warn "${search_attributes[@]}" >"$data/temporal.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  "$temporal" operator cluster health --address "$address" >/dev/null 2>&1 && break
  sleep 0.2
done
"$temporal" operator cluster health --address "$address" >/dev/null ||
  { echo "dura: the Temporal dev server did not start; see $data/temporal.log" >&2; exit 1; }

node bin/dura.js db migrate
node bin/dura.js schedule ensure >/dev/null  # the Monday digest (idempotent; a paused schedule stays paused)
node lib/worker/main.js &
pids+=($!)

cat >&2 <<MSG
dura is running.
  Temporal UI   http://$host:$ui_port
  outbox        $(cd "$data" && pwd)/outbox/   (set SMTP_URL to send real mail)
  CLI           dura --help   (after: npm link; or node bin/dura.js …)
Press Ctrl-C to stop.
MSG
wait -n "${pids[@]}"
