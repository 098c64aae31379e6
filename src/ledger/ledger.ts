// The 整改台账: problems, their moves, and their history. Plain inputs, plain outputs.
import { distance } from 'fastest-levenshtein'
import { Prisma } from '../db/generated/client.ts'
import type { Database, Problem, ProblemChange } from '../db/index.ts'
import { together } from '../db/together.ts'
import { UserError } from '../errors.ts'
import type { Clock } from '../time.ts'
import { DONE_STATUSES, OPEN_STATUSES, STATUS, type ProgressStatus, type Status } from './status.ts'

/**
 * A problem's columns by name, from the schema: PostgreSQL keeps a statement prepared only if its
 * columns are listed (src/db/pg-client.ts), and /整改 reads a problem every time.
 */
const PROBLEM_COLUMNS = Prisma.raw(Object.values(Prisma.ProblemScalarFieldEnum).map((column) => `"${column}"`).join(', '))

/** Who made a change and from which message: every change is audited. */
export interface ChangeMeta {
  actorId: string
  actorName: string
  messageId?: string
}

export interface NewProblem {
  village: string
  hamlet?: string
  grid?: string
  category: string
  description: string
  source: string
  deadline: Date
  responsibleName?: string
}

/** One row of an old ledger, read and checked (see src/import/). */
export interface ImportedProblem {
  importKey: string
  village: string
  hamlet?: string
  grid?: string
  category: string
  description: string
  foundAt: Date
  deadline?: Date
  responsibleName?: string
  status: Status
  completedAt?: Date
  verifiedAt?: Date
  /** Where it came from: the file's name and row. */
  note: string
}

/** A problem after a change of status, and the status it left. */
export interface Moved {
  problem: Problem
  from: string
}

export interface VillageCounts {
  village: string
  total: number
  open: number
  done: number
  verified: number
  overdue: number
  /** done (including verified) / total, 0..1; 0 when there is nothing yet. */
  rate: number
}

export type ProblemWithHistory = Problem & { history: ProblemChange[] }

export class Ledger {
  constructor(
    private readonly db: Database,
    private readonly now: Clock,
  ) {}

  /** Files a problem, naming an open one in the same village that reads almost the same. */
  async file(input: NewProblem, meta: ChangeMeta): Promise<{ problem: Problem; similar?: Problem }> {
    const similar = await this.findSimilarOpen(input.village, input.description)
    const at = this.now()
    const problem = await this.db.problem.create({
      data: {
        ...input,
        reporterId: meta.actorId,
        reporterName: meta.actorName,
        status: STATUS.todo,
        createdAt: at,
        updatedAt: at,
        history: {
          create: { action: '登记', toStatus: STATUS.todo, actorId: meta.actorId, actorName: meta.actorName, messageId: meta.messageId, at },
        },
      },
    })
    return { problem, similar }
  }

  /**
   * A problem from an old ledger (/导入 台账): its original dates and status kept, its history
   * saying where it came from. `importKey` makes the same row imported twice one problem;
   * returns undefined when it was imported before.
   */
  async importOne(row: ImportedProblem, meta: ChangeMeta): Promise<Problem | undefined> {
    if (await this.db.problem.findUnique({ where: { importKey: row.importKey }, select: { id: true } })) return undefined
    const at = this.now()
    const done = DONE_STATUSES.includes(row.status)
    return this.db.problem.create({
      data: {
        village: row.village,
        hamlet: row.hamlet ?? null,
        grid: row.grid ?? null,
        category: row.category,
        description: row.description,
        source: '导入',
        reporterId: meta.actorId,
        reporterName: meta.actorName,
        responsibleName: row.responsibleName ?? null,
        deadline: row.deadline ?? null,
        status: row.status,
        createdAt: row.foundAt,
        updatedAt: at,
        completedAt: done ? (row.completedAt ?? row.foundAt) : null,
        verifiedAt: row.status === STATUS.verified ? (row.verifiedAt ?? row.completedAt ?? row.foundAt) : null,
        importKey: row.importKey,
        history: {
          create: { action: '导入', toStatus: row.status, note: row.note, actorId: meta.actorId, actorName: meta.actorName, messageId: meta.messageId, at },
        },
      },
    })
  }

  /** Which of these import keys are in the ledger already. */
  async importedKeys(keys: string[]): Promise<Set<string>> {
    const rows = await this.db.problem.findMany({ where: { importKey: { in: keys } }, select: { importKey: true } })
    return new Set(rows.map((r) => r.importKey!))
  }

  /** A problem with its whole history, for /查询. */
  async get(id: number): Promise<ProblemWithHistory> {
    const problem = await this.db.problem.findUnique({ where: { id }, include: { history: { orderBy: { at: 'asc' } } } })
    return problem ?? notFound(id)
  }

  /**
   * A problem without its history: what a change needs. This read and a move's two writes are
   * SQL, the same text on both providers: they run for every /整改, and Prisma compiles each
   * query it builds (see the README).
   */
  async find(id: number): Promise<Problem> {
    const [problem] = await this.db.$queryRaw<Problem[]>`SELECT ${PROBLEM_COLUMNS} FROM "Problem" WHERE "id" = ${id}`
    return problem ?? notFound(id)
  }

  /** Problems still to be rectified in a village, oldest first. */
  openIn(village: string): Promise<Problem[]> {
    return this.db.problem.findMany({ where: { village, status: { in: OPEN_STATUSES } }, orderBy: { id: 'asc' } })
  }

  /** A village's problems (or the township's), open ones first. */
  async list(village?: string): Promise<Problem[]> {
    const rows = await this.db.problem.findMany({ where: village ? { village } : {}, orderBy: { id: 'asc' } })
    const rank = (s: string) => [STATUS.todo, STATUS.doing, STATUS.done, STATUS.verified].indexOf(s as Status)
    return rows.sort((a, b) => rank(a.status) - rank(b.status) || a.id - b.id)
  }

  overdue(village?: string): Promise<Problem[]> {
    return this.db.problem.findMany({
      where: { status: { in: OPEN_STATUSES }, deadline: { lt: this.now() }, ...(village ? { village } : {}) },
      orderBy: { deadline: 'asc' },
    })
  }

  /**
   * 整改中 or 已完成, reported by the village. A caller that has just read the problem in this
   * message's transaction passes it rather than its id, saving a second read.
   */
  async progress(problem: Problem | number, to: ProgressStatus, note: string | undefined, meta: ChangeMeta): Promise<Moved & { counts: VillageCounts }> {
    const current = typeof problem === 'number' ? await this.find(problem) : problem
    const id = current.id
    if (current.status === STATUS.verified) throw new UserError(`#${id} 已销号，不能再改动。如需重新整改，请包村干部用 /退回 ${id} 原因。`)
    if (current.status === STATUS.done && to === STATUS.done) throw new UserError(`#${id} 已经是已完成，等待包村干部销号。`)
    if (current.status === STATUS.done) throw new UserError(`#${id} 已完成，等待包村干部销号；如需返工，请包村干部用 /退回 ${id} 原因。`)
    return this.move(current, to, '整改', note, meta, true)
  }

  /** 销号: a supervisor confirms a completed problem. */
  async verify(id: number, meta: ChangeMeta): Promise<Moved> {
    const current = await this.find(id)
    if (current.status === STATUS.verified) throw new UserError(`#${id} 已经销号了。`)
    if (current.status !== STATUS.done) throw new UserError(`#${id} 目前是「${current.status}」，村里报告已完成后才能销号。`)
    return this.move(current, STATUS.verified, '销号', undefined, meta)
  }

  /** 退回: a supervisor sends completed (or verified) work back to 整改中, with a reason. */
  async sendBack(id: number, reason: string, meta: ChangeMeta): Promise<Moved> {
    const current = await this.find(id)
    if (!DONE_STATUSES.includes(current.status as Status)) throw new UserError(`#${id} 目前是「${current.status}」，还没有报告完成，不需要退回。`)
    return this.move(current, STATUS.doing, '退回', reason, meta)
  }

  /** The changes a message made (a recalled message is undone by them). */
  changesFrom(messageId: string): Promise<ProblemChange[]> {
    return this.db.problemChange.findMany({ where: { messageId }, orderBy: { id: 'asc' } })
  }

  /**
   * Undoes a move a recalled message made (撤回), if nothing has happened to the problem since:
   * back to the status it had, the history keeping both. 'superseded' when something came after.
   */
  async revert(change: ProblemChange, meta: ChangeMeta): Promise<'done' | 'superseded'> {
    const latest = await this.db.problemChange.findFirst({ where: { problemId: change.problemId }, orderBy: { id: 'desc' } })
    if (latest?.id !== change.id || !change.fromStatus) return 'superseded'
    const current = await this.find(change.problemId)
    const at = this.now()
    const back = change.fromStatus as Status
    // The time it was completed before this move, if it goes back to completed.
    const earlier = back === STATUS.done ? await this.db.problemChange.findFirst({ where: { problemId: change.problemId, toStatus: STATUS.done, id: { lt: change.id } }, orderBy: { id: 'desc' } }) : null
    await this.db.problem.update({
      where: { id: change.problemId },
      data: {
        status: back,
        updatedAt: at,
        completedAt: DONE_STATUSES.includes(back) ? (earlier?.at ?? current.completedAt) : null,
        verifiedAt: back === STATUS.verified ? current.verifiedAt : null,
        history: { create: { action: '撤回', fromStatus: current.status, toStatus: back, note: `撤回「${change.action}：${change.toStatus}」`, actorId: meta.actorId, actorName: meta.actorName, messageId: meta.messageId, at } },
      },
    })
    return 'done'
  }

  /** Takes back a problem filed by a recalled message, if nothing has happened to it since. */
  async withdraw(problemId: number): Promise<'done' | 'superseded'> {
    const changes = await this.db.problemChange.count({ where: { problemId } })
    const photos = await this.db.photoLink.count({ where: { problemId } })
    if (changes > 1 || photos > 0) return 'superseded'
    await this.db.recordProblem.deleteMany({ where: { problemId } })
    await this.db.problemChange.deleteMany({ where: { problemId } })
    await this.db.problem.delete({ where: { id: problemId } })
    return 'done'
  }

  /** Moves a problem's deadline (an approved /延期), recorded in its history. */
  async extendDeadline(id: number, deadline: Date, note: string, meta: ChangeMeta): Promise<Problem> {
    const current = await this.find(id)
    const at = this.now()
    return this.db.problem.update({
      where: { id },
      data: {
        deadline,
        updatedAt: at,
        history: { create: { action: '延期', fromStatus: current.status, toStatus: current.status, note, actorId: meta.actorId, actorName: meta.actorName, messageId: meta.messageId, at } },
      },
    })
  }

  /**
   * A change of status and its history row, sent together (one round trip on PostgreSQL), with the
   * village's counts after it when `withCounts` (a reply ends with them): they are read behind the
   * change on the same connection, so they include it. Every change is made in its message's
   * transaction (one connection); outside one, PostgreSQL's pool could run the three at once.
   */
  private move(current: Problem, to: Status, action: string, note: string | undefined, meta: ChangeMeta): Promise<Moved>
  private move(current: Problem, to: Status, action: string, note: string | undefined, meta: ChangeMeta, withCounts: true): Promise<Moved & { counts: VillageCounts }>
  private async move(current: Problem, to: Status, action: string, note: string | undefined, meta: ChangeMeta, withCounts = false): Promise<Moved & { counts?: VillageCounts }> {
    const at = this.now()
    const problem: Problem = {
      ...current,
      status: to,
      updatedAt: at,
      completedAt: to === STATUS.done ? at : to === STATUS.doing ? null : current.completedAt,
      verifiedAt: to === STATUS.verified ? at : to === STATUS.doing ? null : current.verifiedAt,
    }
    const [, , counts] = await together([
      this.db.$executeRaw`
        UPDATE "Problem" SET "status" = ${to}, "updatedAt" = ${at}, "completedAt" = ${problem.completedAt}, "verifiedAt" = ${problem.verifiedAt}
        WHERE "id" = ${current.id}`,
      this.db.$executeRaw`
        INSERT INTO "ProblemChange" ("problemId", "action", "fromStatus", "toStatus", "note", "actorId", "actorName", "messageId", "at")
        VALUES (${current.id}, ${action}, ${current.status}, ${to}, ${note ?? null}, ${meta.actorId}, ${meta.actorName}, ${meta.messageId ?? null}, ${at})`,
      withCounts ? this.countsOf(current.village) : undefined,
    ])
    return { problem, from: current.status, counts }
  }

  /** Counts per village for the given villages (all of them, in order, even those with no problems). */
  async counts(villages: string[]): Promise<VillageCounts[]> {
    if (villages.length === 0) return []
    // One statement of two GROUP BYs, each a few rows per village whatever the ledger's size and
    // each read from its index (grouping by deadline as well would return a row per distinct
    // deadline: a county's townships have ten thousand). Raw SQL: this runs for nearly every
    // ledger reply, and Prisma compiles each query it builds (see the README).
    const inVillages = Prisma.join(villages)
    const grouped = await this.db.$queryRaw<{ village: string; status: string; n: number | bigint }[]>`
      SELECT "village", "status", COUNT(*) AS "n" FROM "Problem" WHERE "village" IN (${inVillages}) GROUP BY "village", "status"
      UNION ALL
      SELECT "village", ${Prisma.raw(`'${OVERDUE}'`)} AS "status", COUNT(*) AS "n" FROM "Problem"
      WHERE "village" IN (${inVillages}) AND "status" IN (${Prisma.join(OPEN_STATUSES)}) AND "deadline" < ${this.now()}
      GROUP BY "village"`
    const byVillage = new Map(villages.map((village) => [village, { village, total: 0, open: 0, done: 0, verified: 0, overdue: 0, rate: 0 }]))
    for (const r of grouped) {
      const c = byVillage.get(r.village)!
      const n = Number(r.n)
      if (r.status === OVERDUE) {
        c.overdue = n
        continue
      }
      c.total += n
      if (OPEN_STATUSES.includes(r.status as Status)) c.open += n
      if (DONE_STATUSES.includes(r.status as Status)) c.done += n
      if (r.status === STATUS.verified) c.verified += n
    }
    return villages.map((village) => {
      const c = byVillage.get(village)!
      return { ...c, rate: c.total === 0 ? 0 : c.done / c.total }
    })
  }

  async countsOf(village: string): Promise<VillageCounts> {
    const [counts] = await this.counts([village])
    return counts!
  }

  private async findSimilarOpen(village: string, description: string): Promise<Problem | undefined> {
    const open = await this.openIn(village)
    return open.find((p) => similarText(p.description, description))
  }
}

/** The overdue rows' mark in the counts' statement: not a status a problem can have. */
const OVERDUE = '(overdue)'

function notFound(id: number): never {
  throw new UserError(`台账里没有 #${id} 号问题。用 /台账 查看各村问题编号。`)
}

/** Two descriptions of one spot: one contains the other, or they differ in few characters. */
export function similarText(a: string, b: string): boolean {
  const x = a.replace(/\s+/g, '')
  const y = b.replace(/\s+/g, '')
  if (x.length === 0 || y.length === 0) return false
  if (Math.min(x.length, y.length) >= 4 && (x.includes(y) || y.includes(x))) return true
  return 1 - distance(x, y) / Math.max(x.length, y.length) >= 0.7
}

/** Adds up village counts into one township line. */
export function sumCounts(rows: VillageCounts[], label: string): VillageCounts {
  const total = rows.reduce((s, r) => s + r.total, 0)
  const done = rows.reduce((s, r) => s + r.done, 0)
  return {
    village: label,
    total,
    open: rows.reduce((s, r) => s + r.open, 0),
    done,
    verified: rows.reduce((s, r) => s + r.verified, 0),
    overdue: rows.reduce((s, r) => s + r.overdue, 0),
    rate: total === 0 ? 0 : done / total,
  }
}
