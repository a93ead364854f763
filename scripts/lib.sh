# Shared helpers for dura's setup scripts. Sourced, not run.
DURA_CACHE="${DURA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dura}"
TEMPORAL_CLI_VERSION="v1.5.1"
TEST_SERVER_VERSION="$(sed -n 's:.*<temporal.version>\(.*\)</temporal.version>.*:\1:p' "$(dirname "${BASH_SOURCE[0]}")/test-server/pom.xml")"
TEMPORAL_CLI_BIN="$DURA_CACHE/temporal-cli/$TEMPORAL_CLI_VERSION/temporal"
# The real server (production profile): the version docker-compose.yml pins, so both runners run the same.
TEMPORAL_SERVER_VERSION="v$(sed -n 's|^ *image: temporalio/server:\([0-9.]*\)$|\1|p' "$(dirname "${BASH_SOURCE[0]}")/../docker-compose.yml")"
# temporal-server, temporal-sql-tool and schema/ (the module's SQL schemas, which the sql tool applies).
TEMPORAL_SERVER_DIR="$DURA_CACHE/temporal-server/$TEMPORAL_SERVER_VERSION"
# Keyed by the recipe too (pom + launcher), so a changed launcher is rebuilt, not taken from the cache.
TEST_SERVER_RECIPE="$(cat "$(dirname "${BASH_SOURCE[0]}")"/test-server/* | sha256sum | cut -c1-8)"
TEST_SERVER_DIR="$DURA_CACHE/temporal-test-server/$TEST_SERVER_VERSION-$TEST_SERVER_RECIPE"

need() { # need <command> <what to install>
  command -v "$1" >/dev/null 2>&1 || { echo "dura setup: '$1' not found: install $2" >&2; exit 1; }
}

apt_install() { # apt_install <Debian package> <what is missing, for the message>: as root, or by sudo
  command -v apt-get >/dev/null 2>&1 ||
    { echo "dura setup: $2 not found and no apt-get: install Debian's $1 package" >&2; exit 1; }
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$1" >&2
}
