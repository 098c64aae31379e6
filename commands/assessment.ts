import { z } from 'zod'
import { ArgumentError, SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { monthOf, parseMonth, previousMonth } from '../src/stats/periods.ts'

export default defineCommand({
  name: '考核',
  aliases: ['月考核'],
  summary: '马上看月考核（默认上个月，也可写月份）',
  usage: '/考核 [11月 或 2026年11月 或 本月]',
  examples: ['/考核', '/考核 11月', '/考核 本月'],
  roles: SUPERVISING_ROLES,
  parse(args, ctx) {
    const word = args.rest()
    if (!word) return { month: previousMonth(monthOf(ctx.now)) }
    if (word === '本月') return { month: monthOf(ctx.now) }
    if (word === '上月' || word === '上个月') return { month: previousMonth(monthOf(ctx.now)) }
    const month = parseMonth(word, ctx.now)
    if (!month) throw new ArgumentError(`没看懂「${word}」。月份请写成「11月」或「2026年11月」。`)
    return { month }
  },
  schema: z.object({ month: z.custom<ReturnType<typeof monthOf>>() }),
  async run({ month }, ctx) {
    return ctx.services.schedule.assessment(month)
  },
})
