// Random histories (including nonsense ones: moves before filing, odd statuses, rows missing,
// identical timestamps) never break the bulletin or the assessment.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Card, Problem, ProblemChange } from '../../src/db/generated/client.ts'
import { assessmentText, buildAssessment, type AssessmentConfig } from '../../src/stats/assessment.ts'
import { buildBulletin, bulletinText, type VillageWeek } from '../../src/stats/bulletin.ts'
import { monthOf, previousWeek, weekOf } from '../../src/stats/periods.ts'

const POOL = ['卫华村', '渔业村', '卫明村', '新兴村', '外村']
const STATUSES = ['待整改', '整改中', '已完成', '已销号', '已完成', '已销号', '作废']
const T0 = Date.parse('2026-10-20T00:00:00+08:00')
const SPAN = 70 * 86_400_000 // to the end of December
const HOUR = 3_600_000

const problemArb = fc.record({
  village: fc.constantFrom(...POOL),
  created: fc.integer({ min: 0, max: SPAN }),
  deadline: fc.option(fc.integer({ min: -5 * 24, max: 30 * 24 }), { nil: null }), // hours after filing
  moves: fc.array(fc.record({ after: fc.integer({ min: -24, max: 20 * 24 }), status: fc.constantFrom(...STATUSES) }), { maxLength: 6 }),
  withRows: fc.boolean(),
})

const cardArb = fc.record({ village: fc.constantFrom(...POOL), color: fc.constantFrom('黄牌', '红牌', '蓝牌'), at: fc.integer({ min: 0, max: SPAN }) })

const worldArb = fc.record({
  villages: fc.uniqueArray(fc.constantFrom(...POOL.slice(0, 4)), { maxLength: 4 }),
  problems: fc.array(problemArb, { maxLength: 40 }),
  cards: fc.array(cardArb, { maxLength: 8 }),
  at: fc.integer({ min: 0, max: SPAN }),
  weights: fc.record({ completion: fc.nat(100), timeliness: fc.nat(100), verified: fc.nat(100), cards: fc.nat(100) }),
  penalties: fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })),
  passLine: fc.integer({ min: 0, max: 100 }),
})

type World = typeof worldArb extends fc.Arbitrary<infer T> ? T : never

function records(w: World) {
  const problems: Problem[] = []
  const changes: ProblemChange[] = []
  let changeId = 1
  w.problems.forEach((p, i) => {
    const id = i + 1
    const createdAt = new Date(T0 + p.created)
    let status = '待整改'
    let updatedAt = createdAt
    const rows: ProblemChange[] = [{ id: changeId++, problemId: id, action: '登记', fromStatus: null, toStatus: status, note: null, actorId: 'a', actorName: 'a', messageId: null, at: createdAt }]
    for (const m of p.moves) {
      const at = new Date(createdAt.getTime() + m.after * HOUR)
      rows.push({ id: changeId++, problemId: id, action: '整改', fromStatus: status, toStatus: m.status, note: null, actorId: 'a', actorName: 'a', messageId: null, at })
      status = m.status
      updatedAt = at
    }
    if (p.withRows) changes.push(...rows)
    problems.push({
      id, village: p.village, hamlet: null, grid: null, category: '垃圾', description: 'x', source: '巡查', reporterId: 'a', reporterName: 'a', responsibleName: null,
      deadline: p.deadline === null ? null : new Date(createdAt.getTime() + p.deadline * HOUR), status, createdAt, updatedAt,
      completedAt: status === '已完成' ? updatedAt : null, verifiedAt: status === '已销号' ? updatedAt : null, importKey: null,
    })
  })
  const cards: Card[] = w.cards.map((c, i) => ({ id: i + 1, problemId: 1, village: c.village, color: c.color, daysOverdue: 3, issuedAt: new Date(T0 + c.at) }))
  return { problems, changes, cards }
}

const INT_FIELDS = ['newThisWeek', 'completedThisWeek', 'verifiedThisWeek', 'open', 'overdue', 'total', 'done'] as const

describe('properties', () => {
  it('bulletin: rates in [0,1], totals are the row sums, weeks chain up, row order does not matter', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const r = records(w)
        const week = weekOf(new Date(T0 + w.at))
        const input = { townshipName: '示范乡', villages: w.villages, ...r, week }
        const b = buildBulletin(input)
        expect(b.rows.map((x) => x.village)).toEqual(w.villages)
        for (const row of [...b.rows, b.totals]) {
          for (const rate of [row.rate, row.previousRate]) expect(rate >= 0 && rate <= 1).toBe(true)
          expect(Math.abs(row.change - (row.rate - row.previousRate))).toBeLessThan(1e-12)
          expect(row.open + row.done).toBe(row.total)
          expect(row.overdue).toBeLessThanOrEqual(row.open)
          expect(row.newThisWeek).toBeLessThanOrEqual(row.total)
          expect(row.rate).toBe(row.total === 0 ? 0 : row.done / row.total)
        }
        for (const key of INT_FIELDS) expect(b.totals[key]).toBe(b.rows.reduce((s, x) => s + x[key], 0))
        // Last week's end is this week's start.
        const last = buildBulletin({ ...input, week: previousWeek(week) })
        b.rows.forEach((row: VillageWeek, i) => {
          const before = last.rows[i]!
          expect(row.previousRate).toBe(before.rate)
          expect(row.total).toBe(before.total + row.newThisWeek)
        })
        // The history rows' order is irrelevant.
        expect(buildBulletin({ ...input, changes: [...r.changes].reverse() })).toEqual(b)
        expect(b.redList.length).toBeLessThanOrEqual(2)
        for (const x of b.blackList) expect(b.rows.find((row) => row.village === x.village)?.overdue).toBeGreaterThan(0)
        expect(bulletinText(b, '示范乡').split('\n')[0]).toContain(week.label)
      }),
      { numRuns: 300 },
    )
  })

  it('assessment: parts in [0,1], scores in [0,100], ranks consistent', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const config: AssessmentConfig = { weights: w.weights, yellowCardPenalty: w.penalties[0], redCardPenalty: w.penalties[1], passLine: w.passLine }
        const a = buildAssessment({ villages: w.villages, ...records(w), month: monthOf(new Date(T0 + w.at)), config })
        expect(a.scores.length).toBe(w.villages.length)
        a.scores.forEach((s, i) => {
          for (const part of Object.values(s.parts)) expect(part >= 0 && part <= 1).toBe(true)
          expect(s.score >= 0 && s.score <= 100).toBe(true)
          expect(Math.round(s.score * 10) / 10).toBe(s.score)
          expect(s.belowLine).toBe(s.score < w.passLine)
          const previous = a.scores[i - 1]
          if (previous) {
            expect(previous.score).toBeGreaterThanOrEqual(s.score)
            expect(s.rank).toBe(previous.score === s.score ? previous.rank : i + 1)
          } else expect(s.rank).toBe(1)
        })
        expect(a.belowLine).toEqual(a.scores.filter((s) => s.belowLine).map((s) => s.village))
        expect(assessmentText(a, '示范乡', config)).toContain(a.month.label)
      }),
      { numRuns: 300 },
    )
  })
})
