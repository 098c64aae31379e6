// The county's figures over three townships, each on its own SQLite database. Two of them have
// villages of the same names and problems of the same numbers, so a figure that mixed their
// records up would show it.
import ExcelJS from 'exceljs'
import sharp from 'sharp'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Campaign } from '../../src/campaign/campaign.ts'
import type { TownshipConfig } from '../../src/config/schema.ts'
import { Township } from '../../src/config/township.ts'
import { CountyFigures, SUMMARY_SHEET, townshipNamed, type County, type CountyTownship } from '../../src/county/index.ts'
import type { Database } from '../../src/db/index.ts'
import { UserError } from '../../src/errors.ts'
import { countsTable, Ledger, STATUS, sumCounts, type VillageCounts } from '../../src/ledger/index.ts'
import { buildAssessment, scoreOf, scoreParts, type ScoreCounts } from '../../src/stats/assessment.ts'
import { buildBulletin, type VillageWeek } from '../../src/stats/bulletin.ts'
import { monthOf, weekOf } from '../../src/stats/periods.ts'
import { endOfDayAfter } from '../../src/time.ts'
import { freshDatabase } from '../support/db.ts'
import { exampleConfig, manualClock } from '../support/township.ts'

/** `2026-11-24 10:00` (Shanghai) → the instant. */
const sh = (wallClock: string) => new Date(`${wallClock.replace(' ', 'T')}+08:00`)
const who = { actorId: 'wxid_office_liu', actorName: '刘主任' }
const NAMES = ['城关镇', '东湖乡', '西山乡']

let clock: ReturnType<typeof manualClock>
let county: County
let figures: CountyFigures
const dbs: Database[] = []

async function townshipOf(name: string, code: string): Promise<CountyTownship> {
  const example = exampleConfig()
  const config: TownshipConfig = { ...example, township: { ...example.township, name } }
  const { db } = await freshDatabase()
  dbs.push(db)
  return { code, name, config, db, township: new Township(config), ledger: new Ledger(db, clock), campaign: new Campaign(db, clock) }
}

const byName = (name: string) => county.townships.find((t) => t.name === name)!

/** Files a problem at `at` (Shanghai) in `village`, due `days` later, then makes each move at its time. */
async function problem(t: CountyTownship, village: string, at: string, days: number, moves: [string, 'progress' | 'done' | 'verify'][] = []): Promise<number> {
  clock.set(sh(at))
  const { problem } = await t.ledger.file({ village, category: '垃圾', description: `${village}${at}的垃圾`, source: '巡查', deadline: endOfDayAfter(clock(), days) }, who)
  for (const [when, move] of moves) {
    clock.set(sh(when))
    if (move === 'verify') await t.ledger.verify(problem.id, who)
    else await t.ledger.progress(problem.id, move === 'done' ? STATUS.done : STATUS.doing, undefined, who)
  }
  return problem.id
}

// 城关镇: #1 卫华村 11-20 due 11-25, 整改中 11-22, 已完成 11-24, 已销号 11-26
//         #2 卫华村 11-21 due 11-24, never touched (overdue)
//         #3 渔业村 12-01 due 12-11, 已完成 12-02
//         #4 旧村 (no longer in the config) 11-21: in no figure
// 东湖乡: #1 卫华村 11-20 due 11-22, 已完成 12-03 (late)
//         #2 卫明村 12-02 due 12-07, never touched
// 西山乡: nothing.
// Now: 12-08 10:00.
beforeEach(async () => {
  clock = manualClock()
  county = { name: '示范县', townships: await Promise.all(NAMES.map((name, i) => townshipOf(name, `t${i + 1}`))) }
  const [a, b] = [byName('城关镇'), byName('东湖乡')]
  await problem(a, '卫华村', '2026-11-20 09:00', 5, [['2026-11-22 09:00', 'progress'], ['2026-11-24 09:00', 'done'], ['2026-11-26 09:00', 'verify']])
  await problem(a, '卫华村', '2026-11-21 09:00', 3)
  await problem(a, '渔业村', '2026-12-01 09:00', 10, [['2026-12-02 09:00', 'done']])
  await problem(a, '旧村', '2026-11-21 10:00', 3)
  await problem(b, '卫华村', '2026-11-20 09:00', 2, [['2026-12-03 09:00', 'done']])
  await problem(b, '卫明村', '2026-12-02 09:00', 5)
  clock.set(sh('2026-12-08 10:00'))
  figures = new CountyFigures(county, clock)
})

afterEach(async () => {
  await Promise.all(dbs.splice(0).map((db) => db.$disconnect()))
})

const counts = (village: string, total: number, done: number, verified: number, overdue: number): VillageCounts => ({
  village, total, done, verified, open: total - done, overdue, rate: total === 0 ? 0 : done / total,
})

describe('/统计 全县', () => {
  it('adds up the townships, one line each, as the township\'s /统计 lists its villages', async () => {
    const text = await figures.statsText()
    const townships = [counts('城关镇', 3, 2, 1, 1), counts('东湖乡', 2, 1, 0, 1), counts('西山乡', 0, 0, 0, 0)]
    expect(text.split('\n')).toEqual([
      '📊 示范县整改统计：汇集问题 5 条，已完成整改 3 条（已销号 1），未完成 2 条，逾期 2 条，完成率 60.0%',
      '全县 3 个乡镇',
      '各乡镇整改：',
      ...countsTable(townships).split('\n'),
    ])
    expect(text).toContain('城关镇：共 3，已完成 2（销号 1），未完成 1，逾期 1，完成率 66.7%')
    expect(text).toContain('东湖乡：共 2，已完成 1（销号 0），未完成 1，逾期 1，完成率 50.0%')
    expect(text).toContain('西山乡：暂无登记的问题')
    expect(await figures.statsText('全县')).toBe(text)
  })

  it('with a township\'s name, shows that township\'s figures by village and nothing of the others\'', async () => {
    const text = await figures.statsText('城关')
    const own = await byName('城关镇').ledger.counts(byName('城关镇').township.villageNames)
    expect(text.split('\n')).toEqual([
      '📊 城关镇整改统计：汇集问题 3 条，已完成整改 2 条（已销号 1），未完成 1 条，逾期 1 条，完成率 66.7%',
      `网格：全乡 ${exampleConfig().grids.length} 个`,
      '各村整改：',
      ...countsTable(own).split('\n'),
    ])
    expect(text).toContain('卫华村：共 2，已完成 1（销号 1），未完成 1，逾期 1，完成率 50.0%')
    // 东湖乡's 卫华村 problem (also #1) and 卫明村 problem are not 城关镇's.
    expect(text).toContain('卫明村：暂无登记的问题')
    expect(await figures.statsText('东湖乡')).toContain('卫华村：共 1，已完成 1（销号 0），未完成 0，逾期 0，完成率 100.0%')
  })

  it('names the townships when a name is none of them', async () => {
    await expect(figures.statsText('北河乡')).rejects.toThrow(UserError)
    await expect(figures.statsText('北河乡')).rejects.toThrow('城关镇、东湖乡、西山乡')
  })

  it('reads a township\'s name as people write it', () => {
    expect(townshipNamed(county, '全县')).toBe('county')
    expect(townshipNamed(county, undefined)).toBe('county')
    expect(townshipNamed(county, '示范县')).toBe('county')
    expect(townshipNamed(county, '东湖乡')).toBe(byName('东湖乡'))
    expect(townshipNamed(county, '东湖')).toBe(byName('东湖乡'))
    expect(townshipNamed(county, '东湖镇')).toBe(byName('东湖乡'))
    expect(townshipNamed(county, '东')).toBeUndefined()
  })
})

describe('/排名 and the county 月考核', () => {
  const config = () => figures.assessmentConfig
  const score = (c: Partial<ScoreCounts>) => scoreOf(scoreParts({ total: 0, done: 0, verified: 0, overdue: 0, completed: 0, onTime: 0, yellow: 0, red: 0, ...c }, config()), config())
  const NOVEMBER = monthOf(sh('2026-11-15 12:00'))
  const DECEMBER = monthOf(sh('2026-12-15 12:00'))

  it('ranks townships by the assessment formula applied to their totals', async () => {
    // November, at month end: 城关镇 #1 已销号 (completed 11-24, on time), #2 overdue; 东湖乡 #1 overdue; 西山乡 nothing to fix.
    const a = await figures.assessment(NOVEMBER)
    expect(a.scores.map((s) => [s.village, s.score])).toEqual([
      ['西山乡', 100],
      ['城关镇', score({ total: 2, done: 1, verified: 1, overdue: 1, completed: 1, onTime: 1 })],
      ['东湖乡', score({ total: 1, overdue: 1 })],
    ])
    expect(a.scores.map((s) => s.score)).toEqual([100, 80, 20])
    const text = await figures.rankingText(NOVEMBER)
    expect(text.split('\n')).toEqual([
      '🏆 示范县各乡镇整改排名（2026年11月，按月考核计分）',
      '1. 西山乡 100.0分（无整改问题）',
      '2. 城关镇 80.0分（完成率 50.0%，按期 1/1，销号 1/1）',
      '3. 东湖乡 20.0分（完成率 0.0%，本月无完成，逾期 1，销号 0）',
      '计分：完成率 40% + 按期率 25% + 销号率 15% + 黄红牌 20%',
    ])
    const assessment = await figures.assessmentText(NOVEMBER)
    expect(assessment).toContain('示范县人居环境整治月考核（2026年11月）')
    expect(assessment).toContain('⚠️ 低于合格线：东湖乡（20.0分）。请限期整改，乡镇主要负责同志督导落实。')
  })

  it('moves a township down when its records change, and counts its cards', async () => {
    // December: 城关镇 #1 (settled since November) 已销号, #2 overdue, #3 completed on time;
    // 东湖乡 #1 completed late, #2 overdue at month end.
    const before = await figures.assessment(DECEMBER)
    expect(before.scores.map((s) => [s.village, s.score])).toEqual([
      ['西山乡', 100],
      ['城关镇', score({ total: 3, done: 2, verified: 1, overdue: 1, completed: 1, onTime: 1 })],
      ['东湖乡', score({ total: 2, done: 1, overdue: 1, completed: 1, onTime: 0 })],
    ])
    // 西山乡 files a problem and lets it go overdue: nothing done, last.
    await problem(byName('西山乡'), '永安村', '2026-12-01 09:00', 2)
    clock.set(sh('2026-12-08 10:00'))
    const after = await figures.assessment(DECEMBER)
    expect(after.scores.map((s) => s.village)).toEqual(['城关镇', '东湖乡', '西山乡'])
    expect(after.scores[2]!.score).toBe(score({ total: 1, overdue: 1 }))
    // A red card to 城关镇 in December takes half the cards part off.
    await byName('城关镇').db.card.create({ data: { problemId: 2, village: '卫华村', color: '红牌', daysOverdue: 10, issuedAt: sh('2026-12-04 08:00') } })
    const carded = await figures.assessment(DECEMBER)
    expect(carded.scores.find((s) => s.village === '城关镇')!.counts.red).toBe(1)
    expect(carded.scores.find((s) => s.village === '东湖乡')!.counts.red).toBe(0)
  })
})

/** A township's own figures, as the scheduler builds them: every record loaded. */
async function ownRecords(t: CountyTownship) {
  const [problems, changes, cards] = await Promise.all([t.db.problem.findMany(), t.db.problemChange.findMany(), t.db.card.findMany()])
  return { problems, changes, cards }
}

const weekNumbers = (r: VillageWeek) => [r.newThisWeek, r.completedThisWeek, r.verifiedThisWeek, r.open, r.overdue, r.total, r.done, r.rate, r.previousRate]

describe('the county 周通报', () => {
  it('has one row per township, each what the township\'s own bulletin totals say, for every week', async () => {
    for (const day of ['2026-11-18', '2026-11-25', '2026-12-02', '2026-12-09']) {
      const week = weekOf(sh(`${day} 12:00`))
      const b = await figures.bulletin(week)
      expect(b.rows.map((r) => r.village)).toEqual(NAMES)
      for (const t of county.townships) {
        const own = buildBulletin({ townshipName: t.name, villages: t.township.villageNames, ...(await ownRecords(t)), week })
        expect(weekNumbers(b.rows.find((r) => r.village === t.name)!), `${t.name} ${week.key}`).toEqual(weekNumbers(own.totals))
      }
      expect(b.totals.village).toBe('全县')
      expect(b.totals.total).toBe(b.rows.reduce((n, r) => n + r.total, 0))
    }
  })

  it('reads as the township\'s does, with townships for villages, and draws the picture', async () => {
    const { text, picture } = await figures.bulletinMessage(weekOf(sh('2026-12-02 12:00')))
    const lines = text.split('\n')
    expect(lines[0]).toBe('示范县人居环境整治周通报（11月30日—12月6日）')
    // New: 城关镇 #3, 东湖乡 #2; completed: 城关镇 #3, 东湖乡 #1; overdue at 12-07 00:00: 城关镇 #2 only
    // (东湖乡 #2 is due at the end of 12-07); a week earlier 1 of 3 was done.
    expect(lines[1]).toBe('全县：本周新增 2 条，完成 2 条，销号 0 条；累计 5 条，未完成 2，逾期 1，完成率 60.0%（较上周↑26.7个百分点）')
    expect(lines[2]).toBe('各乡镇：')
    expect(lines[3]).toBe('城关镇：新增 1，完成 1，销号 0，未完成 1，逾期 1，完成率 66.7%（↑16.7）')
    expect(lines[4]).toBe('东湖乡：新增 1，完成 1，销号 0，未完成 1，逾期 0，完成率 50.0%（↑50.0）')
    expect(lines[5]).toBe('西山乡：暂无登记的问题')
    const meta = await sharp(picture).metadata()
    expect(meta.format).toBe('png')
    expect(meta.width).toBe(1080)
  })
})

describe('drift', () => {
  it('the county totals equal a full recount of every township\'s problems', async () => {
    const recount = await Promise.all(
      county.townships.map(async (t) => {
        const all = (await t.db.problem.findMany()).filter((p) => t.township.villageNames.includes(p.village))
        const done = all.filter((p) => p.status === STATUS.done || p.status === STATUS.verified).length
        const overdue = all.filter((p) => (p.status === STATUS.todo || p.status === STATUS.doing) && p.deadline !== null && p.deadline < clock()).length
        return counts(t.name, all.length, done, all.filter((p) => p.status === STATUS.verified).length, overdue)
      }),
    )
    expect((await figures.counts()).map((t) => t.total)).toEqual(recount)
    expect(await figures.statsText()).toContain(countsTable(recount))
    const all = sumCounts(recount, '全县')
    expect(await figures.statsText()).toContain(`汇集问题 ${all.total} 条，已完成整改 ${all.done} 条（已销号 ${all.verified}），未完成 ${all.open} 条，逾期 ${all.overdue} 条`)
  })

  it('the county assessment counts equal the sum of each township\'s own assessment by village', async () => {
    for (const month of [monthOf(sh('2026-11-15 12:00')), monthOf(sh('2026-12-15 12:00'))]) {
      const a = await figures.assessment(month)
      for (const t of county.townships) {
        const own = buildAssessment({ villages: t.township.villageNames, ...(await ownRecords(t)), month, config: figures.assessmentConfig })
        const sum = own.scores.reduce((s, v) => {
          for (const k of Object.keys(s) as (keyof ScoreCounts)[]) s[k] += v.counts[k]
          return s
        }, { total: 0, done: 0, verified: 0, overdue: 0, completed: 0, onTime: 0, yellow: 0, red: 0 })
        expect(a.scores.find((s) => s.village === t.name)!.counts, `${t.name} ${month.key}`).toEqual(sum)
      }
    }
  })
})

describe('/导出 统计 at county level', () => {
  it('has the summary sheet first, then one sheet per township by village, with the right numbers', async () => {
    const file = await figures.workbook()
    expect(file.name).toBe('统计-示范县-2026-12-08.xlsx')
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(file.data as unknown as ArrayBuffer)
    expect(wb.worksheets.map((ws) => ws.name)).toEqual([SUMMARY_SHEET, ...NAMES])
    const rows = (name: string) => {
      const ws = wb.getWorksheet(name)!
      const out: unknown[][] = []
      ws.eachRow((row) => out.push((row.values as unknown[]).slice(1)))
      return out
    }
    const summary = rows(SUMMARY_SHEET)
    expect(summary[0]).toEqual(['乡镇', '问题数', '已完成', '其中已销号', '未完成', '逾期', '完成率'])
    expect(summary.slice(1, 5).map((r) => r.slice(0, 6))).toEqual([
      ['城关镇', 3, 2, 1, 1, 1],
      ['东湖乡', 2, 1, 0, 1, 1],
      ['西山乡', 0, 0, 0, 0, 0],
      ['全县合计', 5, 3, 1, 2, 2],
    ])
    expect(summary[4]![6]).toBeCloseTo(0.6, 12)
    const own = rows('城关镇')
    expect(own[0]![0]).toBe('村')
    expect(own.slice(1, 8).map((r) => r.slice(0, 6))).toEqual([
      ['卫华村', 2, 1, 1, 1, 1],
      ['渔业村', 1, 1, 0, 0, 0],
      ['卫明村', 0, 0, 0, 0, 0],
      ['新民村', 0, 0, 0, 0, 0],
      ['永安村', 0, 0, 0, 0, 0],
      ['红旗村', 0, 0, 0, 0, 0],
      ['全乡合计', 3, 2, 1, 1, 1],
    ])
    expect(rows('东湖乡').slice(1, 8).map((r) => r.slice(0, 6))).toEqual([
      ['卫华村', 1, 1, 0, 0, 0],
      ['渔业村', 0, 0, 0, 0, 0],
      ['卫明村', 1, 0, 0, 1, 1],
      ['新民村', 0, 0, 0, 0, 0],
      ['永安村', 0, 0, 0, 0, 0],
      ['红旗村', 0, 0, 0, 0, 0],
      ['全乡合计', 2, 1, 0, 1, 1],
    ])
  })
})
