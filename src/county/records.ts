// A township's records for a period [start, end), read so that the county's figures need not
// load every problem. The Ledger is the only writer of problems, and every write sets a
// problem's status and `updatedAt` together with a history row stamped `updatedAt`. So a problem
// last updated before `start` ("settled") stands at its current status from before the period
// to now: it is counted by database aggregation, by village and status. Only the rest, updated
// since the period began (which includes every problem filed since), is loaded, with its history
// rows since `start`, and walked by src/stats/history.ts as the township's own figures are.
// Last week's bulletin and last month's assessment load a few per cent of a year's records.
//
// Its history before `start` is one row: the status it had at `start`, which is the status its
// first row since then moved it from (or its current status when it has none).
import type { Card } from '../db/generated/client.ts'
import type { Database } from '../db/index.ts'
import { DONE_STATUSES, OPEN_STATUSES, STATUS, type Status } from '../ledger/status.ts'
import { emptyScoreCounts, type ScoreCounts } from '../stats/assessment.ts'
import { emptyWeekCounts, type WeekCounts } from '../stats/bulletin.ts'
import type { ChangeFacts, ProblemFacts } from '../stats/history.ts'

export interface Period {
  start: Date
  end: Date
}

/** Problems last updated before the period, per village. */
export interface Settled {
  byStatus: Map<string, number>
  /** …of which open and past their deadline at the period's end. */
  overdue: number
}

export interface PeriodRecords {
  /** Updated since `start`: moved, or filed, during the period or after it. */
  problems: ProblemFacts[]
  /** Their history rows since `start`, and for those filed before it, the status they had then. */
  changes: ChangeFacts[]
  /** Cards issued during the period. */
  cards: Card[]
  /** Per village, of the given villages only. */
  settled: Map<string, Settled>
}

/** The records of `villages` (a township's, from its own database) for the period. */
export async function readPeriod(db: Database, villages: readonly string[], period: Period): Promise<PeriodRecords> {
  const { start, end } = period
  const mine = new Set(villages)
  // Plain scans and GROUP BYs, the villages kept here rather than in SQL: with `village IN (…)`
  // SQLite walks the (village, status) index and looks every row up, three times slower than a
  // scan of the table when, as here, the villages are all of it.
  // One query at a time: the county reads its townships in parallel, and 20 townships' pools
  // each opening several connections would pass PostgreSQL's limit (100 by default).
  const byStatus = await db.problem.groupBy({ by: ['village', 'status'], _count: { _all: true } })
  // Open as the Ledger counts overdue (its four statuses): two ranges of the (status, deadline) index.
  const overdue = await db.problem.groupBy({ by: ['village'], where: { status: { in: OPEN_STATUSES }, deadline: { lt: end } }, _count: { _all: true } })
  // Only the columns the statistics read: a row's cost is mostly its columns turned into values.
  const everyUpdated = await db.problem.findMany({ where: { updatedAt: { gte: start } }, select: { id: true, village: true, status: true, deadline: true, createdAt: true, updatedAt: true, completedAt: true, verifiedAt: true } })
  const since = await db.problemChange.findMany({ where: { at: { gte: start } }, select: { id: true, problemId: true, fromStatus: true, toStatus: true, at: true }, orderBy: { id: 'asc' } })
  const everyCard = await db.card.findMany({ where: { issuedAt: { gte: start, lt: end } } })
  const updated = everyUpdated.filter((p) => mine.has(p.village))
  const cards = everyCard.filter((c) => mine.has(c.village))

  const settled = new Map<string, Settled>()
  const of = (village: string) => settled.get(village) ?? settled.set(village, { byStatus: new Map(), overdue: 0 }).get(village)!
  for (const row of byStatus) if (mine.has(row.village)) of(row.village).byStatus.set(row.status, row._count._all)
  for (const row of overdue) if (mine.has(row.village)) of(row.village).overdue = row._count._all
  const loaded = new Map<number, ProblemFacts>()
  for (const p of updated) {
    loaded.set(p.id, p)
    const s = of(p.village)
    s.byStatus.set(p.status, (s.byStatus.get(p.status) ?? 0) - 1)
    if (OPEN_STATUSES.includes(p.status as Status) && p.deadline !== null && p.deadline < end) s.overdue--
  }

  const moves = since.filter((c) => loaded.has(c.problemId))
  const first = new Map<number, (typeof moves)[number]>()
  for (const c of moves) if (!first.has(c.problemId)) first.set(c.problemId, c)
  // Ahead of the rows since `start`, so that each problem's rows stay in time order.
  const atStart: ChangeFacts[] = updated
    .filter((p) => p.createdAt < start)
    .map((p) => ({ id: 0, problemId: p.id, toStatus: first.has(p.id) ? (first.get(p.id)!.fromStatus ?? STATUS.todo) : p.status, at: p.createdAt }))
  return { problems: updated, changes: [...atStart, ...moves], cards, settled }
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
