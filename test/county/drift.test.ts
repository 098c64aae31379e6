// The county counts each township's period in SQL (src/county/records.ts). Here a township's
// records come from a season of every kind of Ledger write — filing, progress, 销号, 退回, 撤回,
// 延期, an old ledger imported — and for every week and month the county's row for it must equal
// what its own bulletin and assessment, loading everything, say in total, on both providers.
import { afterEach, describe, expect, it } from 'vitest'
import { Campaign } from '../../src/campaign/campaign.ts'
import type { TownshipConfig } from '../../src/config/schema.ts'
import { Township } from '../../src/config/township.ts'
import { CountyFigures, type County, type CountyTownship } from '../../src/county/index.ts'
import { openDatabase, type Database } from '../../src/db/index.ts'
import { Ledger, STATUS } from '../../src/ledger/index.ts'
import { buildAssessment, type ScoreCounts } from '../../src/stats/assessment.ts'
import { buildBulletin } from '../../src/stats/bulletin.ts'
import { monthOf, nextWeek, weekOf } from '../../src/stats/periods.ts'
import { endOfDayAfter } from '../../src/time.ts'
import { prng } from '../photos/synth.ts'
import { dropTestDatabase, freshDatabaseUrlOn, providers } from '../support/db.ts'
import { exampleConfig, manualClock } from '../support/township.ts'

const who = { actorId: 'wxid_office_liu', actorName: '刘主任' }
const dbs: { db: Database; url: string }[] = []
afterEach(async () => {
  for (const { db, url } of dbs.splice(0)) {
    await db.$disconnect()
    await dropTestDatabase(url)
  }
})

const START = new Date('2026-09-01T01:00:00Z')
const DAYS = 80

/** A season of random Ledger writes, in time order. */
async function season(t: CountyTownship, clock: ReturnType<typeof manualClock>, seed: number): Promise<void> {
  const rnd = prng(seed)
  const villages = [...t.township.villageNames, '旧村']
  const ids: number[] = []
  const pick = () => ids[Math.floor(rnd() * ids.length)]!
  const pass = async (f: () => Promise<unknown>) => f().catch(() => undefined) // a move the status does not allow
  for (let i = 0; i < 160; i++) {
    clock.set(new Date(START.getTime() + (i / 160) * DAYS * 86_400_000))
    const r = rnd()
    if (ids.length < 5 || r < 0.3) {
      const village = villages[Math.floor(rnd() * villages.length)]!
      const { problem } = await t.ledger.file({ village, category: '垃圾', description: `问题${i}·${rnd()}`, source: '巡查', deadline: endOfDayAfter(clock(), 1 + Math.floor(rnd() * 10)) }, who)
      ids.push(problem.id)
    } else if (r < 0.5) await pass(() => t.ledger.progress(pick(), rnd() < 0.3 ? STATUS.doing : STATUS.done, undefined, who))
    else if (r < 0.62) await pass(() => t.ledger.verify(pick(), who))
    else if (r < 0.7) await pass(() => t.ledger.sendBack(pick(), '返工', who))
    else if (r < 0.76) {
      const change = await t.db.problemChange.findFirst({ where: { problemId: pick() }, orderBy: { id: 'desc' } })
      if (change) await t.ledger.revert(change, { ...who, messageId: `recall-${i}` })
    } else if (r < 0.82) await t.ledger.extendDeadline(pick(), endOfDayAfter(clock(), 7), '延期', who)
    else if (r < 0.88) {
      const foundAt = new Date(clock().getTime() - rnd() * 40 * 86_400_000)
      const status = [STATUS.todo, STATUS.doing, STATUS.done, STATUS.verified][Math.floor(rnd() * 4)]!
      const p = await t.ledger.importOne({ importKey: `k${seed}-${i}`, village: villages[0]!, category: '垃圾', description: `旧台账${i}`, foundAt, deadline: endOfDayAfter(foundAt, 5), status, note: `旧台账.xlsx 第${i}行` }, who)
      if (p) ids.push(p.id)
    } else {
      const id = pick()
      const p = await t.db.problem.findUnique({ where: { id } })
      if (p && (p.status === STATUS.todo || p.status === STATUS.doing) && p.deadline && p.deadline < clock()) {
        await t.db.card.upsert({ where: { problemId_color: { problemId: id, color: '黄牌' } }, create: { problemId: id, village: p.village, color: '黄牌', daysOverdue: 3, issuedAt: clock() }, update: {} })
      }
    }
  }
}

describe.each(providers)('county figures against each township\'s own, over a season of every kind of write (%s)', (provider) => {
  it('agree for every week and month', async () => {
    const clock = manualClock(START)
    const townships = await Promise.all(
      ['城关镇', '东湖乡'].map(async (name, k) => {
        const example = exampleConfig()
        const config: TownshipConfig = { ...example, township: { ...example.township, name } }
        const url = await freshDatabaseUrlOn(provider)
        const db = await openDatabase(url)
        dbs.push({ db, url })
        return { code: `t${k}`, name, config, db, township: new Township(config), ledger: new Ledger(db, clock), campaign: new Campaign(db, clock) }
      }),
    )
    await season(townships[0]!, clock, 1)
    await season(townships[1]!, clock, 2)
    clock.set(new Date(START.getTime() + (DAYS + 3) * 86_400_000))
    const county: County = { name: '示范县', townships }
    const figures = new CountyFigures(county, clock)
    const own = await Promise.all(townships.map(async (t) => ({ problems: await t.db.problem.findMany(), changes: await t.db.problemChange.findMany(), cards: await t.db.card.findMany() })))
    expect(own[0]!.changes.some((c) => c.action === '撤回')).toBe(true)
    expect(own[0]!.changes.some((c) => c.action === '导入')).toBe(true)

    for (let week = weekOf(START); week.start < clock(); week = nextWeek(week)) {
      const b = await figures.bulletin(week)
      townships.forEach((t, k) => {
        const mine = buildBulletin({ townshipName: t.name, villages: t.township.villageNames, ...own[k]!, week }).totals
        expect({ ...b.rows[k]!, village: '全乡' }, `${t.name} ${week.key}`).toEqual(mine)
      })
    }
    for (const month of ['2026-09-15', '2026-10-15', '2026-11-15'].map((d) => monthOf(new Date(d)))) {
      const a = await figures.assessment(month)
      townships.forEach((t, k) => {
        const mine = buildAssessment({ villages: t.township.villageNames, ...own[k]!, month, config: figures.assessmentConfig })
        const sum = mine.scores.reduce<ScoreCounts>((s, v) => {
          for (const key of Object.keys(s) as (keyof ScoreCounts)[]) s[key] += v.counts[key]
          return s
        }, { total: 0, done: 0, verified: 0, overdue: 0, completed: 0, onTime: 0, yellow: 0, red: 0 })
        expect(a.scores.find((s) => s.village === t.name)!.counts, `${t.name} ${month.key}`).toEqual(sum)
      })
    }
  })
})
