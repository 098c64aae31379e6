// 月考核: each village's monthly score, a pure function of the records and a month.
//
// THE FORMULA. For a village and a month [start, end) (states "at month end" are after every
// history move before `end`; see history.ts), with total / done (已完成 + 已销号) / verified (已销号)
// / overdue (deadline < end and not done) counted at month end over the problems filed before `end`:
//
//   completion  = done ÷ total                                   (total = 0 → 1: nothing to fix)
//   timeliness  = onTime ÷ completed, where `completed` counts the problems that became done
//                 (已完成, or straight to 已销号, from an open status) during the month, and `onTime`
//                 those whose (last) completion in the month was at or before their deadline as
//                 stored (no deadline counts as on time)
//                                                               (completed = 0 → 1 if overdue = 0, else 0)
//   verified    = verified ÷ done                               (done = 0 → 1 if total = 0, else 0)
//   cards       = max(0, 1 − yellowCardPenalty × 黄牌 − redCardPenalty × 红牌), counting the cards
//                 issued to the village during the month
//
//   score = 100 × (w.completion·completion + w.timeliness·timeliness + w.verified·verified + w.cards·cards)
//               ÷ (w.completion + w.timeliness + w.verified + w.cards)
//
// rounded to one decimal (all weights 0 → the four parts weigh equally). Each part is 0..1, so
// the score is 0..100 whatever the weights add up to. Rank: by score, highest first; equal
// (rounded) scores share a rank and the next rank skips (1, 2, 2, 4). belowLine: score < passLine.
import type { Card } from '../db/generated/client.ts'
import type { TownshipConfig } from '../config/schema.ts'
import { percent } from '../ledger/format.ts'
import { History, isDone, overdueAt, type ChangeFacts, type ProblemFacts } from './history.ts'
import { TOWNSHIP_WORDS, type Level } from './level.ts'
import type { Month } from './periods.ts'
import { STATUS } from '../ledger/status.ts'

export type AssessmentConfig = TownshipConfig['assessment']

export interface AssessmentInput {
  /** In config order (the order ties are listed in). */
  villages: string[]
  problems: ProblemFacts[]
  changes: ChangeFacts[]
  cards: Card[]
  month: Month
  config: AssessmentConfig
  /**
   * Counts of problems not in `problems`, taken elsewhere, added to their village's: the county
   * reads a township's problems untouched since the month began by database aggregation.
   */
  base?: ReadonlyMap<string, ScoreCounts>
}

export interface ScoreParts {
  completion: number
  timeliness: number
  verified: number
  cards: number
}

/** The counts the parts are computed from, at month end / during the month. */
export interface ScoreCounts {
  total: number
  done: number
  verified: number
  overdue: number
  /** Became done during the month. */
  completed: number
  /** …of which at or before the deadline. */
  onTime: number
  yellow: number
  red: number
}

export interface VillageScore {
  village: string
  /** Each 0..1. */
  parts: ScoreParts
  counts: ScoreCounts
  /** 0..100, one decimal. */
  score: number
  rank: number
  belowLine: boolean
  /** e.g. `完成率 60.0%，按期 2/3，销号 1/3，黄牌 1`. */
  detail: string
}

export interface Assessment {
  month: Month
  /** Sorted by rank (ties in config order). */
  scores: VillageScore[]
  passLine: number
  /** Villages scoring below the pass line, in rank order. */
  belowLine: string[]
}

export const emptyScoreCounts = (): ScoreCounts => ({ total: 0, done: 0, verified: 0, overdue: 0, completed: 0, onTime: 0, yellow: 0, red: 0 })

export function addScoreCounts(to: ScoreCounts, from: ScoreCounts): void {
  for (const key of Object.keys(to) as (keyof ScoreCounts)[]) to[key] += from[key]
}

/** The four parts from the counts (see the formula at the top of the file). */
export function scoreParts(c: ScoreCounts, config: AssessmentConfig): ScoreParts {
  return {
    completion: c.total === 0 ? 1 : c.done / c.total,
    timeliness: c.completed > 0 ? c.onTime / c.completed : c.overdue === 0 ? 1 : 0,
    verified: c.done > 0 ? c.verified / c.done : c.total === 0 ? 1 : 0,
    cards: Math.max(0, 1 - config.yellowCardPenalty * c.yellow - config.redCardPenalty * c.red),
  }
}

const KEYS = ['completion', 'timeliness', 'verified', 'cards'] as const

/** The weights as shares of 1 (all zero → equal shares). */
export function normalisedWeights(config: AssessmentConfig): ScoreParts {
  const w = config.weights
  const sum = KEYS.reduce((s, k) => s + Math.max(0, w[k]), 0)
  if (!(sum > 0) || !Number.isFinite(sum)) return { completion: 0.25, timeliness: 0.25, verified: 0.25, cards: 0.25 }
  return { completion: Math.max(0, w.completion) / sum, timeliness: Math.max(0, w.timeliness) / sum, verified: Math.max(0, w.verified) / sum, cards: Math.max(0, w.cards) / sum }
}

/** 0..100, one decimal (the epsilon keeps 72.35 from rounding down through binary error). */
export function scoreOf(parts: ScoreParts, config: AssessmentConfig): number {
  const w = normalisedWeights(config)
  const raw = 100 * KEYS.reduce((s, k) => s + w[k] * parts[k], 0)
  return Math.min(100, Math.max(0, Math.round(raw * 10 + 1e-6) / 10))
}

function detailOf(c: ScoreCounts): string {
  const parts: string[] = []
  if (c.total === 0) parts.push('无整改问题')
  else {
    parts.push(`完成率 ${percent(c.done / c.total)}`)
    parts.push(c.completed > 0 ? `按期 ${c.onTime}/${c.completed}` : c.overdue > 0 ? `本月无完成，逾期 ${c.overdue}` : '本月无完成')
    parts.push(c.done > 0 ? `销号 ${c.verified}/${c.done}` : '销号 0')
  }
  if (c.yellow > 0) parts.push(`黄牌 ${c.yellow}`)
  if (c.red > 0) parts.push(`红牌 ${c.red}`)
  return parts.join('，')
}

/** Scores every village for the month. O(problems + changes + cards). */
export function buildAssessment(input: AssessmentInput): Assessment {
  const { month, config } = input
  const counts = new Map<string, ScoreCounts>()
  for (const village of input.villages) if (!counts.has(village)) counts.set(village, emptyScoreCounts())
  for (const [village, base] of input.base ?? []) {
    const c = counts.get(village)
    if (c) addScoreCounts(c, base)
  }

  const problems = input.problems.filter((p) => counts.has(p.village))
  const history = new History(problems, input.changes)
  for (const p of problems) {
    const c = counts.get(p.village)!
    const view = history.view(p, month.start, month.end)
    if (view.atEnd === undefined) continue
    c.total++
    if (isDone(view.atEnd)) c.done++
    if (view.atEnd === STATUS.verified) c.verified++
    if (overdueAt(p, view.atEnd, month.end)) c.overdue++
    if (view.completedAt) {
      c.completed++
      if (p.deadline === null || view.completedAt.getTime() <= p.deadline.getTime()) c.onTime++
    }
  }
  const start = month.start.getTime()
  const end = month.end.getTime()
  for (const card of input.cards) {
    const t = card.issuedAt.getTime()
    const c = counts.get(card.village)
    if (!c || t < start || t >= end) continue
    if (card.color === '黄牌') c.yellow++
    else if (card.color === '红牌') c.red++
  }

  const villages = [...counts.keys()]
  const order = new Map(villages.map((v, i) => [v, i]))
  const scores: VillageScore[] = villages.map((village) => {
    const c = counts.get(village)!
    const parts = scoreParts(c, config)
    const score = scoreOf(parts, config)
    return { village, parts, counts: c, score, rank: 0, belowLine: score < config.passLine, detail: detailOf(c) }
  })
  scores.sort((a, b) => b.score - a.score || order.get(a.village)! - order.get(b.village)!)
  scores.forEach((s, i) => {
    const previous = scores[i - 1]
    s.rank = previous && previous.score === s.score ? previous.rank : i + 1
  })
  return { month, scores, passLine: config.passLine, belowLine: scores.filter((s) => s.belowLine).map((s) => s.village) }
}

const points = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1))

/** The weights as people read them: `完成率 40% + 按期率 25% + 销号率 15% + 黄红牌 20%`. */
export function formulaText(config: AssessmentConfig): string {
  const w = normalisedWeights(config)
  const share = (x: number) => `${points(Math.round(x * 1000) / 10)}%`
  return `完成率 ${share(w.completion)} + 按期率 ${share(w.timeliness)} + 销号率 ${share(w.verified)} + 黄红牌 ${share(w.cards)}`
}

/** The assessment as a WeChat message: ranking, then the villages below the line named. */
export function assessmentText(a: Assessment, townshipName: string, config?: AssessmentConfig, level: Level = TOWNSHIP_WORDS): string {
  const lines = [`${townshipName}人居环境整治月考核（${a.month.label}）`]
  if (config) lines.push(`计分：${formulaText(config)}，满分 100，合格线 ${points(a.passLine)} 分`)
  else lines.push(`满分 100，合格线 ${points(a.passLine)} 分`)
  for (const s of a.scores) {
    lines.push(`第${s.rank}名 ${s.village} ${s.score.toFixed(1)}分${s.belowLine ? '（未达合格线）' : ''}：${s.detail}`)
  }
  if (a.scores.length === 0) lines.push(`暂无参加考核的${level.unit}。`)
  else if (a.belowLine.length === 0) lines.push(`✅ 各${level.unit}均达到合格线。`)
  else {
    const named = a.scores.filter((s) => s.belowLine).map((s) => `${s.village}（${s.score.toFixed(1)}分）`)
    lines.push(`⚠️ 低于合格线：${named.join('、')}。请限期整改，${level.overseer}督导落实。`)
  }
  return lines.join('\n')
}
