import { z } from 'zod'
import { problemLine } from '../src/ledger/index.ts'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '逾期',
  aliases: ['超期'],
  summary: '列出超过限期还没完成的问题',
  usage: '/逾期 [村名]',
  examples: ['/逾期', '/逾期 卫华村'],
  roles: ALL_ROLES,
  parse: (args, ctx) => ({ village: args.village() ?? (ctx.where.kind === 'village' ? ctx.where.village : undefined), extra: args.rest() }),
  schema: z.object({
    village: z.string().optional(),
    extra: z.undefined({ error: '逾期只需要写村名，例如 /逾期 卫华村' }),
  }),
  async run({ village }, ctx) {
    const overdue = await ctx.services.ledger.overdue(village)
    const scope = village ?? '全乡'
    if (overdue.length === 0) return `👍 ${scope}目前没有逾期未完成的问题。`
    const lines = overdue.map((p) => `${problemLine(p, ctx.now, !village)} 责任人：${p.responsibleName ?? '未指定'}`)
    return [`⏰ ${scope}逾期未完成 ${overdue.length} 条：`, ...lines].join('\n')
  },
})
