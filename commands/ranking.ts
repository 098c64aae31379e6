import { z } from 'zod'
import { percent } from '../src/ledger/index.ts'
import { ALL_ROLES, defineCommand } from '../src/registry/index.ts'

export default defineCommand({
  name: '排名',
  aliases: ['排行'],
  summary: '各村整改完成率排名',
  usage: '/排名',
  examples: ['/排名'],
  roles: ALL_ROLES,
  parse: (args) => ({ extra: args.rest() }),
  schema: z.object({ extra: z.undefined({ error: '排名不需要写别的，直接发 /排名' }) }),
  async run(_args, ctx) {
    const { ledger, township } = ctx.services
    const rows = await ledger.counts(township.villageNames)
    rows.sort((a, b) => b.rate - a.rate || a.overdue - b.overdue || b.done - a.done)
    const lines = rows.map((r, i) => `${i + 1}. ${r.village} 完成率 ${percent(r.rate)}（${r.done}/${r.total}）${r.overdue > 0 ? ` 逾期 ${r.overdue}` : ''}`)
    return ['🏆 各村整改完成率排名', ...lines].join('\n')
  },
})
