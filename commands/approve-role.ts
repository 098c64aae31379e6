import { z } from 'zod'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '同意',
  aliases: ['同意申请'],
  summary: '同意一份身份申请（/我是），立即生效',
  usage: '/同意 申请编号',
  examples: ['/同意 3'],
  roles: SUPERVISING_ROLES,
  parse: (args) => ({ id: args.number(), extra: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明申请编号，例如 /同意 3' }).int().positive(),
    extra: z.undefined({ error: '只需要写申请编号，例如 /同意 3' }),
  }),
  async run({ id }, ctx) {
    const { requests } = ctx.services
    const request = await requests.find(id)
    if (!request) return `没有 ${id} 号申请。`
    ctx.requireScope(request.village)
    const outcome = await requests.decide(id, true, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId })
    if (outcome === 'decided') return `${id} 号申请已经处理过了（${request.status === 'approved' ? '已同意' : '已拒绝'}，${request.decidedByName}）。`
    return `已同意 ${id} 号申请：${request.name} 成为${request.village}${request.role === 'grid' ? '网格员' : '村书记'}，已通知本人。`
  },
})
