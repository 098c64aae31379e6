// Moving a township from SQLite to PostgreSQL: the brief's records, copied by the db:copy
// command's function, answer /统计 on PostgreSQL exactly as they did on SQLite.
import { afterAll, describe, expect, inject, it } from 'vitest'
import { copyDatabase } from '../src/db/copy.ts'
import { ModelName } from '../src/db/generated/internal/prismaNamespaceBrowser.ts'
import { BRIEF_ADMIN, briefMessages } from './support/brief.ts'
import { ADMIN, dispatcherFixture, SECRETARY } from './support/dispatcher.ts'
import { createDatabase, dropDatabase } from './support/postgres.ts'

describe('npm run db:copy: SQLite to PostgreSQL', () => {
  const server = inject('postgresServer')
  const targets: string[] = []
  afterAll(async () => {
    for (const url of targets) await dropDatabase(server, url)
  })

  it('copies every table of the brief\'s township; /统计 answers the same, and new numbers follow the copied ones', async () => {
    const before = await dispatcherFixture()
    // Faster than any person: the flood limits have their own tests.
    Object.assign(before.township.config.policy, { perSenderPerMinute: 1_000_000, perGroupPerMinute: 1_000_000 })
    for (const m of briefMessages(before.township.config)) {
      const reply = await before.say(m.who, m.text, m.village)
      expect(reply, m.text).not.toMatch(/抱歉|没看懂|请写明|系统出错/)
    }
    expect(await before.say(SECRETARY, '/问题 卫华村 三组路边垃圾堆放 限期5天', '卫华村')).toContain('#1')
    expect(await before.say(SECRETARY, '/整改 卫华村 已完成', '卫华村')).toContain('已完成')
    const stats = await before.say(BRIEF_ADMIN, '/统计')
    const funds = await before.say(BRIEF_ADMIN, '/统计 资金')
    expect(stats).toContain('（三）最美庭院 255 户')
    await before.close()

    const to = await createDatabase(server)
    targets.push(to)
    const started = performance.now()
    const lines: string[] = []
    const result = await copyDatabase({ from: before.url, to, batchSize: 100, log: (l) => lines.push(l) })
    console.log(`db:copy of the brief's township: ${Math.round(performance.now() - started)} ms, ${result.tables.reduce((n, t) => n + t.rows, 0)} rows`)
    expect(result.tables.map((t) => t.table).sort()).toEqual(Object.keys(ModelName).sort())
    const rows = Object.fromEntries(result.tables.map((t) => [t.table, t.rows]))
    expect(rows.CampaignRecord).toBeGreaterThan(255)
    expect(rows.RecordVillage).toBe(5)
    expect(rows.ProblemChange).toBe(2)
    // Parents before children.
    const order = result.tables.map((t) => t.table)
    expect(order.indexOf('CampaignRecord')).toBeLessThan(order.indexOf('RecordFigure'))
    expect(order.indexOf('Problem')).toBeLessThan(order.indexOf('ProblemChange'))

    const after = await dispatcherFixture({ databaseUrl: to })
    try {
      // New message ids: the copied inbox knows msg-1… and would take them for redeliveries.
      expect(await after.say(ADMIN, '/统计', undefined, { id: 'after-1' })).toBe(stats)
      expect(await after.say(ADMIN, '/统计 资金', undefined, { id: 'after-2' })).toBe(funds)
      expect(await after.say(SECRETARY, '/问题 卫华村 四组沟渠堵塞', '卫华村', { id: 'after-3' })).toContain('#2')
      // The copied inbox still deduplicates: WeChat redelivering a message handled before the move.
      expect(await after.say(ADMIN, '/统计', undefined, { id: 'msg-1' })).toBeUndefined()
    } finally {
      await after.close()
    }

    // Copying again into a database that holds records: refused, nothing written.
    await expect(copyDatabase({ from: before.url, to })).rejects.toThrow(/^目标数据库不是空的（.*Problem 2 行.*），没有复制任何数据/)
  }, 120_000)
})
