// Setting a township up from WeChat, in the browser sandbox: a blank township (the example's
// villages, nobody registered, no groups), the admin code shown on the page, a new group the bot
// is pulled into (the provider's 'room-join'), /绑定, /我是 and /同意, an @-mention typed as
// "@名字", and a clerk's ledger sent as an .xlsx file, previewed with /导入 台账 and written by
// /确认导入 — through the HTTP API and in Debian's Chromium driven by playwright-core.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/log.ts'
import { startWebSandbox, withMentions, type WebSandbox } from '../../src/sandbox/server.ts'
import { exampleConfig } from '../support/township.ts'

const CHROMIUM = '/usr/bin/chromium'
const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI
const OFFICE = 'wxid_office_liu' // 刘主任: in the blank township a WeChat account like any other
const SECRETARY = 'wxid_sec_weihua' // 赵德明

let web: WebSandbox
let dir: string

interface State {
  start: string
  setup: { code: string; minutesLeft: number; usable: boolean } | null
  groups: { id: string; topic: string; scope: string | null; village: string | null; memberIds: string[] }[]
  people: { id: string; name: string; role: string; registered: boolean; villages: string[] }[]
}
interface Listed {
  id: string
  text: string
  fromBot: boolean
  kind: string
  mentions: { id: string; name: string }[]
  file?: { name: string }
}
const state = async () => (await (await fetch(`${web.url}/api/state`)).json()) as State
const history = async (group: string) =>
  ((await (await fetch(`${web.url}/api/messages?group=${encodeURIComponent(group)}`)).json()) as { messages: Listed[] }).messages
const post = (path: string, body: unknown) =>
  fetch(web.url + path, { method: 'POST', ...(body instanceof FormData ? { body } : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }) })
/** Waits for the bot's first message in `group` after `after` messages that contains `text`. */
async function botSaid(group: string, text: string, after = 0): Promise<string> {
  let found: Listed | undefined
  await expect
    .poll(async () => (found = (await history(group)).slice(after).find((m) => m.fromBot && m.text.includes(text))) !== undefined, { timeout: 15_000, interval: 100 })
    .toBe(true)
  return found!.text
}
/** Says `text` and waits for the bot's answer containing `expected`. */
async function ask(group: string, as: string, text: string, expected: string, answerIn = group): Promise<string> {
  const before = (await history(answerIn)).length
  const res = await post('/api/say', { group, as, text })
  expect(res.status, await res.clone().text()).toBe(200)
  return botSaid(answerIn, expected, before)
}

/** A clerk's ledger: a title row, its own column order and words. */
async function clerksLedger(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('问题台账')
  ws.addRow(['示范乡农村人居环境整治问题台账'])
  ws.addRow(['序号', '问题描述', '村名', '整改状态', '发现日期', '整改期限', '责任人'])
  const rows: [string, string, string][] = [
    ['三组路边垃圾堆放', '卫华村', '已完成'],
    ['村口柴草垛占道', '卫华村', '已完成'],
    ['江边畜禽粪便乱堆', '渔业村', '已完成'],
    ['边沟堵塞', '渔业村', '已销号'],
    ['庭院杂物', '卫华村', '未整改'],
    ['旱厕破损', '渔业村', '整改中'],
  ]
  rows.forEach(([what, village, status], i) => ws.addRow([i + 1, what, village, status, new Date(Date.UTC(2026, 9, 5 + i)), new Date(Date.UTC(2027, 0, 15)), `负责人${i}`]))
  return Buffer.from(await wb.xlsx.writeBuffer())
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'renju-web-setup-'))
  web = await startWebSandbox({
    config: exampleConfig(),
    databaseUrl: 'file:' + join(dir, 'sandbox.sqlite'),
    photoDir: join(dir, 'photos'),
    port: 0,
    logger: createLogger('silent'),
    pacing: { sameGroupSeconds: 0.3, switchGroupMinSeconds: 0.3, switchGroupMaxSeconds: 0.5, perMinute: 1000 },
    startAt: new Date('2026-11-26T02:00:00Z'),
  })
}, 30_000)

afterAll(async () => {
  await web?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('@-mentions typed in the composer', () => {
  const members = [
    { id: 'a', name: '王五' },
    { id: 'b', name: '王五六' },
    { id: 'bot', name: '整治助手' },
  ]
  it('become WeChat mentions: the id in the list, U+2005 after the name', () => {
    expect(withMentions('/任命 @王五 网格员', members)).toEqual({ text: '/任命 @王五\u2005网格员', mentionIds: ['a'] })
    expect(withMentions('@王五六 @整治助手 /帮助', members)).toEqual({ text: '@王五六\u2005@整治助手\u2005/帮助', mentionIds: ['b', 'bot'] })
    expect(withMentions('@王五', members)).toEqual({ text: '@王五', mentionIds: ['a'] })
    // Not a member's whole name, or not a member: plain text.
    expect(withMentions('@王五七 你好', members)).toEqual({ text: '@王五七 你好', mentionIds: [] })
    expect(withMentions('邮箱 a@b.com', members)).toEqual({ text: '邮箱 a@b.com', mentionIds: [] })
  })
})

describe('setting up a blank township through the sandbox API', () => {
  it('starts blank with the admin code on show; people, groups and files are refused in Chinese when wrong', async () => {
    expect((await post('/api/reset', { township: 'nowhere' })).status).toBe(400)
    expect((await post('/api/reset', { township: 'blank' })).status).toBe(200)
    const s = await state()
    expect(s.start).toBe('blank')
    expect(s.groups).toEqual([])
    expect(s.people.every((p) => !p.registered)).toBe(true)
    expect(s.people.map((p) => p.name)).toContain('刘主任')
    expect(s.setup).toMatchObject({ code: expect.stringMatching(/^\d{6}$/), minutesLeft: 30, usable: true })
    // The same code the assistant keeps (and would print at start).
    const { assistant } = await web.running()
    expect((await assistant.db.setupCode.findFirst({ orderBy: { id: 'desc' } }))?.code).toBe(s.setup!.code)

    const refused: [string, unknown, RegExp][] = [
      ['/api/person', {}, /缺少 name/],
      ['/api/person', { name: '  ' }, /名字应为/],
      ['/api/person', { name: '@王五' }, /名字应为/],
      ['/api/group', { as: OFFICE, members: [] }, /至少还要有一个人/],
      ['/api/group', { as: OFFICE, members: ['wxid_nobody'] }, /沙盒里没有这个人/],
      ['/api/group', { as: 'wxid_nobody' }, /沙盒里没有这个人/],
      ['/api/file', { group: 'private', as: OFFICE }, /缺少 data（base64 编码的 \.xlsx 文件）/],
      ['/api/file', { group: 'private', as: OFFICE, name: '说明.txt', data: Buffer.from('垃圾已清理').toString('base64') }, /「说明\.txt」不是 \.xlsx 表格/],
      ['/api/file', { group: 'private', as: OFFICE, name: '台账.xlsx', data: Buffer.from('不是表格').toString('base64') }, /「台账\.xlsx」不是有效的 \.xlsx 文件/],
      ['/api/file', { group: 'private', as: OFFICE, name: '台账.xls', data: Buffer.from('PK\x03\x04').toString('base64') }, /不是 \.xlsx 表格/],
    ]
    for (const [path, body, message] of refused) {
      const res = await post(path, body)
      expect([path, res.status]).toEqual([path, 400])
      expect(((await res.json()) as { error: string }).error).toMatch(message)
    }
    const form = new FormData()
    form.append('group', 'private')
    form.append('as', OFFICE)
    form.append('file', new Blob(['a,b\n1,2\n'], { type: 'text/csv' }), '名单.csv')
    const csv = await post('/api/file', form)
    expect(csv.status).toBe(400)
    expect(((await csv.json()) as { error: string }).error).toMatch(/「名单\.csv」不是 \.xlsx 表格/)
    expect(await history(`private:${OFFICE}`)).toEqual([])
  })

  it('admin code → new group (the admin is told) → /绑定 → /任命 by a typed @-mention → /导出 人员模板', async () => {
    expect((await post('/api/reset', { township: 'blank' })).status).toBe(200)
    const { setup } = await state()
    expect(await ask('private', OFFICE, `/管理员 ${setup!.code}`, '您已成为示范乡的乡办公室管理员', `private:${OFFICE}`)).toContain('刘主任')
    expect((await state()).setup).toBeNull()

    const made = await post('/api/group', { as: OFFICE, topic: '卫华村人居环境群', members: [SECRETARY, 'wxid_grid_01'] })
    expect(made.status).toBe(200)
    const group = (await made.json()) as { id: string; memberIds: string[] }
    expect(group.memberIds).toEqual(['wxid_renju_assistant', OFFICE, SECRETARY, 'wxid_grid_01'])
    expect(await botSaid(`private:${OFFICE}`, '助手被拉进了「卫华村人居环境群」（4 人）')).toContain('/绑定 村名')
    expect((await state()).groups).toEqual([expect.objectContaining({ id: group.id, topic: '卫华村人居环境群', scope: null })])
    expect((await post('/api/group', { as: OFFICE, topic: '卫华村人居环境群', members: [SECRETARY] })).status).toBe(400)

    // Unbound: the bot hears nothing but /绑定 there.
    await post('/api/say', { group: group.id, as: SECRETARY, text: '/帮助' })
    expect(await ask(group.id, OFFICE, '/绑定 卫华村', '已把本群绑定为卫华村的村级群')).toBeTruthy()
    expect((await history(group.id)).filter((m) => m.fromBot)).toHaveLength(1)
    expect((await state()).groups[0]).toMatchObject({ scope: 'village', village: '卫华村' })

    const res = await post('/api/say', { group: group.id, as: OFFICE, text: '/任命 @赵德明 村书记 卫华村' })
    expect(((await res.json()) as { mentionIds: string[] }).mentionIds).toEqual([SECRETARY])
    expect(await botSaid(group.id, '已任命 赵德明 为村书记 卫华村')).toBeTruthy()
    const sent = (await history(group.id)).find((m) => m.text.startsWith('/任命'))!
    expect(sent.text).toBe('/任命 @赵德明\u2005村书记 卫华村')
    expect(sent.mentions).toEqual([{ id: SECRETARY, name: '赵德明' }])
    expect((await state()).people.find((p) => p.id === SECRETARY)).toMatchObject({ registered: true, role: 'village', villages: ['卫华村'] })

    const before = (await history(group.id)).length
    await post('/api/say', { group: group.id, as: OFFICE, text: '/导出 人员模板' })
    await expect.poll(async () => (await history(group.id)).slice(before).find((m) => m.kind === 'file')?.file?.name, { timeout: 15_000 }).toBe('人员名单模板.xlsx')
  }, 60_000)
})

describe.skipIf(skipBrowser)('setting up a blank township in Chromium', () => {
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    expect((await post('/api/reset', {})).status).toBe(200) // the example township, as `npm start` begins
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] })
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    await page.goto(web.url)
    await page.locator('.group').first().waitFor()
  }, 30_000)

  afterAll(async () => {
    await browser?.close()
  })

  async function say(text: string) {
    await page.fill('#text', text)
    await page.press('#text', 'Enter')
  }
  const botSays = (text: string) => page.locator('.msg.bot:not(.queued)', { hasText: text }).last()
  const group = (topic: string) => page.locator('.group', { hasText: topic })
  const privateChat = () => page.locator('.group', { hasText: '私聊 ·' })

  it('blank township → admin code from the page → 新群 → /绑定 → /我是 + /同意 → .xlsx ledger → /导入 台账 → /确认导入 → /统计', async () => {
    // From scratch: the reset asks where to start.
    await page.click('#reset')
    await page.getByRole('button', { name: /空白乡镇（从零开始）/ }).click()
    await page.locator('#setupCode').waitFor({ timeout: 15_000 })
    const code = (await page.textContent('#setupCode'))!
    expect(code).toMatch(/^\d{6}$/)
    expect(await page.textContent('#setup')).toContain(`首次使用：请用乡办公室管理员的微信私聊助手发送 /管理员 ${code}（30 分钟内有效）`)
    expect(await page.locator('.group:not(.new-group)').count()).toBe(1) // only the private chat: no groups yet

    // The office's WeChat sends the code privately.
    await page.selectOption('#me', OFFICE)
    await page.click('#setupFill')
    // The button first opens the private chat, then fills the composer.
    await expect.poll(() => page.inputValue('#text')).toBe(`/管理员 ${code}`)
    await page.press('#text', 'Enter')
    await botSays('您已成为示范乡的乡办公室管理员').waitFor({ timeout: 15_000 })
    await page.locator('#setup').waitFor({ state: 'hidden', timeout: 10_000 })
    await expect.poll(() => page.locator('#me option:checked').textContent()).toBe('刘主任（乡办公室管理员）')

    // Someone new in WeChat.
    page.once('dialog', (dialog) => void dialog.accept('王小五'))
    await page.selectOption('#me', '__new__')
    await expect.poll(() => page.locator('#me option:checked').textContent()).toBe('王小五（未登记）')
    await page.selectOption('#me', OFFICE)

    // The office makes a group with everyone and pulls the bot in.
    await page.click('#newGroup')
    await page.fill('#groupTopic', '卫华村人居环境群')
    expect(await page.locator('#groupMembers input:checked').count()).toBeGreaterThan(10)
    await page.click('#groupCreate')
    await expect.poll(() => page.textContent('#title')).toBe('卫华村人居环境群')
    expect(await group('卫华村人居环境群').getAttribute('class')).toContain('unbound')
    expect(await page.textContent('#subtitle')).toContain('未绑定')
    // The admin hears of it privately.
    await privateChat().click()
    await botSays('助手被拉进了「卫华村人居环境群」').waitFor({ timeout: 15_000 })

    await group('卫华村人居环境群').click()
    await say('/绑定 卫华村')
    await botSays('已把本群绑定为卫华村的村级群').waitFor({ timeout: 15_000 })
    await expect.poll(() => group('卫华村人居环境群').getAttribute('class')).not.toContain('unbound')
    expect(await page.textContent('#subtitle')).toContain('卫华村村级群')

    // An appointment by @-mention, typed as in WeChat.
    await say('/任命 @赵德明 村书记 卫华村')
    await botSays('已任命 赵德明 为村书记 卫华村').waitFor({ timeout: 15_000 })
    expect(await page.locator('.msg.self', { hasText: '/任命' }).locator('.at').innerText()).toBe('@赵德明')

    // The newcomer applies; the office agrees privately; the newcomer is a grid worker at once.
    await page.selectOption('#me', { label: '王小五（未登记）' })
    await say('/我是 卫华村 网格员')
    await botSays('已收到您的申请（1 号）').waitFor({ timeout: 15_000 })
    await page.selectOption('#me', OFFICE)
    await privateChat().click()
    await botSays('王小五申请为卫华村网格员').waitFor({ timeout: 15_000 })
    await say('/同意 1')
    await botSays('已同意 1 号申请').waitFor({ timeout: 15_000 })
    await expect.poll(() => page.locator('#me').evaluate((sel: HTMLSelectElement) => [...sel.options].map((o) => o.text)), { timeout: 10_000 }).toContain('王小五（网格员 · 卫华村）')

    // The old ledger: the 文件 button sends the .xlsx to the bot.
    const ledger = join(dir, '示范乡整改台账.xlsx')
    writeFileSync(ledger, await clerksLedger())
    expect(await page.getByRole('button', { name: '文件', exact: true }).count()).toBe(1)
    await page.setInputFiles('#file', ledger)
    await page.locator('.msg.self a.file', { hasText: '示范乡整改台账.xlsx' }).waitFor({ timeout: 10_000 })
    await botSays('收到「示范乡整改台账.xlsx」').waitFor({ timeout: 15_000 })
    await say('/导入 台账')
    const preview = botSays('将导入 6 个问题')
    await preview.waitFor({ timeout: 15_000 })
    expect(await preview.innerText()).toMatch(/已完成 3，已销号 1/)
    await say('/确认导入')
    await botSays('已从「示范乡整改台账.xlsx」导入 6 个问题').waitFor({ timeout: 15_000 })

    await group('卫华村人居环境群').click()
    await say('/统计')
    const stats = botSays('汇集问题 6 条')
    await stats.waitFor({ timeout: 15_000 })
    expect(await stats.innerText()).toContain('已完成整改 4 条（已销号 1）')
  }, 120_000)

  it('the 文件 button is one labelled control; a file that is not .xlsx is refused on the page', async () => {
    const tree = await page.locator('#composer').ariaSnapshot()
    expect(tree.split('\n').filter((line) => line.includes('文件'))).toEqual([expect.stringMatching(/^\s*- button "文件"/)])
    const notes = join(dir, '说明.txt')
    writeFileSync(notes, '三组路边垃圾已清理\n')
    await page.setInputFiles('#file', notes)
    await expect.poll(() => page.textContent('#hint')).toMatch(/「说明\.txt」不是 \.xlsx 表格/)
    expect(await page.getAttribute('#hint', 'class')).toContain('error')
  }, 30_000)
})
