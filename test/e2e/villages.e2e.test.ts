// End to end over the real puppet-service transport: the village a command resolves (named, the
// village group's, or the sender's only village) is the village its record is counted under, and
// an inspection of several villages counts for each of them. On SQLite and on PostgreSQL.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { providers } from '../support/db.ts'
import { startWireTownship, type WireTownship } from '../support/wire-township.ts'

const TOWNSHIP = '示范乡人居环境整治工作群'
const WEIMING = '卫明村人居环境群'
const ADMIN = 'wxid_office_liu'
const WEIMING_SECRETARY = 'wxid_sec_weiming'
const WEIHUA_GRID = 'wxid_grid_01'
const SUPERVISOR_WEIHUA_YUYE = 'wxid_sup_ma'
const SUPERVISOR_WEIMING = 'wxid_sup_han'

describe.each(providers)('records are counted under the village the command resolved, end to end (%s)', (provider) => {
  let t: WireTownship
  const stats = async (words: string) => (await t.say(ADMIN, TOWNSHIP, `/统计 ${words}`.trim())).text
  beforeEach(async () => {
    t = await startWireTownship(undefined, { provider })
    await t.startBot()
  })
  afterEach(() => t.close())

  it('/活动 from a secretary in his village group, without the village name, counts for his village', async () => {
    const reply = await t.say(WEIMING_SECRETARY, WEIMING, '/活动 爱国卫生月 出动30人次 车辆5车次')
    expect(reply.text).toContain('已记录「爱国卫生月」（卫明村）')
    expect(await stats('卫明村')).toContain('（二）活动：爱国卫生月 出动30人次、车辆5车次')
    expect(await stats('卫华村')).toContain('（二）活动：暂无记录')
  })

  it('/活动 from a grid member in the township group counts for his only village; the office\'s stays township-wide', async () => {
    await t.say(WEIHUA_GRID, TOWNSHIP, '/活动 绿化种植周 志愿者12人')
    await t.say(ADMIN, TOWNSHIP, '/活动 绿化种植周 志愿者100人')
    expect(await stats('卫华村')).toContain('（二）活动：绿化种植周 志愿者12人')
    expect(await stats('')).toContain('（二）活动：绿化种植周 志愿者112人')
  })

  it('/清运 and /庭院 from a secretary in his group, without the village name, count for his village', async () => {
    await t.say(WEIMING_SECRETARY, WEIMING, '/清运 垃圾十二吨')
    await t.say(WEIMING_SECRETARY, WEIMING, '/庭院 王某某 一般户')
    const weiming = await stats('卫明村')
    expect(weiming).toContain('（五）清运：垃圾12吨')
    expect(weiming).toContain('（三）最美庭院 1 户')
  })

  it('/巡查 from a supervisor in a village group, without the village name, counts for that village', async () => {
    await t.say(SUPERVISOR_WEIMING, WEIMING, '/巡查 发现问题2处')
    expect(await stats('卫明村')).toContain('巡查督导 1 次')
  })

  it('an inspection of several villages counts once for each of them and once for the township', async () => {
    const reply = await t.say(SUPERVISOR_WEIHUA_YUYE, TOWNSHIP, '/巡查 卫华村 渔业村 发现问题3处')
    expect(reply.text).toContain('卫华村、渔业村')
    expect(await stats('卫华村')).toContain('巡查督导 1 次')
    expect(await stats('渔业村')).toContain('巡查督导 1 次')
    expect(await stats('卫明村')).toContain('巡查督导 0 次')
    expect(await stats('')).toContain('巡查督导 1 次')
    // A problem filed in the same sitting in either village is this inspection's finding.
    const filed = await t.say(SUPERVISOR_WEIHUA_YUYE, TOWNSHIP, '/问题 渔业村 江边屯柴草垛占道')
    expect(filed.text).toMatch(/已记为巡查（记录 \d+）发现的问题/)
  })
})
