import { z } from 'zod'
import { ROLE_LABELS } from '../src/config/township.ts'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { gridWord, roleWord } from './shared/people.ts'

export default defineCommand({
  name: '我是',
  aliases: ['申请身份'],
  summary: '在村级群里申请村书记或网格员身份，包村干部或管理员同意后生效',
  usage: '/我是 村名 村书记 或 /我是 村名 网格员 [网格]',
  examples: ['/我是 卫华村 网格员', '/我是 卫华村 网格员 卫华村第1网格', '/我是 卫华村 村书记'],
  roles: ALL_ROLES,
  parse(args, ctx) {
    const role = roleWord(args)
    const named = args.village()
    const village = named ?? (ctx.where.kind === 'village' ? ctx.where.village : undefined)
    const grid = gridWord(args, ctx, village)
    return { role, village: grid?.village ?? village, grid: grid?.grid, extra: args.rest() }
  },
  schema: z.object({
    role: z.enum(['village', 'grid'], { error: '请写明申请的身份：村书记或网格员，例如 /我是 卫华村 网格员' }),
    village: z.string({ error: '请写明是哪个村，例如 /我是 卫华村 网格员' }),
    grid: z.string().optional(),
    extra: z.string().optional(),
  }),
  async run({ role, village, grid }, ctx) {
    const { requests, township } = ctx.services
    if (ctx.services.policy.rosterFromConfigOnly) return '本乡的人员由配置文件管理，请联系乡办公室。'
    if (ctx.where.kind !== 'village' || ctx.where.village !== village) return `请在${village}的村级群里发 /我是，方便村里核实。`
    const current = township.person(ctx.actor.id)
    if (current && current.role === role && current.villages.includes(village)) return `您已经是${village}${ROLE_LABELS[role]}了。`
    if (requests.decidersOf(village).length === 0) return '本乡还没有管理员或包村干部来审核申请，请联系乡办公室。'
    const { id, existing } = await requests.ask({ wechatId: ctx.actor.id, name: ctx.actor.name, role, village, grid, conversationId: ctx.conversationId, messageId: ctx.messageId })
    if (existing) return `您的申请（${id} 号）还在等待审核，请耐心等候。`
    return `已收到您的申请（${id} 号）：${village}${ROLE_LABELS[role]}${grid ? `（${grid}）` : ''}。包村干部或乡办公室同意后，会在这里告诉您。`
  },
})
