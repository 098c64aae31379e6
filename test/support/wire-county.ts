// A county on mock WeChat over the real gRPC transport: one mock WeChat (one bot account) per
// account of the county config, the real assistant connected to each through wechaty-puppet-service.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inject } from 'vitest'
import { startCounty, type RunningCounty } from '../../src/app.ts'
import { ResilientPuppetService } from '../../src/bot/puppet.ts'
import { loadConfig, type CountyConfig } from '../../src/config/county.ts'
import type { Provider } from '../../src/db/index.ts'
import { createLogger } from '../../src/log.ts'
import { createDatabase, dropDatabase } from './postgres.ts'
import { collectRoomMessages, quietWechatyLogs, startMockWechat, type ContactMock, type MockWechat, type RoomMessageCollector, type RoomMock, type SeenMessage } from './puppet-server.ts'

quietWechatyLogs()

export const COUNTY_BOT_ID = 'wxid_renju_bot'
export const COUNTY_OFFICE = 'wxid_county_sun'

/** The example county, with an admin and a secretary per village in each township, and a county office. */
export function exampleCounty(): CountyConfig {
  const loaded = loadConfig('config/county.example.yaml')
  if (loaded.kind !== 'county') throw new Error('config/county.example.yaml is not a county')
  const county = loaded.county
  for (const { code, config } of county.townships) {
    config.people.push({ name: `${config.township.name}管理员`, wechatId: `wxid_${code}_admin`, role: 'admin', villages: [] })
    config.villages.forEach((v, i) => config.people.push({ name: `${v.name}书记`, wechatId: `wxid_${code}_sec${i + 1}`, role: 'village', villages: [v.name] }))
    config.pacing = { ...config.pacing, sameGroupSeconds: 0, switchGroupMinSeconds: 0, switchGroupMaxSeconds: 0, perMinute: 1_000_000 }
    config.policy = { ...config.policy, perSenderPerMinute: 1_000_000, perGroupPerMinute: 1_000_000, duplicateWindowSeconds: 0 }
  }
  const host = county.townships.find((t) => t.code === county.host)!.config
  host.people.push({ name: '县人居办孙', wechatId: COUNTY_OFFICE, role: 'county', villages: [] })
  return county
}

/**
 * `accounts`: which townships share a bot account, by code (default: each its own). Each account
 * is a mock WeChat of its own holding its townships' groups (and the county group, on the host's).
 * `newcomers`: people with no role anywhere, in every group of every account (to be appointed in a test).
 */
export async function startWireCounty(county: CountyConfig, options: { provider: Provider; accounts?: string[][]; databaseUrl?: string; newcomers?: { id: string; name: string }[] }) {
  const accounts = options.accounts ?? county.townships.map((t) => [t.code])
  const worlds = new Map<string, { wechat: MockWechat; bot: ContactMock; people: Map<string, ContactMock> }>()
  const rooms = new Map<string, { room: RoomMock; seen: RoomMessageCollector; world: string }>()
  for (const codes of accounts) {
    const wechat = await startMockWechat()
    const bot = wechat.mocker.createContact({ id: COUNTY_BOT_ID, name: '整治助手' })
    const townships = county.townships.filter((t) => codes.includes(t.code))
    const people = new Map<string, ContactMock>()
    for (const t of townships) {
      for (const p of t.config.people) if (!people.has(p.wechatId)) people.set(p.wechatId, wechat.mocker.createContact({ id: p.wechatId, name: p.name }))
      t.token = wechat.token
      t.endpoint = wechat.endpoint
    }
    for (const n of options.newcomers ?? []) people.set(n.id, wechat.mocker.createContact(n))
    const members = [COUNTY_BOT_ID, ...people.keys()]
    for (const t of townships) {
      for (const g of t.config.groups) {
        const room = wechat.mocker.createRoom({ topic: g.topic!, memberIdList: members })
        rooms.set(g.topic!, { room, seen: collectRoomMessages(room, wechat.mocker), world: codes[0]! })
      }
    }
    worlds.set(codes[0]!, { wechat, bot, people })
  }
  const worldOf = (code: string) => worlds.get(accounts.find((codes) => codes.includes(code))![0]!)!

  const dataDir = mkdtempSync(join(tmpdir(), 'renju-county-'))
  const databaseUrl = options.databaseUrl ?? (options.provider === 'sqlite' ? 'file:' + join(dataDir, 'county.sqlite') : await createDatabase(inject('postgresServer')))
  const running: RunningCounty = await startCounty({
    county,
    databaseUrl,
    photoDir: join(dataDir, 'photos'),
    backupDir: join(dataDir, 'backups'),
    puppetFor: ([first]) => new ResilientPuppetService({ ...worldOf(first!.code).wechat.puppetOptions }),
    logger: createLogger((process.env['COUNTY_TEST_LOG'] as 'info' | undefined) ?? 'silent'),
    schedule: false,
  })
  for (const { wechat, bot } of worlds.values()) wechat.login(bot)
  // Every township logged in with its groups recorded (bound where its config names them).
  await Promise.all(running.townships.map((township) => township.loginSettled()))

  const roomOf = (topic: string) => {
    const entry = rooms.get(topic)
    if (!entry) throw new Error(`no group ${topic}`)
    return entry
  }

  return {
    running,
    databaseUrl,
    rooms,
    /** A township's assistant, by code. */
    township: (code: string) => running.townships.find((t) => t.code === code)!,
    /** Says `text` in a group as `wechatId` (@-mentioning `mentionIds`, as WeChat's list); resolves with the bot's next message there. */
    async say(wechatId: string, topic: string, text: string, timeoutMs = 10_000, mentionIds: string[] = []): Promise<SeenMessage> {
      const { room, seen, world } = roomOf(topic)
      const from = seen.messages.length
      const people = worlds.get(world)!.people
      people.get(wechatId)!.say(text, mentionIds.length > 0 ? mentionIds.map((id) => people.get(id)!) : undefined).to(room)
      return seen.waitFor((m) => m.talkerId === COUNTY_BOT_ID, timeoutMs, from)
    },
    /** The bot's messages in a group so far. */
    botMessages: (topic: string) => roomOf(topic).seen.messages.filter((m) => m.talkerId === COUNTY_BOT_ID),
    /** The mock WeChat holding a group (to read files the bot sent there). */
    wechatOf: (topic: string) => worlds.get(roomOf(topic).world)!.wechat,
    async close() {
      await running.stop()
      for (const { wechat } of worlds.values()) await wechat.stop()
      rmSync(dataDir, { recursive: true, force: true })
      if (options.provider !== 'sqlite' && !options.databaseUrl) await dropDatabase(inject('postgresServer'), databaseUrl)
    },
  }
}

export type WireCounty = Awaited<ReturnType<typeof startWireCounty>>
