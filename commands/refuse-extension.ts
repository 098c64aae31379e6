import { z } from 'zod'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '不批准延期',
  aliases: ['不同意延期'],
  summary: '不批准村里的延期申请（写明原因）',
  usage: '/不批准延期 编号 原因',
  examples: ['/不批准延期 12 人手够，本周内必须完成'],
  roles: SUPERVISING_ROLES,
  parse: (args) => ({ id: args.number(), reason: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明问题编号，例如 /不批准延期 12 原因' }).int().positive(),
    reason: z.string({ error: '请写明不批准的原因，会转告申请人' }).max(200, '原因请不超过 200 字'),
  }),
  async run({ id, reason }, ctx) {
    const { ledger, extensions, notify } = ctx.services
    ctx.requireScope((await ledger.find(id)).village)
    const request = await extensions.refuse(id, reason, { actorId: ctx.actor.id, actorName: ctx.actor.name, messageId: ctx.messageId })
    await notify.send(request.conversationId, `#${id} 的延期申请未批准：${reason}。请按原限期完成。`, [request.requestedById])
    return `已答复：#${id} 不批准延期。`
  },
})
