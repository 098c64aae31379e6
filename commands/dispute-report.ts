import { z } from 'zod'
import { DONE_STATUSES, type Status } from '../src/ledger/index.ts'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { REPORT_STATUS } from '../src/reports/reports.ts'

export default defineCommand({
  name: '未整改',
  aliases: ['没整改'],
  summary: '村民反映的问题报了完成但实际没整改好，转包村干部复核',
  usage: '/未整改 R编号 说明',
  examples: ['/未整改 R3 垃圾只清了一半'],
  roles: ALL_ROLES,
  parse: (args) => ({ id: args.reportNumber(), note: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明随手拍编号，例如 /未整改 R3 说明' }).int().positive(),
    note: z.string({ error: '请说明哪里还没整改好，例如：垃圾只清了一半' }).max(200, '说明请不超过 200 字'),
  }),
  async run({ id, note }, ctx) {
    const { reports, ledger, township, notify } = ctx.services
    const report = await reports.get(id)
    if (report.reporterId !== ctx.actor.id) return `随手拍 R${id} 由 ${report.reporterName} 反映，请本人说明。`
    const problem = report.problemId ? await ledger.find(report.problemId) : undefined
    if (!problem || !DONE_STATUSES.includes(problem.status as Status)) return `R${id} 还没有报整改完成，村里正在处理。`
    await reports.decide(id, [REPORT_STATUS.accepted, REPORT_STATUS.confirmed], { status: REPORT_STATUS.disputed, decisionNote: note })
    const supervisors = township.supervisorIdsOf(problem.village)
    await notify.send(ctx.conversationId, `请包村干部复核 #${problem.id}：村民 ${report.reporterName} 反映还没整改好（${note}）。核实后可用 /退回 ${problem.id} 原因。`, supervisors)
    return `收到，已转告包村干部 ${township.supervisorsOf(problem.village).join('、')} 复核 #${problem.id}。`
  },
})
