import { z } from 'zod'
import { defineCommand } from '../src/services.ts'
import { formatDate } from '../src/time.ts'

export default defineCommand({
  name: '延期',
  aliases: ['申请延期'],
  summary: '问题确实不能按期完成时申请延期，由包村干部批复',
  usage: '/延期 编号 天数 原因',
  examples: ['/延期 12 5天 铲车维修，下周才能清运'],
  roles: ['admin', 'village', 'grid'],
  parse: (args) => ({ id: args.number(), days: args.days(), reason: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明问题编号，例如 /延期 12 5天 原因' }).int().positive(),
    days: z.number({ error: '请写明延期几天，例如 5天' }).int().min(1, '至少延期 1 天').max(60, '一次最多延期 60 天'),
    reason: z.string({ error: '请写明延期的原因' }).min(2, '请把原因写清楚').max(200, '原因请不超过 200 字'),
  }),
  async run({ id, days, reason }, ctx) {
    const { ledger, extensions, township, notify } = ctx.services
    const problem = await ledger.find(id)
    ctx.requireScope(problem.village)
    await extensions.request({ problemId: id, days, reason, requestedById: ctx.actor.id, requestedByName: ctx.actor.name, conversationId: ctx.conversationId })
    const supervisors = township.supervisorIdsOf(problem.village)
    await notify.send(ctx.conversationId, `请包村干部批复：#${id} ${problem.description} 申请延期 ${days} 天（原限期${problem.deadline ? formatDate(problem.deadline) : '未定'}），原因：${reason}。\n同意发 /批准延期 ${id}，不同意发 /不批准延期 ${id} 原因`, supervisors)
    return `已提交 #${id} 延期 ${days} 天的申请，等包村干部 ${township.supervisorsOf(problem.village).join('、') || ''} 批复。`
  },
})
