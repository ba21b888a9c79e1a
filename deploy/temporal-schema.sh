#!/bin/sh
# Creates or upgrades the Temporal schemas; safe to run on every `docker compose up`.
# Also creates the read model's database, which the service's migrations fill.
set -eu

sql() {
    temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
        -u "$POSTGRES_USER" --pw "$SQL_PASSWORD" "$@"
}

schema_dir=/etc/temporal/schema/postgresql/v12

for attempt in 1 2 3 4 5 6 7 8 9 10; do
    nc -z -w 5 "$POSTGRES_SEEDS" "$DB_PORT" && break
    if [ "$attempt" -eq 10 ]; then
        echo "PostgreSQL at $POSTGRES_SEEDS:$DB_PORT is unreachable" >&2
        exit 1
    fi
    sleep 3
done

sql --db temporal create
sql --db temporal setup-schema -v 0.0
sql --db temporal update-schema -d "$schema_dir/temporal/versioned"

sql --db temporal_visibility create
sql --db temporal_visibility setup-schema -v 0.0
sql --db temporal_visibility update-schema -d "$schema_dir/visibility/versioned"

sql --db "$READ_MODEL_DATABASE" create
echo "schemas ready: temporal, temporal_visibility, $READ_MODEL_DATABASE"
