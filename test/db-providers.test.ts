// The two providers behind one Database type: the PostgreSQL client is used as the SQLite one.
import { spawnSync } from 'node:child_process'
import { readdirSync } from 'node:fs'
import { describe, expect, inject, it } from 'vitest'
import { describePostgresUrl, migrate, providerOf, redactUrl, type Database } from '../src/db/index.ts'
import { createDatabase, dropDatabase, onServer } from './support/postgres.ts'
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

describe('PostgreSQL at start', () => {
  it('an unreachable server: a Chinese error naming host and port, never the password', async () => {
    const error = await migrate('postgresql://renju:s3cret-pw@127.0.0.1:1/renju').catch((e: Error) => e)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toBe('无法连接 PostgreSQL 数据库 127.0.0.1:1/renju：连接被拒绝（服务没有运行，或端口不对）。请检查 DATABASE_URL。')
  })

  it('npm start with an unreachable server: stops with that message and status 1', () => {
    const run = spawnSync('node_modules/.bin/tsx', ['src/main.ts'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        DATABASE_URL: 'postgresql://renju:s3cret-pw@127.0.0.1:1/renju',
        WECHATY_PUPPET_SERVICE_TOKEN: 'insecure_test',
        WECHATY_PUPPET_SERVICE_ENDPOINT: '127.0.0.1:1',
        WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
        LOG_LEVEL: 'silent',
      },
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('助手没有启动：无法连接 PostgreSQL 数据库 127.0.0.1:1/renju：连接被拒绝')
    expect(run.stdout + run.stderr).not.toContain('s3cret-pw')
  })

  it('a wrong password: says so, without repeating it', async () => {
    const url = new URL(inject('postgresServer'))
    url.password = 'not-the-password'
    const error = (await migrate(url.toString()).catch((e: Error) => e)) as Error
    expect(error.message).toMatch(/^无法连接 PostgreSQL 数据库 127\.0\.0\.1:\d+\/postgres：用户名或密码不对/)
    expect(error.message).not.toContain('not-the-password')
  })

  it('a migration that fails halfway: the start fails and names it, again on the next start', async () => {
    const server = inject('postgresServer')
    const url = await createDatabase(server)
    try {
      // A table in the way (in a database that Prisma's migrations already know): the first migration stops partway through.
      await onServer(url, (c) =>
        c.query(`CREATE TABLE "_prisma_migrations" (id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ, migration_name VARCHAR(255) NOT NULL,
          logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0);
          CREATE TABLE "Card" (id int)`),
      )
      const first = readdirSync('prisma/postgres/migrations').filter((d) => /^\d/.test(d)).sort()[0]!
      const failed = (await migrate(url).catch((e: Error) => e)) as Error
      expect(failed.message).toContain(`数据库迁移失败（PostgreSQL 127.0.0.1:`)
      expect(failed.message).toContain(`迁移 ${first} 没有完成），助手没有启动`)
      expect(failed.message).not.toContain(new URL(server).password)
      const again = (await migrate(url).catch((e: Error) => e)) as Error
      expect(again.message).toContain(`迁移 ${first} 没有完成`)
    } finally {
      await dropDatabase(server, url)
    }
  })
})
