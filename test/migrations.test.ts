import { execFileSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it, inject } from 'vitest'

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

describe('checked-in migrations', () => {
  // `prisma db push` would be the obvious check, but through the adapter it never exits.
  it('build exactly the database that prisma/schema.prisma describes', () => {
    const root = resolve(import.meta.dirname, '..')
    const fromSchema = execFileSync(
      process.execPath,
      [join(root, 'node_modules/prisma/build/index.js'), 'migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
      { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    )
    const expected = join(mkdtempSync(join(tmpdir(), 'renju-schema-')), 'schema.sqlite')
    const db = new Database(expected)
    db.exec(fromSchema)
    db.close()
    expect(tablesOf(inject('baseDatabase'))).toEqual(tablesOf(expected))
  })
})
