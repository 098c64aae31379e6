// The two providers behind one Database type: the PostgreSQL client is used as the SQLite one.
import { describe, expect, it } from 'vitest'
import { describePostgresUrl, providerOf, redactUrl, type Database } from '../src/db/index.ts'
import type { Prisma as SqlitePrisma } from '../src/db/generated/client.ts'
import type { Prisma as PostgresPrisma } from '../src/db/generated-pg/client.ts'

// Compile-time: both clients have the same models, and each model's rows (scalars and relations)
// are the same type, so the PostgreSQL client can be used as the one `Database` type. A whole-client
// assignability check does not work: TypeScript cannot relate the two declarations' generic
// conditional types (aggregate, groupBy) even where they are written alike. The PostgreSQL client's
// inputs are the SQLite ones and more (`mode`, `skipDuplicates`, field references), so every call
// written against `Database` is one it takes; the e2e suites run it on both to make sure.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Rows<Map> = { [M in keyof Map]: Map[M] extends { payload: infer P } ? P : never }
type SqliteModels = Rows<SqlitePrisma.TypeMap['model']>
type PostgresModels = Rows<PostgresPrisma.TypeMap['model']>
const sameModels: Same<keyof SqliteModels, keyof PostgresModels> = true
const sameRows: { [M in keyof SqliteModels & keyof PostgresModels]: Same<SqliteModels[M], PostgresModels[M]> } = {} as { [M in keyof SqliteModels & keyof PostgresModels]: true }
void sameModels
void sameRows

describe('the two generated clients', () => {
  it('know the same models, with the same fields', async () => {
    const sqlite = await import('../src/db/generated/internal/prismaNamespace.ts')
    const postgres = await import('../src/db/generated-pg/internal/prismaNamespace.ts')
    expect(postgres.ModelName).toEqual(sqlite.ModelName)
    const fields = (ns: Record<string, unknown>) => Object.fromEntries(Object.entries(ns).filter(([name]) => name.endsWith('ScalarFieldEnum')))
    expect(Object.keys(fields(sqlite)).length).toBe(Object.keys(sqlite.ModelName).length)
    expect(fields(postgres)).toEqual(fields(sqlite))
  })
})

describe('database URLs', () => {
  it('pick the provider by scheme', () => {
    expect(providerOf('file:./data/renju.sqlite')).toBe('sqlite')
    expect(providerOf('postgresql://renju:pw@db:5432/renju')).toBe('postgresql')
    expect(providerOf('postgres://renju@db/renju')).toBe('postgresql')
    expect(() => providerOf('mysql://x')).toThrow(/DATABASE_URL 应以 file:（SQLite）或 postgresql:\/\/（PostgreSQL）开头/)
  })

  it('are shown with host, port and database, never the password', () => {
    expect(describePostgresUrl('postgresql://renju:s3cret@db.example:6543/renju')).toBe('db.example:6543/renju')
    expect(describePostgresUrl('postgresql://renju:s3cret@db.example/renju')).toBe('db.example:5432/renju')
    expect(redactUrl('postgresql://renju:s3cret@db.example/renju')).toBe('postgresql://renju:***@db.example/renju')
    expect(() => providerOf('mysql://u:s3cret@h/d')).toThrow(/^(?!.*s3cret)/)
  })
})
