// A township's records for a period [start, end), read so that the county's figures need not
// load every problem. A problem filed before `start` with no history row since stands at both
// ends of the period, and every moment in it, at its current status (the Ledger writes a
// problem's status and its history row in one update): it is counted by database aggregation,
// by village and status. Only the rest — filed during the period, or moved since it began — is
// loaded with its history and walked by src/stats/history.ts, as the township's own figures are.
//
// (A problem with no history rows at all, which only data written outside the Ledger has, is
// counted here at its current status; History would rebuild it from its timestamps.)
import type { Card, Problem, ProblemChange } from '../db/generated/client.ts'
import type { Database } from '../db/index.ts'
import { DONE_STATUSES, STATUS } from '../ledger/status.ts'
import { emptyScoreCounts, type ScoreCounts } from '../stats/assessment.ts'
import { emptyWeekCounts, type WeekCounts } from '../stats/bulletin.ts'

export interface Period {
  start: Date
  end: Date
}

/** Problems filed before the period and untouched since, per village. */
export interface Settled {
  byStatus: Map<string, number>
  /** …of which not done and past their deadline at the period's end. */
  overdue: number
}

export interface PeriodRecords {
  /** Filed before `end` and during the period or moved since it began; with all their history rows. */
  problems: Problem[]
  changes: ProblemChange[]
  /** Cards issued during the period. */
  cards: Card[]
  /** Per village, of the configured villages only. */
  settled: Map<string, Settled>
}

/** The records of `villages` (a township's, from its own database) for the period. */
export async function readPeriod(db: Database, villages: readonly string[], period: Period): Promise<PeriodRecords> {
  const { start, end } = period
  const inVillages = { village: { in: [...villages] } }
  const settledWhere = { ...inVillages, createdAt: { lt: start }, history: { none: { at: { gte: start } } } }
  const movedWhere = { ...inVillages, createdAt: { lt: end }, OR: [{ createdAt: { gte: start } }, { history: { some: { at: { gte: start } } } }] }
  const [byStatus, overdue, problems, changes, cards] = await Promise.all([
    db.problem.groupBy({ by: ['village', 'status'], where: settledWhere, _count: { _all: true } }),
    db.problem.groupBy({ by: ['village'], where: { ...settledWhere, status: { notIn: DONE_STATUSES }, deadline: { lt: end } }, _count: { _all: true } }),
    db.problem.findMany({ where: movedWhere }),
    db.problemChange.findMany({ where: { problem: movedWhere }, orderBy: { id: 'asc' } }),
    db.card.findMany({ where: { ...inVillages, issuedAt: { gte: start, lt: end } } }),
  ])
  const settled = new Map<string, Settled>()
  const of = (village: string) => settled.get(village) ?? settled.set(village, { byStatus: new Map(), overdue: 0 }).get(village)!
  for (const row of byStatus) of(row.village).byStatus.set(row.status, row._count._all)
  for (const row of overdue) of(row.village).overdue = row._count._all
  return { problems, changes, cards, settled }
}

const sumOf = (s: Settled, statuses: readonly string[]) => statuses.reduce((n, status) => n + (s.byStatus.get(status) ?? 0), 0)
const totalOf = (s: Settled) => [...s.byStatus.values()].reduce((n, k) => n + k, 0)

/** Settled problems as the weekly bulletin counts them: the same at the week's start and end, nothing new. */
export function settledWeekCounts(s: Settled): WeekCounts {
  const total = totalOf(s)
  const done = sumOf(s, DONE_STATUSES)
  return { ...emptyWeekCounts(), total, done, open: total - done, overdue: s.overdue, previousTotal: total, previousDone: done }
}

/** Settled problems as the monthly assessment counts them: none completed during the month. */
export function settledScoreCounts(s: Settled): ScoreCounts {
  return { ...emptyScoreCounts(), total: totalOf(s), done: sumOf(s, DONE_STATUSES), verified: sumOf(s, [STATUS.verified]), overdue: s.overdue }
}
