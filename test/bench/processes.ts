// The bots the start and memory benchmarks spawn, and their process groups read from /proc.
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { StartSettings } from './start-settings.ts'

export type BotKind = 'echo' | 'echo-tuned' | 'assistant'

/**
 * Spawns a bot in a process group of its own: the bare echo bot (`node` on its built JavaScript
 * in `dist`), the same with npm start's settings, or the assistant by `npm start`.
 */
export function spawnBot(kind: BotKind, where: { root: string; dist: string; env: NodeJS.ProcessEnv; settings: StartSettings }): ChildProcess {
  const { root, dist, env, settings } = where
  const echo = join(dist, 'test/support/echo-bot-main.js')
  if (kind === 'echo') return spawn(process.execPath, [echo], { cwd: root, env, stdio: 'ignore', detached: true })
  if (kind === 'echo-tuned') return spawn(process.execPath, [...settings.nodeFlags, echo], { cwd: root, env: { ...env, ...settings.env }, stdio: 'ignore', detached: true })
  return spawn('npm', ['start'], { cwd: root, env, stdio: 'ignore', detached: true })
}

export interface Proc {
  pid: number
  comm: string
  args: string
}

/** Every live process in process group `pgid`. */
export function processGroup(pgid: number): Proc[] {
  const out: Proc[] = []
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      // pid (comm) state ppid pgrp …: comm may hold spaces, so read after its closing parenthesis.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) !== pgid) continue
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
      out.push({ pid: Number(name), comm, args })
    } catch {
      // gone meanwhile
    }
  }
  return out
}

/** A field of /proc/<pid>/status in kB (0 once the process is gone). */
export function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0)
  } catch {
    return 0
  }
}
