import { z } from 'zod'
import { CADRE_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { REPORT_STATUS } from '../src/reports/reports.ts'

export default defineCommand({
  name: '不受理',
  aliases: ['驳回'],
  summary: '不受理村民的随手拍（写明原因，会告诉村民）',
  usage: '/不受理 R编号 原因',
  examples: ['/不受理 R3 已于昨日清理完毕'],
  roles: CADRE_ROLES,
  parse: (args) => ({ id: args.reportNumber(), reason: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明随手拍编号，例如 /不受理 R3 原因' }).int().positive(),
    reason: z.string({ error: '请写明不受理的原因，会转告村民' }).max(200, '原因请不超过 200 字'),
  }),
  async run({ id, reason }, ctx) {
    const { reports, notify } = ctx.services
    ctx.requireScope((await reports.get(id)).village)
    const report = await reports.decide(id, [REPORT_STATUS.waiting], { status: REPORT_STATUS.declined, decisionNote: reason, decidedByName: ctx.actor.name })
    await notify.send(report.conversationId, `您反映的问题（随手拍 R${id}）经村里核实未受理，原因：${reason}。如有疑问可联系包村干部。谢谢您的关心！`, [report.reporterId])
    return `已将随手拍 R${id} 标为不受理，并告知 ${report.reporterName}。`
  },
})
