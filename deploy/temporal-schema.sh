#!/bin/sh
# Creates Temporal's two databases on first run and brings their schemas to this server version.
# Safe to run again: an existing database is kept and update-schema applies only what is missing.
set -eu
tool() {
  temporal-sql-tool --plugin postgres12 --ep postgres -p 5432 \
    -u "$POSTGRES_USER" --pw "$POSTGRES_PASSWORD" "$@"
}
for db in temporal temporal_visibility; do
  dir=temporal
  [ "$db" = temporal_visibility ] && dir=visibility
  tool --db "$db" create 2>/dev/null || echo "database $db exists"
  tool --db "$db" setup-schema -v 0.0 2>/dev/null || echo "schema of $db is versioned already"
  tool --db "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$dir/versioned"
done
