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
    return problemDetail(await ctx.services.ledger.get(id), ctx.now)
  },
})
