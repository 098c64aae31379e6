import { z } from 'zod'
import { readQuantities, toFigures } from '../src/campaign/quantity.ts'
import { SUPERVISING_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'

export default defineCommand({
  name: '巡查',
  aliases: ['督导'],
  summary: '记录一次巡查督导：去了哪些村、发现几处问题（接着登记的问题算作这次的发现）',
  usage: '/巡查 村名… [发现问题N处]',
  examples: ['/巡查 卫华村 渔业村 发现问题3处', '/巡查 全乡'],
  roles: SUPERVISING_ROLES,
  parse(args, ctx) {
    const villages: string[] = []
    if (args.oneOf(['全乡', '各村', '全部'])) villages.push(...ctx.services.township.villageNames)
    for (let v = args.village(); v; v = args.village()) if (!villages.includes(v)) villages.push(v)
    if (villages.length === 0 && ctx.where.kind === 'village') villages.push(ctx.where.village)
    const { quantities, rest } = readQuantities([...args.remaining])
    args.rest()
    return { villages: villages.length > 0 ? villages : undefined, found: toFigures('巡查', quantities), note: rest.join(' ') || undefined }
  },
  schema: z.object({
    villages: z.array(z.string(), { error: `请写明巡查了哪些村，例如：卫华村 渔业村（或"全乡"）` }).min(1),
    found: z.array(z.custom<ReturnType<typeof toFigures>[number]>()),
    note: z.string().max(200).optional(),
  }),
  async run({ villages, found, note }, ctx) {
    const { campaign, policy } = ctx.services
    const by = { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId }
    // One record, covering each village: it counts once for each of them and once for the township.
    const record = await campaign.record({ kind: '巡查', village: villages.length === 1 ? villages[0] : undefined, covers: villages, subject: villages.join('、'), note, figures: found }, by)
    // Problems the inspector filed in these villages shortly before count as this inspection's findings.
    const since = new Date(ctx.now.getTime() - policy.sittingMinutes * 60_000)
    const earlier = (await ctx.services.ledger.list()).filter((p) => p.reporterId === ctx.actor.id && villages.includes(p.village) && p.createdAt >= since)
    await campaign.linkProblems(record.id, earlier.map((p) => p.id))
    const total = await campaign.count('巡查')
    return [
      `🔍 已记录巡查督导（记录 ${record.id}）：${villages.join('、')}${found.length > 0 ? `，发现问题 ${found[0]!.value} 处` : ''}`,
      earlier.length > 0 ? `关联刚登记的问题：${earlier.map((p) => `#${p.id}`).join('、')}` : `接下来 ${policy.sittingMinutes} 分钟内您用 /问题 登记的问题会算作这次巡查的发现。`,
      `全乡累计巡查督导 ${total} 次。`,
    ].join('\n')
  },
})
