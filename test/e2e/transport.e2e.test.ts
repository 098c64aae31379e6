/**
 * End-to-end: a real Wechaty bot (PuppetService gRPC client) against a mock WeChat
 * (PuppetMock served by PuppetServer) over 127.0.0.1 — the real wire protocol.
 *
 * Facts this file pins down (wechaty 1.20.2, wechaty-puppet-service 1.19.9):
 *  - start + login over this transport takes tens of milliseconds;
 *  - `bot.stop()` completes in milliseconds and leaves no open handles;
 *  - messages sent while no bot is connected are NOT delivered later (no backlog),
 *    but an old message can still be looked up by id (same id, original date);
 *  - after a server restart the bot's event stream ends at once (gRPC CANCELLED, then
 *    'end'). Upstream's PuppetService only logs that: `isLoggedIn` stays true, outgoing
 *    say() works (gRPC unary calls reconnect), but nothing is received until the puppet
 *    watchdog fires (`timeoutSeconds`, default 60 s) and resets (stop+start) the puppet.
 *    The project's ResilientPuppetService (used here) starts that reset on the stream's
 *    end, 1 s later. Either way, messages sent in between are lost.
 *  - a bot with no 'error' listener crashes the process on that restart
 *    (unhandled 'error' event "1 CANCELLED: Call cancelled").
 */
import { FileBox } from 'file-box'
import type { Contact, Message } from 'wechaty'
import * as PUPPET from 'wechaty-puppet'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { startEchoBot, type EchoBot } from '../support/echo-bot.js'
import {
  collectRoomMessages,
  mockFile,
  payloadCacheDir,
  quietWechatyLogs,
  startMockWechat,
  TINY_PNG_BASE64,
  waitUntil,
  type ContactMock,
  type MockWechat,
  type RoomMessageCollector,
  type RoomMock,
} from '../support/puppet-server.js'

quietWechatyLogs()

const TINY_PNG = Buffer.from(TINY_PNG_BASE64, 'base64')

/** bot-side record of what the bot received */
interface BotSeen {
  id          : string
  self        : boolean
  text        : string
  type        : PUPPET.types.Message
  mentionSelf : boolean
  date        : Date
  ageSeconds  : number
  fileBytes?  : number
  fileName?   : string
}

function recordBotMessages (echo: EchoBot): BotSeen[] {
  const seen: BotSeen[] = []
  echo.bot.on('message', (message: Message) => {
    void (async () => {
      const entry: BotSeen = {
        ageSeconds  : message.age(),
        date        : message.date(),
        id          : message.id,
        mentionSelf : await message.mentionSelf(),
        self        : message.self(),
        text        : message.text(),
        type        : message.type(),
      }
      if (message.type() === PUPPET.types.Message.Image || message.type() === PUPPET.types.Message.Attachment) {
        const fileBox = await message.toFileBox()
        entry.fileName = fileBox.name
        entry.fileBytes = (await fileBox.toBuffer()).length
      }
      seen.push(entry)
    })().catch((e: unknown) => echo.errors.push(e as Error))
  })
  return seen
}

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

describe('wechaty over wechaty-puppet-service (gRPC) against PuppetMock', () => {
  let mw: MockWechat
  let echo: EchoBot
  let botSeen: BotSeen[]
  let botUser: ContactMock
  let alice: ContactMock
  let bob: ContactMock
  let room: RoomMock
  let col: RoomMessageCollector

  const WATCHDOG_SECONDS = 3

  const startBot = async () => {
    const started = Date.now()
    // a short watchdog so the restart test can observe the reset within its timeout;
    // the server heartbeat (500 ms) keeps a healthy idle bot from being reset.
    const bot = await startEchoBot({ ...mw.puppetOptions, timeoutSeconds: WATCHDOG_SECONDS })
    return { bot, startMs: Date.now() - started }
  }

  beforeAll(async () => {
    mw = await startMockWechat({ heartbeatMs: 500 })
    botUser = mw.mocker.createContact({ name: 'Renju Bot' })
    ;[alice, bob] = mw.mocker.createContacts(2) as [ContactMock, ContactMock]
    room = mw.mocker.createRoom({
      memberIdList : [botUser.id, alice.id, bob.id],
      topic        : '人居环境整治 测试群',
    })
    col = collectRoomMessages(room)
  })

  afterAll(async () => {
    col?.dispose()
    await echo?.stop()
    await mw?.stop()
  })

  it('starts and logs in over gRPC quickly', async () => {
    const t0 = Date.now()
    const { bot, startMs } = await startBot()
    echo = bot
    botSeen = recordBotMessages(echo)
    const loginStarted = Date.now()
    mw.login(botUser)
    const me: Contact = await echo.loggedIn
    const loginMs = Date.now() - loginStarted
    console.info(`[transport] bot.start() ${startMs} ms; login event ${loginMs} ms after mocker.login(); total ${Date.now() - t0} ms`)

    expect(me.id).toBe(botUser.id)
    expect(echo.bot.isLoggedIn).toBe(true)
    expect(startMs).toBeLessThan(5_000)
    expect(loginMs).toBeLessThan(2_000)
  }, 20_000)

  it('echoes a text message in the room', async () => {
    const from = col.messages.length
    alice.say('你好 hello').to(room)
    const reply = await col.waitFor(m => m.talkerId === botUser.id && m.text === '你好 hello', 5_000, from)
    expect(reply.typeName).toBe('Text')
    expect(reply.mentionIds).toEqual([])
  }, 20_000)

  it('sees a real @-mention (mentionSelf) and @-mentions the talker back', async () => {
    const from = col.messages.length
    alice.say('@Renju Bot 查一下', [botUser]).to(room)

    const reply = await col.waitFor(m => m.talkerId === botUser.id && m.text.endsWith('查一下'), 5_000, from)
    // bot side: the incoming message was a mention of the bot
    const incoming = await waitUntil(
      () => botSeen.find(s => !s.self && s.text === '@Renju Bot 查一下'),
      2_000, 'bot saw the mention',
    )
    expect(incoming.mentionSelf).toBe(true)

    // mock side: room.say(text, talker) on the bot arrives as a real mention of alice
    expect(reply.mentionIds).toEqual([alice.id])
    expect(reply.text).toBe(`@${alice.payload.name} @Renju Bot 查一下`)

    // a plain message is not a mention
    bob.say('no mention here').to(room)
    const plain = await waitUntil(() => botSeen.find(s => s.text === 'no mention here'), 2_000, 'bot saw plain')
    expect(plain.mentionSelf).toBe(false)
  }, 20_000)

  it('receives a picture through toFileBox() with the right bytes, and echoes it back as an image', async () => {
    const from = col.messages.length
    alice.say(FileBox.fromBase64(TINY_PNG_BASE64, 'tiny.png')).to(room)

    const got = await waitUntil(
      () => botSeen.find(s => !s.self && s.type === PUPPET.types.Message.Image && s.fileName === 'tiny.png'),
      5_000, 'bot received the picture',
    )
    expect(got.fileBytes).toBe(TINY_PNG.length)

    const echoed = await col.waitFor(m => m.talkerId === botUser.id && m.fileName !== undefined, 5_000, from)
    expect(echoed.typeName).toBe('Image')
    expect(echoed.fileName).toBe('tiny.png')
    const json = mw.mocker.cacheFileBoxPayload.get(echoed.id)
    expect(json).toBeDefined()
    expect((await FileBox.fromJSON(json!).toBuffer()).equals(TINY_PNG)).toBe(true)
  }, 20_000)

  it('receives a document (xlsx) as an Attachment', async () => {
    const from = col.messages.length
    const xlsx = Buffer.from('PK\u0003\u0004 not really a spreadsheet')
    bob.say(mockFile(xlsx, '村庄整治台账.xlsx')).to(room)
    const got = await waitUntil(
      () => botSeen.find(s => !s.self && s.fileName === '村庄整治台账.xlsx'),
      5_000, 'bot received the xlsx',
    )
    expect(got.type).toBe(PUPPET.types.Message.Attachment)
    expect(got.fileBytes).toBe(xlsx.length)
    const echoed = await col.waitFor(m => m.talkerId === botUser.id && m.fileName === '村庄整治台账.xlsx', 5_000, from)
    expect(echoed.typeName).toBe('Attachment')
  }, 20_000)

  it('bot sends files of its own; room.say() resolves to the Message with the mock id', async () => {
    const bot = echo.bot
    const botRoom = await bot.Room.find({ id: room.id })
    expect(botRoom).toBeDefined()
    const from = col.messages.length

    const sent = await botRoom!.say(FileBox.fromBuffer(Buffer.from('台账,1\n'), '台账.txt'))
    const seen = await col.waitFor(m => m.talkerId === botUser.id && m.fileName === '台账.txt', 5_000, from)
    expect(seen.typeName).toBe('Attachment')
    expect(sent && typeof sent === 'object' ? sent.id : undefined).toBe(seen.id)

    const png = await botRoom!.say(FileBox.fromBuffer(TINY_PNG, 'chart.png'))
    const seenPng = await col.waitFor(m => m.talkerId === botUser.id && m.fileName === 'chart.png', 5_000, from)
    expect(seenPng.typeName).toBe('Image')
    expect(png && typeof png === 'object' ? png.id : undefined).toBe(seenPng.id)
  }, 20_000)

  it('stop() is clean and fast; no backlog is delivered after start; old messages keep id and date', async () => {
    const before = col.messages.length
    alice.say('before stop').to(room)
    await col.waitFor(m => m.talkerId === botUser.id && m.text === 'before stop', 5_000, before)
    const beforeStop = await waitUntil(() => botSeen.find(s => !s.self && s.text === 'before stop'), 2_000, 'bot saw it')

    const t0 = Date.now()
    await echo.stop()
    const stopMs = Date.now() - t0
    console.info(`[transport] bot.stop() ${stopMs} ms`)
    expect(stopMs).toBeLessThan(2_000)
    // a bot stop stops the server-side puppet, which logs the mock account out
    expect(mw.puppet.isLoggedIn).toBe(false)
    expect(echo.bot.isLoggedIn).toBe(false)

    // sent while no bot is connected
    alice.say('while stopped').to(room)
    const whileStoppedId = col.messages[col.messages.length - 1]!.id
    await sleep(1_100)

    const { bot, startMs } = await startBot()
    echo = bot
    botSeen = recordBotMessages(echo)
    // stickyLogin (default): the mock re-logs in the last user on start, like a provider keeping its session
    const me = await echo.loggedIn
    console.info(`[transport] restarted bot: start() ${startMs} ms, logged in again automatically`)
    expect(me.id).toBe(botUser.id)

    await sleep(1_000)
    expect(botSeen.find(s => s.text === 'while stopped')).toBeUndefined() // no backlog
    expect(col.messages.filter(m => m.talkerId === botUser.id && m.text === 'while stopped')).toEqual([])

    // the old message can still be fetched by id: same id, original date, age in seconds
    const old = await echo.bot.Message.find({ id: whileStoppedId })
    expect(old?.id).toBe(whileStoppedId)
    expect(old?.text()).toBe('while stopped')
    const oldPayload = mw.mocker.cacheMessagePayload.get(whileStoppedId)!
    expect(old!.date().getTime()).toBe(oldPayload.timestamp)
    expect(old!.age()).toBeGreaterThanOrEqual(2)
    const again = await echo.bot.Message.find({ id: beforeStop.id })
    expect(again?.id).toBe(beforeStop.id)
    expect(again!.date().getTime()).toBe(beforeStop.date.getTime())

    // and live traffic flows again
    const from = col.messages.length
    alice.say('after restart').to(room)
    await col.waitFor(m => m.talkerId === botUser.id && m.text === 'after restart', 5_000, from)
    const live = await waitUntil(() => botSeen.find(s => !s.self && s.text === 'after restart'), 2_000, 'bot saw live')
    expect(live.ageSeconds).toBe(0)
  }, 20_000)

  it('server restart: the bot notices its event stream ended and reconnects by itself', async () => {
    const errorsBefore = echo.errors.length
    let logouts = 0
    let logins = 0
    echo.bot.on('logout', () => { logouts++ })
    echo.bot.on('login', () => { logins++ })

    await mw.restart()
    expect(mw.puppet.isLoggedIn).toBe(true) // mocker state and login survive a server restart

    // 1. said before the bot reconnects (1 s after its stream ended): there is no backlog
    alice.say('lost during outage').to(room)

    // 2. the stream's end (CANCELLED) starts a reset: logout + (sticky) login, a new event
    //    stream, and messages flow again (resilience.e2e.test.ts shows this beats the watchdog)
    await waitUntil(() => logins > 0, (WATCHDOG_SECONDS + 5) * 1_000, 'reconnect + re-login')
    expect(logouts).toBeGreaterThan(0)
    expect(echo.errors.slice(errorsBefore).map(e => e.message).join('\n')).toMatch(/CANCELLED/)

    const from = col.messages.length
    alice.say('after server restart').to(room)
    await col.waitFor(m => m.talkerId === botUser.id && m.text === 'after server restart', 5_000, from)
    // the message sent during the outage is never delivered
    await sleep(300)
    expect(botSeen.find(s => s.text === 'lost during outage')).toBeUndefined()
  }, 20_000)

  it('stops everything cleanly (no open handles, payload cache removed)', async () => {
    await echo.stop()
    await mw.stop()
    expect(mw.puppet.state.inactive()).toBe(true)
    await sleep(100)
    const { existsSync } = await import('node:fs')
    expect(existsSync(payloadCacheDir(mw.token))).toBe(false)
    const resources = process.getActiveResourcesInfo()
    console.info(`[transport] active resources after stop: ${JSON.stringify(resources)}`)
    expect(resources.filter(r => /TCP|Http2|Timeout/.test(r))).toEqual([])
  }, 20_000)
})
