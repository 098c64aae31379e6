// What the pipeline remembers between messages, in the database so a restart keeps it:
// which messages were taken in (to handle a redelivered one once) and half-written commands.
//
// Claims: a message is handled by the process that claimed it (the one that stored it, or one
// that took it over), and its "handled" mark is written only while that claim is still its own,
// in the same transaction as its effects. Several processes on one database (PostgreSQL) renew
// their claims while they live; a row whose claim ran out is taken over by another.
//
// The statements every message runs (taken in, twin check, handled mark, prompt cleared) are raw
// SQL, the same on SQLite and PostgreSQL: Prisma compiles each query it builds, about 1 ms a
// statement on this stack against a quarter of that for SQL it is given (see the README).
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

/** Who holds a claim and until when. */
export interface Claim {
  holder: string
  until: Date
}

export class Inbox {
  constructor(private readonly db: Database) {}

  /**
   * Records a message; false when it was taken in before: the same message id, or (some
   * providers replay a backlog under new ids) the same words from the same sender in the same
   * conversation sent within `windowSeconds` (0: by id only). Pictures are told apart by id only.
   */
  async accept(entry: InboxEntry, windowSeconds: number, claim?: Claim): Promise<boolean> {
    if (!entry.isPhoto && windowSeconds > 0) {
      const window = windowSeconds * 1000
      const from = new Date(entry.sentAt.getTime() - window)
      const to = new Date(entry.sentAt.getTime() + window)
      const twins = await this.db.$queryRaw<unknown[]>`
        SELECT 1 FROM "InboxMessage"
        WHERE "conversationId" = ${entry.conversationId} AND "talkerId" = ${entry.talkerId} AND "text" = ${entry.text}
          AND "isPhoto" = ${false} AND "sentAt" >= ${from} AND "sentAt" <= ${to}
        LIMIT 1`
      if (twins.length > 0) return false
    }
    // Nothing inserted: the same message id was taken in before.
    const inserted = await this.db.$executeRaw`
      INSERT INTO "InboxMessage" ("messageId", "conversationId", "inRoom", "kind", "talkerId", "isPhoto", "text", "sentAt", "receivedAt", "claimedBy", "claimedUntil")
      VALUES (${entry.messageId}, ${entry.conversationId}, ${entry.inRoom}, ${entry.kind}, ${entry.talkerId}, ${entry.isPhoto}, ${entry.text}, ${entry.sentAt}, ${entry.receivedAt}, ${claim?.holder ?? null}, ${claim?.until ?? null})
      ON CONFLICT ("messageId") DO NOTHING`
    return inserted === 1
  }

  /**
   * Claims, for `claim.holder`, the messages taken in before `before` and never handled (one
   * process per database: what an earlier start left), oldest first.
   */
  async claimUnhandled(before: Date, claim: Claim) {
    await this.db.inboxMessage.updateMany({ where: { handledAt: null, receivedAt: { lt: before } }, data: { claimedBy: claim.holder, claimedUntil: claim.until } })
    return this.db.inboxMessage.findMany({ where: { handledAt: null, receivedAt: { lt: before }, claimedBy: claim.holder }, orderBy: { receivedAt: 'asc' } })
  }

  /**
   * Claims, for `claim.holder`, the messages never handled whose claim ran out by `now` (their
   * process died) or that nobody claimed, oldest first; each is claimed by one process only (the
   * condition is read again on a concurrent update's result).
   */
  async takeOver(now: Date, claim: Claim) {
    // (spelled with IS NULL: SQL's "not equal" is never true of a null)
    const free = {
      handledAt: null,
      AND: [{ OR: [{ claimedBy: null }, { claimedUntil: null }, { claimedUntil: { lt: now } }] }, { OR: [{ claimedBy: null }, { claimedBy: { not: claim.holder } }] }],
    }
    const candidates = await this.db.inboxMessage.findMany({ where: free, orderBy: { receivedAt: 'asc' }, select: { messageId: true } })
    const taken = []
    for (const { messageId } of candidates) {
      const { count } = await this.db.inboxMessage.updateMany({ where: { messageId, ...free }, data: { claimedBy: claim.holder, claimedUntil: claim.until } })
      if (count === 1) taken.push(messageId)
    }
    if (taken.length === 0) return []
    return this.db.inboxMessage.findMany({ where: { messageId: { in: taken } }, orderBy: { receivedAt: 'asc' } })
  }

  /** Keeps `holder`'s claims on these messages (still in its hands) until `until`. */
  async renew(holder: string, messageIds: string[], until: Date): Promise<void> {
    if (messageIds.length === 0) return
    await this.db.inboxMessage.updateMany({ where: { messageId: { in: messageIds }, claimedBy: holder, handledAt: null }, data: { claimedUntil: until } })
  }

  /** Gives `holder`'s claims on these messages up (a clean stop): another process may take them at once. */
  async release(holder: string, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) return
    await this.db.inboxMessage.updateMany({ where: { messageId: { in: messageIds }, claimedBy: holder, handledAt: null }, data: { claimedUntil: new Date(0) } })
  }

  /** A stored message, by its id (a recall names the message it takes back). */
  find(messageId: string) {
    return this.db.inboxMessage.findUnique({ where: { messageId }, select: { talkerId: true, sentAt: true, text: true } })
  }

  /**
   * Marks it handled, if `holder` still holds its claim: false when another process took it over
   * (or handled it) meanwhile; then this handling must be rolled back, not committed.
   */
  async done(messageId: string, outcome: string, at: Date, holder: string): Promise<boolean> {
    const count = await this.db.$executeRaw`
      UPDATE "InboxMessage" SET "handledAt" = ${at}, "outcome" = ${outcome}
      WHERE "messageId" = ${messageId} AND "handledAt" IS NULL AND "claimedBy" = ${holder}`
    return count === 1
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
    // Raw SQL: run for nearly every message (see the top of the file).
    const count = await this.db.$executeRaw`DELETE FROM "PendingPrompt" WHERE "conversationId" = ${conversationId} AND "talkerId" = ${talkerId}`
    return count > 0
  }
}
