// Migrates one base database for the whole run; each test copies it (migrating per test
// would cost ~1.5 s each through Prisma's CLI).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { migrate } from '../../src/db/index.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    baseDatabase: string
  }
}

export default async function setup(project: TestProject) {
  const dir = mkdtempSync(join(tmpdir(), 'renju-base-'))
  const file = join(dir, 'base.sqlite')
  await migrate('file:' + file)
  project.provide('baseDatabase', file)
  return () => rmSync(dir, { recursive: true, force: true })
}
