import { z } from 'zod'
import type { FigureValue } from '../src/campaign/campaign.ts'
import { readQuantities, toFigures } from '../src/campaign/quantity.ts'
import { CADRE_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { amounts } from './shared/figure-command.ts'

export default defineCommand({
  name: '活动',
  aliases: ['集中整治'],
  summary: '记录一次集中活动（爱国卫生月、绿化种植周…）的人次、车次和工作量',
  usage: '/活动 活动名称 [村名] 名称数量单位…',
  examples: ['/活动 爱国卫生月 出动1300人次 车辆300车次 道路45公里 边沟5000延长米 栅栏46处 杂草2024延长米', '/活动 绿化种植周 志愿者175人 小叶丁香20万株 白色垃圾20立方米'],
  roles: CADRE_ROLES,
  parse(args, ctx) {
    // With no village named, an activity said in a village group, or by a village's own cadre, is that
    // village's (stored so, for /统计 and the export); the office's and supervisors' elsewhere are township-wide.
    const local = ctx.where.kind === 'village' || ctx.actor.role === 'village' || ctx.actor.role === 'grid'
    const village = args.village() ?? (local ? ctx.villageOrAsk(undefined) : undefined)
    const { quantities, rest } = readQuantities([...args.remaining])
    args.rest()
    return { village, name: rest.length > 0 ? rest.join(' ') : undefined, figures: quantities.length > 0 ? toFigures('活动', quantities) : undefined }
  },
  schema: z.object({
    village: z.string().optional(),
    name: z.string({ error: '请写明活动名称，例如：爱国卫生月' }).max(30, '活动名称太长'),
    figures: z.array(z.custom<FigureValue>(), { error: '请写明数量，例如：出动1300人次 车辆300车次' }).min(1),
  }),
  async run({ village, name, figures }, ctx) {
    if (village) ctx.requireScope(village)
    const { campaign } = ctx.services
    const record = await campaign.record({ kind: '活动', village, subject: name, figures }, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId })
    const all = (await campaign.activities()).find((a) => a.name === name)!
    return [
      `🧹 已记录「${name}」${village ? `（${village}）` : ''}（记录 ${record.id}）：${amounts('活动', record.figures)}`,
      `「${name}」累计：${amounts('活动', [...all.totals].map(([figure, value]) => ({ figure, value })))}`,
      `记错了可在 ${ctx.services.policy.undoMinutes} 分钟内发 /撤销。`,
    ].join('\n')
  },
})
