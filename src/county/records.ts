// A township's figures for a period [start, end), counted by its own database so that the
// county's figures need not load its problems: one query returns a row of counts per village.
//
// The query walks each problem's history as src/stats/history.ts does, with the same shortcut as
// before it: the Ledger is the only writer of problems, and every write sets a problem's status
// and `updatedAt` together with a history row stamped `updatedAt`. So a problem with no history
// rows since `start` stands at its current status from before the period to now, and is counted
// by it. Every other problem is walked over its rows since `start` (in time order, as history.ts
// orders them), from the status its last row before `start` gave it.
//
// A problem history.ts would rebuild from its own dates instead (no history rows at all, or none
// since it was filed) is never the Ledger's. The query counts the problems updated since `start`
// that it did not walk; only when there are any are they loaded, and those walked in JS.
//
// test/county/records.test.ts holds the query to the JS walk on edge cases, on both providers.
import { Prisma, type Card } from '../db/generated/client.ts'
import type { Database } from '../db/index.ts'
import { DONE_STATUSES, OPEN_STATUSES, STATUS, type Status } from '../ledger/status.ts'
import type { ScoreCounts } from '../stats/assessment.ts'
import { emptyWeekCounts, type WeekCounts } from '../stats/bulletin.ts'
import { isDone, type ProblemFacts } from '../stats/history.ts'

export interface Period {
  start: Date
  end: Date
}

/** A village's problems in the period, as both the 周通报 and the 月考核 count them. */
export interface PeriodCounts {
  /** Filed before the period's end. */
  total: number
  /** 已完成 or 已销号 at the end. */
  done: number
  /** 已销号 at the end. */
  verified: number
  /** Not done at the end, deadline before the end. */
  overdue: number
  /** Filed during the period. */
  filed: number
  /** Became done from an open status during the period (counted once each). */
  completed: number
  /** …whose last completion in the period was at or before their deadline (or had none). */
  onTime: number
  /** Became 已销号 during the period. */
  verifiedMoves: number
  /** Filed before the period's start. */
  previousTotal: number
  /** …and done at the start. */
  previousDone: number
  /** Cards issued during the period. */
  yellow: number
  red: number
}

export interface PeriodRecords {
  /** Per village, of the given villages only. */
  counts: Map<string, PeriodCounts>
  /** Problems the query left to history.ts (see the header); none when the Ledger wrote them all. */
  problems: ProblemFacts[]
  /** Cards issued during the period, when asked for (they are counted either way). */
  cards: Card[]
}

const emptyPeriodCounts = (): PeriodCounts => ({ total: 0, done: 0, verified: 0, overdue: 0, filed: 0, completed: 0, onTime: 0, verifiedMoves: 0, previousTotal: 0, previousDone: 0, yellow: 0, red: 0 })

type Row = Record<keyof PeriodCounts | 'unwalked', number | bigint | null> & { village: string | null }

/**
 * Per village: every problem by its current status (an index scan), corrected by the problems
 * moved since the period began, walked over their rows since then; and the count of problems
 * left to history.ts, taken out of the first part. Identifiers are double-quoted and values are
 * parameters, so the one text runs on SQLite and PostgreSQL; both have window functions.
 */
export function periodQuery({ start, end }: Period): Prisma.Sql {
  const done = Prisma.join(DONE_STATUSES)
  const open = Prisma.join(OPEN_STATUSES)
  const { todo, verified } = STATUS
  const doneOf = (status: Prisma.Sql) => Prisma.sql`CASE WHEN ${status} IN (${done}) THEN 1 ELSE 0 END`
  const isVerified = (status: Prisma.Sql) => Prisma.sql`CASE WHEN ${status} = ${verified} THEN 1 ELSE 0 END`
  const isOverdue = Prisma.sql`CASE WHEN status IN (${open}) AND deadline < ${end} THEN 1 ELSE 0 END`
  const status = Prisma.sql`status`
  return Prisma.sql`
    WITH since AS MATERIALIZED (
      -- Materialized so that SQLite reads the rows by the index on "at", not every row in problem order.
      SELECT id, "problemId" AS pid, at, "toStatus" AS status FROM "ProblemChange" WHERE at >= ${start}
    ),
    steps AS (
      SELECT pid, at, status, LAG(status) OVER (PARTITION BY pid ORDER BY at, id) AS previous FROM since
    ),
    moved AS (
      -- The first row (in time) is taken apart: the status before it is the last row's before the start.
      SELECT pid,
        MAX(CASE WHEN previous IS NULL THEN at END) AS first_at,
        MAX(CASE WHEN previous IS NULL THEN status END) AS first_status,
        MAX(CASE WHEN previous IS NOT NULL AND at < ${end} AND status IN (${done}) AND previous NOT IN (${done}) THEN at END) AS completed_later,
        MAX(CASE WHEN previous IS NOT NULL AND at < ${end} AND status = ${verified} AND previous <> ${verified} THEN 1 ELSE 0 END) AS verified_later
      FROM steps GROUP BY pid
    ),
    walked AS MATERIALIZED (
      -- The last rows before the start and before the end, one index seek each (cheaper than
      -- looking ahead in the window above).
      SELECT p.village, p.status, p.deadline, p."createdAt" AS created, p."updatedAt" AS updated,
        m.first_at, m.first_status, m.completed_later, m.verified_later,
        COALESCE((SELECT c."toStatus" FROM "ProblemChange" c WHERE c."problemId" = m.pid AND c.at < ${start} ORDER BY c.at DESC, c.id DESC LIMIT 1), ${todo}) AS before,
        COALESCE((SELECT c."toStatus" FROM "ProblemChange" c WHERE c."problemId" = m.pid AND c.at < ${end} ORDER BY c.at DESC, c.id DESC LIMIT 1), ${todo}) AS after
      FROM moved m JOIN "Problem" p ON p.id = m.pid
    ),
    facts AS (
      SELECT village, status, deadline, updated,
        CASE WHEN created < ${start} THEN before END AS at_start,
        CASE WHEN created < ${end} THEN after END AS at_end,
        CASE WHEN created >= ${start} AND created < ${end} THEN 1 ELSE 0 END AS filed,
        COALESCE(completed_later,
          CASE WHEN first_at < ${end} AND first_status IN (${done}) AND before NOT IN (${done}) THEN first_at END) AS completed_at,
        CASE WHEN verified_later = 1 OR (first_at < ${end} AND first_status = ${verified} AND before <> ${verified}) THEN 1 ELSE 0 END AS verified_move
      FROM walked
    ),
    parts AS (
      -- Every problem by its current status: GROUP BY on the (village, status) index, then the sums.
      SELECT village, SUM(n) AS total, SUM(CASE WHEN status IN (${done}) THEN n ELSE 0 END) AS done,
        SUM(CASE WHEN status = ${verified} THEN n ELSE 0 END) AS verified, 0 AS overdue, 0 AS filed, 0 AS completed,
        0 AS on_time, 0 AS verified_moves, SUM(n) AS previous_total, SUM(CASE WHEN status IN (${done}) THEN n ELSE 0 END) AS previous_done,
        0 AS yellow, 0 AS red, 0 AS unwalked
      FROM (SELECT village, status, COUNT(*) AS n FROM "Problem" GROUP BY village, status) AS by_status GROUP BY village
      UNION ALL
      SELECT village, 0, 0, 0, COUNT(*), 0, 0, 0, 0, 0, 0, 0, 0, 0
      FROM "Problem" WHERE status IN (${open}) AND deadline < ${end} GROUP BY village
      UNION ALL
      -- Each walked problem: its counts by its walk, less those by its current status above.
      SELECT village,
        SUM(CASE WHEN at_end IS NOT NULL THEN 1 ELSE 0 END) - COUNT(*),
        SUM(${doneOf(Prisma.sql`at_end`)} - ${doneOf(status)}),
        SUM(${isVerified(Prisma.sql`at_end`)} - ${isVerified(status)}),
        SUM(CASE WHEN at_end NOT IN (${done}) AND deadline < ${end} THEN 1 ELSE 0 END - ${isOverdue}),
        SUM(filed),
        SUM(CASE WHEN completed_at IS NOT NULL THEN 1 ELSE 0 END),
        SUM(CASE WHEN completed_at IS NOT NULL AND (deadline IS NULL OR completed_at <= deadline) THEN 1 ELSE 0 END),
        SUM(verified_move),
        SUM(CASE WHEN at_start IS NOT NULL THEN 1 ELSE 0 END) - COUNT(*),
        SUM(${doneOf(Prisma.sql`at_start`)} - ${doneOf(status)}),
        0, 0,
        -SUM(CASE WHEN updated >= ${start} THEN 1 ELSE 0 END)
      FROM facts GROUP BY village
      UNION ALL
      SELECT village, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        SUM(CASE WHEN color = ${'黄牌'} THEN 1 ELSE 0 END), SUM(CASE WHEN color = ${'红牌'} THEN 1 ELSE 0 END), 0
      FROM "Card" WHERE "issuedAt" >= ${start} AND "issuedAt" < ${end} GROUP BY village
      UNION ALL
      -- Updated since the start (a row of no village), less those walked above: any left have no
      -- history rows since the start, and readPeriod looks at them.
      SELECT NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, COUNT(*) FROM "Problem" WHERE "updatedAt" >= ${start}
    )
    SELECT village, SUM(total) AS total, SUM(done) AS done, SUM(verified) AS verified, SUM(overdue) AS overdue, SUM(filed) AS filed,
      SUM(completed) AS completed, SUM(on_time) AS "onTime", SUM(verified_moves) AS "verifiedMoves",
      SUM(previous_total) AS "previousTotal", SUM(previous_done) AS "previousDone", SUM(yellow) AS yellow, SUM(red) AS red,
      SUM(unwalked) AS unwalked
    FROM parts GROUP BY village`
}

/**
 * The records of `villages` (a township's, from its own database) for the period; with
 * `listCards`, the cards themselves (the bulletin names them; the assessment only counts them).
 */
export async function readPeriod(db: Database, villages: readonly string[], period: Period, { listCards = false } = {}): Promise<PeriodRecords> {
  const { start, end } = period
  const mine = new Set(villages)
  // One query at a time: the county reads its townships in parallel, and 20 townships' pools
  // each opening several connections would pass PostgreSQL's limit (100 by default).
  const rows = await db.$queryRaw<Row[]>(periodQuery(period))
  const counts = new Map<string, PeriodCounts>()
  let unwalked = 0
  for (const row of rows) {
    unwalked += Number(row.unwalked)
    if (row.village === null || !mine.has(row.village)) continue
    const c = emptyPeriodCounts()
    for (const key of Object.keys(c) as (keyof PeriodCounts)[]) c[key] = Number(row[key] ?? 0)
    counts.set(row.village, c)
  }
  const problems = unwalked > 0 ? await rebuilt(db, period, mine, counts) : []
  const everyCard = listCards ? await db.card.findMany({ where: { issuedAt: { gte: start, lt: end } } }) : []
  return { counts, problems, cards: everyCard.filter((c) => mine.has(c.village)) }
}

/**
 * Problems updated since the start with no history rows since then (never so when the Ledger
 * wrote them all). Those filed before the start with earlier rows stand at their status, as the
 * query counted them; the rest, filed since the start or with no rows at all, are left to
 * history.ts, which rebuilds them from their own dates as a township's own figures do: they are
 * taken out of the query's counts.
 */
async function rebuilt(db: Database, { start, end }: Period, mine: Set<string>, counts: Map<string, PeriodCounts>): Promise<ProblemFacts[]> {
  const unwalked = await db.problem.findMany({
    where: { updatedAt: { gte: start }, history: { none: { at: { gte: start } } } },
    select: { id: true, village: true, status: true, deadline: true, createdAt: true, updatedAt: true, completedAt: true, verifiedAt: true, _count: { select: { history: true } } },
  })
  const problems: ProblemFacts[] = []
  for (const { _count, ...p } of unwalked) {
    if (!mine.has(p.village) || (p.createdAt < start && _count.history > 0)) continue
    problems.push(p)
    const c = counts.get(p.village)!
    const done = isDone(p.status) ? 1 : 0
    c.total--
    c.previousTotal--
    c.done -= done
    c.previousDone -= done
    if (p.status === STATUS.verified) c.verified--
    if (OPEN_STATUSES.includes(p.status as Status) && p.deadline !== null && p.deadline < end) c.overdue--
  }
  return problems
}

/** A village's counts as the weekly bulletin adds them to its row. */
export function weekCounts(c: PeriodCounts): WeekCounts {
  return {
    ...emptyWeekCounts(),
    newThisWeek: c.filed,
    completedThisWeek: c.completed,
    verifiedThisWeek: c.verifiedMoves,
    total: c.total,
    done: c.done,
    open: c.total - c.done,
    overdue: c.overdue,
    previousTotal: c.previousTotal,
    previousDone: c.previousDone,
  }
}

/** A village's counts as the monthly assessment adds them to its score's. */
export function scoreCounts(c: PeriodCounts): ScoreCounts {
  return { total: c.total, done: c.done, verified: c.verified, overdue: c.overdue, completed: c.completed, onTime: c.onTime, yellow: c.yellow, red: c.red }
}
