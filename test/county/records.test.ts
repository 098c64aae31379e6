// The county counts a township's period in SQL (src/county/records.ts); the township counts its
// own by walking every history row in JS (src/stats/history.ts). Here hand-made records on the
// edges of the walk — moves exactly at a period's start or end, rows sharing an instant, a clock
// that went back, problems reopened and redone, recalled, imported, filed with no history, deadlines
// on the edge, cards on the edge, a month still under way — must give the same figures, on both
// providers.
import { afterEach, describe, expect, it } from 'vitest'
import { Campaign } from '../../src/campaign/campaign.ts'
import type { TownshipConfig } from '../../src/config/schema.ts'
import { Township } from '../../src/config/township.ts'
import { CountyFigures, type CountyTownship } from '../../src/county/index.ts'
import { openDatabase, type Database } from '../../src/db/index.ts'
import { Ledger, STATUS } from '../../src/ledger/index.ts'
import { buildAssessment, type ScoreCounts } from '../../src/stats/assessment.ts'
import { buildBulletin } from '../../src/stats/bulletin.ts'
import { monthOf, weekOf, type Month, type Week } from '../../src/stats/periods.ts'
import { dropTestDatabase, freshDatabaseUrlOn, providers } from '../support/db.ts'
import { exampleConfig, manualClock } from '../support/township.ts'

const sh = (wallClock: string) => new Date(`${wallClock.replace(' ', 'T')}+08:00`)
const { todo, doing, done, verified } = STATUS
const who = { actorId: 'wxid_office_liu', actorName: '刘主任' }

// November 2026 in Shanghai, and the week of its last days.
const NOVEMBER = monthOf(sh('2026-11-15 12:00'))
const START = NOVEMBER.start
const END = NOVEMBER.end
const LAST_WEEK = weekOf(sh('2026-11-26 12:00'))
const ms = (d: Date, delta: number) => new Date(d.getTime() + delta)

type Move = [at: Date, to: string]

/** A problem written directly, with the history rows given (fromStatus as the Ledger would write it unless told). */
async function write(db: Database, p: { village: string; createdAt: Date; deadline: Date | null; moves: Move[]; fromOf?: (k: number) => string | null; importKey?: string }): Promise<number> {
  let status: string = todo
  let completedAt: Date | null = null
  let verifiedAt: Date | null = null
  let updatedAt = p.createdAt
  for (const [at, to] of p.moves) {
    if (to === done) completedAt = at
    if (to === verified) verifiedAt = at
    if (to === doing) [completedAt, verifiedAt] = [null, null]
    status = to
    if (at > updatedAt) updatedAt = at
  }
  const problem = await db.problem.create({
    data: { village: p.village, category: '垃圾', description: '路边垃圾', source: '巡查', reporterId: 'wxid_x', reporterName: '张三', deadline: p.deadline, status, createdAt: p.createdAt, updatedAt, completedAt, verifiedAt, importKey: p.importKey ?? null },
  })
  let previous: string | null = null
  for (const [k, [at, to]] of p.moves.entries()) {
    const fromStatus = p.fromOf ? p.fromOf(k) : previous
    await db.problemChange.create({ data: { problemId: problem.id, action: k === 0 ? '登记' : '整改', fromStatus, toStatus: to, actorId: 'wxid_x', actorName: '张三', at } })
    previous = to
  }
  return problem.id
}

/** Every kind of edge, in 卫华村 and 渔业村 (and 旧村, which the config no longer has). */
async function edges(db: Database, ledger: Ledger, clock: ReturnType<typeof manualClock>): Promise<void> {
  const v = '卫华村'
  const w = '渔业村'
  const before = sh('2026-10-20 09:00')
  // Reopened: done in November, sent back, done again later in November, after its deadline.
  await write(db, { village: v, createdAt: before, deadline: sh('2026-11-10 00:00'), moves: [[before, todo], [sh('2026-11-03 09:00'), done], [sh('2026-11-05 09:00'), doing], [sh('2026-11-12 09:00'), done]] })
  // Done in October, 退回 in November, redone in December.
  await write(db, { village: v, createdAt: before, deadline: sh('2026-10-25 00:00'), moves: [[before, todo], [sh('2026-10-22 09:00'), done], [sh('2026-11-20 09:00'), doing], [sh('2026-12-02 09:00'), done]] })
  // Moves exactly at the month's start and end, and at the week's.
  await write(db, { village: v, createdAt: before, deadline: END, moves: [[before, todo], [START, done], [END, verified]] })
  await write(db, { village: w, createdAt: START, deadline: END, moves: [[START, todo], [ms(END, -1), done]] })
  await write(db, { village: w, createdAt: ms(END, -1), deadline: ms(END, -1), moves: [[ms(END, -1), todo]] })
  await write(db, { village: w, createdAt: END, deadline: END, moves: [[END, todo], [END, done]] })
  await write(db, { village: w, createdAt: before, deadline: LAST_WEEK.start, moves: [[before, todo], [LAST_WEEK.start, doing], [LAST_WEEK.end, done]] })
  // Completed exactly at its deadline (on time), and a millisecond after (late).
  const due = sh('2026-11-18 23:59')
  await write(db, { village: v, createdAt: sh('2026-11-10 09:00'), deadline: due, moves: [[sh('2026-11-10 09:00'), todo], [due, done]] })
  await write(db, { village: v, createdAt: sh('2026-11-10 09:00'), deadline: due, moves: [[sh('2026-11-10 09:00'), todo], [ms(due, 1), done]] })
  // Filed and done in one message: rows sharing an instant, in id order.
  const same = sh('2026-11-14 10:00')
  await write(db, { village: v, createdAt: same, deadline: null, moves: [[same, todo], [same, done], [same, verified]] })
  // The clock went back: a later row by id is the earlier in time (the last is the last either way,
  // as the problem's status and updatedAt are the last write's).
  await write(db, { village: w, createdAt: sh('2026-11-06 09:00'), deadline: sh('2026-11-09 00:00'), moves: [[sh('2026-11-06 09:00'), todo], [sh('2026-11-08 09:00'), doing], [sh('2026-11-07 09:00'), done], [sh('2026-11-09 09:00'), verified]], fromOf: (k) => [null, todo, doing, done][k]! })
  // Verified before November, sent back and redone in it: completed, but not 销号 in it.
  await write(db, { village: w, createdAt: before, deadline: sh('2026-10-30 00:00'), moves: [[before, todo], [sh('2026-10-21 09:00'), done], [sh('2026-10-22 09:00'), verified], [sh('2026-11-16 09:00'), doing], [sh('2026-11-17 09:00'), done]] })
  // Untouched since before the month: settled, one overdue, one not (no deadline).
  await write(db, { village: v, createdAt: before, deadline: sh('2026-10-25 00:00'), moves: [[before, todo]] })
  await write(db, { village: w, createdAt: before, deadline: null, moves: [[before, doing]] })
  // Only touched after the month: its status in November is the one before.
  await write(db, { village: w, createdAt: before, deadline: sh('2026-11-01 00:00'), moves: [[before, todo], [sh('2026-12-03 09:00'), done]] })
  // Filed after the month.
  await write(db, { village: v, createdAt: sh('2026-12-02 09:00'), deadline: sh('2026-12-05 00:00'), moves: [[sh('2026-12-02 09:00'), todo]] })
  // Filed in November with no history rows (not the Ledger's): rebuilt from its own dates.
  const bare = await db.problem.create({ data: { village: v, category: '垃圾', description: '旧账', source: '导入', reporterId: 'wxid_x', reporterName: '张三', deadline: sh('2026-11-20 00:00'), status: verified, createdAt: sh('2026-11-11 09:00'), updatedAt: sh('2026-11-25 09:00'), completedAt: sh('2026-11-19 09:00'), verifiedAt: sh('2026-11-25 09:00') } })
  expect(bare.id).toBeGreaterThan(0)
  await db.problem.create({ data: { village: w, category: '垃圾', description: '旧账', source: '导入', reporterId: 'wxid_x', reporterName: '张三', deadline: sh('2026-11-02 00:00'), status: doing, createdAt: sh('2026-11-01 09:00'), updatedAt: sh('2026-11-04 09:00') } })
  // A village the config no longer has.
  await write(db, { village: '旧村', createdAt: sh('2026-11-02 09:00'), deadline: sh('2026-11-03 00:00'), moves: [[sh('2026-11-02 09:00'), todo], [sh('2026-11-04 09:00'), done]] })

  // Through the Ledger: imported in November (found in October, already done), recalled, extended, cards.
  clock.set(sh('2026-11-21 09:00'))
  await ledger.importOne({ importKey: 'k1', village: v, category: '垃圾', description: '旧台账', foundAt: before, deadline: sh('2026-10-25 00:00'), status: done, note: '旧台账.xlsx 第2行' }, who)
  await ledger.importOne({ importKey: 'k2', village: w, category: '垃圾', description: '旧台账', foundAt: sh('2026-11-02 09:00'), deadline: sh('2026-11-30 00:00'), status: verified, note: '旧台账.xlsx 第3行' }, who)
  clock.set(sh('2026-11-22 09:00'))
  const { problem } = await ledger.file({ village: w, category: '垃圾', description: '河道垃圾', source: '巡查', deadline: sh('2026-11-23 00:00') }, who)
  clock.set(sh('2026-11-23 09:00'))
  await ledger.progress(problem.id, done, undefined, { ...who, messageId: 'm1' })
  clock.set(sh('2026-11-23 09:05'))
  const [change] = await ledger.changesFrom('m1')
  await ledger.revert(change!, { ...who, messageId: 'recall-m1' })
  clock.set(sh('2026-11-24 09:00'))
  await ledger.extendDeadline(problem.id, sh('2026-12-10 00:00'), '延期', who)
  for (const [id, color, at] of [[1, '黄牌', START], [2, '红牌', ms(END, -1)], [3, '黄牌', END], [4, '红牌', sh('2026-11-27 09:00')]] as const) {
    await db.card.create({ data: { problemId: id, village: id === 4 ? w : v, color, daysOverdue: 3, issuedAt: at } })
  }
}

const dbs: { db: Database; url: string }[] = []
afterEach(async () => {
  for (const { db, url } of dbs.splice(0)) {
    await db.$disconnect()
    await dropTestDatabase(url)
  }
})

const sumOf = (scores: { counts: ScoreCounts }[]) =>
  scores.reduce<ScoreCounts>((s, v) => {
    for (const key of Object.keys(s) as (keyof ScoreCounts)[]) s[key] += v.counts[key]
    return s
  }, { total: 0, done: 0, verified: 0, overdue: 0, completed: 0, onTime: 0, yellow: 0, red: 0 })

describe.each(providers)('a township\'s period counted in SQL (%s)', (provider) => {
  it('equals the walk of every history row, on every edge', async () => {
    const url = await freshDatabaseUrlOn(provider)
    const db = await openDatabase(url)
    dbs.push({ db, url })
    const clock = manualClock(sh('2026-11-01 09:00'))
    const example = exampleConfig()
    const config: TownshipConfig = { ...example, township: { ...example.township, name: '城关镇' } }
    const township: CountyTownship = { code: 't1', name: '城关镇', config, db, township: new Township(config), ledger: new Ledger(db, clock), campaign: new Campaign(db, clock) }
    await edges(db, township.ledger, clock)
    const now = sh('2026-12-08 10:00')
    clock.set(now)
    const figures = new CountyFigures({ name: '示范县', townships: [township] }, clock)
    const own = { problems: await db.problem.findMany(), changes: await db.problemChange.findMany(), cards: await db.card.findMany() }
    const villages = township.township.villageNames

    // November, October, and December still under way (scored up to now, as /排名 does).
    const december = monthOf(now)
    const months: Month[] = [NOVEMBER, monthOf(sh('2026-10-15 12:00')), { ...december, end: now }]
    for (const month of months) {
      const county = (await figures.assessment(month)).scores[0]!.counts
      const mine = sumOf(buildAssessment({ villages, ...own, month, config: figures.assessmentConfig }).scores)
      expect(county, month.key).toEqual(mine)
    }
    const weeks: Week[] = [LAST_WEEK, weekOf(sh('2026-11-05 12:00')), weekOf(sh('2026-11-30 12:00')), weekOf(sh('2026-11-12 12:00')), weekOf(now)]
    for (const week of weeks) {
      const b = await figures.bulletin(week)
      const mine = buildBulletin({ townshipName: '城关镇', villages, ...own, week }).totals
      expect({ ...b.rows[0]!, village: '全乡' }, week.key).toEqual(mine)
      expect(b.cardsThisWeek.map((c) => c.issuedAt), week.key).toEqual(buildBulletin({ townshipName: '城关镇', villages, ...own, week }).cardsThisWeek.map((c) => c.issuedAt))
    }

    // The edges are there: November has completions on time and late, 销号, cards on both sides.
    const november = (await figures.assessment(NOVEMBER)).scores[0]!.counts
    expect(november.completed).toBeGreaterThan(november.onTime)
    expect(november.onTime).toBeGreaterThan(0)
    expect(november.verified).toBeGreaterThan(0)
    expect([november.yellow, november.red]).toEqual([1, 2])
  })
})
