// A chat command is one value: its words, who may use it, how its arguments read, what it does.
import type { z } from 'zod'
import type { Role } from '../config/schema.ts'
import type { Actor, Conversation } from '../config/township.ts'
import type { Args } from './args.ts'
import type { OutgoingFile } from '../outgoing.ts'
import type { Registry } from './registry.ts'

/** An .xlsx someone sent to the bot, kept for /导入. */
export interface IncomingFile {
  name: string
  data: Buffer
}

/** A command's answer: text, and a picture or file to send after it. */
export type CommandReply = string | { text: string; file?: OutgoingFile }

/** Someone @-mentioned in the message (the bot itself excluded). */
export interface Mention {
  id: string
  name: string
}

export interface CommandContext<S = unknown> {
  actor: Actor
  where: Conversation
  /** Who the message @-mentions, by WeChat's own list (never by the typed name). */
  mentions: Mention[]
  messageId: string
  /** The group's id, or the sender's for a private chat. */
  conversationId: string
  now: Date
  /** What commands may use: the composition root's services (src/services.ts). */
  services: S
  /** Every command, for /帮助. */
  registry: Registry
  /** The village a command is about: the one named, else the group's, else the actor's only one; asks otherwise. */
  villageOrAsk(named: string | undefined): string
  /** Drops the sender's half-written command in this conversation; false when there was none. */
  dropPrompt(): Promise<boolean>
  /** Stops with a polite refusal when the actor may not act on this village. */
  requireScope(village: string): void
}

/** `S`: the services commands use; a registry holds commands over any. */
export interface CommandDefinition<A = unknown, S = any> {
  /** The Chinese word people type after the slash. */
  name: string
  aliases: readonly string[]
  /** One line for /帮助. */
  summary: string
  /** The written form, shown when the words cannot be read. */
  usage: string
  examples: readonly string[]
  /** Who may use it; nobody else can (deny by default). */
  roles: readonly Role[]
  /** Words that mean this command when the bot is addressed without one ("@助手 卫华村 已完成" → /整改). */
  impliedBy?: readonly string[]
  /** Also heard in a group not bound yet (where the bot is otherwise silent): /绑定, /群. */
  inUnboundGroups?: boolean
  /** Also heard in a private chat with someone who holds no role: /管理员 and its setup code. */
  fromStrangers?: boolean
  /** Heard in a county's group, where nothing else is: the county's own figures. */
  inCountyGroup?: boolean
  /** Reads the words into a plain object for `schema`. */
  parse(args: Args, ctx: CommandContext<S>): unknown
  /** Validates what `parse` read: a missing field's message is asked as a question. */
  schema: z.ZodType<A>
  /** Does the work and returns the reply. */
  run(args: A, ctx: CommandContext<S>): Promise<CommandReply>
}

/** The `defineCommand` for commands over services `S` (the composition root makes the one in use). */
export function commandsOver<S>() {
  return function defineCommand<Z extends z.ZodType>(def: Omit<CommandDefinition<z.output<Z>, S>, 'schema'> & { schema: Z }): CommandDefinition<z.output<Z>, S> {
    return def as CommandDefinition<z.output<Z>, S>
  }
}

export const ALL_ROLES: readonly Role[] = ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident']
export const CADRE_ROLES: readonly Role[] = ['admin', 'supervisor', 'duty', 'village', 'grid']
export const SUPERVISING_ROLES: readonly Role[] = ['admin', 'supervisor', 'duty']
