import { z } from 'zod'
import { DONE_STATUSES, type Status } from '../src/ledger/index.ts'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { REPORT_STATUS } from '../src/reports/reports.ts'

export default defineCommand({
  name: '确认',
  aliases: ['满意'],
  summary: '村民确认自己反映的问题已经整改好',
  usage: '/确认 R编号',
  examples: ['/确认 R3'],
  roles: ALL_ROLES,
  parse: (args) => ({ id: args.reportNumber(), extra: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明随手拍编号，例如 /确认 R3' }).int().positive(),
    extra: z.undefined({ error: '确认只需要写编号，例如 /确认 R3' }),
  }),
  async run({ id }, ctx) {
    const { reports, ledger } = ctx.services
    const report = await reports.get(id)
    if (report.reporterId !== ctx.actor.id) return `随手拍 R${id} 由 ${report.reporterName} 反映，请本人确认。`
    if (!report.problemId || !DONE_STATUSES.includes((await ledger.find(report.problemId)).status as Status)) return `R${id} 还没有整改完成，完成后会通知您。`
    await reports.decide(id, [REPORT_STATUS.accepted, REPORT_STATUS.disputed], { status: REPORT_STATUS.confirmed })
    return `谢谢您的确认！随手拍 R${id}（#${report.problemId}）已办结。`
  },
})
