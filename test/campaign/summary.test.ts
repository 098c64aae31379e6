// /统计 reads the whole campaign from two statements; what it reads must be what the per-kind
// aggregates (`totals`, `count`, `activities`) give, record by record, on both providers.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Campaign, fundOf, type Scope } from '../../src/campaign/campaign.ts'
import { figureOf, RECORD_KINDS, type RecordKind } from '../../src/campaign/figures.ts'
import type { Database } from '../../src/db/index.ts'
import { dropTestDatabase, freshDatabase, providers } from '../support/db.ts'
import { manualClock } from '../support/township.ts'

const by = { id: 'wxid_office_liu', name: '刘主任' }
const fig = (kind: RecordKind, key: string, value: number) => ({ figure: figureOf(kind, key)!, value })

describe.each(providers)('Campaign.summary (%s)', (provider) => {
  let db: Database
  let url: string
  let clock: ReturnType<typeof manualClock>
  let campaign: Campaign
  beforeEach(async () => {
    ;({ db, url } = await freshDatabase(provider))
    clock = manualClock(new Date('2026-10-28T02:00:00Z'))
    campaign = new Campaign(db, clock)
  })
  afterEach(async () => {
    await db.$disconnect()
    await dropTestDatabase(url)
  })

  it('gives the counts, totals and activities the per-kind aggregates give, in every scope', async () => {
    for (const village of ['卫华村', '渔业村', undefined]) {
      await campaign.record({ kind: '清运', village, figures: [fig('清运', 'garbage', 12.5), fig('清运', 'ditches', 0.3333)] }, by)
      await campaign.record({ kind: '活动', village, subject: '爱国卫生月', figures: [fig('活动', 'people', 300), fig('活动', 'ditches', 120)] }, by)
      await campaign.record({ kind: '活动', village, subject: undefined, figures: [] }, by)
      await campaign.record({ kind: '庭院', village, subject: '王某某', figures: [fig('庭院', 'courtyards', 1), fig('庭院', 'reward', 2024)] }, by)
      await campaign.record({ kind: '会议', village, subject: '推进会', figures: [] }, by)
      const undone = await campaign.record({ kind: '资金', village, figures: [fig('资金', 'granted', 10000)] }, by)
      await campaign.undo(undone.id, '刘主任')
      clock.advanceDays(3) // into November
      await campaign.record({ kind: '资金', village, figures: [fig('资金', 'granted', 5000), fig('资金', 'paid', 0.1), fig('资金', 'paid', 0.2)] }, by)
      await campaign.record({ kind: '活动', village, subject: '绿化种植周', figures: [fig('活动', 'plants', 200000)] }, by)
      await campaign.record({ kind: '活动', village, subject: '爱国卫生月', figures: [fig('活动', 'people', 1000)] }, by)
      await campaign.record({ kind: '物资', village, figures: [fig('物资', 'bins240', 3)] }, by)
      await campaign.record({ kind: '协议', village, figures: [fig('协议', 'frontDoor', 40)] }, by)
      await campaign.record({ kind: '宣传', village, figures: [fig('宣传', 'leaflets', 500)] }, by)
      clock.advanceDays(-3)
    }
    // An inspection of two villages counts for each; its findings stay with its own village.
    await campaign.record({ kind: '巡查', village: '卫华村', covers: ['卫华村', '渔业村'], figures: [fig('巡查', 'found', 3)] }, by)
    await campaign.record({ kind: '巡查', covers: ['渔业村'], figures: [] }, by)

    const november = { from: new Date('2026-10-31T16:00:00Z'), to: new Date('2026-11-30T16:00:00Z') }
    const scopes: Scope[] = [{}, { village: '卫华村' }, { village: '渔业村' }, { village: '新民村' }, november, { village: '卫华村', ...november }]
    for (const scope of scopes) {
      const summary = await campaign.summary(scope)
      for (const kind of RECORD_KINDS) {
        expect(summary.count(kind), `${kind} ${JSON.stringify(scope)}`).toBe(await campaign.count(kind, scope))
        expect(summary.totals(kind), `${kind} ${JSON.stringify(scope)}`).toEqual(await campaign.totals(kind, scope))
      }
      expect(summary.activities).toEqual(await campaign.activities(scope))
    }
    // Without a month, /统计 村 takes the village's fund from the summary.
    for (const village of ['卫华村', '渔业村', '新民村']) {
      const summary = await campaign.summary({ village })
      for (const rewardsFromVillageFund of [true, false]) {
        const policy = { rewardsFromVillageFund }
        expect(fundOf(village, summary.totals('资金'), summary.totals('庭院'), policy)).toEqual(await campaign.fund(village, policy))
      }
    }
    expect(await campaign.funds(['卫华村', '渔业村'], { rewardsFromVillageFund: true })).toEqual([
      { village: '卫华村', granted: 5000, paid: 2024.3, balance: 2975.7 },
      { village: '渔业村', granted: 5000, paid: 2024.3, balance: 2975.7 },
    ])
  })
})
