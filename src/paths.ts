// The project's folder (config/, prisma/, node_modules/), the same whether this code runs from
// src/ (tsx, vitest) or from its build in dist/src/ (`npm start`): the nearest folder up from
// here that holds a package.json.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`)
    dir = up
  }
  return dir
}

export const projectRoot = findProjectRoot()
