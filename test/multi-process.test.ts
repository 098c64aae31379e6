// Several processes on one PostgreSQL database (issue #13, item 4), each "process" here an outbox
// or a dispatcher of its own with its own database client and its own holder id: each message
// is sent once, each incoming message handled once, each scheduled post queued once, and the
// work of a process that died is taken over once its lease or claim has run out.
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import { openDatabase, statementSeam, type Database } from '../src/db/index.ts'
import { leaseTimes, SendingLease } from '../src/outbox/lease.ts'
import { Outbox, PRIORITY, type Pacing, type Transport } from '../src/outbox/index.ts'
import { Inbox } from '../src/registry/state.ts'
import { Scheduler, type Job } from '../src/schedule/index.ts'
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

/**
 * The database with the holder's read of the pending rows held back on demand: `holdNextRead()`
 * lets the next read take place, then keeps its rows from the outbox until `release()`, so what
 * happens meanwhile (a reply stored, a send failing) happens after the read and before its rows arrive.
 */
function heldReads(db: Database): { db: Database; holdNextRead(): { read: Promise<void>; release(): void } } {
  let held: { read: () => void; gate: Promise<void> } | undefined
  const outboxMessage = new Proxy(db.outboxMessage, {
    get(model, key) {
      const value = (model as unknown as Record<PropertyKey, unknown>)[key]
      if (key !== 'findMany' || typeof value !== 'function') return value
      return async (args: { where?: { status?: string } }) => {
        const rows: unknown = await (value as (a: unknown) => Promise<unknown>).call(model, args)
        const hold = args?.where?.status === 'pending' ? held : undefined
        if (hold) {
          held = undefined
          hold.read()
          await hold.gate
        }
        return rows
      }
    },
  })
  return {
    db: new Proxy(db, { get: (target, key) => (key === 'outboxMessage' ? outboxMessage : Reflect.get(target, key, target)) }),
    holdNextRead() {
      let read!: () => void
      let release!: () => void
      const readDone = new Promise<void>((r) => (read = r))
      held = { read, gate: new Promise<void>((r) => (release = r)) }
      return { read: readDone, release }
    },
  }
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

    it('while replies flow, the holder renews the lease once in half a renewal period, not before every reply', async () => {
      url = await freshDatabaseUrlOn('postgresql')
      const deliveries: string[] = []
      const db = await open()
      const times = leaseTimes(30) // renewed every 10 s
      const outbox = new Outbox({ db, clock: () => new Date(), pacing: NO_PACING, logger: silent, lease: new SendingLease({ db, clock: () => new Date(), times, holder: 'A' }), pollMs: 100 })
      cleanups.push(() => outbox.stop())
      let leaseStatements = 0
      statementSeam.log = (sql) => void (/"SendingLease"/.test(sql) && leaseStatements++)
      try {
        outbox.start({ deliver: async (m) => void deliveries.push(m.text) })
        for (let i = 0; i < 30; i++) await outbox.enqueue({ conversationId: `g${i % 5}@chatroom`, text: `m${i}`, priority: PRIORITY.reply })
        await until(() => deliveries.length === 30)
      } finally {
        statementSeam.log = undefined
      }
      expect(deliveries.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `m${i}`).sort())
      // Taken once (an UPDATE that finds no row, then the INSERT), not renewed before each of the 30.
      expect(leaseStatements).toBeLessThanOrEqual(3)
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
      // A sends nothing before all ten are stored (its database is cut at m3, and a store after that would never end).
      let stored!: () => void
      const allStored = new Promise<void>((resolve) => (stored = resolve))
      // A dies while WeChat is taking m3: its call never returns, and nothing it writes arrives.
      const a = await startProcess('A', deliveries, {
        db: dying.db,
        deliver: async (m) => {
          await allStored
          if (m.text === 'm3') {
            dying.cut()
            await new Promise(() => {})
          }
          deliveries.push({ by: 'A', text: m.text, at: Date.now() })
        },
      })
      for (let i = 0; i < 10; i++) await a.enqueue({ conversationId: 'g@chatroom', text: `m${i}`, priority: PRIORITY.reply })
      stored()
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

    it('a reply stored while the holder reads the pending rows keeps its place before the next one', async () => {
      url = await freshDatabaseUrlOn('postgresql')
      const held = heldReads(await open())
      const deliveries: string[] = []
      const lease = new SendingLease({ db: held.db, clock: () => new Date(), times: TIMES, holder: 'A' })
      const outbox = new Outbox({ db: held.db, clock: () => new Date(), pacing: NO_PACING, logger: silent, lease, pollMs: 300 })
      cleanups.push(() => outbox.stop())
      outbox.start({ deliver: async (m) => void deliveries.push(m.text) })
      await until(() => outbox.sending)
      const hold = held.holdNextRead()
      await hold.read // the rows are read: m0 is not among them
      await outbox.enqueue({ conversationId: 'g@chatroom', text: 'm0', priority: PRIORITY.reply })
      hold.release()
      await outbox.enqueue({ conversationId: 'g@chatroom', text: 'm1', priority: PRIORITY.reply })
      await until(() => deliveries.length === 2)
      expect(deliveries).toEqual(['m0', 'm1'])
    })

    it('a reply whose send failed while the holder read the pending rows is retried before the next one goes', async () => {
      url = await freshDatabaseUrlOn('postgresql')
      const db = await open()
      const held = heldReads(db)
      const deliveries: string[] = []
      let failFirst!: () => void
      const firstTry = new Promise<void>((r) => (failFirst = r))
      let entered!: () => void
      const sending = new Promise<void>((r) => (entered = r))
      let tries = 0
      const lease = new SendingLease({ db: held.db, clock: () => new Date(), times: TIMES, holder: 'A' })
      const outbox = new Outbox({ db: held.db, clock: () => new Date(), pacing: NO_PACING, logger: silent, lease, pollMs: 300 })
      cleanups.push(() => outbox.stop())
      outbox.start({
        deliver: async (m) => {
          if (m.text === 'm0' && tries++ === 0) {
            entered()
            await firstTry
            throw new Error('WeChat did not take it')
          }
          deliveries.push(m.text)
        },
      })
      await until(() => outbox.sending)
      await outbox.enqueue({ conversationId: 'g@chatroom', text: 'm0', priority: PRIORITY.reply })
      await outbox.enqueue({ conversationId: 'g@chatroom', text: 'm1', priority: PRIORITY.reply })
      await sending
      const hold = held.holdNextRead()
      await hold.read // both read as pending while m0's first try is under way
      failFirst()
      await until(async () => (await db.outboxMessage.findFirst({ where: { text: 'm0' } }))?.attempts === 1)
      hold.release()
      await until(() => deliveries.length === 2) // m0's retry waits 5 s
      expect(deliveries).toEqual(['m0', 'm1'])
    })
  })

  describe('inbox', () => {
    const entry = (messageId: string, receivedAt: Date) => ({ messageId, conversationId: 'g@chatroom', inRoom: true, kind: 'text', talkerId: 'wxid_a', isPhoto: false, text: `/台账 ${messageId}`, sentAt: receivedAt, receivedAt })

    it('a message is claimed by the process that stored it; another takes it over only once the claim ran out, and only one does', async () => {
      url = await freshDatabaseUrlOn('postgresql')
      const [a, b, c] = [new Inbox(await open()), new Inbox(await open()), new Inbox(await open())]
      const now = new Date()
      const soon = new Date(now.getTime() + 1000)
      expect(await a.accept(entry('m1', now), 0, { holder: 'A', until: soon })).toBe(true)
      expect(await b.accept(entry('m1', now), 0, { holder: 'B', until: soon }), 'the second process sees a duplicate').toBe(false)
      expect(await b.takeOver(now, { holder: 'B', until: soon }), 'A is alive: its claim holds').toEqual([])
      // A's claim runs out (A died): B and C look at the same moment; one of them gets it.
      const later = new Date(soon.getTime() + 1)
      const claim = (holder: string) => ({ holder, until: new Date(later.getTime() + 1000) })
      const [byB, byC] = await Promise.all([b.takeOver(later, claim('B')), c.takeOver(later, claim('C'))])
      expect(byB.length + byC.length).toBe(1)
      const winner = byB.length === 1 ? 'B' : 'C'
      expect(await a.done('m1', 'late', later, 'A'), 'A, come back to life, may not mark it: it was taken over').toBe(false)
      expect(await (winner === 'B' ? b : c).done('m1', '台账', later, winner)).toBe(true)
      expect(await b.takeOver(new Date(later.getTime() + 10_000), claim('B')), 'handled: nobody takes it again').toEqual([])
    })

    it('renewing keeps a claim from being taken over', async () => {
      url = await freshDatabaseUrlOn('postgresql')
      const [a, b] = [new Inbox(await open()), new Inbox(await open())]
      const now = new Date()
      await a.accept(entry('m2', now), 0, { holder: 'A', until: new Date(now.getTime() + 1000) })
      await a.renew('A', ['m2'], new Date(now.getTime() + 5000))
      expect(await b.takeOver(new Date(now.getTime() + 2000), { holder: 'B', until: new Date(now.getTime() + 9000) })).toEqual([])
      expect((await b.takeOver(new Date(now.getTime() + 6000), { holder: 'B', until: new Date(now.getTime() + 9000) })).map((r) => r.messageId)).toEqual(['m2'])
    })

    it('claims given up at a clean stop are taken over at once', async () => {
      url = await freshDatabaseUrlOn('postgresql')
      const [a, b] = [new Inbox(await open()), new Inbox(await open())]
      const now = new Date()
      await a.accept(entry('m3', now), 0, { holder: 'A', until: new Date(now.getTime() + 30_000) })
      await a.release('A', ['m3'])
      expect((await b.takeOver(now, { holder: 'B', until: new Date(now.getTime() + 30_000) })).map((r) => r.messageId)).toEqual(['m3'])
    })
  })

  describe('schedule', () => {
    it('two processes checking the schedule at the same moment queue each post once (Read Committed)', async () => {
      url = await freshDatabaseUrlOn('postgresql')
      let day = Date.parse('2026-12-01T00:30:00Z') // 08:30 in Shanghai, after the job's 08:00
      let renders = 0
      const clock = () => new Date(day)
      const job: Job = {
        name: 'bulletin',
        label: '日报',
        cron: '0 8 * * *',
        catchUp: 'window',
        plan: async (occurrence) => [
          {
            keys: ['g1@chatroom', 'g2@chatroom', 'g3@chatroom'].map((target) => ({ period: occurrence.toISOString().slice(0, 10), target })),
            render: async (newKeys) => {
              // Rendering takes a moment: both processes are past the "already recorded?" look before either commits.
              renders++
              await sleep(100)
              return { messages: newKeys.map((k) => ({ conversationId: k.target, text: `日报 ${k.period}` })) }
            },
          },
        ],
      }
      const scheduler = async () => {
        const db = await open()
        const outbox = new Outbox({ db, clock, pacing: NO_PACING, logger: silent })
        return new Scheduler({ db, clock, logger: silent, jobs: [job], queue: outbox, catchUpHours: 6, reportMissed: async () => {} })
      }
      const [one, two] = [await scheduler(), await scheduler()]
      for (let round = 0; round < 5; round++) {
        await Promise.all([one.check(), two.check()])
        day += 86_400_000
      }
      expect(renders, 'both processes found the posts not yet recorded, every round').toBe(10)
      const db = await open()
      expect(await db.scheduledPost.count()).toBe(15)
      const posts = await db.outboxMessage.findMany({ select: { conversationId: true, text: true } })
      const perKey = new Map<string, number>()
      for (const p of posts) perKey.set(`${p.conversationId} ${p.text}`, (perKey.get(`${p.conversationId} ${p.text}`) ?? 0) + 1)
      expect(perKey.size).toBe(15)
      expect([...perKey.values()].every((n) => n === 1), 'each post once').toBe(true)
    })
  })
})
