import { z } from 'zod'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

const WHICH = ['本周', '下周'] as const

export default defineCommand({
  name: '值班',
  aliases: ['值班领导'],
  summary: '查看本周值班领导；管理员可指定某周的值班领导',
  usage: '/值班 [本周|下周] [姓名]',
  examples: ['/值班', '/值班 下周 王乡长'],
  roles: ALL_ROLES,
  parse: (args) => ({ which: args.oneOf(WHICH), name: args.rest() }),
  schema: z.object({ which: z.enum(WHICH).optional(), name: z.string().max(20, '姓名太长').optional() }),
  async run({ which, name }, ctx) {
    const date = new Date(ctx.now.getTime() + (which === '下周' ? 7 * 86_400_000 : 0))
    const label = which ?? '本周'
    const { schedule } = ctx.services
    if (!name) {
      const leader = await schedule.dutyLeader(date)
      return leader ? `${label}值班领导：${leader.name}` : `${label}还没有安排值班领导。管理员可发 /值班 ${label} 姓名。`
    }
    if (ctx.actor.role !== 'admin') return '只有乡办公室管理员可以安排值班。'
    const { week, known } = await schedule.assignDuty(date, name, ctx.actor.name)
    return `已安排${label}（${week} 起）值班领导：${name}${known ? '' : '（配置里没有此人，值班提醒无法 @ 到他）'}。`
  },
})
