import { z } from 'zod'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '群',
  aliases: ['群列表'],
  summary: '助手所在的每个群：绑定的是哪里、多少人',
  usage: '/群',
  examples: ['/群'],
  roles: ['admin'],
  inUnboundGroups: true,
  parse: () => ({}),
  schema: z.object({}),
  async run(_args, ctx) {
    const { township, rooms } = ctx.services
    const present = await rooms.rooms()
    if (present.length === 0) return '助手还不在任何群里。把助手拉进乡级工作群和各村级群，再在群里发 /绑定。'
    const lines = present.map((r) => {
      const bound = township.groupFor(r.id)
      const what = bound ? (bound.scope === 'township' ? '乡级工作群' : bound.village) : '未绑定'
      return `· ${r.topic}（${r.memberCount} 人）：${what}`
    })
    const missing = township.villageNames.filter((v) => !township.groupOf('village', v))
    const notes = [
      ...(township.groupOf('township') ? [] : ['还没有乡级工作群：在乡级群里发 /绑定 全乡。']),
      ...(missing.length > 0 ? [`还没有村级群的村：${missing.join('、')}。`] : []),
    ]
    return [`助手在 ${present.length} 个群里：`, ...lines, ...notes].join('\n')
  },
})
