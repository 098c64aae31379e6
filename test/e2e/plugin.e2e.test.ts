// The assistant as a plugin on a bot it did not build: someone's own Wechaty, already running
// and logged in, over the real gRPC transport, gets `bot.use(renjuAssistant(...))`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { WechatyBuilder, type Wechaty } from 'wechaty'
import { renjuAssistant } from '../../src/app.ts'
import { ResilientPuppetService } from '../../src/bot/puppet.ts'
import { createLogger } from '../../src/log.ts'
import { freshDatabaseUrl } from '../support/db.ts'
import { collectRoomMessages, quietWechatyLogs, startMockWechat, waitUntil, type MockWechat, type RoomMessageCollector, type RoomMock } from '../support/puppet-server.ts'
import { exampleConfig } from '../support/township.ts'

quietWechatyLogs()

const BOT_ID = 'wxid_someones_bot'
const WEIHUA = '卫华村人居环境群'
const SECRETARY = 'wxid_sec_weihua'

describe('renjuAssistant() on an existing Wechaty bot', () => {
  let wechat: MockWechat
  let bot: Wechaty
  let room: RoomMock
  let seen: RoomMessageCollector
  let databaseUrl: string
  /** What the host bot's own listener got: its other plugins keep working beside the assistant. */
  const hostSaw: string[] = []

  beforeEach(async () => {
    wechat = await startMockWechat()
    const { mocker } = wechat
    const config = exampleConfig()
    const botUser = mocker.createContact({ id: BOT_ID, name: '村里的机器人' })
    const people = config.people.map((p) => mocker.createContact({ id: p.wechatId, name: p.name }))
    room = mocker.createRoom({ topic: WEIHUA, memberIdList: [BOT_ID, ...people.map((p) => p.id)] })
    seen = collectRoomMessages(room, mocker)
    databaseUrl = freshDatabaseUrl()

    // The host's bot, built, started and logged in before the assistant exists.
    bot = WechatyBuilder.build({ name: 'someones-bot', puppet: new ResilientPuppetService(wechat.puppetOptions) })
    bot.on('message', (message) => void hostSaw.push(message.text()))
    bot.on('error', () => undefined)
    hostSaw.length = 0
    await bot.start()
    const loggedIn = new Promise<void>((resolve) => bot.once('login', () => resolve()))
    wechat.login(botUser)
    await loggedIn
  })

  afterEach(async () => {
    await bot.stop()
    await wechat.stop()
    rmSync(dirname(databaseUrl.slice('file:'.length)), { recursive: true, force: true })
  })

  const say = (text: string) => wechat.mocker.ContactMock.load(SECRETARY).say(text).to(room)
  const nextAnswer = (from: number) => seen.waitFor((m) => m.talkerId === BOT_ID, 15_000, from)

  it('answers in the group, including a message that came while it was still setting up, and stops answering once uninstalled', async () => {
    const config = exampleConfig()
    config.pacing = { ...config.pacing, sameGroupSeconds: 0, switchGroupMinSeconds: 0, switchGroupMaxSeconds: 0 }
    // A new database: the migrations run during set-up (a second or so), as for the README's
    // example on a first start, so the first message arrives while the plugin is still setting up.
    databaseUrl = 'file:' + join(mkdtempSync(join(tmpdir(), 'renju-plugin-')), 'new.sqlite')
    const plugin = renjuAssistant({ config, databaseUrl, logger: createLogger('silent'), schedule: false })
    let ready = false
    void plugin.ready().then(() => (ready = true))
    const uninstall = bot.use(plugin)

    let from = seen.messages.length
    say('/问题 卫华村 村口垃圾')
    await waitUntil(() => hostSaw.includes('/问题 卫华村 村口垃圾'), 5_000)
    expect(ready).toBe(false) // the message reached the bot before the assistant was set up
    const early = await nextAnswer(from)
    expect(early.text).toMatch(/^@赵德明 📝 已登记 #1 卫华村：村口垃圾/)
    expect(early.mentionIds).toEqual([SECRETARY])

    const assistant = await plugin.ready()
    from = seen.messages.length
    say('/问题 卫华村 河边杂物')
    expect((await nextAnswer(from)).text).toContain('📝 已登记 #2 卫华村：河边杂物')

    uninstall()
    await assistant.stop() // the same stop the uninstaller started; resolves once the database is closed
    from = seen.messages.length
    say('/问题 卫华村 再来一条')
    await waitUntil(() => hostSaw.includes('/问题 卫华村 再来一条'), 5_000)
    await new Promise((r) => setTimeout(r, 500))
    expect(seen.messages.slice(from).filter((m) => m.talkerId === BOT_ID)).toEqual([])
    expect(bot.isLoggedIn).toBe(true) // the host's bot runs on without it
  })

  it('installs on one bot only, and a failed set-up is reported through ready()', async () => {
    const plugin = renjuAssistant({ config: exampleConfig(), databaseUrl, logger: createLogger('silent'), migrate: false, schedule: false })
    const uninstall = bot.use(plugin)
    expect(() => bot.use(plugin)).toThrow(/只能装在一个机器人上/)
    const assistant = await plugin.ready()
    uninstall()
    await assistant.stop()

    const broken = renjuAssistant({ config: exampleConfig(), databaseUrl: 'file:/nonexistent/dir/x.sqlite', logger: createLogger('silent'), migrate: false })
    bot.use(broken)
    await expect(broken.ready()).rejects.toThrow()
  })
})
