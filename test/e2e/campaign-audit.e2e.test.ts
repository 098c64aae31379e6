// Keeping the campaign's books honest, by message over the real transport: the export's village
// order, what /更正 replaced (in chat and in the export), and a village fund that goes negative.
// On SQLite and on PostgreSQL.
import ExcelJS from 'exceljs'
import { FileBox } from 'file-box'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { TownshipConfig } from '../../src/config/schema.ts'
import { providers } from '../support/db.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'
import { exampleConfig, manualClock } from '../support/township.ts'

const TOWNSHIP = '示范乡人居环境整治工作群'
const WEIHUA = '卫华村人居环境群'
const ADMIN = 'wxid_office_liu'
const SECRETARY = 'wxid_sec_weihua'
const HONGQI_SECRETARY = 'wxid_sec_hongqi'

describe.each(providers)('the campaign books, end to end (%s)', (provider) => {
  let t: WireTownship
  let clock: ReturnType<typeof manualClock>
  const start = async (config?: TownshipConfig) => {
    t = await startWireTownship(config, { provider })
    clock = manualClock() // 2026-11-30 10:00 in Shanghai
    await t.startBot({ clock })
  }
  afterEach(() => t.close())

  const exported = async () => {
    const seen = t.rooms.get(TOWNSHIP)!.seen
    const from = seen.messages.length
    await t.say(ADMIN, TOWNSHIP, '/导出 统计')
    const file = await seen.waitFor((m) => m.talkerId === BOT_ID && m.typeName === 'Attachment', 10_000, from)
    const book = new ExcelJS.Workbook()
    await book.xlsx.load((await FileBox.fromJSON(t.wechat.mocker.cacheFileBoxPayload.get(file.id)!).toBuffer()) as unknown as ArrayBuffer)
    return book
  }
  const values = (ws: ExcelJS.Worksheet, r: number) => (ws.getRow(r).values as unknown[]).slice(1)

  describe('with the example township', () => {
    beforeEach(() => start())

    it('/导出 统计 lists every village on 汇总 in config order, as /统计 does', async () => {
      await t.say(HONGQI_SECRETARY, '红旗村人居环境群', '/清运 垃圾3吨')
      await t.say(SECRETARY, WEIHUA, '/清运 垃圾2吨')
      const header = values((await exported()).getWorksheet('汇总')!, 1)
      expect(header).toEqual(['类别', '项目', '单位', '卫华村', '渔业村', '卫明村', '新民村', '永安村', '红旗村', '全乡合计'])
    })

    it('/查询 记录 N reads a record with every correction: before → after, who, when', async () => {
      expect((await t.say(SECRETARY, WEIHUA, '/清运 垃圾12吨 边沟500米')).text).toContain('（记录 1）')
      clock.advanceDays(1)
      expect((await t.say(ADMIN, TOWNSHIP, '/更正 1 垃圾15吨')).text).toContain('垃圾12吨、边沟0.5公里 → 垃圾15吨、边沟0.5公里')
      clock.advanceDays(1)
      await t.say(ADMIN, TOWNSHIP, '/更正 1 边沟1公里')

      const history = (await t.say(SECRETARY, WEIHUA, '/查询 记录 1')).text
      expect(history).toContain('记录 1 清运 卫华村')
      expect(history).toContain('登记：赵德明 11月30日 10:00')
      expect(history).toContain('现在：垃圾15吨、边沟1公里')
      expect(history).toContain('更正 2 次：')
      expect(history).toContain('12月1日 10:00 刘主任：垃圾12吨、边沟0.5公里 → 垃圾15吨、边沟0.5公里')
      expect(history).toContain('12月2日 10:00 刘主任：垃圾15吨、边沟0.5公里 → 垃圾15吨、边沟1公里')
      expect((await t.say(SECRETARY, WEIHUA, '/查询 记录1')).text).toContain('记录 1 清运 卫华村')
      // Problem numbers still read as before.
      expect((await t.say(SECRETARY, WEIHUA, '/查询 1')).text).toContain('没有')
    })

    it('/查询 记录 says what was wrong and how to write it', async () => {
      expect((await t.say(SECRETARY, WEIHUA, '/查询 记录 9')).text).toContain('没有记录 9')
      expect((await t.say(SECRETARY, WEIHUA, '/查询 记录')).text).toContain('/查询 记录 12')
      await t.say(SECRETARY, WEIHUA, '/取消')
      expect((await t.say(SECRETARY, WEIHUA, '/查询 记录 1 垃圾')).text).toContain('/查询 记录 12')
    })

    it('an undone record reads as undone in its history', async () => {
      await t.say(SECRETARY, WEIHUA, '/清运 垃圾12吨')
      await t.say(SECRETARY, WEIHUA, '/撤销')
      expect((await t.say(SECRETARY, WEIHUA, '/查询 记录 1')).text).toContain('已撤销：赵德明 11月30日 10:00，不计入统计')
    })

    it('/导出 统计 lists every correction on a 更正记录 sheet', async () => {
      await t.say(SECRETARY, WEIHUA, '/清运 垃圾12吨')
      clock.advanceDays(1)
      await t.say(ADMIN, TOWNSHIP, '/更正 1 垃圾15吨')
      const book = await exported()
      const corrections = book.getWorksheet('更正记录')!
      expect(values(corrections, 1)).toEqual(['记录编号', '类别', '村', '对象/名称', '更正前', '更正后', '更正人', '更正时间', '消息编号', '备注'])
      const row = values(corrections, 2)
      expect(row.slice(0, 8)).toEqual([1, '清运', '卫华村', undefined, '垃圾12吨', '垃圾15吨', '刘主任', new Date('2026-12-01T10:00:00Z')])
      const clearance = book.getWorksheet('清运')!
      expect(clearance.getCell(2, 5).value).toBe(15)
      expect(String(clearance.getCell(2, 14).value)).toContain('已更正 1 次，见更正记录')
    })

    it('warns when rewards take a village fund below zero, in the reply and in /统计 资金', async () => {
      expect((await t.say(ADMIN, TOWNSHIP, '/资金 卫华村 拨付1000元')).text).not.toContain('⚠️')
      const courtyard = (await t.say(SECRETARY, WEIHUA, '/庭院 王某某 贫困户')).text
      expect(courtyard).toContain('专项资金余额 -1024元')
      expect(courtyard).toContain('⚠️ 卫华村资金余额为 -1024元，已超支')
      const reward = (await t.say(ADMIN, TOWNSHIP, '/资金 卫华村 奖励500元')).text
      expect(reward).toContain('⚠️ 卫华村资金余额为 -1524元，已超支')
      const stats = (await t.say(ADMIN, TOWNSHIP, '/统计 资金')).text
      expect(stats).toContain('卫华村：拨付 1000元，奖励支出 2524元（含最美庭院奖励），余额 -1524元')
      expect(stats).toContain('⚠️ 卫华村资金余额为 -1524元，已超支')
      expect((await t.say(ADMIN, TOWNSHIP, '/统计 卫华村')).text).toContain('⚠️ 卫华村资金余额为 -1524元，已超支')
      await t.say(ADMIN, TOWNSHIP, '/资金 卫华村 拨付2000元')
      expect((await t.say(ADMIN, TOWNSHIP, '/统计 资金')).text).not.toContain('⚠️')
    })
  })

  it('with rewardsFromVillageFund: false, courtyard rewards leave the village fund alone', async () => {
    const config = exampleConfig()
    config.policy.rewardsFromVillageFund = false
    await start(config)
    await t.say(ADMIN, TOWNSHIP, '/资金 卫华村 拨付1000元')
    const courtyard = (await t.say(SECRETARY, WEIHUA, '/庭院 王某某 贫困户')).text
    expect(courtyard).toContain('奖励 2024元由乡里发放，不从村专项资金支出')
    expect(courtyard).not.toContain('⚠️')
    const stats = (await t.say(ADMIN, TOWNSHIP, '/统计 资金')).text
    expect(stats).toContain('卫华村：拨付 1000元，奖励支出 0元，余额 1000元')
    expect(stats).not.toContain('⚠️')
    // /资金 奖励 is the fund's own spending: it still counts.
    expect((await t.say(ADMIN, TOWNSHIP, '/资金 卫华村 奖励1500元')).text).toContain('⚠️ 卫华村资金余额为 -500元，已超支')
  })
})
