#!/usr/bin/env bash
# `npm start`: the whole engine on embedded defaults. The Temporal dev server keeps its state in
# data/temporal.sqlite (WAL), so a later `npm start` resumes every agreement in flight, timers included;
# the records go to data/dura.sqlite and, without SMTP_URL, mail to data/outbox/. The researcher's pages
# (`dura web`) answer on http://127.0.0.1:8080. Ctrl-C stops it all. DURA_DATA_DIR moves data/;
# TEMPORAL_ADDRESS and DURA_UI_PORT move the server and its UI; DURA_WEB_HOST and DURA_WEB_PORT the pages.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
cd "$root"
bash "$here/setup.sh" --engine-only
temporal="$(bash "$here/setup-temporal-cli.sh")"
# Rebuild only when a source is newer than the last build: a restart should be quick.
if [[ ! -f lib/workflow-bundle.js || -n "$(find workflows activities worker client common web scripts \
  package.json tsconfig.json -newer lib/workflow-bundle.js -print -quit)" ]]; then
  npm run --silent build
fi

# The settings the CLI reads that were given, before this script sets its own (the banner lists them).
given=()
for name in TEMPORAL_ADDRESS TEMPORAL_NAMESPACE TEMPORAL_TLS_CERT TEMPORAL_TLS_KEY TEMPORAL_TLS_CA \
  TEMPORAL_TLS_SERVER_NAME TEMPORAL_API_KEY DURA_TASK_QUEUE DATABASE_URL DURA_DATA_DIR DURA_ENCRYPTION_KEY \
  DURA_ENCRYPTION_KEY_ID DURA_ENCRYPTION_OLD_KEYS DURA_PAYLOAD_COMPRESSION DURA_WEB_URL DURA_WEB_HOST \
  DURA_WEB_PORT DURA_LINK_KEY DURA_LINK_DAYS DURA_TERM_MONTHS; do
  [[ -n "${!name:-}" ]] && given+=("$name")
done
address="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
host="${address%:*}"
port="${address##*:}"
ui_port="${DURA_UI_PORT:-8233}"
namespace="${TEMPORAL_NAMESPACE:-default}"
# Absolute, so that the banner's settings work from any directory (this script runs in the project's).
data="$(realpath -m "${DURA_DATA_DIR:-data}")"
if [[ "${DATABASE_URL:-}" == sqlite:* && "${DATABASE_URL#sqlite:}" != /* ]]; then
  DATABASE_URL="sqlite:$(realpath -m "${DATABASE_URL#sqlite:}")"
fi
export TEMPORAL_ADDRESS="$address"
export DATABASE_URL="${DATABASE_URL:-sqlite:$data/dura.sqlite}"
export DURA_DATA_DIR="$data"
# Every setting checked before anything starts, all problems at once, as the CLI and the worker word
# them (common/config.ts, common/env-names.ts); DURA_UI_PORT is this script's own. A near miss of a
# name (SMPT_URL) is warned of here, once, and left out of the parts' environment: dura reads no such
# name, and each part would otherwise warn again.
checked="$(node -e '
  const names = require("./lib/common/env-names.js").variableNameProblems(process.env);
  for (const p of names.unknown) console.log("problem dura: " + p);
  for (const w of names.nearMisses) console.log("warning dura: warning: " + w);
  for (const n of names.nearMissNames) console.log("unset " + n);
  try { require("./lib/common/config.js").loadConfig(); }
  catch (e) { if (!e.problems) throw e; for (const p of e.problems) console.log("problem dura: " + p); }')"
problems="$(sed -n 's/^problem //p' <<<"$checked")"
sed -n 's/^warning //p' <<<"$checked" >&2
while read -r name; do [[ -n "$name" ]] && unset "$name"; done < <(sed -n 's/^unset //p' <<<"$checked")
[[ "$ui_port" =~ ^[0-9]{1,5}$ ]] && ((ui_port >= 1 && ui_port <= 65535)) ||
  problems+="${problems:+$'\n'}dura: DURA_UI_PORT: expected a whole number from 1 to 65535 (got \"$ui_port\")"
[[ -n "$problems" ]] && { echo "$problems" >&2; exit 1; }
# A data directory this start makes is removed again if it is refused below (a trial's second start on
# a taken port left a new directory with engine.lock and an empty outbox).
made_data=false
[[ -e "$data" ]] || made_data=true
# Said in dura's words, naming the variable (a trial's read-only directory printed mkdir's own line).
made="$(mkdir -p "$data/outbox" 2>&1)" || {
  echo "dura: DURA_DATA_DIR $data: cannot make its outbox: ${made##*: } (give a directory this user can write)" >&2
  exit 1
}
# One engine per data directory: a second would share the first one's temporal.sqlite (held until exit).
exec 9>"$data/engine.lock"
flock -n 9 || { echo "dura: $data is in use by another engine; give this one its own DURA_DATA_DIR" >&2; exit 1; }
web_host="${DURA_WEB_HOST:-127.0.0.1}"
web_port="${DURA_WEB_PORT:-8080}"
# Where a browser on this machine reaches the pages (an address to listen on like 0.0.0.0 is none).
case "$web_host" in 0.0.0.0 | ::) web_at="127.0.0.1" ;; *:*) web_at="[$web_host]" ;; *) web_at="$web_host" ;; esac
# The links in the mail point at these pages; the worker and `dura web` share the status-link key
# (DURA_LINK_KEY, else $DURA_DATA_DIR/status-link.key, made on first use).
export DURA_WEB_URL="${DURA_WEB_URL:-http://$web_at:$web_port}"
in_use() { (exec 3<>"/dev/tcp/${1//[\[\]]/}/$2") 2>/dev/null; }
web_answers() { in_use "$web_at" "$web_port"; }
# Ports in use are named now, all at once, before anything starts (else the probe after `dura web` finds
# that server, and a second engine's worker would poll the first one's Temporal).
taken=()
in_use "$host" "$port" && taken+=("dura: $address is in use (another Temporal server?); set TEMPORAL_ADDRESS to another port")
in_use "$host" "$ui_port" && taken+=("dura: $host:$ui_port is in use; set DURA_UI_PORT to another port")
web_answers && taken+=("dura: $web_at:$web_port is in use; set DURA_WEB_PORT to another port")
if ((${#taken[@]})); then
  printf '%s\n' "${taken[@]}" >&2
  "$made_data" && rm -rf -- "$data"
  exit 1
fi
# The records next, before any server starts: records out of reach (a PostgreSQL that is down) are
# refused with nothing started and the directory this start made removed (a trial found it left).
node bin/dura.js db migrate || {
  "$made_data" && rm -rf -- "$data"
  exit 1
}

# A namespace of its own is made at launch, with the search attributes (the dev server registers them in each).
namespace_flags=()
[[ "$namespace" != default ]] && namespace_flags=(--namespace "$namespace")
search_attributes=()
for sa in DuraStage=Keyword DuraInstitution=Keyword DuraTiers=KeywordList DuraInitiationDueBy=Datetime \
  DuraNextReminderAt=Datetime DuraOverdue=Bool DuraExpiresOn=Datetime; do
  search_attributes+=(--search-attribute "$sa")
done

pids=()
stop() {
  trap - INT TERM EXIT
  echo "dura: stopping" >&2
  # The pages first (no new requests), then the worker (it finishes its tasks), then the server.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
}
trap stop INT TERM EXIT

"$temporal" server start-dev --ip "$host" --port "$port" --ui-port "$ui_port" \
  --db-filename "$data/temporal.sqlite" --sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=NORMAL \
  --log-level warn "${search_attributes[@]}" "${namespace_flags[@]}" >"$data/temporal.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  "$temporal" operator cluster health --address "$address" >/dev/null 2>&1 && break
  sleep 0.2
done
"$temporal" operator cluster health --address "$address" >/dev/null ||
  { echo "dura: the Temporal dev server did not start; see $data/temporal.log" >&2; exit 1; }

node bin/dura.js schedule ensure >/dev/null  # the Monday digest (idempotent; a paused schedule stays paused)
node lib/worker/main.js &
pids+=($!)
# The pages last: they need the records migrated and a worker to start agreements.
DURA_WEB_HOST="$web_host" DURA_WEB_PORT="$web_port" node bin/dura.js web &
pids+=($!)
for _ in $(seq 1 100); do
  web_answers && break
  kill -0 "${pids[-1]}" 2>/dev/null || break
  sleep 0.2
done
web_answers || { echo "dura: the researcher's pages did not start on $web_host:$web_port" >&2; exit 1; }

# What `dura` in another terminal must be given to reach this engine: every setting it reads that was
# given, as this script uses it (paths absolute); a key, or a URL with a password, as (yours).
shared=()
for name in "${given[@]}"; do
  value="${!name}"
  case "$name" in
    TEMPORAL_TLS_KEY) ;; # a file's path
    *_KEY | *_OLD_KEYS) value="(yours)" ;;
    DATABASE_URL) [[ "$value" == *://*:*@* ]] && value="(yours)" ;;
  esac
  shared+=("$name=$value")
done
settings=""
((${#shared[@]})) && settings=$'\n'"  CLI settings     ${shared[*]}   (give dura the same)"
# Where mail goes: SMTP_URL's server (never its user or password), else the outbox; a server that does
# not answer now is said (messages wait, and are sent when it does).
if [[ -n "${SMTP_URL:-}" ]]; then
  smtp_scheme="${SMTP_URL%%://*}"
  smtp_at="${SMTP_URL#*://}"
  smtp_at="${smtp_at##*@}"
  smtp_at="${smtp_at%%[/?]*}"
  smtp_host="${smtp_at%:*}"
  smtp_port="${smtp_at##*:}"
  [[ "$smtp_port" == "$smtp_at" ]] && smtp_port=$([[ "$smtp_scheme" == smtps ]] && echo 465 || echo 587)
  mail_line="mail             SMTP $smtp_scheme://$smtp_at"
  in_use "$smtp_host" "$smtp_port" || mail_line+="   (not answering now: messages wait until it does)"
else
  mail_line="outbox           $data/outbox/   (set SMTP_URL to send real mail)"
fi

cat >&2 <<MSG
dura is running.
  Researcher pages http://$web_at:$web_port
  Temporal UI      http://$host:$ui_port
  $mail_line
  CLI              dura --help   (with alias dura="node $PWD/bin/dura.js", or npm link)$settings
  Health           dura doctor   (every part checked at once, a line each)
Press Ctrl-C to stop.
MSG
# One part stopping stops them all: say which, and how.
names=("the Temporal dev server (see $data/temporal.log)" "the worker" "the researcher's pages")
status=0
wait -n -p ended "${pids[@]}" || status=$?
for i in "${!pids[@]}"; do
  [[ "${pids[i]}" == "${ended:-}" ]] && echo "dura: ${names[i]} stopped (exit $status); stopping the rest" >&2
done
exit "$status"
