import { z } from 'zod'
import type { FigureValue } from '../src/campaign/campaign.ts'
import type { RecordKind } from '../src/campaign/figures.ts'
import { readQuantities, toFigures } from '../src/campaign/quantity.ts'
import { ArgumentError } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { amounts } from './shared/figure-command.ts'

export default defineCommand({
  name: '更正',
  aliases: ['修改记录'],
  summary: '管理员更正任意一条记录的数量（保留更正前的数）',
  usage: '/更正 记录编号 名称数量单位…',
  examples: ['/更正 12 垃圾15吨'],
  roles: ['admin'],
  parse: (args) => {
    const id = args.number()
    const { quantities, rest } = readQuantities([...args.remaining])
    args.rest()
    if (rest.length > 0) throw new ArgumentError(`没看懂「${rest.join(' ')}」。数量请写成「名称+数字+单位」，例如：垃圾15吨。`)
    return { id, quantities: quantities.length > 0 ? quantities : undefined }
  },
  schema: z.object({
    id: z.number({ error: '请写明记录编号（登记时回复里的"记录 N"），例如 /更正 12 垃圾15吨' }).int().positive(),
    quantities: z.array(z.custom<Parameters<typeof toFigures>[1][number]>(), { error: '请写明更正后的数量，例如：垃圾15吨' }).min(1),
  }),
  async run({ id, quantities }, ctx) {
    const { campaign } = ctx.services
    const record = await campaign.get(id)
    const kind = record.kind as RecordKind
    const figures: FigureValue[] = toFigures(kind, quantities)
    const before = amounts(kind, record.figures)
    const corrected = await campaign.correct(id, figures, { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId })
    return `✏️ 已更正记录 ${id}（${kind}${record.village ? ' ' + record.village : ''}）：${before} → ${amounts(kind, corrected.figures)}`
  },
})
