import { figureCommand } from './shared/figure-command.ts'
import { fundText, overspent } from './shared/fund.ts'

export default figureCommand({
  kind: '资金',
  name: '资金',
  aliases: ['专项资金'],
  summary: '记录专项资金拨付和奖励支出（以奖代补），回复余额',
  usage: '/资金 村名 拨付N元 或 奖励N元',
  examples: ['/资金 卫华村 拨付10000元', '/资金 卫华村 奖励500元'],
  roles: ['admin', 'supervisor', 'village'],
  icon: '💰',
  async extra(village, ctx) {
    const { campaign, policy } = ctx.services
    const fund = await campaign.fund(village, policy)
    return [`${village}专项资金：${fundText(fund, policy)}`, ...overspent(fund)]
  },
})
