import { readdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { commands } from '../commands/index.ts'
import { Registry } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { z } from 'zod'

describe('commands/index.ts', () => {
  it('lists every command module in commands/', async () => {
    const dir = resolve(import.meta.dirname, '../commands')
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    const modules = await Promise.all(files.map((f) => import(resolve(dir, f))))
    for (const [i, mod] of modules.entries()) expect(commands, files[i]).toContain(mod.default)
    expect(commands).toHaveLength(files.length)
  })

  it('gives every command help text, an example that starts with its name, and roles', () => {
    for (const c of commands) {
      expect(c.summary.length, c.name).toBeGreaterThan(0)
      expect(c.usage.startsWith(`/${c.name}`), c.name).toBe(true)
      for (const e of c.examples) expect(e.startsWith(`/${c.name}`), e).toBe(true)
      expect(c.roles.length, c.name).toBeGreaterThan(0)
    }
  })

  it('refuses to build a registry with colliding names or a command with no roles', () => {
    const make = (name: string, aliases: string[], roles = ['admin'] as const) =>
      defineCommand({ name, aliases, summary: 's', usage: `/${name}`, examples: [], roles, parse: () => ({}), schema: z.object({}), run: async () => '' })
    expect(() => new Registry([...commands, make('统一', ['整改'])])).toThrow('命令名冲突：「整改」')
    expect(() => new Registry([make('空', [], [] as never)])).toThrow('没有写明可用角色')
  })
})
