#!/usr/bin/env bash
# Writes a migration for the changes in prisma/schema.prisma since the last commit, for both
# providers (SQLite in prisma/migrations, PostgreSQL in prisma/postgres/migrations, same name):
#   npm run migration:new -- add_photos
# (`prisma migrate dev` needs the Rust schema engine and `migrate diff --from-migrations`
# cannot replay a multi-statement script through the better-sqlite3 adapter, so the diff
# is taken between the committed schema and the working one. PostgreSQL's schema is written
# from SQLite's by prisma/postgres-schema.ts, and its diff needs a server: an embedded one.)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: npm run migration:new -- short_name}
stamp=$(date -u +%Y%m%d%H%M%S)

previous=$(mktemp --suffix .prisma)
git show HEAD:prisma/schema.prisma > "$previous"
dir="prisma/migrations/${stamp}_${name}"
mkdir -p "$dir"
DATABASE_URL=file:./data/renju.sqlite npx prisma migrate diff --from-schema-datamodel "$previous" --to-schema-datamodel prisma/schema.prisma --script > "$dir/migration.sql"
echo "wrote $dir/migration.sql"

npx tsx prisma/postgres-schema.ts
previous_pg=$(mktemp --suffix .prisma)
npx tsx prisma/postgres-schema.ts "$previous" "$previous_pg"
dir="prisma/postgres/migrations/${stamp}_${name}"
mkdir -p "$dir"
npx tsx prisma/with-postgres.ts npx prisma migrate diff --from-schema-datamodel "$previous_pg" --to-schema-datamodel prisma/postgres/schema.prisma --script > "$dir/migration.sql"
echo "wrote $dir/migration.sql"
