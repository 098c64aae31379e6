// The township's work brief replayed by message over the real transport: every figure it gives
// is sent by the role that would send it, /统计 answers with the brief's figures, and the Excel
// export holds the same numbers. On SQLite and on PostgreSQL.
import ExcelJS from 'exceljs'
import { FileBox } from 'file-box'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { briefMessages } from '../support/brief.ts'
import { providers } from '../support/db.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'

const TOWNSHIP = '示范乡人居环境整治工作群'
const ADMIN = 'wxid_office_liu'
const groupOf = (village: string) => `${village}人居环境群`

describe.each(providers)("the work brief's figures, reported by message (%s)", (provider) => {
  let t: WireTownship
  const ok = async (who: string, group: string, text: string) => {
    const reply = await t.say(who, group, text, { timeoutMs: 10_000 })
    expect(reply.text, text).not.toMatch(/抱歉|没看懂|请写明|不是|系统出错/)
    return reply.text
  }

  beforeAll(async () => {
    t = await startWireTownship(undefined, { provider })
    await t.startBot()
  })
  afterAll(() => t.close())

  it('takes every figure from the person who would report it', async () => {
    for (const m of briefMessages(t.config)) await ok(m.who, m.village ? groupOf(m.village) : TOWNSHIP, m.text)
  }, 120_000)

  it('/统计 answers with the brief\'s own figures', async () => {
    const stats = (await t.say(ADMIN, TOWNSHIP, '/统计')).text
    expect(stats).toContain('（一）推进会议 3 次，巡查督导 5 次')
    expect(stats).toContain('爱国卫生月 出动1300人次、车辆300车次、道路45公里、边沟5000延长米、栅栏46处、杂草2024延长米')
    expect(stats).toContain('绿化种植周 志愿者175人、种植20万株、白色垃圾20立方米')
    expect(stats).toContain('（三）最美庭院 255 户')
    expect(stats).toContain('（四）资金：拨付60000元；物资：240L垃圾桶18套、30L垃圾桶685个、垃圾车6台')
    expect(stats).toContain('（五）清运：垃圾710吨、边沟47.5公里、路面47.5公里、柴草垛26处、路障17个、畜禽粪便93吨、垃圾箱168次')
    expect(stats).toContain('（六）协议：门前三包800份、地头三包200份；宣传：宣传单925份、推送100条')
    expect(stats).toContain('网格：全乡 31 个')
    expect((await t.say(ADMIN, TOWNSHIP, '/排名 庭院')).text).toContain('1. 卫华村 100 户\n2. 渔业村 80 户\n3. 卫明村 75 户')
    // Under the example's rules the brief's courtyard rewards outrun each village's 10000 元.
    const funds = (await t.say(ADMIN, TOWNSHIP, '/统计 资金')).text
    expect(funds).toContain('卫华村：拨付 10000元，奖励支出 65240元（含最美庭院奖励），余额 -55240元')
    expect(funds).toContain('⚠️ 卫华村资金余额为 -55240元，已超支\n⚠️ 渔业村资金余额为 -42192元，已超支\n⚠️ 卫明村资金余额为 -38168元，已超支')
    expect(funds).not.toContain('新民村资金余额')
  })

  /** The workbook `/导出 统计` sends, read back. */
  const exported = async () => {
    const seen = t.rooms.get(TOWNSHIP)!.seen
    const from = seen.messages.length
    await t.say(ADMIN, TOWNSHIP, '/导出 统计')
    const file = await seen.waitFor((m) => m.talkerId === BOT_ID && m.typeName === 'Attachment', 10_000, from)
    const box = FileBox.fromJSON(t.wechat.mocker.cacheFileBoxPayload.get(file.id)!)
    const book = new ExcelJS.Workbook()
    await book.xlsx.load((await box.toBuffer()) as unknown as ArrayBuffer)
    return book
  }

  it('/导出 统计 sends a workbook that holds the same numbers', async () => {
    const book = await exported()
    const summary = book.getWorksheet('汇总')!
    const township = new Map<string, number>()
    summary.eachRow((row) => {
      const figure = row.getCell(2).value
      const total = row.getCell(row.cellCount).result ?? row.getCell(row.cellCount).value
      if (typeof figure === 'string' && typeof total === 'number') township.set(`${row.getCell(1).value}/${figure}`, total)
    })
    expect(township.get('清运/垃圾')).toBe(710)
    expect(township.get('清运/边沟')).toBe(47.5)
    expect(township.get('清运/畜禽粪便')).toBe(93)
    expect(township.get('协议/门前三包')).toBe(800)
    expect(township.get('物资/30L垃圾桶')).toBe(685)
    expect(township.get('庭院/最美庭院')).toBe(255)
  })

  it('/导出 统计 gives every formula cell a cached result, 0 included', async () => {
    const blank: string[] = []
    for (const ws of (await exported()).worksheets)
      ws.eachRow((row) => row.eachCell((cell) => void (cell.formula && typeof cell.result !== 'number' && blank.push(`${ws.name}!${cell.address}`))))
    expect(blank).toEqual([])
  })
})
