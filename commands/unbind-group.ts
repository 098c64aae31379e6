import { z } from 'zod'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '解绑',
  aliases: ['停用'],
  summary: '解除本群的绑定，助手不再在这个群里工作',
  usage: '/解绑（在要解除的群里发）',
  examples: ['/解绑'],
  roles: ['admin'],
  inUnboundGroups: true,
  parse: (args) => ({ extra: args.rest() }),
  schema: z.object({ extra: z.undefined({ error: '在要解除的群里直接发 /解绑 即可' }) }),
  async run(_args, ctx) {
    if (ctx.where.kind === 'private') return '请在要解除绑定的群里发 /解绑。'
    const room = await ctx.services.roster.unbind(ctx.conversationId)
    if (!room) return '这个群本来就没有绑定。'
    const what = room.scope === 'township' ? '乡级工作群' : `${room.village}的村级群`
    return `已解除本群（${what}）的绑定，助手不再在这里工作。重新启用请发 /绑定 ${room.scope === 'township' ? '全乡' : room.village}。`
  },
})
