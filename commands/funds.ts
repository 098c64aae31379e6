import { formatAmount } from '../src/campaign/quantity.ts'
import { figureCommand } from './shared/figure-command.ts'

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
    const fund = await ctx.services.campaign.fund(village)
    return [`${village}专项资金：拨付 ${formatAmount(fund.granted, '元')}，奖励支出 ${formatAmount(fund.paid, '元')}（含最美庭院奖励），余额 ${formatAmount(fund.balance, '元')}`]
  },
})
