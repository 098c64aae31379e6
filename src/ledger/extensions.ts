// /延期: a village asks for more time on a problem; a supervisor approves (the deadline moves,
// recorded in the problem's history) or refuses.
import type { Database } from '../db/index.ts'
import type { DeadlineExtension } from '../db/generated/client.ts'
import { UserError } from '../errors.ts'
import { endOfDayAfter, type Clock } from '../time.ts'
import type { ChangeMeta, Ledger } from './ledger.ts'
import { OPEN_STATUSES, type Status } from './status.ts'

export type { DeadlineExtension }

export class Extensions {
  constructor(
    private readonly db: Database,
    private readonly ledger: Ledger,
    private readonly now: Clock,
  ) {}

  async request(input: { problemId: number; days: number; reason: string; requestedById: string; requestedByName: string; conversationId: string }): Promise<DeadlineExtension> {
    const problem = await this.ledger.find(input.problemId)
    if (!OPEN_STATUSES.includes(problem.status as Status)) throw new UserError(`#${problem.id} 已经是「${problem.status}」，不需要延期。`)
    if (await this.pending(input.problemId)) throw new UserError(`#${problem.id} 已有一条延期申请在等包村干部批复。`)
    return this.db.deadlineExtension.create({ data: { ...input, status: '待批准', createdAt: this.now() } })
  }

  pending(problemId: number): Promise<DeadlineExtension | null> {
    return this.db.deadlineExtension.findFirst({ where: { problemId, status: '待批准' } })
  }

  /** Approves: the deadline moves on by the days asked (from the old deadline, or from today if that has passed). */
  async approve(problemId: number, meta: ChangeMeta): Promise<{ request: DeadlineExtension; deadline: Date }> {
    const request = await this.pendingOrFail(problemId)
    const problem = await this.ledger.find(problemId)
    const now = this.now()
    const from = problem.deadline && problem.deadline > now ? problem.deadline : now
    const deadline = endOfDayAfter(from, request.days)
    await this.ledger.extendDeadline(problemId, deadline, `延期${request.days}天：${request.reason}`, meta)
    const decided = await this.db.deadlineExtension.update({ where: { id: request.id }, data: { status: '已批准', decidedByName: meta.actorName, decidedAt: now } })
    return { request: decided, deadline }
  }

  async refuse(problemId: number, note: string, meta: ChangeMeta): Promise<DeadlineExtension> {
    const request = await this.pendingOrFail(problemId)
    return this.db.deadlineExtension.update({ where: { id: request.id }, data: { status: '不批准', decisionNote: note, decidedByName: meta.actorName, decidedAt: this.now() } })
  }

  private async pendingOrFail(problemId: number): Promise<DeadlineExtension> {
    const request = await this.pending(problemId)
    if (!request) throw new UserError(`#${problemId} 没有待批复的延期申请。`)
    return request
  }
}
