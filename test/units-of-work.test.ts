// Every statement on the database belongs to exactly one unit of work: a transaction that rolls
// back takes only its own writes with it, never a write made meanwhile by another flow.
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/index.ts'
import { Outbox, PRIORITY, type Transport } from '../src/outbox/index.ts'
import { freshDatabase, providers } from './support/db.ts'

const NO_PACING = { sameGroupSeconds: 0, switchGroupMinSeconds: 0, switchGroupMaxSeconds: 0, perMinute: 1_000_000, maxAttempts: 6 }

/** A promise with its resolver, to interleave two flows step by step. */
function latch() {
  let open!: () => void
  const opened = new Promise<void>((resolve) => (open = resolve))
  return { open, opened }
}

let db: Database | undefined
afterEach(async () => {
  await db?.$disconnect()
  db = undefined
})

// SQLite: one connection taken in turns; PostgreSQL: a pool, each transaction on its own connection.
describe.each(providers)('units of work (%s)', (provider) => {
  it('a failing command rolls back only its own writes, not a send marked meanwhile', async () => {
    ;({ db } = await freshDatabase(provider))
    const database = db
    const outbox = new Outbox({ db: database, clock: () => new Date(), pacing: NO_PACING, logger: pino({ level: 'silent' }) })
    const id = await outbox.enqueue({ conversationId: 'room-a', text: '📝 已登记 #1', priority: PRIORITY.reply })

    // The outbox hands the reply to WeChat; WeChat takes it only once the command below has written.
    const handedOver = latch()
    const accepted = latch()
    const transport: Transport = {
      async deliver() {
        handedOver.open()
        await accepted.opened
      },
    }
    outbox.start(transport)
    await handedOver.opened

    // Another message's transaction: writes, lets WeChat accept the reply, then fails.
    const failingCommand = database
      .$transaction(async (tx) => {
        await tx.inboxMessage.create({
          data: { messageId: 'm-fails', conversationId: 'room-b', talkerId: 'x', text: '/问题', sentAt: new Date(), receivedAt: new Date() },
        })
        accepted.open() // from here the outbox marks the reply sent
        // Give that mark every chance to land while this transaction is open (on a shared
        // connection it would run inside it, be visible here, and be rolled back with it).
        for (let i = 0; i < 40; i++) {
          const seen = await tx.outboxMessage.findUniqueOrThrow({ where: { id } })
          if (seen.status === 'sent') break
          await new Promise((resolve) => setTimeout(resolve, 5))
        }
        throw new Error('the command failed')
      })
      .catch((error: Error) => error.message)

    expect(await failingCommand).toBe('the command failed')
    await outbox.stop() // resolves once the delivery in progress recorded its outcome

    const row = await database.outboxMessage.findUniqueOrThrow({ where: { id } })
    expect(row.status).toBe('sent')
    expect(await database.inboxMessage.count({ where: { messageId: 'm-fails' } })).toBe(0)
  })

  it.runIf(provider === 'sqlite')('a plain write waits for the open transaction instead of joining it', async () => {
    ;({ db } = await freshDatabase(provider))
    const database = db
    const inside = latch()
    const release = latch()
    const transaction = database
      .$transaction(async (tx) => {
        await tx.pendingPrompt.create({ data: { conversationId: 'c', talkerId: 't', commandName: '问题', argText: '', question: '?', answerFirst: false, expiresAt: new Date() } })
        inside.open()
        await release.opened
        throw new Error('rolled back')
      })
      .catch(() => 'rolled back')
    await inside.opened
    // Issued while the transaction is open; must not become part of it.
    const plainWrite = database.tip.create({ data: { text: '冬季防火', addedByName: 'test', createdAt: new Date() } }).then(() => 'written')
    let settled = false
    void plainWrite.then(() => (settled = true))
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(settled).toBe(false) // still waiting: the transaction owns the connection
    release.open()
    expect(await transaction).toBe('rolled back')
    expect(await plainWrite).toBe('written')
    expect(await database.tip.count({ where: { text: '冬季防火' } })).toBe(1)
    expect(await database.pendingPrompt.count()).toBe(0)
  })

  it('a plain statement inside a transaction fails at once rather than deadlock or join it', async () => {
    ;({ db } = await freshDatabase(provider))
    const database = db
    const outcome = await database
      .$transaction(async () => {
        await database.tip.count()
        return 'ran'
      })
      .catch((error: Error) => error.message)
    expect(outcome).toMatch(/outside its transaction/)
  })

  it('a statement on another database inside a transaction is not a stray (db:copy reads one while writing the other)', async () => {
    ;({ db } = await freshDatabase(provider))
    const database = db
    const other = (await freshDatabase('sqlite')).db
    try {
      expect(await database.$transaction(async (tx) => (await other.tip.count()) + (await tx.tip.count()))).toBe(0)
    } finally {
      await other.$disconnect()
    }
  })
})
