// The example township on a mock WeChat served over the real gRPC transport, and the real
// assistant connected to it through wechaty-puppet-service, exactly as in production.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ResilientPuppetService } from '../../src/bot/puppet.ts'
import * as PUPPET from 'wechaty-puppet'
import { startAssistant, type RunningAssistant } from '../../src/app.ts'
import type { TownshipConfig } from '../../src/config/schema.ts'
import { createLogger } from '../../src/log.ts'
import type { Clock } from '../../src/time.ts'
import type { Provider } from '../../src/db/index.ts'
import { dropTestDatabase, freshDatabaseUrlOn } from './db.ts'
import { collectRoomMessages, quietWechatyLogs, startMockWechat, type ContactMock, type RoomMessageCollector, type RoomMock, type SeenMessage } from './puppet-server.ts'
import { exampleConfig } from './township.ts'

quietWechatyLogs()

export const BOT_ID = 'wxid_renju_bot'

/**
 * `options.databaseUrl`: a migrated SQLite `file:` URL to use instead of a fresh copy of the
 * test run's base database (which only exists inside vitest). `close()` removes its directory.
 * `options.provider`: the fresh database on PostgreSQL instead (the run's server; dropped by `close()`).
 */
export async function startWireTownship(config: TownshipConfig = exampleConfig(), options?: { databaseUrl?: string; provider?: Provider }) {
  // Replies are not paced in tests (the outbox's own tests check pacing); timers are driven by hand.
  config.pacing = { ...config.pacing, sameGroupSeconds: 0, switchGroupMinSeconds: 0, switchGroupMaxSeconds: 0, perMinute: 1_000_000 }
  // Tests and benchmarks send faster than any person: the flood limits have their own tests.
  config.policy = { ...config.policy, perSenderPerMinute: 1_000_000, perGroupPerMinute: 1_000_000, duplicateWindowSeconds: 0 }
  const wechat = await startMockWechat()
  const { mocker } = wechat
  const botUser = mocker.createContact({ id: BOT_ID, name: '整治助手' })
  const people = new Map(config.people.map((p) => [p.wechatId, mocker.createContact({ id: p.wechatId, name: p.name })]))
  const everyone = [BOT_ID, ...people.keys()]
  const rooms = new Map<string, { room: RoomMock; seen: RoomMessageCollector }>()
  const addRoom = (topic: string) => {
    const room = mocker.createRoom({ topic, memberIdList: everyone })
    const entry = { room, seen: collectRoomMessages(room, mocker) }
    rooms.set(topic, entry)
    return entry
  }
  for (const g of config.groups) addRoom(g.topic!)
  const databaseUrl = options?.databaseUrl ?? (await freshDatabaseUrlOn(options?.provider ?? 'sqlite'))
  // Beside a SQLite file its photos; for PostgreSQL a folder of their own.
  const dataDir = databaseUrl.startsWith('file:') ? dirname(databaseUrl.slice('file:'.length)) : mkdtempSync(join(tmpdir(), 'renju-pg-photos-'))
  let assistant: RunningAssistant | undefined

  const contact = (wechatId: string): ContactMock => {
    const known = people.get(wechatId)
    if (known) return known
    const stranger = mocker.createContact({ id: wechatId, name: `村民${people.size}` })
    people.set(wechatId, stranger)
    for (const { room } of rooms.values()) room.payload.memberIdList.push(wechatId)
    return stranger
  }
  const roomOf = (topic: string) => {
    const entry = rooms.get(topic)
    if (!entry) throw new Error(`no group ${topic}`)
    return entry
  }

  return {
    wechat,
    config,
    databaseUrl,
    rooms,
    addRoom,
    contact,
    get assistant() {
      if (!assistant) throw new Error('the bot is not running')
      return assistant
    },
    /** `schedule`: run the timetable as in production (tests otherwise drive it by hand). */
    async startBot(options: { clock?: Clock; migrate?: boolean; timeoutSeconds?: number; schedule?: boolean } = {}) {
      assistant = await startAssistant({
        config,
        databaseUrl,
        photoDir: `${dataDir}/photos`,
        puppet: new ResilientPuppetService({ ...wechat.puppetOptions, ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}) }),
        clock: options.clock,
        logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'),
        migrate: options.migrate ?? false,
        schedule: options.schedule ?? false,
      })
      wechat.login(botUser)
      // Logged in, its groups recorded (bound where the config names them), the timetable's first look done.
      await assistant.loginSettled()
      return assistant
    },
    async stopBot() {
      await assistant?.stop()
      assistant = undefined
    },
    /** Says `text` in a group as `wechatId`; resolves with the bot's next message in that group. */
    async say(wechatId: string, topic: string, text: string, options: { mention?: boolean; timeoutMs?: number } = {}): Promise<SeenMessage> {
      const { room, seen } = roomOf(topic)
      const from = seen.messages.length
      contact(wechatId).say(text, options.mention ? [botUser] : undefined).to(room)
      return seen.waitFor((m) => m.talkerId === BOT_ID, options.timeoutMs ?? 5000, from)
    },
    /** Says `text` and expects no answer within `quietMs`. */
    async sayUnanswered(wechatId: string, topic: string, text: string, quietMs = 400): Promise<void> {
      const { room, seen } = roomOf(topic)
      const from = seen.messages.length
      contact(wechatId).say(text).to(room)
      await new Promise((r) => setTimeout(r, quietMs))
      const answers = seen.messages.slice(from).filter((m) => m.talkerId === BOT_ID)
      if (answers.length > 0) throw new Error(`expected no answer, got: ${answers.map((a) => a.text).join(' | ')}`)
    },
    /**
     * Delivers a message event for an existing or crafted message again, as a provider does
     * when it replays its backlog after a reconnect.
     */
    redeliver(payload: PUPPET.payloads.Message) {
      mocker.cacheMessagePayload.set(payload.id, payload)
      wechat.puppet.emit('message', { messageId: payload.id })
    },
    /** The bot's messages in a group so far. */
    botMessages(topic: string): SeenMessage[] {
      return roomOf(topic).seen.messages.filter((m) => m.talkerId === BOT_ID)
    },
    async close() {
      await assistant?.stop()
      await wechat.stop()
      rmSync(dataDir, { recursive: true, force: true })
      if (!options?.databaseUrl) await dropTestDatabase(databaseUrl)
    },
  }
}

export type WireTownship = Awaited<ReturnType<typeof startWireTownship>>
