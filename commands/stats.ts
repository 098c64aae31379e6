import { z } from 'zod'
import { fundOf, type Scope, type Summary } from '../src/campaign/campaign.ts'
import { RECORD_KINDS, type RecordKind } from '../src/campaign/figures.ts'
import { formatAmount } from '../src/campaign/quantity.ts'
import { together } from '../src/db/together.ts'
import { countsTable, statusLine, sumCounts } from '../src/ledger/index.ts'
import { ALL_ROLES, ArgumentError } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { parseMonth, type Month } from '../src/stats/periods.ts'
import { askedOfCounty, countyOf } from './shared/county.ts'
import { amounts } from './shared/figure-command.ts'
import { fundText, overspent } from './shared/fund.ts'

const listOf = (kind: RecordKind, totals: Map<string, number>) => amounts(kind, [...totals].map(([figure, value]) => ({ figure, value }))) || '暂无记录'

export default defineCommand({
  name: '统计',
  aliases: ['汇总'],
  summary: '全乡或某村的全部数字：整改、巡查、活动、庭院、资金物资、清运、宣传；可按项目、月份（县级群里：全县或某乡镇）',
  usage: '/统计 [村名] [清运|活动|庭院|协议|资金|物资|宣传|巡查|会议] [11月]',
  examples: ['/统计', '/统计 卫华村', '/统计 清运', '/统计 11月'],
  roles: [...ALL_ROLES, 'county'],
  inCountyGroup: true,
  parse(args, ctx) {
    if (askedOfCounty(ctx)) return { township: args.rest() ?? '全县' }
    const village = args.village()
    const kind = args.oneOf(RECORD_KINDS)
    const rest = args.rest()
    const month = rest ? parseMonth(rest, ctx.now) : undefined
    if (rest && !month) throw new ArgumentError(`没看懂「${rest}」。可以写村名、项目（如 清运）或月份（如 11月）。`)
    return { village, kind, month }
  },
  schema: z.object({ village: z.string().optional(), kind: z.enum(RECORD_KINDS).optional(), month: z.custom<Month>().optional(), township: z.string().optional() }),
  async run({ village, kind, month, township: asked }, ctx) {
    // The county's figures read the township's name (全县, 西乡, 西): one reader of it.
    if (asked !== undefined) return countyOf(ctx).statsText(asked)
    const { ledger, township, campaign, policy } = ctx.services
    const scope: Scope = { village, from: month?.start, to: month?.end }
    const when = month ? `（${month.label}）` : ''
    if (kind) {
      if (village) return `${village}${kind}${when}：${listOf(kind, await campaign.totals(kind, scope))}`
      // A fund is read by its balance, which is for all time: a month shows that month's figures.
      const funds = kind === '资金' ? await campaign.funds(township.villageNames, policy) : []
      const villageLines = funds.length > 0 && !month
        ? funds.filter((f) => f.granted !== 0 || f.paid !== 0).map((f) => `${f.village}：${fundText(f, policy)}`)
        : (await campaign.totalsByVillage(kind, township.villageNames, scope)).filter((r) => r.totals.size > 0).map((r) => `${r.village}：${listOf(kind, r.totals)}`)
      return [`📊 ${township.name}${kind}${when}：${listOf(kind, await campaign.totals(kind, scope))}`, ...villageLines, ...funds.flatMap(overspent)].join('\n')
    }
    // The ledger's counts and the campaign's records are read together (one round trip on PostgreSQL).
    if (village) {
      const [counts, summary] = await together([ledger.countsOf(village), campaign.summary(scope)])
      // A fund is for all time: without a month, the summary's own 资金 and 庭院 totals are its figures.
      const fund = month ? await campaign.fund(village, policy) : fundOf(village, summary.totals('资金'), summary.totals('庭院'), policy)
      return [statusLine(counts), ...campaignLines(summary, when), `专项资金：${fundText(fund, policy)}`, ...overspent(fund)].join('\n')
    }
    const [rows, summary] = await together([ledger.counts(township.villageNames), campaign.summary(scope)])
    const all = sumCounts(rows, '全乡')
    return [
      `📊 ${township.name}整改统计：汇集问题 ${all.total} 条，已完成整改 ${all.done} 条（已销号 ${all.verified}），未完成 ${all.open} 条，逾期 ${all.overdue} 条，完成率 ${(all.rate * 100).toFixed(1)}%`,
      ...campaignLines(summary, when),
      `网格：全乡 ${ctx.services.config.grids.length} 个`,
      '各村整改：',
      countsTable(rows),
    ].join('\n')
  },
})

/** The campaign in the work brief's order and words. */
function campaignLines({ count, totals, activities }: Summary, when: string): string[] {
  const courtyards = totals('庭院')
  return [
    `（一）推进会议 ${count('会议')} 次，巡查督导 ${count('巡查')} 次${when}`,
    `（二）活动：${activities.length > 0 ? activities.map((a) => `${a.name} ${listOf('活动', a.totals)}`).join('；') : '暂无记录'}`,
    `（三）最美庭院 ${courtyards.get('courtyards') ?? 0} 户，奖励 ${formatAmount(courtyards.get('reward') ?? 0, '元')}`,
    `（四）资金：${listOf('资金', totals('资金'))}；物资：${listOf('物资', totals('物资'))}`,
    `（五）清运：${listOf('清运', totals('清运'))}`,
    `（六）协议：${listOf('协议', totals('协议'))}；宣传：${listOf('宣传', totals('宣传'))}`,
  ]
}
