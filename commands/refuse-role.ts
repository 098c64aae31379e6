import { z } from 'zod'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '拒绝',
  aliases: ['拒绝申请'],
  summary: '拒绝一份身份申请（/我是），可写原因',
  usage: '/拒绝 申请编号 [原因]',
  examples: ['/拒绝 3 不是本村人员'],
  roles: SUPERVISING_ROLES,
  parse: (args) => ({ id: args.number(), reason: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明申请编号，例如 /拒绝 3 不是本村人员' }).int().positive(),
    reason: z.string().optional(),
  }),
  async run({ id, reason }, ctx) {
    const { requests } = ctx.services
    const request = await requests.find(id)
    if (!request) return `没有 ${id} 号申请。`
    ctx.requireScope(request.village)
    const outcome = await requests.decide(id, false, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId }, reason)
    if (outcome === 'decided') return `${id} 号申请已经处理过了（${request.status === 'approved' ? '已同意' : '已拒绝'}，${request.decidedByName}）。`
    return `已拒绝 ${id} 号申请，已通知 ${request.name}。`
  },
})
