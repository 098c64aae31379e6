// How a village fund reads in replies (/资金, /庭院, /统计), and the warning when it is overspent.
import type { Fund, FundPolicy } from '../../src/campaign/campaign.ts'
import { formatAmount } from '../../src/campaign/quantity.ts'

export const fundText = (fund: Fund, policy: FundPolicy) =>
  `拨付 ${formatAmount(fund.granted, '元')}，奖励支出 ${formatAmount(fund.paid, '元')}${policy.rewardsFromVillageFund ? '（含最美庭院奖励）' : ''}，余额 ${formatAmount(fund.balance, '元')}`

/** Rewards are recorded even when the money is not there; the reply must say so, not hide it in a balance. */
export const overspent = (fund: Fund): string[] => (fund.balance < 0 ? [`⚠️ ${fund.village}资金余额为 ${formatAmount(fund.balance, '元')}，已超支`] : [])
