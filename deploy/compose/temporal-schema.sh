#!/bin/sh
# Creates Temporal's two Postgres databases and brings their schemas to the admin-tools image's
# version. Safe to run on every `docker compose up`: a database or a base schema that exists is
# reported and kept, and update-schema applies only the versions still missing (it fails, and
# so does this one-shot, on any real problem).
set -eu
: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
port="${DB_PORT:-5432}"
schemas=/etc/temporal/schema/postgresql/v12

until nc -z -w 5 "$POSTGRES_SEEDS" "$port"; do echo "waiting for Postgres at $POSTGRES_SEEDS:$port"; sleep 2; done

for store in temporal:temporal visibility:temporal_visibility; do
  schema="${store%%:*}"
  database="${store#*:}"
  tool="temporal-sql-tool --plugin postgres12 --ep $POSTGRES_SEEDS -p $port -u $POSTGRES_USER --db $database"
  $tool create || echo "database $database exists"
  $tool setup-schema -v 0.0 || echo "database $database has its base schema"
  $tool update-schema -d "$schemas/$schema/versioned"
done
echo 'Temporal schemas are up to date'
