// 随手拍: a resident's report and photos; a cadre accepts it into the ledger or declines it,
// and the resident hears back at every step.
import type { Database } from '../db/index.ts'
import type { Report } from '../db/generated/client.ts'
import { UserError } from '../errors.ts'
import type { Clock } from '../time.ts'

export type { Report }

export const REPORT_STATUS = {
  waiting: '待受理',
  accepted: '已受理',
  declined: '不受理',
  confirmed: '已确认',
  disputed: '有异议',
} as const

export class Reports {
  constructor(
    private readonly db: Database,
    private readonly now: Clock,
  ) {}

  create(input: { village: string; description: string; reporterId: string; reporterName: string; conversationId: string }): Promise<Report> {
    const at = this.now()
    return this.db.report.create({ data: { ...input, status: REPORT_STATUS.waiting, createdAt: at, updatedAt: at } })
  }

  async get(id: number): Promise<Report> {
    const report = await this.db.report.findUnique({ where: { id } })
    if (!report) throw new UserError(`没有随手拍 R${id}。`)
    return report
  }

  waitingIn(village: string): Promise<Report[]> {
    return this.db.report.findMany({ where: { village, status: REPORT_STATUS.waiting }, orderBy: { id: 'asc' } })
  }

  /** Reports that became this problem: their residents are told when it is done. */
  ofProblem(problemId: number): Promise<Report[]> {
    return this.db.report.findMany({ where: { problemId }, orderBy: { id: 'asc' } })
  }

  /** Moves a report on; only from the statuses given, with a reason in Chinese otherwise. */
  async decide(id: number, from: readonly string[], data: { status: string; problemId?: number; decisionNote?: string; decidedByName?: string }): Promise<Report> {
    const report = await this.get(id)
    if (!from.includes(report.status)) throw new UserError(`随手拍 R${id} 目前是「${report.status}」，不能再这样处理。`)
    return this.db.report.update({ where: { id }, data: { ...data, updatedAt: this.now() } })
  }
}
