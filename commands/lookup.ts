import { z } from 'zod'
import { recordDetail } from '../src/campaign/format.ts'
import { problemDetail } from '../src/ledger/index.ts'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

const HOW = '问题写 /查询 12，统计记录（回复里的"记录 N"）写 /查询 记录 12'

export default defineCommand({
  name: '查询',
  aliases: ['详情'],
  summary: '查看一个问题的详情和经过，或一条统计记录和它的更正',
  usage: '/查询 编号 或 /查询 记录 编号',
  examples: ['/查询 12', '/查询 记录 12'],
  roles: ALL_ROLES,
  parse: (args) => {
    // 记录 12 or 记录12: a campaign record, the number replies call 记录 N.
    const record = args.match(/^记录(\d{1,7})?$/)
    return { record: record !== undefined, id: record?.[1] ? Number(record[1]) : args.number(), extra: args.rest() }
  },
  schema: z.object({
    record: z.boolean(),
    id: z.number({ error: `请写明编号：${HOW}` }).int().positive(),
    extra: z.undefined({ error: `查询只需要写编号：${HOW}` }),
  }),
  async run({ record, id }, ctx) {
    if (record) return recordDetail(await ctx.services.campaign.history(id))
    const problem = await ctx.services.ledger.get(id)
    const evidence = await ctx.services.photos.evidenceOf(id)
    const photoLine = `照片：整改前 ${evidence.before} 张，整改后 ${evidence.after} 张${evidence.reuseNotes.length > 0 ? `（${evidence.reuseNotes.length} 张疑似重复使用）` : ''}`
    return [problemDetail(problem, ctx.now), photoLine, ...evidence.reuseNotes.map((n) => `⚠️ ${n}`)].join('\n')
  },
})
