#!/bin/sh
# Creates Temporal's two databases on first run and brings their schemas to this server version.
# Safe to run again: an existing database is kept and update-schema applies only what is missing.
# Both runners use it: compose's temporal-schema job (admin-tools image) and scripts/production.sh
# (temporal-sql-tool and the schemas from scripts/setup-temporal-server.sh).
set -eu
schema="${TEMPORAL_SCHEMA_DIR:-/etc/temporal/schema}"
tool() {
  temporal-sql-tool --plugin postgres12 --ep "${POSTGRES_HOST:-127.0.0.1}" -p "${POSTGRES_PORT:-5432}" \
    -u "$POSTGRES_USER" --pw "${POSTGRES_PASSWORD:-}" "$@"
}
for db in temporal temporal_visibility; do
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  tool --db "$db" create 2>/dev/null || echo "database $db exists"
  tool --db "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db is versioned already"
  tool --db "$db" update-schema -d "$schema/postgresql/v12/$dir/versioned"
done
