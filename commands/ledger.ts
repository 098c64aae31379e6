import { z } from 'zod'
import { countsTable, OPEN_STATUSES, problemLine, statusLine, sumCounts, type Status } from '../src/ledger/index.ts'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

const SHOWN = 15

export default defineCommand({
  name: '台账',
  aliases: ['整改台账'],
  summary: '查看整改台账（某村的问题清单，或全乡各村概况）',
  usage: '/台账 [村名]',
  examples: ['/台账 卫华村', '/台账'],
  roles: ALL_ROLES,
  parse: (args, ctx) => ({ village: args.village() ?? (ctx.where.kind === 'village' ? ctx.where.village : undefined), extra: args.rest() }),
  schema: z.object({
    village: z.string().optional(),
    extra: z.undefined({ error: '台账只需要写村名，例如 /台账 卫华村' }),
  }),
  async run({ village }, ctx) {
    const { ledger, township } = ctx.services
    if (!village) {
      const rows = await ledger.counts(township.villageNames)
      return [`📋 ${township.name}整改台账`, countsTable(rows), statusLine(sumCounts(rows, '全乡')), '发 /台账 村名 查看该村的问题清单。'].join('\n')
    }
    const problems = await ledger.list(village)
    const open = problems.filter((p) => OPEN_STATUSES.includes(p.status as Status))
    const lines = [statusLine(await ledger.countsOf(village))]
    if (problems.length === 0) lines.push('暂无登记的问题。')
    lines.push(...problems.slice(0, SHOWN).map((p) => problemLine(p, ctx.now, false)))
    if (problems.length > SHOWN) lines.push(`……共 ${problems.length} 条（未完成 ${open.length} 条），发 /查询 编号 查看详情。`)
    return lines.join('\n')
  },
})
