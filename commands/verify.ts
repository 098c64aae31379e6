import { z } from 'zod'
import { statusLine } from '../src/ledger/index.ts'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '销号',
  aliases: ['核销'],
  summary: '核实已完成的问题并销号',
  usage: '/销号 编号',
  examples: ['/销号 12'],
  roles: SUPERVISING_ROLES,
  parse: (args) => ({ id: args.number(), extra: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明要销号的问题编号，例如 /销号 12' }).int().positive(),
    extra: z.undefined({ error: '销号只需要写编号。如需退回，请用 /退回 编号 原因' }),
  }),
  async run({ id }, ctx) {
    const { ledger } = ctx.services
    ctx.requireScope((await ledger.find(id)).village)
    const { problem } = await ledger.verify(id, { actorId: ctx.actor.id, actorName: ctx.actor.name, messageId: ctx.messageId })
    const evidence = await ctx.services.photos.evidenceOf(problem.id)
    return [
      `☑️ #${problem.id} ${problem.village} ${problem.description}：已销号。`,
      `照片：整改前 ${evidence.before} 张，整改后 ${evidence.after} 张。`,
      ...evidence.reuseNotes.map((n) => `⚠️ 请注意：${n}`),
      statusLine(await ledger.countsOf(problem.village)),
    ].join('\n')
  },
})
