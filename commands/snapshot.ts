import { z } from 'zod'
import { ALL_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '随手拍',
  aliases: ['反映', '举报'],
  summary: '村民反映环境问题（接着发照片），村干部受理后登记整改',
  usage: '/随手拍 [村名] 问题描述，然后发送照片',
  examples: ['/随手拍 村口垃圾没人清', '/随手拍 渔业村 江边有死鱼发臭'],
  roles: ALL_ROLES,
  parse: (args, ctx) => ({ village: ctx.villageOrAsk(args.village()), description: args.rest() }),
  schema: z.object({
    village: z.string(),
    description: z.string({ error: '请写明看到了什么问题、在哪里，例如：村口垃圾没人清' }).min(2, '请写清楚是什么问题、在哪里').max(200, '描述请不超过 200 字'),
  }),
  async run({ village, description }, ctx) {
    const { reports, pairing, policy } = ctx.services
    const report = await reports.create({ village, description, reporterId: ctx.actor.id, reporterName: ctx.actor.name, conversationId: ctx.conversationId })
    await pairing.open(ctx.conversationId, ctx.actor.id, { reportId: report.id, kind: '随手拍' })
    return [
      `📷 收到您的随手拍 R${report.id}（${village}）：${description}`,
      `请接着发送现场照片（${policy.photoWindowMinutes} 分钟内）。村干部受理后会告诉您。`,
      `村干部受理：/受理 R${report.id}；不受理：/不受理 R${report.id} 原因`,
    ].join('\n')
  },
})
