// The campaign by message, through the dispatcher: figures with units as people write them,
// roles and scope, running totals, courtyards and funds, undo and correction, /统计 and /导出.
import ExcelJS from 'exceljs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { syntheticJpeg } from './photos/synth.ts'
import { ADMIN, dispatcherFixture, OTHER_SECRETARY, RESIDENT, SECRETARY, SUPERVISOR } from './support/dispatcher.ts'

type Fixture = Awaited<ReturnType<typeof dispatcherFixture>>
const V = '卫华村'

describe('campaign records by message', () => {
  let f: Fixture
  beforeEach(async () => {
    f = await dispatcherFixture()
  })
  afterEach(() => f.close())

  it('records clearance with units converted, and answers with the village and township totals', async () => {
    const reply = await f.say(SECRETARY, '/清运 卫华村 垃圾12吨 边沟500米 柴草垛3处 畜禽粪便 2 吨', V)
    expect(reply).toContain('🚛 已记录 卫华村清运（记录 1）：垃圾12吨、边沟0.5公里、柴草垛3处、畜禽粪便2吨')
    await f.say(OTHER_SECRETARY, '/清运 垃圾十二吨', '渔业村')
    const second = await f.say(SECRETARY, '清运 垃圾0.5吨', V)
    expect(second).toContain('卫华村累计：垃圾12.5吨、边沟0.5公里、柴草垛3处、畜禽粪便2吨')
    expect(second).toContain('示范乡累计：垃圾24.5吨、边沟0.5公里、柴草垛3处、畜禽粪便2吨')
  })

  it('says what was wrong with a unit or a name, and how to write it', async () => {
    expect(await f.say(SECRETARY, '/清运 柴草垛3吨', V)).toContain('「柴草垛」按处计，不能用「吨」')
    expect(await f.say(SECRETARY, '/清运 垃圾袋3个', V)).toContain('不是清运的项目')
    expect(await f.say(SECRETARY, '/清运 很多垃圾', V)).toContain('没看懂')
    expect(await f.say(SECRETARY, '/清运', V)).toContain('请写明数量')
    expect(await f.db.campaignRecord.count()).toBe(0)
  })

  it('keeps each secretary to their own village and residents to asking', async () => {
    expect(await f.say(OTHER_SECRETARY, '/清运 卫华村 垃圾1吨', '渔业村')).toContain('不能处理卫华村的记录')
    expect(await f.say(RESIDENT, '/清运 垃圾1吨', V)).toContain('抱歉，/清运 只有')
    expect(await f.say(RESIDENT, '/统计 清运', V)).toContain('示范乡清运')
    expect(await f.say(SUPERVISOR, '/清运 渔业村 垃圾1吨')).toContain('已记录 渔业村清运')
  })

  it('records activities by name, with plants counted whatever they are called', async () => {
    await f.say(ADMIN, '/活动 爱国卫生月 出动1300余人次 车辆300车次 道路45公里 边沟5000多延长米 栅栏46处 杂草2024延长米')
    const green = await f.say(ADMIN, '/活动 绿化种植周 志愿者175人 小叶丁香20万株 白色垃圾近20立方米')
    expect(green).toContain('已记录「绿化种植周」（记录 2）：志愿者175人、小叶丁香20万株、白色垃圾20立方米')
    const stats = await f.say(ADMIN, '/统计 活动')
    expect(stats).toContain('出动1300人次、车辆300车次、道路45公里、边沟5000延长米、栅栏46处、杂草2024延长米')
  })

  it('registers a model courtyard with its reward, ranking, fund balance and photo', async () => {
    expect(await f.say(ADMIN, '/资金 卫华村 拨付10000元')).toContain('卫华村专项资金：拨付 10000元，奖励支出 0元（含最美庭院奖励），余额 10000元')
    const reply = await f.say(SECRETARY, '/庭院 王某某 贫困户', V)
    expect(reply).toContain('已登记最美庭院：卫华村 王某某（贫困户，奖励 2024元')
    expect(reply).toContain('卫华村最美庭院 1 户，全乡第 1 名；专项资金余额 7976元')
    await f.sendPhoto(SECRETARY, await syntheticJpeg(5, 640, 480), V)
    await new Promise((r) => setTimeout(r, 150))
    expect(f.notices.at(-1)?.text).toBe('已为 最美庭院（记录 2）添加照片 1 张')
    await f.say(OTHER_SECRETARY, '/庭院 李某 一般户', '渔业村')
    await f.say(OTHER_SECRETARY, '/庭院 赵某 一般户', '渔业村')
    expect(await f.say(RESIDENT, '/排名 庭院', V)).toContain('1. 渔业村 2 户\n2. 卫华村 1 户')
    expect(await f.say(ADMIN, '/资金 卫华村 奖励500元')).toContain('奖励支出 2524元（含最美庭院奖励），余额 7476元')
  })

  it('undoes the sender\'s own last record, and lets an admin correct any record with history', async () => {
    await f.say(SECRETARY, '/清运 垃圾12吨', V)
    await f.say(SECRETARY, '/清运 垃圾120吨', V)
    expect(await f.say(SECRETARY, '/撤销', V)).toBe('↩️ 已撤销记录 2（清运 卫华村：垃圾120吨），不再计入统计。')
    expect(await f.say(ADMIN, '/统计 卫华村 清运')).toBe('卫华村清运：垃圾12吨')
    expect(await f.say(SECRETARY, '/更正 1 垃圾15吨', V)).toContain('只有乡办公室管理员可以使用')
    expect(await f.say(ADMIN, '/更正 1 垃圾15吨')).toBe('✏️ 已更正记录 1（清运 卫华村）：垃圾12吨 → 垃圾15吨')
    expect(await f.db.recordCorrection.findFirst()).toMatchObject({ before: '垃圾12吨', after: '垃圾15吨', actorName: '刘主任' })
    expect(await f.say(ADMIN, '/统计 清运')).toContain('示范乡清运：垃圾15吨')
    f.clock.advanceDays(1)
    expect(await f.say(SECRETARY, '/撤销', V)).toContain('没有可撤销的记录')
  })

  it('links the problems filed in the same sitting to an inspection', async () => {
    await f.say(SUPERVISOR, '/问题 卫华村 村口垃圾', V)
    const inspection = await f.say(SUPERVISOR, '/巡查 卫华村 渔业村 发现问题2处', V)
    expect(inspection).toContain('已记录巡查督导（记录 1）：卫华村、渔业村，发现问题 2 处')
    expect(inspection).toContain('关联刚登记的问题：#1')
    expect(await f.say(SUPERVISOR, '/问题 渔业村 江边柴草垛')).toContain('已记为巡查（记录 1）发现的问题。')
    expect(await f.db.recordProblem.count({ where: { recordId: 1 } })).toBe(2)
    await f.say(ADMIN, '/会议 人居环境整治推进会')
    expect(await f.say(ADMIN, '/统计')).toContain('（一）推进会议 1 次，巡查督导 1 次')
  })

  it('exports the ledger and the statistics as Excel files that hold the same numbers', async () => {
    await f.say(SECRETARY, '/问题 三组路边垃圾堆放', V)
    await f.say(SECRETARY, '/清运 垃圾12吨 边沟0.5公里', V)
    await f.say(OTHER_SECRETARY, '/清运 垃圾8吨', '渔业村')
    const ledger = await f.sayFull(ADMIN, '/导出 台账')
    expect(ledger?.text).toMatch(/^📎 台账已导出为 Excel/)
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(ledger!.file!.data as unknown as ArrayBuffer)
    expect(book.getWorksheet('整改台账')!.getRow(2).getCell(6).value).toBe('三组路边垃圾堆放')
    const stats = await f.sayFull(ADMIN, '/导出 统计')
    const statsBook = new ExcelJS.Workbook()
    await statsBook.xlsx.load(stats!.file!.data as unknown as ArrayBuffer)
    const sheet = statsBook.getWorksheet('清运')!
    const totalRow = sheet.getRow(4)
    expect(totalRow.getCell(1).value).toBe('合计')
    expect(totalRow.getCell(5).result).toBe(20)
    expect(await f.say(SECRETARY, '/导出 统计', V)).toContain('全乡统计请乡办公室导出')
  })
})
