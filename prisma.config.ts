// Prisma 6.19 without the Rust engines: the JS query engine over a driver adapter.
// `prisma generate`, `migrate diff` and `migrate deploy` all go through this file. DATABASE_URL
// picks the provider: `postgresql://` (or `postgres://`) PostgreSQL through `pg`, with the schema
// written from prisma/schema.prisma and its own migrations; `file:` SQLite through better-sqlite3.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { defineConfig } from 'prisma/config'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import pg from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import { postgresAdapterArguments } from './src/db/postgres-url.ts'

// The schema's datasource reads DATABASE_URL; give the CLI the same default as the app.
process.env.DATABASE_URL ??= 'file:./data/renju.sqlite'
const url = process.env.DATABASE_URL
const postgres = /^postgres(ql)?:\/\//.test(url)
// better-sqlite3 creates the file but not its folder.
if (!postgres) mkdirSync(dirname(url.replace(/^file:/, '')), { recursive: true })

// Prisma's schema engine reads PostgreSQL's catalog, whose names are of type `name`, which
// @prisma/adapter-pg 6.19 cannot map ("Column type 'name' could not be deserialized", prisma/orm
// #27403): every migrate command fails. In this CLI process only, such columns are read as text
// (they are text on the wire). The assistant's own queries never select a `name` column.
if (postgres) {
  const NAME = 19
  const TEXT = 25
  const result = pg.Result.prototype as unknown as { addFields(fields: { dataTypeID: number }[]): void }
  const addFields = result.addFields
  result.addFields = function (fields) {
    for (const field of fields) if (field.dataTypeID === NAME) field.dataTypeID = TEXT
    return addFields.call(this, fields)
  }
}

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: postgres ? 'prisma/postgres/schema.prisma' : 'prisma/schema.prisma',
  async adapter() {
    // The CLI never closes its pool: a short idle timeout lets it exit once done (with the engine's own
    // 10 s timer unref'd by prisma/cli-preload.cjs; each alone still leaves a 10 s wait).
    return postgres ? new PrismaPg(...postgresAdapterArguments(url, { idleTimeoutMillis: 100 })) : new PrismaBetterSQLite3({ url })
  },
})
