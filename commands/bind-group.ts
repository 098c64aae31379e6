import { z } from 'zod'
import { defineCommand } from '../src/services.ts'

const TOWNSHIP_WORDS = ['全乡', '乡级', '乡镇', '乡里', '全镇'] as const

// A group serves the township (or one village) once an admin binds it, by the group's id.
export default defineCommand({
  name: '绑定',
  aliases: ['启用'],
  summary: '把这个群绑定为乡级工作群或某村的村级群，助手才会在群里工作',
  usage: '/绑定 村名（乡级工作群写 /绑定 全乡）',
  examples: ['/绑定 卫华村', '/绑定 全乡'],
  roles: ['admin'],
  inUnboundGroups: true,
  parse: (args) => ({ township: args.oneOf(TOWNSHIP_WORDS) !== undefined, village: args.village(), extra: args.rest() }),
  schema: z
    .object({ township: z.boolean(), village: z.string().optional(), extra: z.string().optional() })
    .refine((a) => a.township || a.village || a.extra, { message: '请写明这个群是哪个村的，例如 /绑定 卫华村；乡级工作群写 /绑定 全乡', path: ['village'] }),
  async run({ township: whole, village, extra }, ctx) {
    const { roster, township } = ctx.services
    if (ctx.where.kind === 'private') return '请在要启用的群里发 /绑定 村名（乡级工作群发 /绑定 全乡）。'
    if (!whole && !village) return `没有「${extra}」这个村。本乡的村：${township.villageNames.join('、')}。乡级工作群请写 /绑定 全乡。`
    if (whole && village) return '一个群只能绑定一处：乡级工作群写 /绑定 全乡，村级群写 /绑定 村名。'
    const rooms = await ctx.services.rooms.rooms()
    const topic = rooms.find((r) => r.id === ctx.conversationId)?.topic ?? (ctx.where.kind === 'unbound' ? ctx.where.topic : '')
    const scope = whole ? 'township' : 'village'
    const replaced = await roster.bind({ roomId: ctx.conversationId, topic, scope, village }, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId })
    const what = whole ? `${township.name}乡级工作群` : `${village}的村级群`
    const moved = replaced ? `（原来绑定的「${replaced.topic}」已解绑）` : ''
    return `✅ 已把本群绑定为${what}${moved}。群改名不影响绑定；通报、提醒都会发到这里。村里的人可以发 /我是 ${village ?? '村名'} 网格员 申请身份。`
  },
})
