import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { openDatabase, type Database } from '../../src/db/index.ts'

/** A fresh, migrated SQLite file of its own; returns its `file:` URL. */
export function freshDatabaseUrl(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'renju-test-')), 'test.sqlite')
  copyFileSync(inject('baseDatabase'), file)
  return 'file:' + file
}

export async function freshDatabase(): Promise<{ db: Database; url: string }> {
  const url = freshDatabaseUrl()
  return { db: await openDatabase(url), url }
}
