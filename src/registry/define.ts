// A chat command is one value: its words, who may use it, how its arguments read, what it does.
import type { z } from 'zod'
import type { Role, Policy, TownshipConfig } from '../config/schema.ts'
import type { Actor, Conversation, Township } from '../config/township.ts'
import type { Campaign } from '../campaign/campaign.ts'
import type { StatusReport } from '../maintenance/health.ts'
import type { Extensions, Ledger } from '../ledger/index.ts'
import type { Schedule, TipLibrary } from '../schedule/index.ts'
import type { PhotoLibrary, PhotoPairing } from '../photos/index.ts'
import type { Reports } from '../reports/reports.ts'
import type { Roster } from '../roster/roster.ts'
import type { RoleRequests } from '../roster/requests.ts'
import type { Imports } from '../import/imports.ts'
import type { Args } from './args.ts'
import type { Registry } from './registry.ts'

export interface OutgoingFile {
  name: string
  data: Buffer
}

/** Says something in a conversation unprompted: photo confirmations, reminders, news for a reporter. */
export interface Notifier {
  send(conversationId: string, text: string, mentionIds?: string[], file?: OutgoingFile): Promise<void>
}

/** The WeChat groups the bot is in, as the bot sees them now (for /群, /人员, roster imports). */
export interface RoomDirectory {
  rooms(): Promise<{ id: string; topic: string; memberCount: number }[]>
  /** A room's members with their WeChat names and group nicknames (群昵称). */
  members(roomId: string): Promise<{ id: string; name: string; alias?: string }[]>
}

/** An .xlsx someone sent to the bot, kept for /导入. */
export interface IncomingFile {
  name: string
  data: Buffer
}

/** What commands may use; passed in by the composition root. */
export interface Services {
  config: TownshipConfig
  township: Township
  roster: Roster
  requests: RoleRequests
  rooms: RoomDirectory
  imports: Imports
  ledger: Ledger
  photos: PhotoLibrary
  pairing: PhotoPairing
  reports: Reports
  extensions: Extensions
  campaign: Campaign
  /** The bot's health, for /状态. */
  status(): Promise<StatusReport>
  /** Excel files of the records, for /导出. */
  exports: { ledger(village?: string): Promise<OutgoingFile>; campaign(): Promise<OutgoingFile> }
  schedule: Schedule
  tips: TipLibrary
  notify: Notifier
  policy: Policy
}

/** A command's answer: text, and a picture or file to send after it. */
export type CommandReply = string | { text: string; file?: OutgoingFile }

/** Someone @-mentioned in the message (the bot itself excluded). */
export interface Mention {
  id: string
  name: string
}

export interface CommandContext {
  actor: Actor
  where: Conversation
  /** Who the message @-mentions, by WeChat's own list (never by the typed name). */
  mentions: Mention[]
  messageId: string
  /** The group's id, or the sender's for a private chat. */
  conversationId: string
  now: Date
  services: Services
  /** Every command, for /帮助. */
  registry: Registry
  /** The village a command is about: the one named, else the group's, else the actor's only one; asks otherwise. */
  villageOrAsk(named: string | undefined): string
  /** Drops the sender's half-written command in this conversation; false when there was none. */
  dropPrompt(): Promise<boolean>
  /** Stops with a polite refusal when the actor may not act on this village. */
  requireScope(village: string): void
}

export interface CommandDefinition<A = unknown> {
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
  /** Also heard in a group not bound yet (where the bot is otherwise silent): /绑定, /群. */
  inUnboundGroups?: boolean
  /** Also heard in a private chat with someone who holds no role: /管理员 and its setup code. */
  fromStrangers?: boolean
  /** Reads the words into a plain object for `schema`. */
  parse(args: Args, ctx: CommandContext): unknown
  /** Validates what `parse` read: a missing field's message is asked as a question. */
  schema: z.ZodType<A>
  /** Does the work and returns the reply. */
  run(args: A, ctx: CommandContext): Promise<CommandReply>
}

export function defineCommand<S extends z.ZodType>(
  def: Omit<CommandDefinition<z.output<S>>, 'schema'> & { schema: S },
): CommandDefinition<z.output<S>> {
  return def as CommandDefinition<z.output<S>>
}

export const ALL_ROLES: readonly Role[] = ['admin', 'supervisor', 'duty', 'village', 'grid', 'resident']
export const CADRE_ROLES: readonly Role[] = ['admin', 'supervisor', 'duty', 'village', 'grid']
export const SUPERVISING_ROLES: readonly Role[] = ['admin', 'supervisor', 'duty']
