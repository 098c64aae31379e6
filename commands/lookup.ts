import { z } from 'zod'
import { problemDetail } from '../src/ledger/index.ts'
import { ALL_ROLES, defineCommand } from '../src/registry/index.ts'

export default defineCommand({
  name: '查询',
  aliases: ['详情'],
  summary: '查看一个问题的详情和经过',
  usage: '/查询 编号',
  examples: ['/查询 12'],
  roles: ALL_ROLES,
  parse: (args) => ({ id: args.number(), extra: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明问题编号，例如 /查询 12' }).int().positive(),
    extra: z.undefined({ error: '查询只需要写编号，例如 /查询 12' }),
  }),
  async run({ id }, ctx) {
    const problem = await ctx.services.ledger.get(id)
    const evidence = await ctx.services.photos.evidenceOf(id)
    const photoLine = `照片：整改前 ${evidence.before} 张，整改后 ${evidence.after} 张${evidence.reuseNotes.length > 0 ? `（${evidence.reuseNotes.length} 张疑似重复使用）` : ''}`
    return [problemDetail(problem, ctx.now), photoLine, ...evidence.reuseNotes.map((n) => `⚠️ ${n}`)].join('\n')
  },
})
