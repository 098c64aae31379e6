import { z } from 'zod'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { previousWeek, weekOf } from '../src/stats/periods.ts'

const WHICH = ['上周', '本周'] as const

export default defineCommand({
  name: '通报',
  aliases: ['周通报'],
  summary: '马上看周通报（默认上周，可看本周至今）',
  usage: '/通报 [上周|本周]',
  examples: ['/通报', '/通报 本周'],
  roles: SUPERVISING_ROLES,
  parse: (args) => ({ which: args.oneOf(WHICH), extra: args.rest() }),
  schema: z.object({
    which: z.enum(WHICH).optional(),
    extra: z.undefined({ error: '请写 /通报 或 /通报 本周' }),
  }),
  async run({ which }, ctx) {
    const thisWeek = weekOf(ctx.now)
    const week = which === '本周' ? thisWeek : previousWeek(thisWeek)
    const { text, picture } = await ctx.services.schedule.bulletin(week)
    return { text, file: { name: `周通报-${week.key}.png`, data: picture } }
  },
})
