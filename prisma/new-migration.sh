#!/usr/bin/env bash
# Writes a migration for the changes in prisma/schema.prisma since the last commit:
#   npm run migration:new -- add_photos
# (`prisma migrate dev` needs the Rust schema engine and `migrate diff --from-migrations`
# cannot replay a multi-statement script through the better-sqlite3 adapter, so the diff
# is taken between the committed schema and the working one.)
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: npm run migration:new -- short_name}
previous=$(mktemp --suffix .prisma)
git show HEAD:prisma/schema.prisma > "$previous"
dir="prisma/migrations/$(date -u +%Y%m%d%H%M%S)_${name}"
mkdir -p "$dir"
npx prisma migrate diff --from-schema-datamodel "$previous" --to-schema-datamodel prisma/schema.prisma --script > "$dir/migration.sql"
echo "wrote $dir/migration.sql"
