// Two assistants on one PostgreSQL database, both logged into the same WeChat account over the
// real transport (two connections to one mock account: each receives every message): a burst of
// commands is answered once each, and two schedule checks at the same moment post once.
import { afterEach, describe, expect, it } from 'vitest'
import { startAssistant, type RunningAssistant } from '../../src/app.ts'
import { ResilientPuppetService } from '../../src/bot/puppet.ts'
import { createLogger } from '../../src/log.ts'
import { dropTestDatabase, freshDatabaseUrlOn } from '../support/db.ts'
import type { MockPuppetServiceOptions } from '../support/puppet-server.ts'
import { secondConnection, type SecondConnection } from '../support/second-connection.ts'
import { manualClock } from '../support/township.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'

const WEIHUA = '卫华村人居环境群'
const TOWNSHIP = '示范乡人居环境整治工作群'
const SECRETARY = 'wxid_sec_weihua'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('two assistants on one PostgreSQL database, one WeChat account', () => {
  let t: WireTownship
  let second: SecondConnection | undefined
  const assistants: RunningAssistant[] = []
  afterEach(async () => {
    for (const a of assistants.splice(0)) await a.stop().catch(() => undefined)
    await second?.stop()
    await t.close()
  })

  it('answers every message of a burst once, and posts each scheduled post once', async () => {
    t = await startWireTownship(undefined, { provider: 'postgresql' })
    second = await secondConnection(t.wechat)
    // Monday 08:00:30 in Shanghai: the weekly bulletin is due. One clock for both, standing still.
    const clock = manualClock(new Date('2026-11-30T00:00:30Z'))
    const start = (puppetOptions: MockPuppetServiceOptions) =>
      startAssistant({
        config: t.config,
        databaseUrl: t.databaseUrl,
        photoDir: `${t.databaseUrl.replace(/\W/g, '_')}-photos`,
        puppet: new ResilientPuppetService(puppetOptions),
        clock,
        logger: createLogger('silent'),
        migrate: false,
        schedule: false,
        leaseSeconds: 2,
      })
    const one = await start(t.wechat.puppetOptions)
    assistants.push(one)
    t.wechat.login(t.wechat.mocker.ContactMock.load(BOT_ID))
    const two = await start(second.puppetOptions)
    assistants.push(two)
    for (const a of assistants) for (let i = 0; i < 100 && !a.bot.isLoggedIn; i++) await sleep(50)
    expect(assistants.every((a) => a.bot.isLoggedIn)).toBe(true)

    const { room, seen } = t.rooms.get(WEIHUA)!
    const TOTAL = 80
    for (let i = 1; i <= TOTAL; i++) {
      t.contact(SECRETARY).say(`/问题 第${i}处路边垃圾`).to(room)
      await sleep(10)
    }
    const confirmations = () => seen.messages.filter((m) => m.talkerId === BOT_ID && /已登记 #\d+/.test(m.text))
    for (let i = 0; i < 300 && confirmations().length < TOTAL; i++) await sleep(100)
    // Both schedule checks at the same moment.
    await Promise.all([one.services.schedule.check(), two.services.schedule.check()])
    const township = t.rooms.get(TOWNSHIP)!.seen
    await township.waitFor((m) => m.talkerId === BOT_ID && m.typeName === 'Image', 15_000)
    await sleep(1500) // anything sent twice would arrive now

    const db = one.db
    const problems = await db.problem.findMany()
    expect(problems).toHaveLength(TOTAL)
    expect(new Set(problems.map((p) => p.description)).size).toBe(TOTAL)
    for (const p of problems) expect(confirmations().filter((m) => m.text.includes(`已登记 #${p.id} `)), `#${p.id}`).toHaveLength(1)
    expect(confirmations()).toHaveLength(TOTAL)
    const handlers = await db.inboxMessage.groupBy({ by: ['claimedBy'], _count: { _all: true } })
    console.log(`handled by: ${handlers.map((h) => h._count._all).join(' + ')} messages`)
    expect(await db.inboxMessage.count({ where: { handledAt: null } })).toBe(0)

    // The weekly bulletin: its keys once each, its text and picture once in the group.
    const keys = await db.scheduledPost.findMany({ where: { job: 'weekly-bulletin' } })
    expect(keys.length).toBeGreaterThan(0)
    // Every post the two checks queued, by the key it settles: once each.
    const posts = await db.outboxMessage.findMany({ where: { dueAt: { not: null } }, select: { conversationId: true, text: true, fileName: true } })
    const perPost = new Map<string, number>()
    for (const p of posts) perPost.set(`${p.conversationId} ${p.fileName ?? p.text}`, (perPost.get(`${p.conversationId} ${p.fileName ?? p.text}`) ?? 0) + 1)
    expect([...perPost].filter(([, n]) => n > 1), 'posts queued twice').toEqual([])
    const bulletins = township.messages.filter((m) => m.talkerId === BOT_ID)
    expect(bulletins.filter((m) => m.text.includes('周通报'))).toHaveLength(1)
    expect(bulletins.filter((m) => m.typeName === 'Image')).toHaveLength(1)
  }, 120_000)

  it('two processes starting at once on a new database both start, and the roster is seeded once', async () => {
    t = await startWireTownship(undefined, { provider: 'postgresql' })
    second = await secondConnection(t.wechat)
    const url = await freshDatabaseUrlOn('postgresql')
    try {
      const start = (puppetOptions: MockPuppetServiceOptions) =>
        startAssistant({ config: t.config, databaseUrl: url, photoDir: `${url.replace(/\W/g, '_')}-photos`, puppet: new ResilientPuppetService(puppetOptions), logger: createLogger('silent'), schedule: false, leaseSeconds: 2 })
      // Both migrate and seed the config's people into the same empty database at the same moment.
      const started = await Promise.allSettled([start(t.wechat.puppetOptions), start(second.puppetOptions)])
      for (const s of started) if (s.status === 'fulfilled') assistants.push(s.value)
      expect(started.map((s) => (s.status === 'rejected' ? String(s.reason) : 'started'))).toEqual(['started', 'started'])
      const people = await assistants[0]!.db.person.findMany()
      expect(people.map((p) => p.wechatId).sort()).toEqual(t.config.people.map((p) => p.wechatId).sort())
      // Each appointment audited once, not once per process.
      expect(await assistants[0]!.db.roleChange.count({ where: { action: '配置' } })).toBe(t.config.people.length)
    } finally {
      for (const a of assistants.splice(0)) await a.stop().catch(() => undefined)
      await dropTestDatabase(url)
    }
  }, 120_000)
})
