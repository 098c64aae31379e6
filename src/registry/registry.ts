import { distance } from 'fastest-levenshtein'
import type { Role } from '../config/schema.ts'
import type { CommandDefinition } from './define.ts'

/** The command list, with every name and alias checked for collisions when it is built. */
export class Registry {
  private readonly byWord = new Map<string, CommandDefinition<any>>()
  private readonly byImpliedWord = new Map<string, CommandDefinition<any>>()
  /** Every name and alias, longest first, for splitting glued words ("/整改卫华村"). */
  readonly words: string[]

  constructor(readonly commands: readonly CommandDefinition<any>[]) {
    for (const command of commands) {
      if (command.roles.length === 0) throw new Error(`命令 ${command.name} 没有写明可用角色`)
      for (const word of [command.name, ...command.aliases]) {
        const owner = this.byWord.get(word)
        if (owner) throw new Error(`命令名冲突：「${word}」同时属于 ${owner.name} 和 ${command.name}`)
        this.byWord.set(word, command)
      }
      for (const word of command.impliedBy ?? []) this.byImpliedWord.set(word, command)
    }
    this.words = [...this.byWord.keys()].sort((a, b) => b.length - a.length)
  }

  find(word: string): CommandDefinition<any> | undefined {
    return this.byWord.get(word)
  }

  /** The command a word implies when the bot is addressed without a command word ("已完成" → /整改). */
  impliedBy(word: string): CommandDefinition<any> | undefined {
    return this.byImpliedWord.get(word)
  }

  /** The command whose name is nearest to a mistyped one, if any is near enough. */
  nearest(word: string): CommandDefinition<any> | undefined {
    if (word.length === 0) return undefined
    let best: { command: CommandDefinition<any>; d: number } | undefined
    for (const [name, command] of this.byWord) {
      const d = name.startsWith(word) || word.startsWith(name) ? 0.5 : distance(word, name)
      if (d <= Math.max(1, Math.floor(name.length / 2)) && (!best || d < best.d)) best = { command, d }
    }
    return best?.command
  }

  allowedFor(role: Role): CommandDefinition<any>[] {
    return this.commands.filter((c) => c.roles.includes(role))
  }
}
