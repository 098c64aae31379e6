// Several processes on one PostgreSQL database (issue #13, item 4), each "process" here an outbox
// or a dispatcher of its own with its own database client and its own holder id: each message
// is sent once, each incoming message handled once, each scheduled post queued once, and the
// work of a process that died is taken over once its lease or claim has run out.
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../src/db/index.ts'
import { leaseTimes, SendingLease } from '../src/outbox/lease.ts'
import { Outbox, PRIORITY, type Pacing, type Transport } from '../src/outbox/index.ts'
import { dropTestDatabase, freshDatabaseUrlOn } from './support/db.ts'

const silent = pino({ level: 'silent' })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const NO_PACING: Pacing = { sameGroupSeconds: 0, switchGroupMinSeconds: 0, switchGroupMaxSeconds: 0, perMinute: 1_000_000, maxAttempts: 6 }
const TIMES = leaseTimes(1) // 1 s: a dead process's work is taken over within about a second

/**
 * The database as a process that dies sees it: once `cut()`, every statement hangs for ever (a
 * process frozen or gone renews nothing and marks nothing).
 */
function cuttable(db: Database): { db: Database; cut(): void } {
  let cut = false
  const hang = new Promise<never>(() => {})
  const wrap = (target: object): object =>
    new Proxy(target, {
      get(object, key) {
        const value = (object as Record<PropertyKey, unknown>)[key]
        if (typeof value === 'function') return (...args: unknown[]) => (cut ? hang : (value as (...a: unknown[]) => unknown).apply(object, args))
        if (value && typeof value === 'object' && typeof key === 'string' && !key.startsWith('$')) return wrap(value)
        return value
      },
    })
  return { db: wrap(db) as Database, cut: () => void (cut = true) }
}

/** Waits until `done()` or fails after `ms`. */
async function until(done: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms
  while (!(await done())) {
    if (Date.now() > end) throw new Error('timed out')
    await sleep(20)
  }
}

describe('several processes on one PostgreSQL database', () => {
  let url: string
  const cleanups: (() => Promise<unknown>)[] = []
  const open = async () => {
    const db = await openDatabase(url)
    cleanups.push(() => db.$disconnect())
    return db
  }
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined)
    await dropTestDatabase(url)
  })

  describe('outbox', () => {
    const startProcess = async (name: string, deliveries: { by: string; text: string; at: number }[], opts: { pacing?: Pacing; db?: Database; deliver?: Transport['deliver'] } = {}) => {
      const db = opts.db ?? (await open())
      const lease = new SendingLease({ db, clock: () => new Date(), times: TIMES, holder: name })
      const outbox = new Outbox({ db, clock: () => new Date(), pacing: opts.pacing ?? NO_PACING, logger: silent, lease, pollMs: 100 })
      cleanups.push(() => outbox.stop())
      outbox.start({ deliver: opts.deliver ?? (async (m) => void deliveries.push({ by: name, text: m.text, at: Date.now() })) })
      return outbox
    }
    const sentCount = async (db: Database) => db.outboxMessage.count({ where: { status: 'sent' } })

    it('sends each message once, whichever process stored it', async () => {
      url = await freshDatabaseUrlOn('postgresql')
      const deliveries: { by: string; text: string; at: number }[] = []
      const a = await startProcess('A', deliveries)
      const b = await startProcess('B', deliveries)
      const stores = Array.from({ length: 60 }, (_, i) => (i % 2 ? a : b).enqueue({ conversationId: `g${i % 5}@chatroom`, text: `m${i}`, priority: PRIORITY.reply }))
      await Promise.all(stores)
      const db = await open()
      await until(async () => (await sentCount(db)) === 60)
      await sleep(300) // anything sent twice would be sent now
      expect(deliveries.map((d) => d.text).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `m${i}`).sort())
      expect(new Set(deliveries.map((d) => d.by)).size, 'one sender at a time: the holder').toBe(1)
    })

    it('a process taking over after a clean stop keeps the pacing of the account', async () => {
      url = await freshDatabaseUrlOn('postgresql')
      const deliveries: { by: string; text: string; at: number }[] = []
      const pacing = { ...NO_PACING, sameGroupSeconds: 1 }
      const a = await startProcess('A', deliveries, { pacing })
      await a.enqueue({ conversationId: 'g@chatroom', text: 'first', priority: PRIORITY.reply })
      await until(() => deliveries.length === 1)
      const b = await startProcess('B', deliveries, { pacing })
      await b.enqueue({ conversationId: 'g@chatroom', text: 'second', priority: PRIORITY.reply })
      await a.stop() // gives the lease up: B takes it at once, and must still wait out A's last send
      await until(() => deliveries.length === 2)
      expect(deliveries.map((d) => `${d.by} ${d.text}`)).toEqual(['A first', 'B second'])
      expect(deliveries[1]!.at - deliveries[0]!.at).toBeGreaterThanOrEqual(950)
    })

    it('a row the dead holder was sending is sent by another process once the lease ran out, once', async () => {
      url = await freshDatabaseUrlOn('postgresql')
      const deliveries: { by: string; text: string; at: number }[] = []
      const dying = cuttable(await open())
      // A dies while WeChat is taking m3: its call never returns, and nothing it writes arrives.
      const a = await startProcess('A', deliveries, {
        db: dying.db,
        deliver: async (m) => {
          if (m.text === 'm3') {
            dying.cut()
            await new Promise(() => {})
          }
          deliveries.push({ by: 'A', text: m.text, at: Date.now() })
        },
      })
      for (let i = 0; i < 10; i++) await a.enqueue({ conversationId: 'g@chatroom', text: `m${i}`, priority: PRIORITY.reply })
      await until(() => deliveries.length === 3)
      const died = Date.now()
      cleanups.splice(cleanups.length - 1, 1) // A never stops: it is dead
      await startProcess('B', deliveries)
      const db = await open()
      await until(async () => (await sentCount(db)) === 10)
      await sleep(300)
      expect(deliveries.map((d) => d.text)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i}`))
      expect(deliveries.slice(3).every((d) => d.by === 'B')).toBe(true)
      expect(deliveries[3]!.at - died, 'B waited for the lease to run out').toBeGreaterThanOrEqual(TIMES.ttlMs - 200)
      void a
    })
  })
})
