// What the pipeline remembers between messages, in the database so a restart keeps it:
// which messages were taken in (to handle a redelivered one once) and half-written commands.
import type { Database } from '../db/index.ts'

export interface InboxEntry {
  messageId: string
  conversationId: string
  inRoom: boolean
  kind: string
  talkerId: string
  isPhoto: boolean
  text: string
  sentAt: Date
  receivedAt: Date
}

export class Inbox {
  constructor(private readonly db: Database) {}

  /**
   * Records a message; false when it was taken in before: the same message id, or (some
   * providers replay a backlog under new ids) the same words from the same sender in the same
   * conversation sent within `windowSeconds` (0: by id only). Pictures are told apart by id only.
   */
  async accept(entry: InboxEntry, windowSeconds: number): Promise<boolean> {
    if (!entry.isPhoto && windowSeconds > 0) {
      const window = windowSeconds * 1000
      const twin = await this.db.inboxMessage.findFirst({
        where: {
          conversationId: entry.conversationId,
          talkerId: entry.talkerId,
          text: entry.text,
          isPhoto: false,
          sentAt: { gte: new Date(entry.sentAt.getTime() - window), lte: new Date(entry.sentAt.getTime() + window) },
        },
        select: { messageId: true },
      })
      if (twin) return false
    }
    try {
      await this.db.inboxMessage.create({ data: entry })
      return true
    } catch (error) {
      if ((error as { code?: string }).code === 'P2002') return false // unique messageId: seen before
      throw error
    }
  }

  /** Taken in before `before` and never handled, oldest first. */
  unhandled(before: Date) {
    return this.db.inboxMessage.findMany({ where: { handledAt: null, receivedAt: { lt: before } }, orderBy: { receivedAt: 'asc' } })
  }

  /** A stored message, by its id (a recall names the message it takes back). */
  find(messageId: string) {
    return this.db.inboxMessage.findUnique({ where: { messageId }, select: { talkerId: true, sentAt: true, text: true } })
  }

  async done(messageId: string, outcome: string, at: Date): Promise<void> {
    await this.db.inboxMessage.update({ where: { messageId }, data: { handledAt: at, outcome } })
  }
}

export interface Prompt {
  commandName: string
  argText: string
  question: string
  answerFirst: boolean
  /** A yes/no question: 是 runs the command with argText as it is; 不是 drops it. */
  confirmOnly?: boolean
}

export class Prompts {
  constructor(private readonly db: Database) {}

  async get(conversationId: string, talkerId: string, now: Date): Promise<Prompt | undefined> {
    const row = await this.db.pendingPrompt.findUnique({ where: { conversationId_talkerId: { conversationId, talkerId } } })
    if (!row) return undefined
    if (row.expiresAt <= now) {
      await this.clear(conversationId, talkerId)
      return undefined
    }
    return row
  }

  async set(conversationId: string, talkerId: string, prompt: Prompt, expiresAt: Date): Promise<void> {
    const key = { conversationId, talkerId }
    await this.db.pendingPrompt.upsert({
      where: { conversationId_talkerId: key },
      create: { ...key, ...prompt, expiresAt },
      update: { ...prompt, expiresAt },
    })
  }

  async clear(conversationId: string, talkerId: string): Promise<boolean> {
    const { count } = await this.db.pendingPrompt.deleteMany({ where: { conversationId, talkerId } })
    return count > 0
  }
}
