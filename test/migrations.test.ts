import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { describe, expect, it, inject } from 'vitest'
import { postgresSchema, postgresSchemaFile, sqliteSchemaFile } from '../prisma/postgres-schema.ts'
import { createDatabase, databaseUrl, dropDatabase } from './support/postgres.ts'
import { migrate } from '../src/db/index.ts'
import { freshDatabaseUrl } from './support/db.ts'

/** Tables as sets of columns (ALTER TABLE appends columns, so order may differ) and indexes as SQL. */
const tablesOf = (file: string) => {
  const db = new Database(file, { readonly: true })
  const objects = db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '_prisma%' AND name NOT LIKE 'sqlite%' AND sql IS NOT NULL ORDER BY name").all() as { type: string; name: string; sql: string }[]
  const shape = objects.map((o) =>
    o.type === 'table'
      ? { name: o.name, columns: (db.prepare(`PRAGMA table_info("${o.name}")`).all() as { name: string; type: string; notnull: number; pk: number; dflt_value: unknown }[]).map((c) => `${c.name} ${c.type} ${c.notnull} ${c.pk} ${c.dflt_value}`).sort() }
      : { name: o.name, sql: o.sql.replace(/\s+/g, ' ') },
  )
  db.close()
  return shape
}

const root = resolve(import.meta.dirname, '..')
/** `prisma migrate diff` from nothing to a schema file, as SQL; the CLI goes through the adapter DATABASE_URL names. */
const sqlFor = (schema: string, url: string) =>
  execFileSync(process.execPath, ['-r', join(root, 'prisma/cli-preload.cjs'), join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'diff', '--from-empty', '--to-schema-datamodel', schema, '--script'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DATABASE_URL: url },
  })

/** A PostgreSQL database's tables, columns, constraints and indexes, migrations' own table left out. */
async function shapeOf(url: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const q = async (sql: string) => (await client.query(sql)).rows.map((r) => Object.values(r).join(' '))
    return {
      columns: await q("SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations' ORDER BY 1, 2"),
      constraints: await q("SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_prisma_migrations' ORDER BY 1, 2"),
      indexes: await q("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY 1, 2"),
    }
  } finally {
    await client.end()
  }
}

describe('checked-in migrations', () => {
  it('are applied by the CLI on a new database, and the CLI is not run again when nothing is pending', async () => {
    const fresh = 'file:' + join(mkdtempSync(join(tmpdir(), 'renju-migrate-')), 'new.sqlite')
    expect(await migrate(fresh)).toBe('applied')
    expect(await migrate(fresh)).toBe('current')
    expect(await migrate(freshDatabaseUrl())).toBe('current') // the test run's migrated base
  }, 60_000)

  // `prisma db push` would be the obvious check, but through the adapter it never exits.
  it('build exactly the database that prisma/schema.prisma describes', () => {
    const fromSchema = sqlFor('prisma/schema.prisma', 'file:' + join(mkdtempSync(join(tmpdir(), 'renju-cli-')), 'cli.sqlite'))
    const expected = join(mkdtempSync(join(tmpdir(), 'renju-schema-')), 'schema.sqlite')
    const db = new Database(expected)
    db.exec(fromSchema)
    db.close()
    expect(tablesOf(inject('baseDatabase'))).toEqual(tablesOf(expected))
  })

  // The two providers cannot drift apart: PostgreSQL's schema is SQLite's with another provider
  // (this fails when it was not written again after a change), and each provider's migrations
  // build exactly its schema.
  it("PostgreSQL's schema is written from prisma/schema.prisma and up to date (npm run schema:postgres)", () => {
    expect(readFileSync(postgresSchemaFile, 'utf8')).toBe(postgresSchema(readFileSync(sqliteSchemaFile, 'utf8')))
  })

  it('for PostgreSQL build exactly the database that prisma/postgres/schema.prisma describes', async () => {
    const server = inject('postgresServer')
    const expected = await createDatabase(server)
    try {
      const client = new pg.Client({ connectionString: expected })
      await client.connect()
      await client.query(sqlFor('prisma/postgres/schema.prisma', expected))
      await client.end()
      const migrated = await shapeOf(databaseUrl(server, inject('postgresTemplate')))
      expect(migrated.columns.length).toBeGreaterThan(100)
      expect(migrated).toEqual(await shapeOf(expected))
    } finally {
      await dropDatabase(server, expected)
    }
  })
})
