// prisma/schema.prisma is the one source of truth; PostgreSQL's schema is written from it, so the
// two providers cannot describe different tables. Only the datasource's provider and the
// generated client's folder differ (every scalar type here maps the same on both).
//   npm run schema:postgres                      writes prisma/postgres/schema.prisma
//   tsx prisma/postgres-schema.ts IN OUT         the same for another file (new-migration.sh)
// test/migrations.test.ts fails when the written file is stale.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
export const sqliteSchemaFile = resolve(root, 'prisma/schema.prisma')
export const postgresSchemaFile = resolve(root, 'prisma/postgres/schema.prisma')

/** PostgreSQL's schema text for a SQLite schema text. */
export function postgresSchema(sqlite: string): string {
  const swap = (text: string, from: RegExp, to: string) => {
    if (!from.test(text)) throw new Error(`prisma/schema.prisma: expected ${from} (the PostgreSQL schema is written from it)`)
    return text.replace(from, to)
  }
  let text = swap(sqlite, /provider\s*=\s*"sqlite"/, 'provider = "postgresql"')
  text = swap(text, /output(\s*)=\s*"\.\.\/src\/db\/generated"/, 'output$1= "../../src/db/generated-pg"')
  return '// Written by prisma/postgres-schema.ts from prisma/schema.prisma (npm run schema:postgres): do not edit.\n' + text
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [input = sqliteSchemaFile, output = postgresSchemaFile] = process.argv.slice(2)
  mkdirSync(dirname(output), { recursive: true })
  writeFileSync(output, postgresSchema(readFileSync(input, 'utf8')))
}
