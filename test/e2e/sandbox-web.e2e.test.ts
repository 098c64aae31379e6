// The browser sandbox in a real browser: Debian's Chromium driven by playwright-core against the
// web sandbox started in-process (its own temp database, the example township; pacing on, but at
// 1 s instead of WeChat's 3–5 s to keep the test quick). A village secretary files and completes a problem, sends a photo, the office exports the
// ledger, the clock jumps to Monday 08:00 and the weekly bulletin picture arrives. The README's
// screenshot (test/e2e/screenshots/sandbox.png) is taken here.
import { connect } from 'node:net'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../../src/log.ts'
import { startWebSandbox, type WebSandbox } from '../../src/sandbox/server.ts'
import { exampleConfig } from '../support/township.ts'

const CHROMIUM = '/usr/bin/chromium'
// In CI the browser must be there (.ci/run installs it): a missing one fails there, it is skipped only locally.
const skipBrowser = !existsSync(CHROMIUM) && !process.env.CI
if (skipBrowser) console.warn(`浏览器测试已跳过：本机没有 ${CHROMIUM}（apt-get install chromium 后即可运行；CI 中不会跳过）`)

const TOWNSHIP = '示范乡人居环境整治工作群'
const WEIHUA = '卫华村人居环境群'
const SCREENSHOT = resolve(import.meta.dirname, 'screenshots/sandbox.png')

let web: WebSandbox
let dir: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'renju-web-sandbox-'))
  web = await startWebSandbox({
    config: exampleConfig(),
    databaseUrl: 'file:' + join(dir, 'sandbox.sqlite'),
    photoDir: join(dir, 'photos'),
    port: 0,
    logger: createLogger('silent'),
    pacing: { sameGroupSeconds: 1, switchGroupMinSeconds: 1, switchGroupMaxSeconds: 1.5 },
    // Thursday 26 November 2026, 10:00 in the township: next Monday is the 30th.
    startAt: new Date('2026-11-26T02:00:00Z'),
  })
}, 30_000)

afterAll(async () => {
  await web?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe.skipIf(skipBrowser)('the browser sandbox, in Chromium', () => {
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    })
    page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    await page.goto(web.url)
    await page.locator('.group').first().waitFor()
  }, 30_000)

  afterAll(async () => {
    await browser?.close()
  })

  /** Types `text` into the composer and sends it with Enter. */
  async function say(text: string) {
    await page.fill('#text', text)
    await page.press('#text', 'Enter')
  }
  const botSays = (text: string) => page.locator('.msg.bot:not(.queued)', { hasText: text }).last()
  const group = (topic: string) => page.locator('.group', { hasText: topic })

  it('a village secretary files a problem and reports it done; the bot answers with its @-mention', async () => {
    await page.selectOption('#me', 'wxid_sec_weihua')
    await group(WEIHUA).click()
    await expect.poll(() => page.textContent('#title')).toBe(WEIHUA)

    await say('/问题 卫华村 三组路边垃圾堆放')
    const filed = botSays('已登记 #1')
    await filed.waitFor({ timeout: 10_000 })
    expect(await filed.locator('.bubble').innerText()).toMatch(/^@赵德明 /)
    expect(await filed.locator('.bubble .at').innerText()).toBe('@赵德明')
    // The secretary's own message is on the right, with the name and the sandbox time.
    const mine = page.locator('.msg.self', { hasText: '/问题 卫华村 三组路边垃圾堆放' })
    expect(await mine.locator('.meta').innerText()).toContain('赵德明 · 10:0')

    await say('/整改 卫华村 已完成')
    const done = botSays('待整改 → 已完成')
    await done.waitFor({ timeout: 10_000 })
    expect(await done.innerText()).toContain('@赵德明')
    expect(await done.innerText()).toContain('📋 卫华村台账')
  }, 30_000)

  it('a photo sent right after /问题 is paired with the problem', async () => {
    await say('/问题 卫华村 村口柴草垛占道')
    await botSays('已登记 #2').waitFor({ timeout: 10_000 })
    const photo = join(dir, '村口.jpg')
    writeFileSync(photo, await scenePhoto())
    await page.setInputFiles('#photo', photo)
    // The photo shows in the chat as sent, served back by the sandbox.
    const sent = page.locator('.msg.self[data-kind="image"] img').last()
    await sent.waitFor({ timeout: 10_000 })
    await expect.poll(() => sent.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(960)
    const paired = botSays('添加整改前照片 1 张')
    await paired.waitFor({ timeout: 15_000 })
    expect(await paired.innerText()).toContain('#2')
  }, 30_000)

  it('the 照片 button is one labelled control that opens the file chooser', async () => {
    // What assistive technology sees: one button named 照片, no second (hidden file input) control.
    const tree = await page.locator('#composer').ariaSnapshot()
    expect(tree.split('\n').filter((line) => line.includes('照片'))).toEqual([expect.stringMatching(/^\s*- button "照片"/)])
    const button = page.getByRole('button', { name: '照片', exact: true })
    expect(await button.count()).toBe(1)
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), button.click()])
    expect(chooser.isMultiple()).toBe(true)
    // On a phone the word is hidden, the name stays.
    await page.setViewportSize({ width: 390, height: 844 })
    expect(await page.getByRole('button', { name: '照片', exact: true }).count()).toBe(1)
    await page.setViewportSize({ width: 1440, height: 900 })
  }, 30_000)

  it('the office exports the ledger as an Excel file that downloads', async () => {
    await page.selectOption('#me', 'wxid_office_liu')
    await group(TOWNSHIP).click()
    await say('/导出 台账')
    const link = page.locator('.msg.bot a.file').last()
    await link.waitFor({ timeout: 15_000 })
    expect(await link.innerText()).toMatch(/整改台账.*\.xlsx/)
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()])
    expect(download.suggestedFilename()).toMatch(/^整改台账.*\.xlsx$/)
    const file = await download.path()
    expect(file && existsSync(file)).toBeTruthy()
  }, 30_000)

  it('moving the clock to Monday 08:00 brings the duty reminder, then the weekly bulletin with its picture, paced', async () => {
    await page.selectOption('#me', 'wxid_duty_wang')
    await page.locator('button.jump[data-to="monday"]').click()
    await expect.poll(() => page.textContent('#clock'), { timeout: 10_000 }).toContain('11月30日 周一 08:0')

    const text = botSays('周通报')
    await text.waitFor({ timeout: 15_000 })
    expect(await text.innerText()).toContain('11月23日')
    const picture = page.locator('.msg.bot[data-kind="image"] img').last()
    await picture.waitFor({ timeout: 15_000 })
    await expect.poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
    expect(await picture.getAttribute('alt')).toBe('周通报-2026-W48.png')
    // Paced: the 07:30 duty reminder and the 08:00 bulletin, queued together by the jump, go out
    // at least sameGroupSeconds apart (the bulletin's text and picture are one outgoing message).
    // Each shows the time it was due, not when the pacing let it go.
    expect(await botSays('值班领导：王乡长').locator('.meta').innerText()).toContain('07:30')
    expect(await text.locator('.meta').innerText()).toContain('08:00')
    const messages = await history(TOWNSHIP)
    const reminderSent = Date.parse(messages.find((m) => m.fromBot && m.text.includes('值班领导：王乡长'))!.sentAt!)
    const bulletinSent = Date.parse(messages.find((m) => m.fromBot && m.text.includes('周通报'))!.sentAt!)
    expect(bulletinSent - reminderSent).toBeGreaterThanOrEqual(950)

    // The week's duty leader, just reminded, verifies the finished problem.
    await say('/销号 1')
    await botSays('已销号').waitFor({ timeout: 15_000 })
    await page.evaluate(() => document.fonts.ready)
    mkdirSync(resolve(SCREENSHOT, '..'), { recursive: true })
    await page.screenshot({ path: SCREENSHOT })

    // On a phone the groups become a strip and the composer stays on screen.
    await page.setViewportSize({ width: 390, height: 844 })
    const send = await page.locator('#send').boundingBox()
    expect(send && send.y + send.height).toBeLessThanOrEqual(844)
    expect(await group(WEIHUA).isVisible()).toBe(true)
    await page.setViewportSize({ width: 1440, height: 900 })
  }, 40_000)
})

describe('the sandbox API', () => {
  const post = (path: string, body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
    fetch(web.url + path, { method: 'POST', headers, body: typeof body === 'string' || body instanceof FormData ? body : JSON.stringify(body) })
  const chinese = /[\u4e00-\u9fff]/

  it('refuses bad requests with 400 and a Chinese message, and keeps running', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['/api/say', {}, /缺少 group/],
      ['/api/say', '{not json', /JSON/],
      ['/api/say', { group: '没有的群', as: 'wxid_sec_weihua', text: '你好' }, /没有这个群/],
      ['/api/say', { group: WEIHUA, as: 'wxid_nobody', text: '你好' }, /沙盒里没有这个人/],
      ['/api/say', { group: TOWNSHIP, as: 'wxid_res_zhang', text: '你好' }, /张大爷 不在/],
      ['/api/say', { group: WEIHUA, as: 'wxid_sec_weihua', text: '   ' }, /不能为空/],
      ['/api/clock', { to: 'yesterday' }, /monday/],
      ['/api/photo', { group: WEIHUA, as: 'wxid_sec_weihua' }, /缺少 data/],
    ]
    for (const [path, body, message] of cases) {
      const res = await post(path, body)
      const json = (await res.json()) as { error: string }
      expect([path, res.status]).toEqual([path, 400])
      expect(json.error).toMatch(chinese)
      expect(json.error).toMatch(message)
    }
    const form = new FormData()
    form.append('group', WEIHUA)
    form.append('as', 'wxid_sec_weihua')
    form.append('file', new Blob([new Uint8Array(21 * 1024 * 1024)]), 'big.jpg')
    const big = await post('/api/photo', form, {})
    expect(big.status).toBe(413)
    expect(((await big.json()) as { error: string }).error).toContain('20 MB')
    const missing = await fetch(`${web.url}/files/nothing-here`)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { error: string }).error).toMatch(chinese)
    const state = await fetch(`${web.url}/api/state`)
    expect(state.status).toBe(200)
  })

  it('refuses an upload that is not a picture, whatever its name, and posts nothing', async () => {
    const history = async () =>
      ((await (await fetch(`${web.url}/api/messages?group=${encodeURIComponent(WEIHUA)}`)).json()) as { messages: unknown[] }).messages.length
    const before = await history()
    const form = new FormData()
    form.append('group', WEIHUA)
    form.append('as', 'wxid_sec_weihua')
    form.append('file', new Blob(['三组路边垃圾已清理\n'], { type: 'text/plain' }), '说明.txt')
    const text = await post('/api/photo', form, {})
    expect(text.status).toBe(400)
    expect(((await text.json()) as { error: string }).error).toMatch(/「说明\.txt」不是图片.*JPG/)
    // The name says JPEG, the bytes do not: the bytes decide.
    const named = await post('/api/photo', { group: WEIHUA, as: 'wxid_sec_weihua', name: 'photo.jpg', data: Buffer.from('not a picture at all').toString('base64') })
    expect(named.status).toBe(400)
    expect(((await named.json()) as { error: string }).error).toMatch(/「photo\.jpg」不是图片.*JPG、PNG/)
    // An image, but not a photo WeChat would send as one (an SVG is a document that runs scripts).
    const svg = await post('/api/photo', { group: WEIHUA, as: 'wxid_sec_weihua', name: 'logo.svg', data: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>').toString('base64') })
    expect(svg.status).toBe(400)
    expect(((await svg.json()) as { error: string }).error).toMatch(/SVG/)
    expect(await history()).toBe(before)
  })

  it('closes the connection after a 413, as its header says', async () => {
    // The body is refused unread: keep-alive would promise a socket that the server then closes.
    for (const path of ['/api/photo', '/api/say']) {
      const head = await rawPost(path, 30 * 1024 * 1024)
      expect(head, path).toMatch(/^HTTP\/1\.1 413/)
      expect(head, path).toMatch(/^connection: close$/im)
      expect(head, path).not.toMatch(/keep-alive/i)
    }
  })

  it('starts again from the example township on reset', async () => {
    expect((await post("/api/say", { group: WEIHUA, as: "wxid_grid_01", text: "/帮助" })).status).toBe(200)
    const reset = await post('/api/reset', {})
    expect(reset.status).toBe(200)
    const { messages } = (await (await fetch(`${web.url}/api/messages?group=${encodeURIComponent(WEIHUA)}`)).json()) as { messages: unknown[] }
    expect(messages).toEqual([])
    const { clock } = (await (await fetch(`${web.url}/api/state`)).json()) as { clock: { now: string; advancedMs: number } }
    expect(clock.advancedMs).toBe(0)
    expect(clock.now.slice(0, 10)).toBe('2026-11-26')
  }, 30_000)
})

interface Listed {
  id: string
  text: string
  at: string
  sentAt?: string
  queued?: boolean
  fromBot: boolean
}
async function history(group: string): Promise<Listed[]> {
  return ((await (await fetch(`${web.url}/api/messages?group=${encodeURIComponent(group)}`)).json()) as { messages: Listed[] }).messages
}

/** Starts a POST declaring `length` bytes, sends a little of it, and returns the response's head once the server closed the socket. */
function rawPost(path: string, length: number): Promise<string> {
  const { hostname, port } = new URL(web.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname)
    let data = ''
    socket.on('connect', () => {
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: keep-alive\r\n\r\n`)
      socket.write('{"group":"' + 'x'.repeat(1024))
    })
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')))
    // Resolves only when the server has closed the socket, as `Connection: close` says it will.
    socket.on('close', () => resolve(data.slice(0, data.indexOf('\r\n\r\n'))))
    socket.on('error', () => undefined)
    socket.setTimeout(10_000, () => (socket.destroy(), reject(new Error(`the server kept the socket open: ${data}`))))
  })
}

describe('fast-forward', () => {
  const post = (path: string, body: unknown) => fetch(web.url + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })
  const at = (iso: string) => new Date(iso).toISOString()

  it('stamps each scheduled message with the time it was due, and shows all of it (queued) once the clock has moved', async () => {
    expect((await post('/api/reset', {})).status).toBe(200) // Thursday 26 November, 10:00
    await post('/api/say', { group: WEIHUA, as: 'wxid_sec_weihua', text: '/问题 卫华村 三组路边垃圾堆放 限期2天' }) // due Saturday 28th
    await expect.poll(async () => (await history(WEIHUA)).some((m) => m.fromBot && m.text.includes('已登记 #1')), { timeout: 10_000 }).toBe(true)

    // → Monday 30 November 08:00, not waiting for the paced sends.
    expect((await post('/api/clock', { to: 'monday' })).status).toBe(200)
    let weihua = await history(WEIHUA)
    const soon = weihua.find((m) => m.fromBot && m.text.includes('还剩1天'))
    const overdue = weihua.find((m) => m.fromBot && m.text.includes('已逾期1天'))
    // Reminders follow the records at whichever scheduler time comes first (here the 03:00
    // backup's): due the day before the deadline, and the day after it; on the minute, not when sent.
    const deadline = Date.parse('2026-11-29T00:00:00+08:00')
    expect(soon?.at).toMatch(/^2026-11-2[67]T\d\d:\d\d:00\.000Z$/)
    expect(Date.parse(soon!.at)).toBeLessThan(deadline)
    expect(overdue?.at).toMatch(/^2026-11-2[89]T\d\d:\d\d:00\.000Z$/)
    expect(Date.parse(overdue!.at)).toBeGreaterThan(deadline)
    const township = await history(TOWNSHIP)
    expect(township.find((m) => m.text.includes('值班领导：'))?.at).toBe(at('2026-11-30T07:30:00+08:00'))
    expect(township.find((m) => m.text.includes('周通报'))?.at).toBe(at('2026-11-30T08:00:00+08:00'))

    // → Monday 7 December 08:00, past Wednesday's 10:00 tips.
    expect((await post('/api/clock', { to: 'monday' })).status).toBe(200)
    const tip = (await history(WEIHUA)).find((m) => m.fromBot && m.text.startsWith('📢'))
    expect(tip?.at).toBe(at('2026-12-02T10:00:00+08:00'))
    const { assistant } = await web.running()
    const rows = await assistant.db.outboxMessage.findMany({ where: { text: { startsWith: '📢' } }, select: { dueAt: true } })
    expect(rows.length).toBeGreaterThan(0)
    for (const row of rows) expect(row.dueAt?.toISOString()).toBe(at('2026-12-02T10:00:00+08:00'))

    // Once paced out, each keeps its due time and says when it actually went.
    await expect.poll(async () => (await history(WEIHUA)).some((m) => m.queued), { timeout: 60_000, interval: 500 }).toBe(false)
    weihua = await history(WEIHUA)
    const sentTip = weihua.find((m) => m.fromBot && m.text.startsWith('📢'))!
    expect(sentTip.at).toBe(at('2026-12-02T10:00:00+08:00'))
    expect(Date.parse(sentTip.sentAt!)).toBeGreaterThanOrEqual(Date.parse('2026-12-07T08:00:00+08:00'))
    // In every conversation the times only go forward: no "还剩1天" after the deadline.
    for (const list of [weihua, await history(TOWNSHIP)]) {
      const times = list.map((m) => Date.parse(m.at))
      expect(times).toEqual([...times].sort((a, b) => a - b))
    }
  }, 90_000)
})

/** A field-photo stand-in: sky, ground and a heap, as a JPEG. */
async function scenePhoto(): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="720">
    <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#8ec5ff"/><stop offset="1" stop-color="#dfefff"/></linearGradient></defs>
    <rect width="960" height="720" fill="url(#sky)"/>
    <rect y="430" width="960" height="290" fill="#9b8a6a"/>
    <path d="M0 430 L960 380 L960 460 L0 500 Z" fill="#b9a98a"/>
    <ellipse cx="520" cy="520" rx="210" ry="90" fill="#6d5a3f"/>
    <ellipse cx="470" cy="480" rx="120" ry="70" fill="#7e6a4b"/>
    <rect x="560" y="440" width="60" height="40" fill="#3b6fb6" transform="rotate(-12 590 460)"/>
    <rect x="420" y="470" width="44" height="30" fill="#e8e8e8" transform="rotate(8 440 485)"/>
    <rect x="120" y="250" width="14" height="190" fill="#6b4f32"/><circle cx="127" cy="230" r="70" fill="#4f8f3a"/>
  </svg>`
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer()
}
