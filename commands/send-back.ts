import { z } from 'zod'
import { statusLine } from '../src/ledger/index.ts'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '退回',
  aliases: ['返工'],
  summary: '整改不到位，退回重新整改（写明原因）',
  usage: '/退回 编号 原因',
  examples: ['/退回 12 路边还有垃圾没清完'],
  roles: SUPERVISING_ROLES,
  parse: (args) => ({ id: args.number(), reason: args.rest() }),
  schema: z.object({
    id: z.number({ error: '请写明要退回的问题编号，例如 /退回 12 路边还有垃圾' }).int().positive(),
    reason: z.string({ error: '请写明退回的原因，例如：路边还有垃圾没清完' }).max(200, '原因请不超过 200 字'),
  }),
  async run({ id, reason }, ctx) {
    const { ledger } = ctx.services
    ctx.requireScope((await ledger.find(id)).village)
    const { problem, from } = await ledger.sendBack(id, reason, { actorId: ctx.actor.id, actorName: ctx.actor.name, messageId: ctx.messageId })
    const who = problem.responsibleName ? `请 ${problem.responsibleName} ` : '请'
    return [
      `↩️ #${problem.id} ${problem.village} ${problem.description}：${from} → ${problem.status}`,
      `退回原因：${reason}`,
      `${who}重新整改，完成后再报 /整改 ${problem.id} 已完成。`,
      statusLine(await ledger.countsOf(problem.village)),
    ].join('\n')
  },
})
