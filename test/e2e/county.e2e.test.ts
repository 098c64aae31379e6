// A county of three townships, each on its own bot account and its own records, over the real
// puppet-service transport: each township sees only its own ledger; the county group sees all.
import ExcelJS from 'exceljs'
import { FileBox } from 'file-box'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Provider } from '../../src/db/index.ts'
import { providers } from '../support/db.ts'
import { COUNTY_BOT_ID, COUNTY_OFFICE, exampleCounty, startWireCounty, type WireCounty } from '../support/wire-county.ts'

const COUNTY_GROUP = '示范县人居环境整治工作群'

describe.each(providers)('a county of three townships on three bot accounts (%s)', (provider: Provider) => {
  let c: WireCounty
  beforeAll(async () => {
    const county = exampleCounty()
    // Every minute, so that a check now finds it due (the timers themselves are not run in tests).
    county.county.schedules.weeklyBulletin = '* * * * *'
    c = await startWireCounty(county, { provider, newcomers: [{ id: 'wxid_county_li', name: '县人居办李' }] })
    // 东乡: three problems, two done. 西乡: two, none done. 南乡: one, done.
    const file = async (who: string, topic: string, village: string, what: string) => (await c.say(who, topic, `/问题 ${village} ${what}`)).text
    expect(await file('wxid_dongxiang_sec1', '东一村人居环境群', '东一村', '路边垃圾')).toContain('已登记 #1 ')
    expect(await file('wxid_dongxiang_sec1', '东一村人居环境群', '东一村', '柴草乱堆')).toContain('已登记 #2 ')
    expect(await file('wxid_dongxiang_sec2', '东二村人居环境群', '东二村', '污水横流')).toContain('已登记 #3 ')
    await c.say('wxid_dongxiang_sec1', '东一村人居环境群', '/整改 1 已完成')
    await c.say('wxid_dongxiang_sec1', '东一村人居环境群', '/整改 2 已完成')
    // Numbers start at 1 in each township: its ledger is its own.
    expect(await file('wxid_xixiang_sec1', '西一村人居环境群', '西一村', '垃圾堆放')).toContain('已登记 #1 ')
    expect(await file('wxid_xixiang_sec2', '西二村人居环境群', '西二村', '乱搭乱建')).toContain('已登记 #2 ')
    expect(await file('wxid_nanxiang_sec1', '南一村人居环境群', '南一村', '畜禽散养')).toContain('已登记 #1 ')
    await c.say('wxid_nanxiang_sec1', '南一村人居环境群', '/整改 1 已完成')
  }, 120_000)
  afterAll(() => { if (process.env.SHOW) console.log(c.botMessages(COUNTY_GROUP).map((m) => m.text).join('\n---\n')); return c?.close() })

  it('each township counts only its own records', async () => {
    expect((await c.say('wxid_xixiang_admin', '西乡人居环境整治工作群', '/统计')).text).toMatch(/西乡整改统计：汇集问题 2 条，已完成整改 0 条/)
    expect((await c.say('wxid_dongxiang_admin', '东乡人居环境整治工作群', '/统计')).text).toMatch(/东乡整改统计：汇集问题 3 条，已完成整改 2 条/)
    // Another township's village is not this township's.
    const other = (await c.say('wxid_xixiang_admin', '西乡人居环境整治工作群', '/台账 东一村')).text
    expect(other).not.toContain('路边垃圾')
    // Each township's records are in its own database: 西乡's problem 1 is its own.
    const west = await c.township('xixiang').db.problem.findMany({ select: { village: true } })
    expect(west.map((p) => p.village).sort()).toEqual(['西一村', '西二村'])
  })

  it('/统计 全县 in the county group adds up the townships, one line each', async () => {
    const text = (await c.say(COUNTY_OFFICE, COUNTY_GROUP, '/统计 全县')).text
    expect(text).toContain('示范县')
    expect(text).toMatch(/汇集问题 6 条/)
    expect(text).toMatch(/已完成整改 3 条/)
    for (const name of ['东乡', '西乡', '南乡']) expect(text).toContain(name)
    expect((await c.say(COUNTY_OFFICE, COUNTY_GROUP, '/统计')).text).toBe(text)
  })

  it('/统计 某某乡 in the county group gives that township alone', async () => {
    const text = (await c.say(COUNTY_OFFICE, COUNTY_GROUP, '/统计 西乡')).text
    expect(text).toMatch(/西乡/)
    expect(text).toMatch(/汇集问题 2 条/)
    expect(text).not.toContain('东一村')
    expect((await c.say(COUNTY_OFFICE, COUNTY_GROUP, '/统计 北乡')).text).toContain('没有「北乡」这个乡镇')
  })

  it('/排名 in the county group ranks the townships by the assessment formula', async () => {
    const text = (await c.say(COUNTY_OFFICE, COUNTY_GROUP, '/排名')).text
    const order = ['南乡', '东乡', '西乡'].map((name) => text.indexOf(name))
    expect(order.every((at) => at >= 0), text).toBe(true)
    expect([...order].sort((a, b) => a - b), text).toEqual(order)
  })

  it('a township command in the county group is not run there; the county office alone cannot act on a township', async () => {
    expect((await c.say(COUNTY_OFFICE, COUNTY_GROUP, '/问题 东一村 路边垃圾')).text).toContain('县级工作群里可以用：')
    expect(await c.township('dongxiang').db.problem.count()).toBe(3)
  })

  it('the serving township’s admin names a county office person in the county group, and only there', async () => {
    const LI = 'wxid_county_li' // in the county group from the start, with no role
    const appoint = (topic: string, text: string, who: string) => c.say('wxid_dongxiang_admin', topic, text, 10_000, [who]).then((m) => m.text)
    expect(await appoint(COUNTY_GROUP, '/任命 @县人居办李\u2005村书记 东一村', LI)).toContain('县级工作群里只任命县级人员')
    expect(await appoint('东乡人居环境整治工作群', '/任命 @东一村书记\u2005县级人员', 'wxid_dongxiang_sec1')).toContain('县级人员请在县级工作群里任命')
    expect(await appoint(COUNTY_GROUP, '/任命 @县人居办李\u2005县级人员', LI)).toContain('已任命 县人居办李 为县级人员')
    const host = c.township('dongxiang').db
    expect(await host.person.findUnique({ where: { wechatId: LI }, select: { role: true } })).toEqual({ role: 'county' })
    // The township secretary named by mistake above kept the role they had.
    expect(await host.person.findUnique({ where: { wechatId: 'wxid_dongxiang_sec1' }, select: { role: true } })).toEqual({ role: 'village' })
    // As the county office, the newcomer gets the county's figures; a township command stays refused.
    expect((await c.say(LI, COUNTY_GROUP, '/统计')).text).toMatch(/示范县整改统计/)
    expect((await c.say(LI, COUNTY_GROUP, '/问题 东一村 路边垃圾')).text).toContain('县级工作群里可以用：')
    expect(await appoint(COUNTY_GROUP, '/免职 @县人居办李', LI)).toContain('已免去 县人居办李 的县级人员身份')
    expect(await host.person.findUnique({ where: { wechatId: LI } })).toBeNull()
  })

  it('/导出 统计 in the county group sends a summary sheet and a sheet per township', async () => {
    const seen = c.rooms.get(COUNTY_GROUP)!.seen
    const from = seen.messages.length
    await c.say(COUNTY_OFFICE, COUNTY_GROUP, '/导出 统计')
    const file = await seen.waitFor((m) => m.talkerId === COUNTY_BOT_ID && m.typeName === 'Attachment', 20_000, from)
    const book = new ExcelJS.Workbook()
    await book.xlsx.load((await FileBox.fromJSON(c.wechatOf(COUNTY_GROUP).mocker.cacheFileBoxPayload.get(file.id)!).toBuffer()) as unknown as ArrayBuffer)
    const names = book.worksheets.map((w) => w.name)
    expect(names.slice(1)).toEqual(['东乡', '西乡', '南乡'])
    const summary = book.worksheets[0]!
    const rowOf = (name: string) => summary.getRows(1, summary.rowCount)!.find((r) => r.getCell(1).value === name)
    expect(rowOf('西乡')?.values).toBeDefined()
    // The 西乡 sheet lists only 西乡's villages.
    const west = book.getWorksheet('西乡')!
    const cells = west.getSheetValues().flat().map(String).join(' ')
    expect(cells).toContain('西一村')
    expect(cells).not.toContain('东一村')
  })

  it('the county weekly bulletin goes to the county group once, with its picture', async () => {
    const host = c.township('dongxiang')
    await host.services.schedule.check()
    await host.services.schedule.check()
    const seen = c.rooms.get(COUNTY_GROUP)!.seen
    await seen.waitFor((m) => m.talkerId === COUNTY_BOT_ID && m.typeName === 'Image', 20_000)
    await new Promise((r) => setTimeout(r, 500))
    const posts = c.botMessages(COUNTY_GROUP)
    expect(posts.filter((m) => m.typeName === 'Image')).toHaveLength(1)
    expect(posts.filter((m) => m.text.includes('周通报'))).toHaveLength(1)
    // The townships' own groups got no county post.
    expect(c.botMessages('西乡人居环境整治工作群').some((m) => m.text.includes('全县'))).toBe(false)
  })
})

describe('two townships on one bot account (sqlite)', () => {
  let c: WireCounty
  beforeAll(async () => {
    c = await startWireCounty(exampleCounty(), { provider: 'sqlite', accounts: [['dongxiang', 'xixiang'], ['nanxiang']] })
  }, 120_000)
  afterAll(() => c?.close())

  it('each township takes its own groups’ messages and keeps its own numbers', async () => {
    expect((await c.say('wxid_dongxiang_sec1', '东一村人居环境群', '/问题 东一村 路边垃圾')).text).toContain('已登记 #1 ')
    expect((await c.say('wxid_xixiang_sec1', '西一村人居环境群', '/问题 西一村 垃圾堆放')).text).toContain('已登记 #1 ')
    expect((await c.say('wxid_xixiang_sec1', '西一村人居环境群', '/问题 西一村 柴草乱堆')).text).toContain('已登记 #2 ')
    expect(await c.township('dongxiang').db.problem.count()).toBe(1)
    expect(await c.township('xixiang').db.problem.count()).toBe(2)
    expect((await c.say('wxid_dongxiang_admin', '东乡人居环境整治工作群', '/统计')).text).toMatch(/东乡整改统计：汇集问题 1 条/)
    expect((await c.say('wxid_xixiang_admin', '西乡人居环境整治工作群', '/统计')).text).toMatch(/西乡整改统计：汇集问题 2 条/)
    // One answer per message on the shared account: nothing doubled.
    expect(c.botMessages('西一村人居环境群')).toHaveLength(2)
  })
})

describe.each(providers)('two townships on one bot account keep the account’s pace (%s)', (provider: Provider) => {
  const SWITCH_MS = 1000
  let c: WireCounty
  beforeAll(async () => {
    const county = exampleCounty()
    // A pause when switching groups, none within one: what is measured is the account's switches.
    for (const t of county.townships) t.config.pacing = { ...t.config.pacing, switchGroupMinSeconds: SWITCH_MS / 1000, switchGroupMaxSeconds: SWITCH_MS / 1000 }
    c = await startWireCounty(county, { provider, accounts: [['dongxiang', 'xixiang'], ['nanxiang']] })
  }, 120_000)
  afterAll(() => c?.close())

  it('pauses between groups of different townships as between groups of one, and sends one message at a time', async () => {
    const burst = [
      ...['路边垃圾', '柴草乱堆', '污水横流'].map((what) => c.say('wxid_dongxiang_sec1', '东一村人居环境群', `/问题 东一村 ${what}`, 30_000)),
      ...['垃圾堆放', '乱搭乱建', '畜禽散养'].map((what) => c.say('wxid_xixiang_sec1', '西一村人居环境群', `/问题 西一村 ${what}`, 30_000)),
    ]
    await Promise.all(burst)
    await expect.poll(() => c.botMessages('东一村人居环境群').length + c.botMessages('西一村人居环境群').length, { timeout: 30_000 }).toBe(6)
    const sent = [...c.botMessages('东一村人居环境群').map((m) => ({ ...m, room: '东' })), ...c.botMessages('西一村人居环境群').map((m) => ({ ...m, room: '西' }))].sort((a, b) => a.timestamp - b.timestamp)
    const switches = sent.slice(1).flatMap((m, i) => (m.room !== sent[i]!.room ? [m.timestamp - sent[i]!.timestamp] : []))
    // Each township's outbox on its own would switch with no pause at all.
    expect(switches.length).toBeGreaterThan(0)
    for (const gap of switches) expect(gap).toBeGreaterThanOrEqual(SWITCH_MS - 200)
    // The burst came right after login, before the groups were bound: each still reached its own township.
    expect(await c.township('dongxiang').db.problem.count()).toBe(3)
    expect(await c.township('xixiang').db.problem.count()).toBe(3)
    if (provider === 'postgresql') {
      // One sending lease for the account, kept with its first township: one process sends for both.
      expect(await c.township('dongxiang').db.sendingLease.count()).toBe(1)
      expect(await c.township('xixiang').db.sendingLease.count()).toBe(0)
    }
  }, 60_000)
})
