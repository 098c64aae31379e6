// End to end over the real puppet-service transport: arguments written with Chinese numerals
// (限期十五天, 十二号, 五天) read as their Arabic twins do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWireTownship, type WireTownship } from '../support/wire-township.ts'

const WEIHUA = '卫华村人居环境群'
const SECRETARY = 'wxid_sec_weihua'
// Monday 30 November 2026, 10:00 in the township.
const clock = () => new Date('2026-11-30T02:00:00Z')

describe('numbers in arguments, end to end', () => {
  let t: WireTownship
  beforeAll(async () => {
    t = await startWireTownship()
    await t.startBot({ clock })
  })
  afterAll(() => t.close())

  it('files 限期十五天 like 限期15天, and 两周, 一个月, 下周五, 12月5号', async () => {
    const cases: [string, string][] = [
      ['限期十五天', '12月15日'],
      ['限期15天', '12月15日'],
      ['限期二十天', '12月20日'],
      ['限期两周', '12月14日'],
      ['限期一个月', '12月30日'],
      ['限期12月5号', '12月5日'],
      ['限期下周五', '12月11日'],
    ]
    for (const [deadline, date] of cases) {
      const reply = await t.say(SECRETARY, WEIHUA, `/问题 三组路边垃圾堆放${date} ${deadline}`)
      expect(reply.text, deadline).toContain(`限期：${date}`)
    }
  })

  it('reads a problem number written 十二号 and extension days written 五天', async () => {
    for (let n = 1; n <= 12; n++) await t.say(SECRETARY, WEIHUA, `/问题 路边柴草垛第${n}处 限期5天`)
    const lookup = await t.say(SECRETARY, WEIHUA, '/查询 十二号')
    expect(lookup.text).toContain(`#12 卫华村\n问题：${(await t.assistant.ledger.get(12)).description}`)
    const extend = await t.say(SECRETARY, WEIHUA, '/延期 十二号 五天 铲车维修')
    expect(extend.text).toContain('已提交 #12 延期 5 天的申请')
    // The notice to the supervisor follows the reply.
    await t.rooms.get(WEIHUA)!.seen.waitFor((m) => m.text.includes('请包村干部批复：#12'))
  })

  it('refuses a deadline it cannot read, saying how to write one', async () => {
    const reply = await t.say(SECRETARY, WEIHUA, '/问题 三组路边垃圾堆放 限期尽快')
    expect(reply.text).toContain('没看懂「限期尽快」。限期请写成「限期15天」「限期两周」「限期一个月」「限期12月5日」或「限期下周五」')
  })
})
