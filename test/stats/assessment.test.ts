// 月考核 for November 2026 over the records of fixtures.ts, every part and score worked out by hand.
import { describe, expect, it } from 'vitest'
import { townshipConfigSchema } from '../../src/config/schema.ts'
import { assessmentText, buildAssessment, formulaText, type AssessmentConfig, type VillageScore } from '../../src/stats/assessment.ts'
import { monthOf } from '../../src/stats/periods.ts'
import { sh, township, VILLAGES } from './fixtures.ts'

// The defaults: weights 40 / 25 / 15 / 20, 黄牌 −0.25, 红牌 −0.5, pass line 60.
const config: AssessmentConfig = townshipConfigSchema.parse({ township: { name: '示范乡' }, villages: [{ name: '卫华村' }] }).assessment
const NOVEMBER = monthOf(sh('2026-11-15 12:00')) // [11-01 00:00, 12-01 00:00) Shanghai

function assess(cfg = config, month = NOVEMBER) {
  const r = township()
  return buildAssessment({ villages: VILLAGES, problems: r.problems, changes: r.changes, cards: r.cards, month, config: cfg })
}

describe('buildAssessment, November 2026', () => {
  const a = assess()
  const of = (v: string) => a.scores.find((s) => s.village === v) as VillageScore

  // 卫华村 at 12-01 00:00: #1 整改中 (限期11-25 → overdue), #2 已完成 (its 销号 is 12-01 10:00, December);
  //   #3 is filed in December. total 2, done 1, verified 0, overdue 1.
  //   Completed in November: #2 on 11-26, 限期 12-10 → on time: 1/1. Cards in November: 黄牌 #1 11-28
  //   (the 红牌 is 12-02).
  //   completion 1/2 = 0.5; timeliness 1/1 = 1; verified 0/1 = 0; cards 1 − 0.25 = 0.75
  //   score = 40×0.5 + 25×1 + 15×0 + 20×0.75 = 20 + 25 + 0 + 15 = 60.0 — exactly the line: not below
  it('卫华村', () => {
    const s = of('卫华村')
    expect(s.parts).toEqual({ completion: 0.5, timeliness: 1, verified: 0, cards: 0.75 })
    expect(s.counts).toEqual({ total: 2, done: 1, verified: 0, overdue: 1, completed: 1, onTime: 1, yellow: 1, red: 0 })
    expect(s.score).toBe(60)
    expect(s.belowLine).toBe(false)
    expect(s.detail).toBe('完成率 50.0%，按期 1/1，销号 0/1，黄牌 1')
  })

  // 渔业村: #4 整改中 (限期 12-03), #5 待整改 (限期 12-01 23:59:59, not before 12-01 00:00: not overdue);
  //   #6 filed 12-01 08:00 (December). total 2, done 0, overdue 0, nothing completed in November.
  //   completion 0/2 = 0; timeliness: none completed and none overdue → 1; verified: done 0, total 2 → 0;
  //   cards 1. score = 0 + 25 + 0 + 20 = 45.0 → below the line
  it('渔业村', () => {
    const s = of('渔业村')
    expect(s.parts).toEqual({ completion: 0, timeliness: 1, verified: 0, cards: 1 })
    expect(s.score).toBe(45)
    expect(s.belowLine).toBe(true)
    expect(s.detail).toBe('完成率 0.0%，本月无完成，销号 0')
  })

  // 卫明村: #7 已销号, #8 已完成 (11-29; its 退回 is 12-01 10:00), #9 已完成; #10/#11 December.
  //   total 3, done 3, verified 1 (#7), overdue 0.
  //   Completed in November: #7 11-19 > 限期 11-18 23:59:59 (late), #8 11-29 ≤ 12-31 (on time),
  //   #9 11-28 20:00 ≤ 11-28 23:59:59 (on time) → 2/3.
  //   completion 3/3 = 1; timeliness 2/3; verified 1/3; cards 1
  //   score = 40 + 25×2/3 + 15×1/3 + 20 = 40 + 16.667 + 5 + 20 = 81.667 → 81.7
  it('卫明村', () => {
    const s = of('卫明村')
    expect(s.parts.completion).toBe(1)
    expect(s.parts.timeliness).toBeCloseTo(2 / 3, 12)
    expect(s.parts.verified).toBeCloseTo(1 / 3, 12)
    expect(s.parts.cards).toBe(1)
    expect(s.score).toBe(81.7)
    expect(s.detail).toBe('完成率 100.0%，按期 2/3，销号 1/3')
  })

  // 新兴村: #12 已完成 11-10, late (限期 11-05), never 销号.
  //   completion 1/1 = 1; timeliness 0/1 = 0; verified 0/1 = 0; cards 1
  //   score = 40 + 0 + 0 + 20 = 60.0 — ties with 卫华村
  it('新兴村', () => {
    const s = of('新兴村')
    expect(s.parts).toEqual({ completion: 1, timeliness: 0, verified: 0, cards: 1 })
    expect(s.score).toBe(60)
  })

  // 81.7, 60.0, 60.0, 45.0 → ranks 1, 2, 2, 4; the tie in config order (卫华村 before 新兴村).
  it('ranks with a shared place, and names who is below the line', () => {
    expect(a.scores.map((s) => [s.village, s.score, s.rank])).toEqual([
      ['卫明村', 81.7, 1],
      ['卫华村', 60, 2],
      ['新兴村', 60, 2],
      ['渔业村', 45, 4],
    ])
    expect(a.passLine).toBe(60)
    expect(a.belowLine).toEqual(['渔业村'])
  })

  it('reads as a WeChat message', () => {
    const text = assessmentText(a, '示范乡', config)
    const lines = text.split('\n')
    expect(lines[0]).toBe('示范乡人居环境整治月考核（2026年11月）')
    expect(lines[1]).toBe('计分：完成率 40% + 按期率 25% + 销号率 15% + 黄红牌 20%，满分 100，合格线 60 分')
    expect(lines).toContain('第1名 卫明村 81.7分：完成率 100.0%，按期 2/3，销号 1/3')
    expect(lines).toContain('第2名 卫华村 60.0分：完成率 50.0%，按期 1/1，销号 0/1，黄牌 1')
    expect(lines).toContain('第2名 新兴村 60.0分：完成率 100.0%，按期 0/1，销号 0/1')
    expect(lines).toContain('第4名 渔业村 45.0分（未达合格线）：完成率 0.0%，本月无完成，销号 0')
    expect(lines.at(-1)).toBe('⚠️ 低于合格线：渔业村（45.0分）。请限期整改，包村干部督导落实。')
  })
})

describe('buildAssessment, December 2026 (up to the fixture data)', () => {
  // 卫华村 at 2027-01-01: #1 整改中 overdue, #2 已销号, #3 待整改 overdue (限期 12-03). total 3, done 1, verified 1.
  //   Nothing completed in December (the 12-01 销号 is not a completion: #2 was already done) and 2 overdue
  //   → timeliness 0. Cards in December: 红牌 #1, 黄牌 #3 → cards = 1 − 0.5 − 0.25 = 0.25.
  //   score = 40×1/3 + 0 + 15×1 + 20×0.25 = 13.333 + 15 + 5 = 33.3
  it('a 销号 alone is no completion; both cards count', () => {
    const s = assess(config, monthOf(sh('2026-12-15 12:00'))).scores.find((x) => x.village === '卫华村')!
    expect(s.counts).toMatchObject({ total: 3, done: 1, verified: 1, overdue: 2, completed: 0, yellow: 1, red: 1 })
    expect(s.parts.timeliness).toBe(0)
    expect(s.parts.cards).toBe(0.25)
    expect(s.score).toBe(33.3)
    expect(s.detail).toBe('完成率 33.3%，本月无完成，逾期 2，销号 1/1，黄牌 1，红牌 1')
  })

  // 渔业村 in December: #4 已完成 12-02 (限期 12-03: on time), #5 已完成 12-03 10:00 (限期 12-01: late) then 已销号.
  //   total 3 (#6 too), done 2, verified 1, completed 2, on time 1.
  //   completion 2/3, timeliness 1/2, verified 1/2, cards 1
  //   score = 40×2/3 + 25×0.5 + 15×0.5 + 20 = 26.667 + 12.5 + 7.5 + 20 = 66.667 → 66.7
  it('渔业村 improves', () => {
    const s = assess(config, monthOf(sh('2026-12-15 12:00'))).scores.find((x) => x.village === '渔业村')!
    expect(s.score).toBe(66.7)
  })
})

describe('buildAssessment, edge cases', () => {
  it('a village with no problems and no cards scores 100', () => {
    const a = buildAssessment({ villages: ['空村'], problems: [], changes: [], cards: [], month: NOVEMBER, config })
    expect(a.scores[0]).toMatchObject({ village: '空村', parts: { completion: 1, timeliness: 1, verified: 1, cards: 1 }, score: 100, rank: 1, belowLine: false, detail: '无整改问题' })
    expect(assessmentText(a, '示范乡')).toContain('✅ 各村均达到合格线。')
  })

  it('normalises weights that do not add up to 100', () => {
    // Only completion counts (weight 2 of 2): the score is 100 × completion.
    const only = { ...config, weights: { completion: 2, timeliness: 0, verified: 0, cards: 0 } }
    expect(assess(only).scores.map((s) => [s.village, s.score])).toEqual([
      ['卫明村', 100],
      ['新兴村', 100],
      ['卫华村', 50],
      ['渔业村', 0],
    ])
    expect(formulaText(only)).toBe('完成率 100% + 按期率 0% + 销号率 0% + 黄红牌 0%')
    // All weights 0: the parts weigh equally. 卫华村 (0.5 + 1 + 0 + 0.75) / 4 = 0.5625 → 56.3
    const none = { ...config, weights: { completion: 0, timeliness: 0, verified: 0, cards: 0 } }
    expect(assess(none).scores.find((s) => s.village === '卫华村')?.score).toBe(56.3)
  })

  it('cards never take the part below 0', () => {
    const r = township()
    const many = Array.from({ length: 5 }, (_, i) => ({ id: 50 + i, problemId: 1, village: '卫华村', color: '红牌', daysOverdue: 7, issuedAt: sh('2026-11-20 09:00') }))
    const a = buildAssessment({ villages: VILLAGES, problems: r.problems, changes: r.changes, cards: [...r.cards, ...many], month: NOVEMBER, config })
    // 1 − 0.25×1 − 0.5×5 < 0 → 0; score = 20 + 25 + 0 + 0 = 45.0, ties 渔业村 at rank 3
    const s = a.scores.find((x) => x.village === '卫华村')!
    expect(s.parts.cards).toBe(0)
    expect(s.score).toBe(45)
    expect(a.scores.map((x) => x.rank)).toEqual([1, 2, 3, 3])
    expect(a.belowLine).toEqual(['卫华村', '渔业村'])
  })
})
