import { z } from 'zod'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { formatDate } from '../src/time.ts'

export default defineCommand({
  name: '批准延期',
  aliases: ['同意延期'],
  summary: '批准村里的延期申请，限期顺延',
  usage: '/批准延期 编号',
  examples: ['/批准延期 12'],
  roles: SUPERVISING_ROLES,
  parse: (args) => ({ id: args.number(), extra: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明问题编号，例如 /批准延期 12' }).int().positive(),
    extra: z.undefined({ error: '只需要写编号，例如 /批准延期 12' }),
  }),
  async run({ id }, ctx) {
    const { ledger, extensions, notify } = ctx.services
    ctx.requireScope((await ledger.find(id)).village)
    const { request, deadline } = await extensions.approve(id, { actorId: ctx.actor.id, actorName: ctx.actor.name, messageId: ctx.messageId })
    await notify.send(request.conversationId, `#${id} 的延期申请已批准，新限期 ${formatDate(deadline)}。`, [request.requestedById])
    return `已批准 #${id} 延期 ${request.days} 天，新限期 ${formatDate(deadline)}。`
  },
})
