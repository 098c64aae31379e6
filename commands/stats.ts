import { z } from 'zod'
import { countsTable, statusLine, sumCounts } from '../src/ledger/index.ts'
import { ALL_ROLES, defineCommand } from '../src/registry/index.ts'

export default defineCommand({
  name: '统计',
  aliases: ['汇总'],
  summary: '整改统计：问题总数、已完成、逾期、完成率',
  usage: '/统计 [村名]',
  examples: ['/统计', '/统计 卫华村'],
  roles: ALL_ROLES,
  parse: (args) => ({ village: args.village(), extra: args.rest() }),
  schema: z.object({
    village: z.string().optional(),
    extra: z.undefined({ error: '统计只需要写村名，例如 /统计 卫华村' }),
  }),
  async run({ village }, ctx) {
    const { ledger, township } = ctx.services
    if (village) return statusLine(await ledger.countsOf(village))
    const rows = await ledger.counts(township.villageNames)
    const all = sumCounts(rows, '全乡')
    return [
      `📊 ${township.name}整改统计：汇集问题 ${all.total} 条，已完成整改 ${all.done} 条（已销号 ${all.verified}），未完成 ${all.open} 条，逾期 ${all.overdue} 条，完成率 ${(all.rate * 100).toFixed(1)}%`,
      countsTable(rows),
    ].join('\n')
  },
})
