import { z } from 'zod'
import { percent } from '../src/ledger/index.ts'
import { ALL_ROLES, ArgumentError } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { monthOf, parseMonth, type Month } from '../src/stats/periods.ts'
import { askedOfCounty, countyOf } from './shared/county.ts'

export default defineCommand({
  name: '排名',
  aliases: ['排行'],
  summary: '各村整改完成率排名；/排名 庭院 看各村最美庭院户数（县级群里：各乡镇按月考核办法排名，可写月份）',
  usage: '/排名 [庭院]',
  examples: ['/排名', '/排名 庭院'],
  roles: [...ALL_ROLES, 'county'],
  inCountyGroup: true,
  parse(args, ctx) {
    if (!askedOfCounty(ctx)) return { courtyards: args.oneOf(['庭院', '最美庭院']) !== undefined, extra: args.rest() }
    const rest = args.rest()
    const month = rest ? parseMonth(rest, ctx.now) : monthOf(ctx.now)
    if (!month) throw new ArgumentError(`没看懂「${rest}」。县级排名可以写月份，例如 /排名 11月`)
    return { courtyards: false, extra: undefined, month }
  },
  schema: z.object({ courtyards: z.boolean(), extra: z.undefined({ error: '直接发 /排名，或 /排名 庭院' }), month: z.custom<Month>().optional() }),
  async run({ courtyards, month }, ctx) {
    // A month still under way is scored as it stands now: a deadline later this month is not overdue yet.
    if (month) return countyOf(ctx).rankingText(month.end > ctx.now ? { ...month, end: ctx.now } : month)
    const { ledger, township, campaign } = ctx.services
    if (courtyards) {
      const ranking = await campaign.courtyardRanking(township.villageNames)
      return ['🏡 各村最美庭院户数排名', ...ranking.map((r, i) => `${i + 1}. ${r.village} ${r.courtyards} 户`)].join('\n')
    }
    const rows = await ledger.counts(township.villageNames)
    rows.sort((a, b) => b.rate - a.rate || a.overdue - b.overdue || b.done - a.done)
    const lines = rows.map((r, i) => `${i + 1}. ${r.village} 完成率 ${percent(r.rate)}（${r.done}/${r.total}）${r.overdue > 0 ? ` 逾期 ${r.overdue}` : ''}`)
    return ['🏆 各村整改完成率排名', ...lines].join('\n')
  },
})
