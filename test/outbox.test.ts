import { randomBytes } from 'node:crypto'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../src/db/index.ts'
import { Outbox, PRIORITY, PROMOTE_AFTER_MS, type Pacing, type Timers, type Transport } from '../src/outbox/index.ts'
import { PARALLEL_UNPACED } from '../src/outbox/pacer.ts'
import type { OutgoingFile } from '../src/outgoing.ts'
import { freshDatabase } from './support/db.ts'

const PACING: Pacing = { sameGroupSeconds: 3, switchGroupMinSeconds: 3, switchGroupMaxSeconds: 5, perMinute: 20, maxAttempts: 6 }
const NO_PACING: Pacing = { sameGroupSeconds: 0, switchGroupMinSeconds: 0, switchGroupMaxSeconds: 0, perMinute: 1_000_000, maxAttempts: 6 }
const START = Date.parse('2026-11-30T02:00:00Z')

/** A clock and timers moved only by the test: firing a timer first moves the clock to its time. */
function manualTime(start = START) {
  let now = start
  let seq = 0
  const queue = new Map<number, { at: number; fn: () => void }>()
  const timers: Timers = {
    setTimeout(fn, ms) {
      const id = ++seq
      queue.set(id, { at: now + ms, fn })
      return id
    },
    clearTimeout(handle) {
      queue.delete(handle as number)
    },
  }
  return {
    clock: () => new Date(now),
    timers,
    now: () => now,
    timerCount: () => queue.size,
    /** Fires the earliest timer (moving the clock to it); false when none is set. */
    fireNext(): boolean {
      let next: [number, { at: number; fn: () => void }] | undefined
      for (const entry of queue) if (!next || entry[1].at < next[1].at) next = entry
      if (!next) return false
      queue.delete(next[0])
      now = Math.max(now, next[1].at)
      next[1].fn()
      return true
    },
  }
}
type ManualTime = ReturnType<typeof manualTime>

/** Lets the outbox work, firing its timers one by one, until nothing is left to do (or `until`). */
async function drain(outbox: Outbox, time: ManualTime, until?: () => boolean): Promise<void> {
  for (let step = 0; step < 100_000; step++) {
    await outbox.idle()
    // the loop never keeps more than one timer
    expect(time.timerCount()).toBeLessThanOrEqual(1)
    if (until?.()) return
    if (!time.fireNext()) return
  }
  throw new Error('drain: too many steps')
}

interface Delivery {
  conversationId: string
  text: string
  mentionIds: string[]
  file?: OutgoingFile
  at: number
}

/** A transport that records what it was given and when (by the injected clock); `fails` decides a rejection. */
function recorder(clock: () => Date, fails: (text: string, attempt: number) => boolean = () => false) {
  const sent: Delivery[] = []
  const tries: Delivery[] = []
  const transport: Transport = {
    async deliver(m) {
      const d = { ...m, at: clock().getTime() }
      tries.push(d)
      const attempt = tries.filter((t) => t.text === m.text).length
      if (fails(m.text, attempt)) throw new Error(`boom ${m.text} #${attempt}`)
      sent.push(d)
    },
  }
  return { transport, sent, tries }
}

const silent = pino({ level: 'silent' })

/** Small deterministic random numbers. */
function seeded(seed = 42) {
  let s = seed
  return () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31
    return s / 2 ** 31
  }
}

describe('Outbox', () => {
  let db: Database
  let time: ManualTime
  const outboxes: Outbox[] = []
  const make = (opts: { pacing?: Pacing; random?: () => number; logger?: pino.Logger } = {}) => {
    const outbox = new Outbox({ db, clock: time.clock, timers: time.timers, pacing: opts.pacing ?? PACING, logger: opts.logger ?? silent, random: opts.random ?? (() => 0) })
    outboxes.push(outbox)
    return outbox
  }

  beforeEach(async () => {
    ;({ db } = await freshDatabase())
    time = manualTime()
  })
  afterEach(async () => {
    for (const o of outboxes.splice(0)) await o.stop()
    await db.$disconnect()
  })

  it('sends replies in order, at least 3 s apart in the same group', async () => {
    const outbox = make()
    const t = recorder(time.clock)
    for (let i = 1; i <= 5; i++) await outbox.enqueue({ conversationId: 'g1@chatroom', text: `reply ${i}`, priority: PRIORITY.reply })
    outbox.start(t.transport)
    await drain(outbox, time)

    expect(t.sent.map((d) => d.text)).toEqual(['reply 1', 'reply 2', 'reply 3', 'reply 4', 'reply 5'])
    expect(t.sent[0]?.at).toBe(START) // the first goes at once
    const gaps = t.sent.slice(1).map((d, i) => d.at - t.sent[i]!.at)
    expect(gaps).toEqual([3000, 3000, 3000, 3000])
    expect(await outbox.stats()).toEqual({ pending: 0, sent: 5, failed: 0, nextSendAt: null })
  })

  it.each([
    [0, 3000],
    [0.5, 4000],
    [0.999, 4998],
  ])('waits a random 3–5 s when switching groups (random %s → %s ms)', async (r, gap) => {
    const outbox = make({ random: () => r })
    const t = recorder(time.clock)
    for (const g of ['a', 'b', 'c', 'a']) await outbox.enqueue({ conversationId: `${g}@chatroom`, text: g, priority: PRIORITY.notice })
    outbox.start(t.transport)
    await drain(outbox, time)

    expect(t.sent.map((d) => d.text)).toEqual(['a', 'b', 'c', 'a'])
    const gaps = t.sent.slice(1).map((d, i) => d.at - t.sent[i]!.at)
    for (const g of gaps) expect(g).toBeCloseTo(gap, 0)
  })

  // The defaults alone keep it under 20 a minute (every gap is ≥ 3 s); with shorter gaps the 20-a-minute limit binds.
  const FAST: Pacing = { ...PACING, sameGroupSeconds: 1, switchGroupMinSeconds: 1, switchGroupMaxSeconds: 2 }
  it.each([
    ['default pacing', PACING],
    ['short gaps, where 20 a minute binds', FAST],
  ])('paces a burst of 50 posts to 6 groups (%s): ≤ 20 in any 60 s, gaps kept, each sent exactly once', async (_, pacing) => {
    const outbox = make({ pacing, random: seeded() })
    const t = recorder(time.clock)
    const pick = seeded(7)
    const texts: string[] = []
    for (let i = 0; i < 50; i++) {
      const group = `g${Math.floor(pick() * 6)}@chatroom`
      texts.push(`post ${i} → ${group}`)
      await outbox.enqueue({ conversationId: group, text: `post ${i} → ${group}`, priority: PRIORITY.post })
    }
    outbox.start(t.transport)
    await drain(outbox, time)

    expect(t.sent.map((d) => d.text).sort()).toEqual([...texts].sort())
    expect(new Set(t.sent.map((d) => d.text)).size).toBe(50)
    const windowCounts = t.sent.map((d) => t.sent.filter((e) => e.at >= d.at && e.at < d.at + 60_000).length)
    expect(Math.max(...windowCounts)).toBeLessThanOrEqual(20)
    if (pacing === FAST) expect(Math.max(...windowCounts)).toBe(20) // at the limit, never above
    const byGroup = new Map<string, number[]>()
    for (const d of t.sent) byGroup.set(d.conversationId, [...(byGroup.get(d.conversationId) ?? []), d.at])
    expect(byGroup.size).toBe(6)
    const sameGroupMs = pacing.sameGroupSeconds * 1000
    for (const times of byGroup.values()) for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(sameGroupMs)
    for (let i = 1; i < t.sent.length; i++) {
      const [a, b] = [t.sent[i - 1]!, t.sent[i]!]
      if (a.conversationId !== b.conversationId) expect(b.at - a.at).toBeGreaterThanOrEqual(pacing.switchGroupMinSeconds * 1000)
    }
    // posts to one group stay in their order
    for (const g of byGroup.keys()) {
      const order = t.sent.filter((d) => d.conversationId === g).map((d) => d.text)
      expect(order).toEqual(texts.filter((x) => x.endsWith(g)))
    }
    expect(await outbox.stats()).toMatchObject({ pending: 0, sent: 50, failed: 0 })
  })

  it('sends a reply enqueued while posts wait before the remaining posts, even in a group with posts pending', async () => {
    const outbox = make({ random: () => 0.5 })
    const t = recorder(time.clock)
    for (let i = 0; i < 6; i++) await outbox.enqueue({ conversationId: `g${i % 3}@chatroom`, text: `post ${i}`, priority: PRIORITY.post })
    outbox.start(t.transport)
    await drain(outbox, time, () => t.sent.length === 2)
    expect(time.timerCount()).toBe(1) // waiting for the third post

    await outbox.enqueue({ conversationId: 'g2@chatroom', text: 'reply', priority: PRIORITY.reply })
    await outbox.enqueue({ conversationId: 'g0@chatroom', text: 'notice', priority: PRIORITY.notice })
    await drain(outbox, time)

    expect(t.sent.map((d) => d.text)).toEqual(['post 0', 'post 1', 'reply', 'notice', 'post 2', 'post 3', 'post 4', 'post 5'])
    // still paced: the reply waited for the group switch
    expect(t.sent[2]!.at - t.sent[1]!.at).toBe(4000)
  })

  it('a notice is not held back for ever by a steady stream of replies in other groups', async () => {
    const outbox = make()
    const t = recorder(time.clock)
    await outbox.enqueue({ conversationId: 'g0@chatroom', text: '已为 #1 添加整改前照片 1 张', priority: PRIORITY.notice })
    // Every group answers a command every 3 s, round the clock: there is always a reply waiting.
    for (let i = 0; i < 40; i++) await outbox.enqueue({ conversationId: `g${1 + (i % 4)}@chatroom`, text: `reply ${i}`, priority: PRIORITY.reply })
    outbox.start(t.transport)
    await drain(outbox, time, () => t.sent.some((d) => d.text.startsWith('已为')))
    const notice = t.sent.find((d) => d.text.startsWith('已为'))
    expect(notice, 'the notice went out while replies were still waiting').toBeDefined()
    expect(notice!.at - START).toBeLessThanOrEqual(PROMOTE_AFTER_MS + 5_000)
    expect(t.sent.length).toBeLessThan(41)
  })

  it('retries a failed send with backoff, gives up after maxAttempts, and keeps sending others meanwhile', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) })
    const outbox = make({ logger })
    const t = recorder(time.clock, (text, attempt) => text === 'broken' || (text === 'flaky' && attempt <= 2))
    await outbox.enqueue({ conversationId: 'a@chatroom', text: 'broken', priority: PRIORITY.reply })
    await outbox.enqueue({ conversationId: 'b@chatroom', text: 'flaky', priority: PRIORITY.reply })
    // a later reply to the same group never overtakes the one being retried
    await outbox.enqueue({ conversationId: 'a@chatroom', text: 'after broken', priority: PRIORITY.reply })
    for (let i = 0; i < 10; i++) await outbox.enqueue({ conversationId: `c${i % 2}@chatroom`, text: `other ${i}`, priority: PRIORITY.notice })
    outbox.start(t.transport)
    await drain(outbox, time)

    const triesOf = (text: string) => t.tries.filter((d) => d.text === text).map((d) => d.at)
    const flaky = triesOf('flaky')
    expect(flaky).toHaveLength(3)
    expect(flaky[1]! - flaky[0]!).toBeGreaterThanOrEqual(5000)
    expect(flaky[2]! - flaky[1]!).toBeGreaterThanOrEqual(10_000)
    expect(t.sent.filter((d) => d.text === 'flaky')).toHaveLength(1)

    const broken = triesOf('broken')
    expect(broken).toHaveLength(6)
    const waits = broken.slice(1).map((at, i) => at - broken[i]!)
    ;[5000, 10_000, 20_000, 40_000, 80_000].forEach((backoff, i) => expect(waits[i]).toBeGreaterThanOrEqual(backoff))

    // everything else went out, most of it while 'broken' was still being retried
    const others = t.sent.filter((d) => d.text.startsWith('other')).map((d) => d.at)
    expect(others).toHaveLength(10)
    expect(others.filter((at) => at < broken[5]!).length).toBeGreaterThanOrEqual(8)
    const after = t.sent.find((d) => d.text === 'after broken')
    expect(after!.at).toBeGreaterThan(broken[5]!)

    const rows = await db.outboxMessage.findMany({ orderBy: { id: 'asc' } })
    expect(rows[0]).toMatchObject({ text: 'broken', status: 'failed', attempts: 6, lastError: 'boom broken #6', sentAt: null })
    expect(rows[1]).toMatchObject({ text: 'flaky', status: 'sent', attempts: 3, lastError: 'boom flaky #2' })
    expect(rows[1]!.sentAt!.getTime()).toBe(flaky[2])
    expect(await outbox.stats()).toMatchObject({ pending: 0, sent: 12, failed: 1 })
    expect(lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50)).toMatchObject([{ msg: 'outbox: giving up on a message' }])
  })

  it('paced, chooses nothing while a delivery is under way: a reply read back from its row is not overtaken', async () => {
    const outbox = make()
    const t = recorder(time.clock)
    outbox.start(t.transport)
    await outbox.idle()
    // A file's row is read when it goes; meanwhile the later reply to another group (its text at
    // hand) must wait its turn.
    await Promise.all([
      outbox.enqueue({ conversationId: 'a@chatroom', text: '台账', file: { name: '台账.xlsx', data: Buffer.from('xlsx') }, priority: PRIORITY.reply }),
      outbox.enqueue({ conversationId: 'b@chatroom', text: '收到', priority: PRIORITY.reply }),
    ])
    await drain(outbox, time)
    expect(t.sent.map((d) => [d.text, d.at - START])).toEqual([
      ['台账', 0],
      ['收到', 3000],
    ])
  })

  it('a delivery that fails unexpectedly (its row unreadable for a moment) is logged, and tried again after a pause, once', async () => {
    const lines: string[] = []
    const logger = pino({ level: 'warn' }, { write: (s: string) => void lines.push(s) })
    // The database refuses the first read of a row at delivery (a file's row is read when it goes).
    let refuse = true
    const flaky = new Proxy(db, {
      get(target, key) {
        const value = Reflect.get(target, key) as unknown
        if (key !== '$queryRaw' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value
        return (strings: TemplateStringsArray, ...args: unknown[]) => {
          if (refuse && strings.join('?').startsWith('\n      SELECT "id"')) {
            refuse = false
            return Promise.reject(new Error('disk I/O error'))
          }
          return (value as (s: TemplateStringsArray, ...a: unknown[]) => unknown).call(target, strings, ...args)
        }
      },
    })
    const outbox = new Outbox({ db: flaky, clock: time.clock, timers: time.timers, pacing: NO_PACING, logger, random: () => 0 })
    outboxes.push(outbox)
    const t = recorder(time.clock)
    await outbox.enqueue({ conversationId: 'g@chatroom', text: '台账', file: { name: '台账.xlsx', data: Buffer.from('xlsx') }, priority: PRIORITY.reply })
    outbox.start(t.transport)
    await drain(outbox, time)

    expect(t.sent.map((d) => [d.text, d.at - START])).toEqual([['台账', 5000]])
    expect(lines.map((l) => JSON.parse(l) as { msg: string }).map((l) => l.msg)).toEqual(['outbox: sending loop error'])
    expect(await outbox.stats()).toMatchObject({ pending: 0, sent: 1 })
  })

  it('resumes after a restart: the remaining messages are sent, none twice, still paced', async () => {
    const first = make()
    const t1 = recorder(time.clock)
    for (let i = 1; i <= 5; i++) await first.enqueue({ conversationId: 'g@chatroom', text: `m${i}`, priority: PRIORITY.notice })
    first.start(t1.transport)
    await drain(first, time, () => t1.sent.length === 2)
    await first.stop()
    expect(time.timerCount()).toBe(0)
    expect(await first.stats()).toMatchObject({ pending: 3, sent: 2, failed: 0 })

    const second = make()
    const t2 = recorder(time.clock)
    second.start(t2.transport)
    await drain(second, time)

    expect(t1.sent.map((d) => d.text)).toEqual(['m1', 'm2'])
    expect(t2.sent.map((d) => d.text)).toEqual(['m3', 'm4', 'm5'])
    // pacing carries over through the database: 3 s after the last one sent before the restart
    expect(t2.sent[0]!.at - t1.sent[1]!.at).toBe(3000)
    expect(await second.stats()).toMatchObject({ pending: 0, sent: 5, failed: 0 })
  })

  it('stop() waits for a delivery in progress, marks it sent, and leaves no timers', async () => {
    const outbox = make()
    let release!: () => void
    let started!: () => void
    const deliveryStarted = new Promise<void>((r) => (started = r))
    const sent: string[] = []
    outbox.start({
      deliver: (m) =>
        new Promise<void>((resolve) => {
          started()
          release = () => {
            sent.push(m.text)
            resolve()
          }
        }),
    })
    await outbox.enqueue({ conversationId: 'g@chatroom', text: 'slow', priority: PRIORITY.reply })
    await outbox.enqueue({ conversationId: 'g@chatroom', text: 'next', priority: PRIORITY.reply })
    await deliveryStarted
    let stopped = false
    const stopping = outbox.stop().then(() => (stopped = true))
    await new Promise((r) => setTimeout(r, 20))
    expect(stopped).toBe(false)
    release()
    await stopping
    expect(sent).toEqual(['slow'])
    expect(time.timerCount()).toBe(0)
    expect(await outbox.stats()).toMatchObject({ pending: 1, sent: 1 })
  })

  it('carries a file (a Buffer) and mentions through the database to the transport intact', async () => {
    const outbox = make()
    const t = recorder(time.clock)
    const data = Buffer.concat([Buffer.from([0, 0, 255, 0]), randomBytes(300_000)])
    await outbox.enqueue({ conversationId: 'g@chatroom', text: '整改前后对比', mentionIds: ['wxid_a', 'wxid_b'], file: { name: '对比图 #12.jpg', data }, priority: PRIORITY.reply })
    await outbox.send('wxid_c', '只有文字')
    outbox.start(t.transport)
    await drain(outbox, time)

    expect(t.sent).toHaveLength(2)
    const [withFile, plain] = t.sent
    expect(withFile!.mentionIds).toEqual(['wxid_a', 'wxid_b'])
    expect(withFile!.file!.name).toBe('对比图 #12.jpg')
    expect(Buffer.isBuffer(withFile!.file!.data)).toBe(true)
    expect(withFile!.file!.data.equals(data)).toBe(true)
    expect(plain).toMatchObject({ conversationId: 'wxid_c', text: '只有文字', mentionIds: [] })
    expect(plain!.file).toBeUndefined()
    expect(await db.outboxMessage.findFirst({ where: { conversationId: 'wxid_c' } })).toMatchObject({ priority: PRIORITY.notice })
  })

  it('with zero pacing sends 200 messages quickly, on real clock and timers', async () => {
    const outbox = new Outbox({ db, clock: () => new Date(), pacing: NO_PACING, logger: silent })
    outboxes.push(outbox)
    const sent: string[] = []
    outbox.start({ deliver: async (m) => void sent.push(m.text) })
    const began = performance.now()
    for (let i = 0; i < 200; i++) await outbox.enqueue({ conversationId: `g${i % 7}@chatroom`, text: `n${i}`, priority: PRIORITY.notice })
    await outbox.idle()
    const ms = performance.now() - began
    // Each group's in its order (groups overlap, unpaced: see the next test).
    for (let g = 0; g < 7; g++) expect(sent.filter((t) => Number(t.slice(1)) % 7 === g)).toEqual(Array.from({ length: 200 }, (_, i) => `n${i}`).filter((_, i) => i % 7 === g))
    expect(sent).toHaveLength(200)
    expect(ms).toBeLessThan(3000)
    expect(await outbox.stats()).toMatchObject({ pending: 0, sent: 200 })
  })

  it('unpaced, overlaps sends to different groups (never two to one group), keeps each group in order, sends each once', async () => {
    const outbox = new Outbox({ db, clock: () => new Date(), pacing: NO_PACING, logger: silent })
    outboxes.push(outbox)
    const underWay = new Map<string, number>()
    let most = 0
    let mostInOneGroup = 0
    const sent: string[] = []
    outbox.start({
      async deliver(m) {
        underWay.set(m.conversationId, (underWay.get(m.conversationId) ?? 0) + 1)
        mostInOneGroup = Math.max(mostInOneGroup, underWay.get(m.conversationId)!)
        most = Math.max(most, [...underWay.values()].reduce((a, b) => a + b, 0))
        await new Promise((r) => setTimeout(r, 5)) // a WeChat service's round trip
        underWay.set(m.conversationId, underWay.get(m.conversationId)! - 1)
        sent.push(m.text)
      },
    })
    const texts = Array.from({ length: 60 }, (_, i) => `g${i % 12} n${i}`)
    await Promise.all(texts.map((text) => outbox.enqueue({ conversationId: `${text.split(' ')[0]}@chatroom`, text, priority: PRIORITY.reply })))
    await outbox.idle()

    expect(most).toBe(PARALLEL_UNPACED)
    expect(mostInOneGroup).toBe(1)
    expect([...sent].sort()).toEqual([...texts].sort())
    const stored = await db.outboxMessage.findMany({ orderBy: { id: 'asc' } })
    for (let g = 0; g < 12; g++) {
      const group = (list: string[]) => list.filter((t) => t.startsWith(`g${g} `))
      expect(group(sent)).toEqual(group(stored.map((r) => r.text)))
    }
    expect(await outbox.stats()).toMatchObject({ pending: 0, sent: 60 })
  })

  it('stores scheduled posts in one transaction with their records: all or none', async () => {
    const outbox = make()
    const t = recorder(time.clock)
    const record = (key: string) => db.scheduledPost.create({ data: { key, job: 'tips', period: 'W48', target: 'g', dueAt: time.clock(), status: 'queued', createdAt: time.clock() } })
    await outbox.enqueuePosts([{ conversationId: 'a@chatroom', text: 'tip a' }, { conversationId: 'b@chatroom', text: 'tip b' }], [record('k1')])
    // the same key again: the transaction fails and stores no message
    await expect(outbox.enqueuePosts([{ conversationId: 'a@chatroom', text: 'tip again' }], [record('k1')])).rejects.toMatchObject({ code: 'P2002' })
    outbox.start(t.transport)
    await drain(outbox, time)
    expect(t.sent.map((d) => d.text)).toEqual(['tip a', 'tip b'])
    expect(await db.outboxMessage.findMany({ select: { priority: true } })).toEqual([{ priority: PRIORITY.post }, { priority: PRIORITY.post }])
    expect(await db.scheduledPost.count()).toBe(1)
  })

  it('sleeps without timers when nothing is pending, and wakes on enqueue', async () => {
    const outbox = make()
    const t = recorder(time.clock)
    outbox.start(t.transport)
    await outbox.idle()
    expect(time.timerCount()).toBe(0)
    await outbox.enqueue({ conversationId: 'g@chatroom', text: 'hi', priority: PRIORITY.reply })
    await outbox.idle()
    expect(t.sent.map((d) => d.text)).toEqual(['hi'])
    expect(time.timerCount()).toBe(0)
    await outbox.enqueue({ conversationId: 'g@chatroom', text: 'again', priority: PRIORITY.reply })
    await outbox.idle()
    expect(await outbox.stats()).toMatchObject({ pending: 1, nextSendAt: new Date(START + 3000) })
    expect(time.timerCount()).toBe(1)
    await outbox.stop()
    expect(time.timerCount()).toBe(0)
  })
})
