// Nightly backup: SQLite's online backup of the database (safe while the bot writes), plus an
// index of the photo folder, into a folder of dated files; old ones are pruned.
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import dayjs from 'dayjs'
import type { Database as Prisma } from '../db/index.ts'
import { TIMEZONE } from '../time.ts'

export interface BackupResult {
  /** Unset on PostgreSQL, whose backups are the server's own (pg_dump; see the README). */
  databaseFile?: string
  photoIndexFile: string
  bytes: number
  pruned: string[]
}

/** Backs up `databaseFile` into `dir` as renju-YYYY-MM-DD.sqlite (Shanghai date) and prunes files older than `keepDays`. */
export async function backupNow(deps: { db: Prisma; databaseFile: string | undefined; dir: string; keepDays: number; now: Date }): Promise<BackupResult> {
  const { dir, now } = deps
  mkdirSync(dir, { recursive: true })
  const stamp = dayjs(now).tz(TIMEZONE).format('YYYY-MM-DD')
  const databaseFile = deps.databaseFile === undefined ? undefined : join(dir, `renju-${stamp}.sqlite`)
  if (deps.databaseFile !== undefined && databaseFile !== undefined) {
    const source = new Database(deps.databaseFile, { readonly: true, fileMustExist: true })
    try {
      await source.backup(databaseFile)
    } finally {
      source.close()
    }
  }
  // One entry per stored file: the same file sent again is another sighting, not another file.
  const photos = await deps.db.photo.findMany({ select: { sha256: true, format: true, bytes: true, receivedAt: true }, distinct: ['sha256'], orderBy: { id: 'asc' } })
  const photoIndexFile = join(dir, `photos-${stamp}.json`)
  writeFileSync(photoIndexFile, JSON.stringify({ createdAt: now.toISOString(), count: photos.length, photos }, null, 1))
  return { databaseFile, photoIndexFile, bytes: databaseFile ? statSync(databaseFile).size : 0, pruned: prune(dir, deps.keepDays, now) }
}

/** The newest backup in `dir`, if any. */
export function latestBackup(dir: string): { file: string; at: Date } | undefined {
  const files = backups(dir)
  const last = files.at(-1)
  return last ? { file: join(dir, last), at: statSync(join(dir, last)).mtime } : undefined
}

function backups(dir: string): string[] {
  try {
    return readdirSync(dir).filter((f) => /^renju-\d{4}-\d{2}-\d{2}\.sqlite$/.test(f)).sort()
  } catch {
    return []
  }
}

function prune(dir: string, keepDays: number, now: Date): string[] {
  const oldest = dayjs(now).tz(TIMEZONE).subtract(keepDays, 'day').format('YYYY-MM-DD')
  const pruned: string[] = []
  for (const file of readdirSync(dir)) {
    const date = /^(?:renju|photos)-(\d{4}-\d{2}-\d{2})\./.exec(file)?.[1]
    if (date && date < oldest) {
      rmSync(join(dir, file), { force: true })
      pruned.push(file)
    }
  }
  return pruned
}
