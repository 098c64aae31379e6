import { copyFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { openDatabase, type Database, type Provider } from '../../src/db/index.ts'
import { createDatabase, dropDatabase } from './postgres.ts'

/** The providers the provider-parametrised tests run on. */
export const providers: Provider[] = ['sqlite', 'postgresql']

/** A fresh, migrated SQLite file of its own; returns its `file:` URL. */
export function freshDatabaseUrl(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'renju-test-')), 'test.sqlite')
  copyFileSync(inject('baseDatabase'), file)
  return 'file:' + file
}

/** A fresh, migrated database of its own on `provider`: a SQLite file, or a PostgreSQL database copied from the run's template. */
export async function freshDatabaseUrlOn(provider: Provider): Promise<string> {
  return provider === 'sqlite' ? freshDatabaseUrl() : createDatabase(inject('postgresServer'), { template: inject('postgresTemplate') })
}

/** Drops a PostgreSQL test database (SQLite files are removed with their folder by the caller). */
export async function dropTestDatabase(url: string): Promise<void> {
  if (!url.startsWith('file:')) await dropDatabase(inject('postgresServer'), url)
}

export async function freshDatabase(provider: Provider = 'sqlite'): Promise<{ db: Database; url: string }> {
  const url = await freshDatabaseUrlOn(provider)
  return { db: await openDatabase(url), url }
}
