// The bot's one outgoing queue: every message it says (replies, notices, scheduled posts) is stored
// in OutboxMessage, then sent by a single loop paced like a careful person, retried with growing waits
// when a send fails, marked sent only once WeChat took it, and resumed after a restart.
//
// Choosing the next message (kept simple on purpose):
// - Only the oldest pending message of each (conversation, priority) may go, so messages to one
//   conversation keep their order within a priority, even while the oldest waits for a retry.
//   A lower priority number overtakes: a reply may go before an earlier post to the same group.
//   Waiting raises a message's priority (see PROMOTE_AFTER_MS), so nothing starves.
// - Among those whose notBefore has come, the lowest (raised) priority wins, then the one waiting
//   longest, then the oldest id;
//   if pacing says it must wait, the loop waits for it (and is woken when something is enqueued,
//   so a reply arriving meanwhile becomes the candidate at once).
// - A pending post to group A therefore never blocks a reply to group B: the reply is the better
//   candidate as soon as it is stored. Within one priority we do not reorder by "which group could go
//   sooner": FIFO is fair (a busy group cannot starve another), and the pacing lost is small (a group
//   switch costs 3–5 s against 3 s within a group, and 20 a minute is one every 3 s anyway).
//
// Several processes on one PostgreSQL database: only the holder of the sending lease sends (see
// lease.ts). It reads the pending rows again every `pollMs`, as other processes store replies too,
// and takes its pacing memory from the sent rows when it takes the lease over. Without a lease
// (SQLite: one process per file) the loop is the only sender and nothing is polled.
//
// Pacing is the bot account's (pacer.ts): townships sharing an account share one Pacer, so a message
// chosen here may still have to wait while another township's outbox sends. The loop starts each
// delivery without waiting for it. Paced, it chooses nothing more until that delivery ends, and the
// pacer holds the other outboxes' sends, so an account sends one at a time. Unpaced, sends to
// different conversations overlap (the pacer says how many), never two to one conversation.
//
// Delivery is at least once: a crash after WeChat accepted a message but before it was marked sent
// re-sends that one message after the restart. Avoiding it would need the puppet to dedupe, which it
// cannot; one repeated message after a crash is accepted.
import { untilReachable } from '../db/unreachable.ts'
import type { Prisma } from '../db/generated/client.ts'
import type { Database } from '../db/index.ts'
import type { Logger } from '../log.ts'
import type { Notifier, OutgoingFile } from '../outgoing.ts'
import type { Clock } from '../time.ts'
import type { SendingLease } from './lease.ts'
import { Pacer, type Pacing } from './pacer.ts'

export const PRIORITY = { reply: 0, notice: 1, post: 2 } as const

export type { Pacing }

export interface OutgoingMessage {
  conversationId: string
  text: string
  mentionIds?: string[]
  file?: OutgoingFile
  priority: number
  /** A scheduled post's due time (stored as is; sending ignores it). */
  dueAt?: Date
}

/**
 * What actually sends: the bot's Sender. Resolves when WeChat accepted the message, with the
 * id WeChat gave it (where the provider says); rejects on failure.
 */
export interface Transport {
  deliver(message: { conversationId: string; text: string; mentionIds: string[]; file?: OutgoingFile }): Promise<string | void | undefined>
}

/** Injectable timers (tests drive them by hand); the global ones by default. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface OutboxStats {
  pending: number
  sent: number
  failed: number
  /** When the next pending message may go (pacing and retry waits included); null when none is pending. */
  nextSendAt: Date | null
}

const globalTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
}

const MINUTE = 60_000
const BACKOFF_BASE_MS = 5_000
const BACKOFF_CAP_MS = 10 * MINUTE
/** After an unexpected error in the loop itself (e.g. the database), try again after this long. */
const LOOP_ERROR_WAIT_MS = 5_000
const MAX_TIMER_MS = 2 ** 31 - 1

/** Wait before the next try after `attempts` failed tries: 5 s, 10 s, 20 s … at most 10 minutes. */
export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1))
}

function rowOf(message: OutgoingMessage, now: Date) {
  return {
    conversationId: message.conversationId,
    text: message.text,
    mentionIds: JSON.stringify(message.mentionIds ?? []),
    fileName: message.file?.name ?? null,
    fileData: message.file ? new Uint8Array(message.file.data) : null,
    priority: message.priority,
    status: 'pending',
    notBefore: now,
    createdAt: now,
    dueAt: message.dueAt ?? null,
  }
}

/**
 * Stores a message and gives its id. Raw SQL, the same on SQLite and PostgreSQL, as are the read
 * and the "sent" mark of each delivery: they run for every reply, and Prisma compiles each query
 * it builds (about 1 ms a statement on this stack, against a quarter of that for SQL it is given).
 */
async function insertRow(db: Database, message: OutgoingMessage, now: Date): Promise<number> {
  const r = rowOf(message, now)
  const [row] = await db.$queryRaw<{ id: number | bigint }[]>`
    INSERT INTO "OutboxMessage" ("conversationId", "text", "mentionIds", "fileName", "fileData", "priority", "status", "attempts", "notBefore", "createdAt", "dueAt")
    VALUES (${r.conversationId}, ${r.text}, ${r.mentionIds}, ${r.fileName}, ${r.fileData}, ${r.priority}, 'pending', 0, ${r.notBefore}, ${r.createdAt}, ${r.dueAt})
    RETURNING "id"`
  if (!row) throw new Error('outbox: the stored message has no id')
  return Number(row.id)
}

/** What a delivery reads of its row. */
interface StoredRow {
  id: number
  conversationId: string
  text: string
  mentionIds: string
  fileName: string | null
  fileData: Uint8Array | null
  status: string
  attempts: number
}

/** What the loop keeps of a pending message: enough to choose, and the text of one this process stored. */
interface PendingMeta {
  id: number
  conversationId: string
  priority: number
  notBefore: number
  /** When it was stored: a notice or post that has waited this long goes as a reply would. */
  queuedAt: number
  /**
   * A text this process stored, kept until it is sent so that its delivery need not read it back
   * (one statement less per reply). Rows read from the database, and files, are read at delivery.
   */
  body?: { text: string; mentionIds: string[]; attempts: number }
}

/** A message's pending entry as it is stored; its text kept unless it carries a file. */
function pendingOf(id: number, message: OutgoingMessage, now: Date): PendingMeta {
  const meta: PendingMeta = { id, conversationId: message.conversationId, priority: message.priority, notBefore: now.getTime(), queuedAt: now.getTime() }
  if (!message.file) meta.body = { text: message.text, mentionIds: message.mentionIds ?? [], attempts: 0 }
  return meta
}

/**
 * Waiting raises a message's priority (a notice to a reply's after this long, a post one step per
 * twice this), so a steady stream of replies elsewhere cannot hold back a photo's confirmation or
 * a bulletin for ever.
 */
export const PROMOTE_AFTER_MS = 10_000

interface Choice {
  /** The message to send next, or none (nothing due: `at` is when something becomes due). */
  message: PendingMeta | undefined
  /** When it may go; undefined when there is nothing pending at all. */
  at: number | undefined
}

export class Outbox implements Notifier {
  private readonly db: Database
  private readonly clock: Clock
  private readonly pacing: Pacing
  private readonly logger: Logger
  /** The account's pacing: its own, or shared with the other townships on the same bot account. */
  private readonly pacer: Pacer
  private stopListening: (() => void) | undefined
  private readonly timers: Timers
  /** Set where other processes may send too (PostgreSQL): only its holder sends. */
  private readonly lease: SendingLease | undefined
  /** How often the holder reads the pending rows again (others' replies), and a non-holder asks for the lease. */
  private readonly pollMs: number
  private holding = false
  /**
   * When the lease was last asked for and held, by the steady clock and by the wall clock (which
   * goes on while the machine is suspended, as the other processes' clocks do): it holds for a
   * ttl from before that ask.
   */
  private heldAt = { steady: -Infinity, wall: -Infinity }
  /**
   * When this process last renewed and asked for the lease, and last read the pending rows: by
   * the machine's steady time, as polling must go on while a test's clock stands still.
   */
  private askedAt = -Infinity
  private loadedAt = -Infinity
  private renewer: ReturnType<typeof setInterval> | undefined

  /** Mirror of the pending rows (loaded at start, added to by enqueue); the database stays the truth. */
  private readonly pending = new Map<number, PendingMeta>()
  /** Whether the pacer has been told of this outbox's recent sends (after a start, or a lease taken over). */
  private seeded = false

  private transport: Transport | undefined
  private running = false
  private generation = 0
  private loop: Promise<void> = Promise.resolve()
  private woken = false
  private sleeping = false
  private timer: { handle: unknown } | undefined
  private wakeSleeper: (() => void) | undefined
  private idleWaiters: (() => void)[] = []
  /** The deliveries under way, by conversation: at most one each, so a conversation keeps its order. */
  private readonly deliveries = new Map<string, { id: number; ended: Promise<void> }>()
  /** A delivery failed unexpectedly (not a failed send): the loop waits a while, as after an error of its own. */
  private deliveryFailed = false

  /** `pacer`: the bot account's, when several townships' outboxes share one account; else one of its own. */
  constructor(deps: { db: Database; clock: Clock; pacing: Pacing; logger: Logger; random?: () => number; timers?: Timers; lease?: SendingLease; pollMs?: number; pacer?: Pacer }) {
    this.db = deps.db
    this.clock = deps.clock
    this.pacing = deps.pacing
    this.logger = deps.logger
    this.pacer = deps.pacer ?? new Pacer(deps.pacing, deps.random)
    this.timers = deps.timers ?? globalTimers
    this.lease = deps.lease
    this.pollMs = deps.pollMs ?? 1000
  }

  /** Stores the message (status pending) and wakes the sending loop; resolves with its id once stored. */
  async enqueue(message: OutgoingMessage): Promise<number> {
    const now = this.clock()
    const id = await insertRow(this.db, message, now)
    this.stored([pendingOf(id, message, now)])
    return id
  }

  /**
   * Scheduled posts (priority 2 unless given), stored in one transaction with `writes` (Prisma
   * operations such as the ScheduledPost rows that say they were queued): all of it or none.
   * For the scheduler's PostQueue; resolves once stored.
   */
  async enqueuePosts(messages: (Omit<OutgoingMessage, 'priority'> & { priority?: number })[], writes: unknown[] = []): Promise<void> {
    const now = this.clock()
    const creates = messages.map((m) =>
      this.db.outboxMessage.create({ data: rowOf({ ...m, priority: m.priority ?? PRIORITY.post }, now), select: { id: true, conversationId: true, priority: true } }),
    )
    const results = await this.db.$transaction([...(writes as Prisma.PrismaPromise<unknown>[]), ...creates])
    const rows = results.slice(writes.length) as { id: number; conversationId: string; priority: number }[]
    this.stored(rows.map((r) => ({ ...r, notBefore: now.getTime(), queuedAt: now.getTime() })))
  }

  /** Notifier: a notice (priority 1); resolves once stored, not once sent. */
  async send(conversationId: string, text: string, mentionIds: string[] = [], file?: OutgoingFile): Promise<void> {
    await this.enqueue({ conversationId, text, mentionIds, ...(file ? { file } : {}), priority: PRIORITY.notice })
  }

  /** Starts the loop with a transport (e.g. on bot login): sends pending messages left from before a restart, in order. */
  start(transport: Transport): void {
    this.transport = transport
    if (this.running) return void this.wake()
    this.running = true
    // Another outbox on the account finished a send: this one may be next.
    this.stopListening ??= this.pacer.listen(() => this.wake())
    const generation = ++this.generation
    // A loop still finishing a delivery after stop() ends first; the new one starts after it.
    this.loop = this.loop.then(() => this.run(generation))
    if (this.lease && !this.renewer) {
      // Renewed apart from the loop, which may be waiting on a slow delivery.
      this.renewer = setInterval(() => void this.renew(), this.lease.times.renewMs)
      this.renewer.unref()
    }
  }

  /** Stops the loop (e.g. on logout/stop); pending messages stay pending in the database. Resolves when an in-progress delivery finished. */
  async stop(): Promise<void> {
    this.running = false
    this.generation++
    this.wake()
    this.stopListening?.()
    this.stopListening = undefined
    clearInterval(this.renewer)
    this.renewer = undefined
    await this.loop
    if (this.lease && this.holding) {
      this.holding = false
      // Another process may take over at once rather than after the lease expired.
      await this.lease.release().catch((err: unknown) => this.logger.warn({ err }, 'outbox: could not release the sending lease'))
    }
    this.releaseIdle()
  }

  /** Whether this process sends the outbox: it holds the sending lease, or there is none (SQLite). */
  get sending(): boolean {
    return this.running && (!this.lease || this.holding)
  }

  /** For /状态 and tests: counts by status, and when the next send may happen. */
  async stats(): Promise<OutboxStats> {
    const groups = await this.db.outboxMessage.groupBy({ by: ['status'], _count: { _all: true } })
    const count = (status: string) => groups.find((g) => g.status === status)?._count._all ?? 0
    const pending = count('pending')
    let nextSendAt: Date | null = null
    if (pending > 0) {
      const { at } = this.choose(this.clock().getTime())
      if (at !== undefined && Number.isFinite(at)) nextSendAt = new Date(at)
    }
    return { pending, sent: count('sent'), failed: count('failed'), nextSendAt }
  }

  /**
   * The outbox seen from inside a database transaction: messages are written with the
   * transaction's client and join the sending loop only once `committed()` is called, so a
   * rolled-back message is never sent and a committed one is never lost.
   */
  within(tx: Database): Notifier & { enqueue(message: OutgoingMessage): Promise<void>; committed(): void } {
    const rows: PendingMeta[] = []
    const enqueue = async (message: OutgoingMessage) => {
      const now = this.clock()
      const id = await insertRow(tx, message, now)
      rows.push(pendingOf(id, message, now))
    }
    return {
      enqueue,
      send: (conversationId, text, mentionIds = [], file) => enqueue({ conversationId, text, mentionIds, ...(file ? { file } : {}), priority: PRIORITY.notice }),
      committed: () => this.stored(rows),
    }
  }

  /** Resolves when nothing is pending that could be sent now (tests); at once when the loop is stopped. */
  idle(): Promise<void> {
    if (!this.running || (this.sleeping && !this.woken && this.deliveries.size === 0)) return Promise.resolve()
    return new Promise((resolve) => this.idleWaiters.push(resolve))
  }

  private stored(messages: PendingMeta[]): void {
    // A process that does not hold the lease does not send: the holder reads the rows.
    if (!this.lease || this.holding) for (const m of messages) this.pending.set(m.id, m)
    if (messages.length > 0) this.wake()
  }

  // ---- the loop ----

  private async run(generation: number): Promise<void> {
    const live = () => this.running && this.generation === generation
    let loaded = false
    while (live()) {
      this.woken = false
      let wakeAt: number | undefined
      try {
        const now = this.clock().getTime()
        if (this.lease && !this.holding && performance.now() - this.askedAt < this.pollMs) {
          // Not the sender: ask for the lease again in a while, not at every enqueue that wakes the loop.
          wakeAt = now + this.pollMs - (performance.now() - this.askedAt)
        } else if (this.lease && !this.holding && !(await this.holdLease())) {
          wakeAt = now + this.pollMs
        } else if (!loaded || (this.lease && performance.now() - this.loadedAt >= this.pollMs)) {
          await this.load()
          loaded = true
          continue
        } else if (this.deliveryFailed) {
          this.deliveryFailed = false
          wakeAt = now + LOOP_ERROR_WAIT_MS
        } else {
          const { message, at } = this.choose(now)
          if (message && at !== undefined && at <= now) {
            // Renewed just before, or within half a renewal period (one statement less per reply
            // while replies flow): a delivery starts with at least 5/6 of a lease ahead of it, and
            // the renewal timer keeps the lease while it runs.
            if (!this.lease || this.heldRecently() || (await this.holdLease())) this.startDelivery(message)
            continue
          }
          // The holder looks again for what other processes stored. Infinity: a send under way
          // holds the next one back, and its end wakes the loop.
          wakeAt = this.lease ? Math.min(at ?? Infinity, now + this.pollMs) : at
          if (wakeAt === Infinity) wakeAt = undefined
        }
      } catch (err) {
        // Never throw out of the loop, never spin: log, and look again a little later.
        this.logger.error({ err }, 'outbox: sending loop error')
        wakeAt = this.clock().getTime() + LOOP_ERROR_WAIT_MS
      }
      if (!live()) break
      if (this.woken) continue
      await this.sleep(wakeAt)
    }
    // stop() resolves once the sends under way have ended and been recorded.
    await Promise.all([...this.deliveries.values()].map((d) => d.ended))
  }

  /**
   * Starts one delivery without waiting for it: the pacer decides whether another may go
   * meanwhile (only when unpaced, to another conversation). Its end wakes the loop.
   */
  private startDelivery(meta: PendingMeta): void {
    const ended = this.deliver(meta)
      .catch((err: unknown) => {
        // As an error of the loop itself (e.g. the database): logged, and the loop waits a while.
        this.logger.error({ err }, 'outbox: sending loop error')
        this.deliveryFailed = true
      })
      .finally(() => {
        this.deliveries.delete(meta.conversationId)
        this.wake()
      })
    this.deliveries.set(meta.conversationId, { id: meta.id, ended })
  }

  /**
   * Takes or renews the sending lease; on taking it over, forgets what this process knew of the
   * pending rows and of pacing: another process sent meanwhile, and the database says what.
   */
  private async holdLease(): Promise<boolean> {
    const lease = this.lease!
    const asked = { steady: (this.askedAt = performance.now()), wall: Date.now() }
    const held = await lease.hold()
    if (held && !this.holding) {
      this.logger.info({ holder: lease.holder }, 'outbox: took the sending lease')
      this.pending.clear()
      // What another process sent meanwhile is read from the sent rows (the pacer counts a send once).
      this.seeded = false
      this.loadedAt = -Infinity
    } else if (!held) {
      if (this.holding) this.logger.warn({ holder: lease.holder }, 'outbox: lost the sending lease to another process')
      this.pending.clear()
    }
    this.holding = held
    if (held) this.heldAt = asked
    return held
  }

  /** Held, and renewed less than half a renewal period ago by both clocks. */
  private heldRecently(): boolean {
    const half = this.lease!.times.renewMs / 2
    const wall = Date.now() - this.heldAt.wall
    return this.holding && performance.now() - this.heldAt.steady < half && wall >= 0 && wall < half
  }

  /** The renewal timer's turn: only a holder renews, and only when the loop has not just done so. */
  private async renew(): Promise<void> {
    if (!this.holding || this.heldRecently()) return
    try {
      await this.holdLease()
    } catch (err) {
      this.logger.warn({ err }, 'outbox: could not renew the sending lease')
    }
  }

  /** Reads the pending rows (left from before a restart, enqueued before start, or by another process) and the recent sends for pacing. */
  private async load(): Promise<void> {
    // The read is merged into what this process knows, never put in its place: a message stored
    // while it runs may be missing from it, and a row being sent (its "sent" mark, or its retry's
    // wait, may come meanwhile) may read as it was. Either, dropped or taken again, would let a later
    // message to its conversation go first. No delivery begins meanwhile: only the loop begins
    // them, and it waits here.
    const busy = new Set([...this.deliveries.values()].map((d) => d.id))
    const known = [...this.pending.keys()].filter((id) => !busy.has(id))
    const rows = await this.db.outboxMessage.findMany({
      where: { status: 'pending' },
      select: { id: true, conversationId: true, priority: true, notBefore: true, createdAt: true },
    })
    this.loadedAt = performance.now()
    const read = new Set(rows.map((r) => r.id))
    // Known before the read, not being sent, and not pending any more: sent or given up elsewhere.
    for (const id of known) if (!read.has(id)) this.pending.delete(id)
    // New to this process: another process's, or left from before a restart.
    for (const r of rows) if (!busy.has(r.id) && !this.pending.has(r.id)) this.pending.set(r.id, { id: r.id, conversationId: r.conversationId, priority: r.priority, notBefore: r.notBefore.getTime(), queuedAt: r.createdAt.getTime() })
    if (this.seeded) return
    this.seeded = true
    // After a restart, what went out in the last minute still counts: no burst on reconnect.
    const now = this.clock().getTime()
    const { pacing } = this.pacer
    const horizon = Math.max(MINUTE, pacing.sameGroupSeconds * 1000, pacing.switchGroupMaxSeconds * 1000)
    const sent = await this.db.outboxMessage.findMany({
      where: { status: 'sent', sentAt: { gte: new Date(now - horizon) } },
      select: { conversationId: true, sentAt: true },
      orderBy: { sentAt: 'asc' },
    })
    for (const s of sent) if (s.sentAt) this.pacer.remember(s.conversationId, Math.min(s.sentAt.getTime(), now))
  }

  /** The next message and when it may go (see the comment at the top). */
  private choose(now: number): Choice {
    // Paced, one delivery at a time, as before any overlapped: nothing is chosen while one is under
    // way (even before its send has begun, while its row is read).
    if (this.deliveries.size > 0 && !this.pacer.unpaced) return { message: undefined, at: undefined }
    const heads = new Map<string, PendingMeta>()
    for (const m of this.pending.values()) {
      // A conversation with a send under way waits for it: its messages keep their order.
      if (this.deliveries.has(m.conversationId)) continue
      const key = `${m.priority}\u0000${m.conversationId}`
      const head = heads.get(key)
      if (!head || m.id < head.id) heads.set(key, m)
    }
    let best: PendingMeta | undefined
    let nextDue: number | undefined
    // A notice rises to a reply's rank after 10 s; a post one rank per 20 s.
    const rank = (m: PendingMeta) => (m.priority === 0 ? 0 : Math.max(0, m.priority - Math.floor((now - m.queuedAt) / (PROMOTE_AFTER_MS * m.priority))))
    for (const m of heads.values()) {
      if (m.notBefore > now) {
        nextDue = nextDue === undefined ? m.notBefore : Math.min(nextDue, m.notBefore)
      } else if (!best || rank(m) < rank(best) || (rank(m) === rank(best) && (m.queuedAt < best.queuedAt || (m.queuedAt === best.queuedAt && m.id < best.id)))) {
        best = m
      }
    }
    if (!best) return { message: undefined, at: nextDue }
    const at = Math.max(now, this.pacer.at(best.conversationId, now))
    // Wake early if a waiting retry becomes due first: it may be the better candidate then.
    return { message: best, at: nextDue !== undefined && nextDue < at ? nextDue : at }
  }

  /** A message as stored, for one this process does not hold the text of; undefined when it is no longer pending. */
  private async readBack(meta: PendingMeta): Promise<{ id: number; conversationId: string; text: string; mentionIds: string[]; attempts: number; file: OutgoingFile | undefined } | undefined> {
    const [found] = await this.db.$queryRaw<StoredRow[]>`
      SELECT "id", "conversationId", "text", "mentionIds", "fileName", "fileData", "status", "attempts" FROM "OutboxMessage" WHERE "id" = ${meta.id}`
    if (!found || found.status !== 'pending') return undefined
    let mentionIds: string[] = []
    try {
      const parsed: unknown = JSON.parse(found.mentionIds)
      if (Array.isArray(parsed)) mentionIds = parsed.filter((x): x is string => typeof x === 'string')
    } catch {
      this.logger.warn({ id: meta.id }, 'outbox: unreadable mentionIds, sending without mentions')
    }
    const file = found.fileName !== null && found.fileData ? { name: found.fileName, data: Buffer.from(found.fileData) } : undefined
    return { id: Number(found.id), conversationId: found.conversationId, text: found.text, mentionIds, attempts: Number(found.attempts), file }
  }

  /** One try at one message; records the outcome. Never throws for a transport failure. */
  private async deliver(meta: PendingMeta): Promise<void> {
    const row = meta.body ? { id: meta.id, conversationId: meta.conversationId, ...meta.body, file: undefined } : await this.readBack(meta)
    if (!row) return void this.pending.delete(meta.id)
    const transport = this.transport
    if (!transport) throw new Error('outbox: no transport')
    const { mentionIds, file } = row
    let error: unknown
    let ok = false
    let sentMessageId: string | null = null
    // Another outbox on the account may have sent since this one chose: then pacing is asked again.
    if (!this.pacer.begin(row.conversationId, this.clock().getTime())) return
    try {
      sentMessageId = (await transport.deliver({ conversationId: row.conversationId, text: row.text, mentionIds, ...(file ? { file } : {}) })) || null
      ok = true
    } catch (err) {
      error = err
    }
    const now = this.clock()
    this.pacer.end(row.conversationId, now.getTime())
    const attempts = row.attempts + 1
    if (ok) {
      // Forget it before writing: should the write fail, it must not be sent twice by this process.
      this.pending.delete(row.id)
      try {
        // With the database out of reach the mark waits for it (nothing else is sent to this
        // conversation meanwhile): a row still pending would be read again and sent twice.
        await untilReachable(
          () => this.db.$executeRaw`UPDATE "OutboxMessage" SET "status" = 'sent', "sentAt" = ${now}, "attempts" = ${attempts}, "sentMessageId" = ${sentMessageId} WHERE "id" = ${row.id}`,
          (err, attempt, delayMs) => this.logger.warn({ err, id: row.id, attempt, retryInMs: delayMs }, 'outbox: database out of reach, the sent mark waits'),
          () => !this.running,
        )
      } catch (err) {
        this.logger.error({ err, id: row.id }, 'outbox: sent, but could not mark it sent (it may be sent again after a restart)')
      }
      return
    }
    const lastError = error instanceof Error ? error.message : String(error)
    if (attempts >= this.pacing.maxAttempts) {
      this.pending.delete(row.id)
      this.logger.error({ err: error, id: row.id, conversationId: row.conversationId, attempts }, 'outbox: giving up on a message')
      await this.db.outboxMessage.update({ where: { id: row.id }, data: { status: 'failed', attempts, lastError } })
      return
    }
    const notBefore = now.getTime() + backoffMs(attempts)
    meta.notBefore = notBefore
    if (meta.body) meta.body.attempts = attempts
    this.logger.warn({ err: error, id: row.id, conversationId: row.conversationId, attempts }, 'outbox: send failed, will retry')
    await this.db.outboxMessage.update({ where: { id: row.id }, data: { attempts, lastError, notBefore: new Date(notBefore) } })
  }

  // ---- waiting ----

  /** Sleeps until `until` (or until woken when undefined); enqueue and stop wake it. */
  private sleep(until: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      this.sleeping = true
      this.wakeSleeper = () => {
        this.sleeping = false
        this.wakeSleeper = undefined
        if (this.timer) this.timers.clearTimeout(this.timer.handle)
        this.timer = undefined
        resolve()
      }
      if (until !== undefined) {
        const ms = Math.min(MAX_TIMER_MS, Math.max(0, until - this.clock().getTime()))
        const timer: { handle: unknown } = { handle: undefined }
        timer.handle = this.timers.setTimeout(() => {
          if (this.timer === timer) this.timer = undefined
          this.wakeSleeper?.()
        }, ms)
        this.timer = timer
      }
      // Idle only once every send under way has ended too.
      if (this.deliveries.size === 0) this.releaseIdle()
    })
  }

  private wake(): void {
    this.woken = true
    this.wakeSleeper?.()
  }

  private releaseIdle(): void {
    const waiters = this.idleWaiters
    this.idleWaiters = []
    for (const w of waiters) w()
  }
}
