// Prisma 6.19 without the Rust engines: the JS query engine over better-sqlite3.
// `prisma generate`, `migrate diff` and `migrate deploy` all go through this adapter.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { defineConfig } from 'prisma/config'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'

// The schema's datasource reads DATABASE_URL; give the CLI the same default as the app.
process.env.DATABASE_URL ??= 'file:./data/renju.sqlite'
const url = process.env.DATABASE_URL
// better-sqlite3 creates the file but not its folder.
mkdirSync(dirname(url.replace(/^file:/, '')), { recursive: true })

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  async adapter() {
    return new PrismaBetterSQLite3({ url })
  },
})
