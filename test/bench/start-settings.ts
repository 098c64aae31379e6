// The allocator and heap settings `npm start` gives the assistant, read from package.json's start
// script, so that benchmarks run the assistant's code (and, for a fair floor, its bare
// counterpart) as `npm start` runs it.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'

export interface StartSettings {
  /** Environment assignments before `node` (MALLOC_ARENA_MAX=2). */
  env: Record<string, string>
  /** Flags given to node (--max-semi-space-size=2). */
  nodeFlags: string[]
  /** The script as written. */
  script: string
}

export function startSettings(): StartSettings {
  const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> }
  const script = pkg.scripts['start'] ?? ''
  const m = /^((?:\w+=\S+\s+)*)node\s+((?:--\S+\s+)*)scripts\/start\.mjs$/.exec(script.trim())
  if (!m) throw new Error(`package.json's start script is not "[VAR=value …] node [--flag …] scripts/start.mjs": ${script}`)
  const env = Object.fromEntries(m[1]!.trim().split(/\s+/).filter(Boolean).map((a) => a.split('=') as [string, string]))
  return { env, nodeFlags: m[2]!.trim().split(/\s+/).filter(Boolean), script }
}
