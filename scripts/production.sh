#!/usr/bin/env bash
# The production profile on one host, without Docker: PostgreSQL, the real Temporal server (configured by
# deploy/temporal-server.yaml, as in docker-compose.yml), N dura workers and `dura web`, all listening on
# 127.0.0.1 only.
#
#   scripts/production.sh up|down|status|restart-server
#
# DURA_PRODUCTION_DIR   where data, logs and pids go (default data/production)
# DURA_WORKERS          worker processes (default 2; 0: none, for benchmarks that start their own)
# DURA_WORKER_ENTRY     the workers' script, from the project's directory (default lib/worker/main.js); a .ts
#                       one runs from the sources through tsx (the tests' compressed-calendar worker,
#                       test/helpers/fast-worker-entry.ts). Kept, like DURA_WORKERS, for a later down/status.
# TEMPORAL_PORT         the frontend's port (default: a free one; the server uses 9 ports from it)
# POSTGRES_PORT         PostgreSQL's port (default: a free one)
# DURA_WEB_PORT         the researcher's pages (default: a free one)
# TEMPORAL_SHARDS       history shards (default 4; fixed by the first `up`)
# TEMPORAL_LOG_LEVEL    the server's (default warn); DURA_POSTGRES_OPTIONS: more `-c name=value` for PostgreSQL
# Ports, shards and PostgreSQL's generated password are kept in the directory's production.env (mode 600):
# a later `up` reuses them. Every other variable (DURA_WORKER_CACHE, SMTP_URL, DURA_ENCRYPTION_KEY,
# TEMPORAL_SQL_MAX_CONNS …) passes through to the processes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
# shellcheck source=lib.sh
. "$here/lib.sh"

command="${1:-}"
dir="$(realpath -m "${DURA_PRODUCTION_DIR:-$root/data/production}")"
state="$dir/production.env"
pg="$dir/postgres"

say() { echo "dura production: $*" >&2; }
die() { say "$*"; exit 1; }

# --- processes: a pid file per process, checked against its command line (pids get reused) ---------

# alive <name> <pattern in its command line>
alive() {
  local pid
  pid="$(cat "$dir/$1.pid" 2>/dev/null)" || return 1
  [ -n "$pid" ] && grep -qa -- "$2" "/proc/$pid/cmdline" 2>/dev/null
}

# launch <name> <command…>: in its own session (a Ctrl-C or a test runner's exit does not reach it),
# output to <name>.log.
launch() {
  local name="$1"
  shift
  setsid "$@" >"$dir/$name.log" 2>&1 </dev/null &
  echo $! >"$dir/$name.pid"
}

# stop <name> <pattern> <seconds>: SIGTERM, then SIGKILL after the grace time.
stop() {
  local name="$1" pattern="$2" seconds="$3" pid
  if alive "$name" "$pattern"; then
    pid="$(cat "$dir/$name.pid")"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((seconds * 10))); do
      alive "$name" "$pattern" || break
      sleep 0.1
    done
    if alive "$name" "$pattern"; then
      say "$name did not stop in ${seconds}s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$dir/$name.pid"
}

# --- ports -------------------------------------------------------------------------------------------

# free_ports <n>: the first of n consecutive free ports on 127.0.0.1, below Linux's ephemeral range
# (32768+) so that outgoing connections do not take them later.
free_ports() {
  node -e '
    const net = require("node:net");
    const n = Number(process.argv[1]);
    const bind = (port) => new Promise((done) => {
      const s = net.createServer().once("error", () => done(null));
      s.listen(port, "127.0.0.1", () => done(s));
    });
    (async () => {
      for (;;) {
        const base = 20000 + Math.floor(Math.random() * (12000 - n));
        const held = [];
        for (let i = 0; i < n; i++) { const s = await bind(base + i); if (!s) break; held.push(s); }
        held.forEach((s) => s.close());
        if (held.length === n) return console.log(base);
      }
    })();' "$1"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- PostgreSQL: refuses to run as root, so as root it runs as the `postgres` system user ------------

pg_bin() {
  local dir
  # On PATH perhaps as a link: its real directory has psql too.
  if command -v pg_ctl >/dev/null 2>&1; then dirname "$(readlink -f "$(command -v pg_ctl)")"; return; fi
  for dir in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4,4nr); do
    if [ -x "$dir/pg_ctl" ]; then echo "$dir"; return; fi
  done
  die "PostgreSQL not found: run scripts/setup-postgres.sh"
}

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_ctl_() { as_postgres "$(pg_bin)/pg_ctl" -D "$pg/data" "$@"; }

postgres_up() { [ -f "$pg/data/postmaster.pid" ] && pg_ctl_ status >/dev/null 2>&1; }

start_postgres() {
  if [ ! -f "$pg/data/PG_VERSION" ]; then
    mkdir -p "$pg"
    if [ "$(id -u)" -eq 0 ]; then
      id -u postgres >/dev/null 2>&1 ||
        useradd --system --no-create-home --shell /usr/sbin/nologin postgres
      chown postgres: "$pg"
      runuser -u postgres -- test -w "$pg" ||
        die "the postgres user cannot write $pg (a parent directory is closed to it): choose another DURA_PRODUCTION_DIR"
    fi
    # A password on TCP: 127.0.0.1 is open to every local user. The socket stays the owner's (peer).
    (umask 077 && echo "$POSTGRES_PASSWORD" >"$pg/password")
    [ "$(id -u)" -ne 0 ] || chown postgres: "$pg/password"
    as_postgres "$(pg_bin)/initdb" -D "$pg/data" -U postgres --pwfile="$pg/password" --auth-host=scram-sha-256 \
      --auth-local=peer -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 || die "initdb failed; see $dir/initdb.log"
    rm -f "$pg/password"
  fi
  # Temporal's four services each keep a pool per database, beside dura's workers: above the default 100.
  pg_ctl_ start -w -t 60 -l "$pg/postgres.log" -o "-c listen_addresses=127.0.0.1 -c port=$POSTGRES_PORT \
    -c unix_socket_directories='$pg' -c max_connections=300 ${DURA_POSTGRES_OPTIONS:-}" >/dev/null ||
    die "PostgreSQL did not start; see $pg/postgres.log"
  # dura's records beside Temporal's databases (the same file compose's postgres runs on a new volume).
  psql_() { PGPASSWORD="$POSTGRES_PASSWORD" "$(pg_bin)/psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -qtA "$@"; }
  [ "$(psql_ -c "select 1 from pg_database where datname = 'dura'")" = 1 ] ||
    psql_ -f "$root/deploy/postgres-init.sql" >/dev/null
}

# --- the Temporal server -----------------------------------------------------------------------------

server_dir="$TEMPORAL_SERVER_DIR"
temporal_cli="$TEMPORAL_CLI_BIN"

# deploy/temporal-server.yaml reads these; compose sets the same names to its own values.
server_env() {
  echo POSTGRES_HOST=127.0.0.1 POSTGRES_PORT="$POSTGRES_PORT" POSTGRES_USER=postgres \
    POSTGRES_PASSWORD="$POSTGRES_PASSWORD" \
    TEMPORAL_PORT="$TEMPORAL_PORT" TEMPORAL_SHARDS="$TEMPORAL_SHARDS" TEMPORAL_BIND_IP=127.0.0.1 \
    TEMPORAL_LOG_LEVEL="${TEMPORAL_LOG_LEVEL:-warn}"
}

server_healthy() {
  "$temporal_cli" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" >/dev/null 2>&1
}

start_server() {
  (
    # shellcheck disable=SC2046 # server_env is words KEY=VALUE, none with spaces
    export $(server_env) # not on a command line, where ps would show the password
    launch temporal "$server_dir/temporal-server" --root "$root" --config deploy --env temporal-server \
      --allow-no-auth start
  )
  for _ in $(seq 1 300); do
    server_healthy && return 0
    alive temporal temporal-server || break
    sleep 0.2
  done
  tail -n 20 "$dir/temporal.log" >&2
  die "the Temporal server did not start; see $dir/temporal.log"
}

# --- state -------------------------------------------------------------------------------------------

load_state() {
  local shards="${TEMPORAL_SHARDS:-}"
  if [ -f "$state" ]; then
    # Given values win over the kept ones, except the shard count, which the databases fixed.
    local POSTGRES_PORT_="${POSTGRES_PORT:-}" TEMPORAL_PORT_="${TEMPORAL_PORT:-}" DURA_WEB_PORT_="${DURA_WEB_PORT:-}" \
      DURA_WORKERS_="${DURA_WORKERS:-}" DURA_WORKER_ENTRY_="${DURA_WORKER_ENTRY:-}"
    # shellcheck source=/dev/null
    . "$state"
    POSTGRES_PORT="${POSTGRES_PORT_:-$POSTGRES_PORT}"
    TEMPORAL_PORT="${TEMPORAL_PORT_:-$TEMPORAL_PORT}"
    DURA_WEB_PORT="${DURA_WEB_PORT_:-$DURA_WEB_PORT}"
    DURA_WORKERS="${DURA_WORKERS_:-$DURA_WORKERS}"
    DURA_WORKER_ENTRY="${DURA_WORKER_ENTRY_:-${DURA_WORKER_ENTRY:-}}"
    if [ -n "$shards" ] && [ "$shards" != "$TEMPORAL_SHARDS" ]; then
      die "TEMPORAL_SHARDS=$shards, but $dir was set up with $TEMPORAL_SHARDS (fixed once the databases exist)"
    fi
  fi
}

save_state() {
  (umask 077 && cat >"$state") <<STATE
POSTGRES_PORT=$POSTGRES_PORT
TEMPORAL_PORT=$TEMPORAL_PORT
DURA_WEB_PORT=$DURA_WEB_PORT
TEMPORAL_SHARDS=$TEMPORAL_SHARDS
DURA_WORKERS=$DURA_WORKERS
DURA_WORKER_ENTRY=$DURA_WORKER_ENTRY
POSTGRES_PASSWORD=$POSTGRES_PASSWORD
STATE
}

# What dura's workers, pages and CLI share: the same Temporal, records, outbox and status-link key.
dura_env() {
  export TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT"
  export DATABASE_URL="postgres://postgres:$POSTGRES_PASSWORD@127.0.0.1:$POSTGRES_PORT/dura"
  export DURA_DATA_DIR="$dir/dura"
  export DURA_WEB_URL="${DURA_WEB_URL:-http://127.0.0.1:$DURA_WEB_PORT}"
}

# The workers to start (up), or those started (their pid files: down, status, a later up).
worker_names() { for i in $(seq 1 "$DURA_WORKERS"); do echo "worker-$i"; done; }
# The entry's path is what `alive` finds in a worker's command line.
worker_entry() { echo "${DURA_WORKER_ENTRY:-lib/worker/main.js}"; }
worker_command() {
  case "$(worker_entry)" in
    *.ts) echo node --import tsx "$(worker_entry)" ;;
    *) echo node "$(worker_entry)" ;;
  esac
}
started_workers() {
  local file
  for file in "$dir"/worker-*.pid; do [ -f "$file" ] && basename "$file" .pid; done | sort -t- -k2,2n
}

web_answers() { port_in_use "$DURA_WEB_PORT"; }

# await_polling <worker name>...: each polls its task queue (its log says so), or the run stops here.
await_polling() {
  local name
  for name in "$@"; do
    for _ in $(seq 1 300); do
      grep -q '"msg":"polling"' "$dir/$name.log" 2>/dev/null && break
      alive "$name" "$(worker_entry)" || die "$name stopped; see $dir/$name.log"
      sleep 0.2
    done
    grep -q '"msg":"polling"' "$dir/$name.log" || die "$name is not polling; see $dir/$name.log"
  done
}

# The researcher's pages, once they answer.
start_web() {
  DURA_WEB_HOST=127.0.0.1 DURA_WEB_PORT="$DURA_WEB_PORT" launch web node bin/dura.js web
  for _ in $(seq 1 100); do
    web_answers && break
    alive web bin/dura.js || break
    sleep 0.2
  done
  web_answers || die "the researcher's pages did not start; see $dir/web.log"
}

banner() {
  local pids=() name
  for name in $(started_workers); do pids+=("$(cat "$dir/$name.pid")"); done
  cat >&2 <<MSG
dura (production profile) is up in $dir
  Researcher pages  http://127.0.0.1:$DURA_WEB_PORT
  Temporal          127.0.0.1:$TEMPORAL_PORT   (server $TEMPORAL_SERVER_VERSION, $TEMPORAL_SHARDS history shards)
  PostgreSQL        127.0.0.1:$POSTGRES_PORT   (temporal, temporal_visibility, dura; user postgres)
  Workers           ${#pids[@]} (pids ${pids[*]})
  Outbox            $dir/dura/outbox/   (set SMTP_URL to send real mail)
  Logs and pids     $dir/
For dura and temporal on this host:
  export TEMPORAL_ADDRESS=$TEMPORAL_ADDRESS
  export DATABASE_URL=$DATABASE_URL
  export DURA_DATA_DIR=$DURA_DATA_DIR
  export DURA_WEB_URL=$DURA_WEB_URL
Stop: DURA_PRODUCTION_DIR=$dir npm run production:down   (or scripts/production.sh down with it)
MSG
}

# Every component running (0), none (1), some (2).
running() {
  local up=0 total=0 name
  postgres_up && up=$((up + 1)); total=$((total + 1))
  alive temporal temporal-server && up=$((up + 1)); total=$((total + 1))
  for name in $(started_workers); do
    alive "$name" "$(worker_entry)" && up=$((up + 1)); total=$((total + 1))
  done
  alive web "bin/dura.js" && up=$((up + 1)); total=$((total + 1))
  if [ "$up" -eq "$total" ]; then return 0; elif [ "$up" -eq 0 ]; then return 1; else return 2; fi
}

# --- commands ----------------------------------------------------------------------------------------

up() {
  load_state
  DURA_WORKERS="${DURA_WORKERS:-2}"
  DURA_WORKER_ENTRY="$(worker_entry)"
  [[ "$DURA_WORKER_ENTRY" != *[[:space:]]* ]] || die "DURA_WORKER_ENTRY=$DURA_WORKER_ENTRY: a path without spaces"
  (cd "$root" && [ -f "$DURA_WORKER_ENTRY" ]) || [ "$DURA_WORKER_ENTRY" = lib/worker/main.js ] ||
    die "DURA_WORKER_ENTRY=$DURA_WORKER_ENTRY: no such file (relative to $root)"
  TEMPORAL_SHARDS="${TEMPORAL_SHARDS:-4}"
  [[ "$DURA_WORKERS" =~ ^(0|[1-9][0-9]*)$ ]] || die "DURA_WORKERS=$DURA_WORKERS: expected a whole number from 0"
  [[ "$TEMPORAL_SHARDS" =~ ^[1-9][0-9]*$ ]] || die "TEMPORAL_SHARDS=$TEMPORAL_SHARDS: expected a whole number from 1"
  if [ -f "$state" ]; then
    local status=0
    running || status=$?
    if [ "$status" -eq 0 ]; then dura_env; say "already up"; banner; return 0; fi
    if [ "$status" -eq 2 ]; then revive; return 0; fi
    rm -f "$dir"/*.pid # left by processes that died with the host
  fi
  trap '[ $? -eq 0 ] || say "up failed: scripts/production.sh down stops what did start"' EXIT
  mkdir -p "$dir"

  bash "$here/setup.sh" --engine-only
  bash "$here/setup-postgres.sh" >/dev/null
  bash "$here/setup-temporal-server.sh" >/dev/null
  cd "$root"
  if [[ ! -f lib/workflow-bundle.js || -n "$(find workflows activities worker client common web scripts \
    package.json tsconfig.json -newer lib/workflow-bundle.js -print -quit)" ]]; then
    npm run --silent build >&2 || die "the build failed"
  fi

  # One free block for what is not given: PostgreSQL, the pages, then the server's 9.
  if [ -z "${POSTGRES_PORT:-}" ] || [ -z "${DURA_WEB_PORT:-}" ] || [ -z "${TEMPORAL_PORT:-}" ]; then
    local block
    block="$(free_ports 11)"
    POSTGRES_PORT="${POSTGRES_PORT:-$block}"
    DURA_WEB_PORT="${DURA_WEB_PORT:-$((block + 1))}"
    TEMPORAL_PORT="${TEMPORAL_PORT:-$((block + 2))}"
  fi
  local port
  for port in "$POSTGRES_PORT" "$TEMPORAL_PORT" "$DURA_WEB_PORT"; do
    ! port_in_use "$port" || die "127.0.0.1:$port is in use"
  done
  POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-$(openssl rand -hex 16)}"
  save_state
  dura_env
  mkdir -p "$DURA_DATA_DIR"

  say "starting PostgreSQL on 127.0.0.1:$POSTGRES_PORT"
  start_postgres
  say "Temporal's schemas"
  (
    # shellcheck disable=SC2046
    export $(server_env)
    PATH="$server_dir:$PATH" TEMPORAL_SCHEMA_DIR="$server_dir/schema" \
      sh "$root/deploy/temporal-schema.sh" >"$dir/temporal-schema.log" 2>&1
  ) || die "the schema setup failed; see $dir/temporal-schema.log"
  say "starting the Temporal server on 127.0.0.1:$TEMPORAL_PORT"
  start_server
  PATH="$(dirname "$temporal_cli"):$PATH" sh "$root/deploy/temporal-setup.sh" >"$dir/temporal-setup.log" 2>&1 ||
    die "the namespace or search attributes failed; see $dir/temporal-setup.log"
  node bin/dura.js db migrate >&2
  node bin/dura.js schedule ensure >/dev/null # the Monday digest (idempotent)

  say "starting $DURA_WORKERS workers"
  local i=0 name metrics="${DURA_METRICS_ADDRESS:-}"
  for name in $(worker_names); do
    # One metrics port each, counted up from the one given.
    [ -z "$metrics" ] || export DURA_METRICS_ADDRESS="${metrics%:*}:$((${metrics##*:} + i))"
    # shellcheck disable=SC2046 # worker_command is words; an entry's path has no spaces (checked above)
    launch "$name" $(worker_command)
    i=$((i + 1))
  done
  # shellcheck disable=SC2046 # worker names are words
  await_polling $(worker_names)
  start_web
  banner
}

# Partly up: the workers and the pages that stopped (a crash, an OOM kill) are started again on the saved
# settings, without touching what runs. PostgreSQL and the server must be running.
revive() {
  postgres_up || die "partly up, PostgreSQL stopped (see: scripts/production.sh status): run down, then up"
  alive temporal temporal-server ||
    die "partly up, the Temporal server stopped: scripts/production.sh restart-server, then up"
  dura_env
  cd "$root"
  local name metrics="${DURA_METRICS_ADDRESS:-}" started=()
  for name in $(started_workers); do
    alive "$name" "$(worker_entry)" && continue
    # Its own metrics port again: counted up from the one given, by its number.
    [ -z "$metrics" ] || export DURA_METRICS_ADDRESS="${metrics%:*}:$((${metrics##*:} + ${name#worker-} - 1))"
    # shellcheck disable=SC2046 # worker_command is words; an entry's path has no spaces (checked above)
    launch "$name" $(worker_command)
    started+=("$name")
  done
  await_polling "${started[@]}"
  if ! alive web bin/dura.js; then
    start_web
    started+=(web)
  fi
  say "partly up: started again ${started[*]}"
  banner
}

down() {
  [ -f "$state" ] || { say "nothing set up in $dir"; return 0; }
  load_state
  local name grace=$((${DURA_SHUTDOWN_GRACE_SECONDS:-10} + 5))
  # The pages first (no new requests), then the workers (they finish their tasks), then the server,
  # then its database.
  stop web bin/dura.js 10
  for name in $(started_workers); do
    if alive "$name" "$(worker_entry)"; then kill -TERM "$(cat "$dir/$name.pid")" 2>/dev/null || true; fi
  done
  for name in $(started_workers); do stop "$name" "$(worker_entry)" "$grace"; done
  stop temporal temporal-server 30
  if postgres_up; then pg_ctl_ stop -m fast -w -t 60 >/dev/null; fi
  say "down ($dir)"
}

status() {
  [ -f "$state" ] || { say "nothing set up in $dir"; return 1; }
  load_state
  local name code=0
  show() { if "$@"; then echo "running"; else echo "stopped"; fi; }
  echo "postgres    127.0.0.1:$POSTGRES_PORT  $(show postgres_up)"
  echo "temporal    127.0.0.1:$TEMPORAL_PORT  $(show alive temporal temporal-server)"
  for name in $(started_workers); do
    echo "$name    pid $(cat "$dir/$name.pid" 2>/dev/null || echo -)  $(show alive "$name" "$(worker_entry)")"
  done
  echo "web         127.0.0.1:$DURA_WEB_PORT  $(show alive web bin/dura.js)"
  running || code=$?
  return "$code"
}

# The server alone, on the same configuration and databases (also after it died).
restart_server() {
  [ -f "$state" ] || die "nothing set up in $dir"
  load_state
  postgres_up || die "PostgreSQL is not running: scripts/production.sh up"
  stop temporal temporal-server 30
  start_server
  say "Temporal server restarted (pid $(cat "$dir/temporal.pid"))"
}

case "$command" in
  up) up ;;
  down) down ;;
  status) status ;;
  restart-server) restart_server ;;
  *) echo "usage: scripts/production.sh up|down|status|restart-server" >&2; exit 2 ;;
esac
