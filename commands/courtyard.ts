import { z } from 'zod'
import { FIGURES_BY_KIND } from '../src/campaign/figures.ts'
import { formatAmount } from '../src/campaign/quantity.ts'
import { CADRE_ROLES } from '../src/registry/index.ts'
import { defineCommand } from '../src/services.ts'
import { overspent } from './shared/fund.ts'

export default defineCommand({
  name: '庭院',
  aliases: ['最美庭院'],
  summary: '登记一户"最美庭院"（接着发照片），奖励按户类发放',
  usage: '/庭院 村名 户主姓名 贫困户|一般户',
  examples: ['/庭院 卫华村 王某某 贫困户', '/庭院 渔业村 李某某 一般户'],
  roles: CADRE_ROLES,
  parse(args, ctx) {
    const types = Object.keys(ctx.services.config.rewards)
    return { village: ctx.villageOrAsk(args.village()), type: args.oneOf(types), household: args.rest() }
  },
  schema: z.object({
    village: z.string(),
    type: z.string({ error: '请写明户类：贫困户 或 一般户' }),
    household: z.string({ error: '请写明户主姓名，例如：王某某' }).max(20, '户主姓名太长'),
  }),
  async run({ village, type, household }, ctx) {
    ctx.requireScope(village)
    const { campaign, config, pairing, policy } = ctx.services
    const reward = config.rewards[type] ?? 0
    const [courtyard, money] = FIGURES_BY_KIND.庭院
    const record = await campaign.record(
      { kind: '庭院', village, subject: household, category: type, figures: [{ figure: courtyard, value: 1 }, { figure: money, value: reward }] },
      { id: ctx.actor.id, name: ctx.actor.name, messageId: ctx.messageId },
    )
    await pairing.open(ctx.conversationId, ctx.actor.id, { recordId: record.id, kind: '庭院' })
    const ranking = await campaign.courtyardRanking(ctx.services.township.villageNames)
    const place = ranking.findIndex((r) => r.village === village) + 1
    const mine = ranking.find((r) => r.village === village)!
    const fund = await campaign.fund(village, policy)
    const payer = policy.rewardsFromVillageFund ? `专项资金余额 ${formatAmount(fund.balance, '元')}` : `奖励 ${formatAmount(reward, '元')}由乡里发放，不从村专项资金支出`
    return [
      `🏡 已登记最美庭院：${village} ${household}（${type}，奖励 ${formatAmount(reward, '元')}，记录 ${record.id}）`,
      `请接着发送庭院照片（${policy.photoWindowMinutes} 分钟内）。`,
      `${village}最美庭院 ${mine.courtyards} 户，全乡第 ${place} 名；${payer}`,
      ...(policy.rewardsFromVillageFund ? overspent(fund) : []),
    ].join('\n')
  },
})
