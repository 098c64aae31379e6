// The campaign's records beyond the ledger, and their totals. Every record names who made it,
// from which message and when; /撤销 and /更正 keep what it was before.
import type { Policy } from '../config/schema.ts'
import type { Database } from '../db/index.ts'
import { together } from '../db/together.ts'
import { Prisma, type CampaignRecord, type RecordCorrection, type RecordFigure } from '../db/generated/client.ts'
import { UserError } from '../errors.ts'
import type { Clock } from '../time.ts'
import { figureOf, FIGURES_BY_KIND, type Figure, type RecordKind } from './figures.ts'

export type RecordWithFigures = CampaignRecord & { figures: RecordFigure[] }
export type RecordWithHistory = RecordWithFigures & { corrections: RecordCorrection[] }

export interface FigureValue {
  figure: Figure
  value: number
  detail?: string
}

export interface NewRecord {
  kind: RecordKind
  village?: string
  subject?: string
  category?: string
  note?: string
  figures: FigureValue[]
  /** The villages an inspection covered (one or several); it counts once for each. */
  covers?: string[]
}

export interface Who {
  id: string
  name: string
  messageId?: string
}

export interface Fund {
  village: string
  granted: number
  paid: number
  balance: number
}

export type FundPolicy = Pick<Policy, 'rewardsFromVillageFund'>

/** The whole campaign in a scope, as /统计 reports it. */
export interface Summary {
  /** Records of a kind, a village's including those that covered it (as `count` counts). */
  count(kind: RecordKind): number
  /** A kind's totals by figure (as `totals` sums them). */
  totals(kind: RecordKind): Map<string, number>
  /** Activities by name, in the order they were first recorded (as `activities` lists them). */
  activities: { name: string; totals: Map<string, number> }[]
}

/** Which records a total counts. */
export interface Scope {
  village?: string
  from?: Date
  to?: Date
}

export class Campaign {
  constructor(
    private readonly db: Database,
    private readonly now: Clock,
  ) {}

  record(input: NewRecord, by: Who): Promise<RecordWithFigures> {
    return this.db.campaignRecord.create({
      data: {
        kind: input.kind,
        village: input.village,
        subject: input.subject,
        category: input.category,
        note: input.note,
        actorId: by.id,
        actorName: by.name,
        messageId: by.messageId,
        createdAt: this.now(),
        figures: { create: input.figures.map((f) => ({ figure: f.figure.key, value: f.value, detail: f.detail })) },
        villages: { create: (input.covers ?? []).map((village) => ({ village })) },
      },
      include: { figures: true },
    })
  }

  async get(id: number): Promise<RecordWithFigures> {
    const record = await this.db.campaignRecord.findUnique({ where: { id }, include: { figures: true } })
    if (!record) throw noRecord(id)
    return record
  }

  /** A record with what each /更正 replaced, oldest first: /查询 记录 N. */
  async history(id: number): Promise<RecordWithHistory> {
    const record = await this.db.campaignRecord.findUnique({ where: { id }, include: { figures: true, corrections: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } } })
    if (!record) throw noRecord(id)
    return record
  }

  /** Totals of a kind's figures (records undone by /撤销 do not count), keyed by figure. */
  async totals(kind: RecordKind, scope: Scope = {}): Promise<Map<string, number>> {
    const rows = await this.db.recordFigure.groupBy({ by: ['figure'], where: { record: this.where(kind, scope) }, _sum: { value: true } })
    return new Map(rows.map((r) => [r.figure, round(r._sum.value ?? 0)]))
  }

  /**
   * How many records of a kind (inspections, meetings, courtyards). A village's count includes the
   * records that covered it: an inspection of 卫华村 and 渔业村 counts once for each, once for the township.
   * (Its figures stay with the record's own village: 发现问题3处 cannot be split between the villages.)
   */
  count(kind: RecordKind, scope: Scope = {}): Promise<number> {
    const { village, ...rest } = scope
    const where = this.where(kind, rest)
    return this.db.campaignRecord.count({ where: village ? { ...where, OR: [{ village }, { villages: { some: { village } } }] } : where })
  }

  /** Totals per village for a kind, in the order given. */
  async totalsByVillage(kind: RecordKind, villages: string[], scope: Omit<Scope, 'village'> = {}): Promise<{ village: string; totals: Map<string, number> }[]> {
    const sums = await this.sumsByVillage([kind], villages, scope)
    return villages.map((village) => ({ village, totals: sums.get(`${kind} ${village}`) ?? new Map<string, number>() }))
  }

  /** Figures summed by kind and village (keyed "kind village"): the given kinds and villages read together. */
  private async sumsByVillage(kinds: RecordKind[], villages: string[], scope: Omit<Scope, 'village'>): Promise<Map<string, Map<string, number>>> {
    const records = await this.db.campaignRecord.findMany({
      where: { ...this.where(undefined, scope), kind: { in: kinds }, village: { in: villages } },
      select: { kind: true, village: true, figures: { select: { figure: true, value: true } } },
      orderBy: { id: 'asc' },
    })
    const sums = new Map<string, Map<string, number>>()
    for (const r of records) for (const f of r.figures) add(sums, `${r.kind} ${r.village}`, f.figure, f.value, round)
    return sums
  }

  /** Activities by name (爱国卫生月, 绿化种植周), each with its totals. */
  async activities(scope: Scope = {}): Promise<{ name: string; totals: Map<string, number> }[]> {
    const records = await this.db.campaignRecord.findMany({ where: this.where('活动', scope), include: { figures: true }, orderBy: { id: 'asc' } })
    const byName = new Map<string, Map<string, number>>()
    for (const r of records) {
      const totals = byName.get(r.subject ?? '其他活动') ?? new Map<string, number>()
      for (const f of r.figures) totals.set(f.figure, round((totals.get(f.figure) ?? 0) + f.value))
      byName.set(r.subject ?? '其他活动', totals)
    }
    return [...byName].map(([name, totals]) => ({ name, totals }))
  }

  /**
   * Every kind's counts and totals from two reads (the records, then their figures) rather than
   * one aggregate per kind. SQL, the same text on both providers: /统计 runs it at every call, and
   * Prisma compiles each query it builds (see the README).
   */
  async summary(scope: Scope = {}): Promise<Summary> {
    const { village } = scope
    const inTime = this.scopeSql({ ...scope, village: undefined })
    // Both reads go together (one round trip on PostgreSQL): the second does not need the first.
    const [records, figures] = await together([
      this.db.$queryRaw<{ id: number; kind: string; village: string | null; subject: string | null }[]>`
      SELECT r."id", r."kind", r."village", r."subject" FROM "CampaignRecord" r
      WHERE ${inTime} ${village ? Prisma.sql`AND (r."village" = ${village} OR EXISTS (SELECT 1 FROM "RecordVillage" v WHERE v."recordId" = r."id" AND v."village" = ${village}))` : Prisma.empty}
      ORDER BY r."id"`,
      // Figures stay with the record's own village (see `count`).
      this.db.$queryRaw<{ recordId: number; figure: string; value: number }[]>`
      SELECT f."recordId", f."figure", f."value" FROM "RecordFigure" f JOIN "CampaignRecord" r ON r."id" = f."recordId"
      WHERE ${this.scopeSql(scope)}
      ORDER BY f."id"`,
    ])
    const counts = new Map<string, number>()
    for (const r of records) counts.set(r.kind, (counts.get(r.kind) ?? 0) + 1)
    const byId = new Map(records.map((r) => [r.id, r]))
    const totals = new Map<string, Map<string, number>>()
    const byName = new Map<string, Map<string, number>>()
    for (const r of records) if (r.kind === '活动' && (!village || r.village === village)) byName.set(r.subject ?? '其他活动', new Map())
    for (const f of figures) {
      const r = byId.get(f.recordId)!
      add(totals, r.kind, f.figure, f.value)
      if (r.kind === '活动') add(byName, r.subject ?? '其他活动', f.figure, f.value, round)
    }
    return {
      count: (kind) => counts.get(kind) ?? 0,
      totals: (kind) => rounded(totals.get(kind)),
      activities: [...byName].map(([name, sums]) => ({ name, totals: sums })),
    }
  }

  /** Courtyards per village, most first: the ranking /排名 庭院 shows. */
  async courtyardRanking(villages: string[], scope: Omit<Scope, 'village'> = {}): Promise<{ village: string; courtyards: number; reward: number }[]> {
    const rows = await this.totalsByVillage('庭院', villages, scope)
    return rows
      .map((r) => ({ village: r.village, courtyards: r.totals.get('courtyards') ?? 0, reward: r.totals.get('reward') ?? 0 }))
      .sort((a, b) => b.courtyards - a.courtyards)
  }

  /** A village's fund: granted, paid (资金 奖励, and courtyard rewards when the policy says so), balance. */
  async fund(village: string, policy: FundPolicy): Promise<Fund> {
    const [fund] = await this.funds([village], policy)
    return fund!
  }

  /** Each village's fund, in the order given. */
  async funds(villages: string[], policy: FundPolicy): Promise<Fund[]> {
    const sums = await this.sumsByVillage(policy.rewardsFromVillageFund ? ['资金', '庭院'] : ['资金'], villages, {})
    return villages.map((village) => fundOf(village, sums.get(`资金 ${village}`), sums.get(`庭院 ${village}`), policy))
  }

  /** The sender's last record still counting, if made within `minutes`. */
  async lastOf(actorId: string, minutes: number): Promise<RecordWithFigures | null> {
    return this.db.campaignRecord.findFirst({
      where: { actorId, undoneAt: null, createdAt: { gte: new Date(this.now().getTime() - minutes * 60_000) } },
      orderBy: { id: 'desc' },
      include: { figures: true },
    })
  }

  /** Records a message made, not undone yet (a recalled message is undone by them). */
  recordsFrom(messageId: string) {
    return this.db.campaignRecord.findMany({ where: { messageId, undoneAt: null }, include: { figures: { orderBy: { id: 'asc' } } }, orderBy: { id: 'asc' } })
  }

  async undo(id: number, byName: string): Promise<void> {
    await this.db.campaignRecord.update({ where: { id }, data: { undoneAt: this.now(), undoneByName: byName } })
  }

  /** Replaces some of a record's figures; the record keeps what they were before. */
  async correct(id: number, figures: FigureValue[], by: Who): Promise<RecordWithFigures> {
    const record = await this.get(id)
    if (record.undoneAt) throw new UserError(`记录 ${id} 已撤销，不能更正。`)
    const kind = record.kind as RecordKind
    for (const f of figures) if (!figureOf(kind, f.figure.key)) throw new UserError(`「${f.figure.label}」不是${kind}的项目。`)
    const before = describe(kind, record.figures)
    // Atomic with the rest of the message's handling, which runs in one transaction.
    await this.db.recordFigure.deleteMany({ where: { recordId: id, figure: { in: figures.map((f) => f.figure.key) } } })
    await this.db.recordFigure.createMany({ data: figures.map((f) => ({ recordId: id, figure: f.figure.key, value: f.value, detail: f.detail })) })
    const corrected = await this.get(id)
    await this.db.recordCorrection.create({
      data: { recordId: id, before, after: describe(kind, corrected.figures), actorId: by.id, actorName: by.name, messageId: by.messageId, at: this.now() },
    })
    return corrected
  }

  /** Problems the inspector filed in the same sitting are the inspection's findings. */
  async linkProblems(recordId: number, problemIds: number[]): Promise<void> {
    for (const problemId of problemIds) await this.db.recordProblem.upsert({ where: { recordId_problemId: { recordId, problemId } }, create: { recordId, problemId }, update: {} })
  }

  /** The actor's inspection of a village within the last `minutes`, for linking a problem filed now. */
  recentInspection(actorId: string, village: string, minutes: number): Promise<CampaignRecord | null> {
    return this.db.campaignRecord.findFirst({
      where: { kind: '巡查', actorId, undoneAt: null, villages: { some: { village } }, createdAt: { gte: new Date(this.now().getTime() - minutes * 60_000) } },
      orderBy: { id: 'desc' },
    })
  }

  /** `where` as SQL over the records aliased r: those still counting, in the scope's village and time. */
  private scopeSql(scope: Scope): Prisma.Sql {
    const conditions = [Prisma.sql`r."undoneAt" IS NULL`]
    if (scope.village) conditions.push(Prisma.sql`r."village" = ${scope.village}`)
    if (scope.from) conditions.push(Prisma.sql`r."createdAt" >= ${scope.from}`)
    if (scope.to) conditions.push(Prisma.sql`r."createdAt" < ${scope.to}`)
    return Prisma.join(conditions, ' AND ')
  }

  /** Records still counting, of a kind (or of every kind), in the scope. */
  private where(kind: RecordKind | undefined, scope: Scope) {
    return {
      ...(kind ? { kind } : {}),
      undoneAt: null,
      ...(scope.village ? { village: scope.village } : {}),
      ...(scope.from || scope.to ? { createdAt: { ...(scope.from ? { gte: scope.from } : {}), ...(scope.to ? { lt: scope.to } : {}) } } : {}),
    }
  }
}

const round = (n: number) => Math.round(n * 10000) / 10000

/** Adds a figure's value to a group's sums; `step` rounds each partial sum, as `activities` does. */
function add(groups: Map<string, Map<string, number>>, key: string, figure: string, value: number, step = (n: number) => n) {
  const sums = groups.get(key) ?? new Map<string, number>()
  sums.set(figure, step((sums.get(figure) ?? 0) + value))
  groups.set(key, sums)
}

/** Sums rounded as the database's SUM is in `totals`. */
const rounded = (sums: Map<string, number> | undefined) => new Map([...(sums ?? [])].map(([figure, sum]) => [figure, round(sum)]))

/** A village's fund from its 资金 totals and, when the policy pays rewards from it, its 庭院 totals. */
export function fundOf(village: string, funds: Map<string, number> | undefined, courtyards: Map<string, number> | undefined, policy: FundPolicy): Fund {
  const granted = funds?.get('granted') ?? 0
  const rewards = policy.rewardsFromVillageFund ? (courtyards?.get('reward') ?? 0) : 0
  const paid = round((funds?.get('paid') ?? 0) + rewards)
  return { village, granted, paid, balance: round(granted - paid) }
}

const noRecord = (id: number) => new UserError(`没有记录 ${id}。记录编号见登记时的回复（"记录 N"）。`)

/** A record's figures in words, for corrections and replies: "垃圾12吨、边沟0.5公里". */
export function describe(kind: RecordKind, figures: { figure: string; value: number; detail?: string | null }[], format = (v: number, unit: string) => `${v}${unit}`): string {
  return (FIGURES_BY_KIND[kind] as readonly Figure[])
    .flatMap((fig) => figures.filter((f) => f.figure === fig.key).map((f) => `${f.detail ?? fig.label}${format(f.value, fig.unit)}`))
    .join('、')
}
