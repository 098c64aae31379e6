// The dispatcher on its own (no WeChat): for unit tests of what commands answer.
import type { TownshipConfig } from '../../src/config/schema.ts'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commands } from '../../commands/index.ts'
import { buildServices, messageHooks } from '../../src/app.ts'
import { Township } from '../../src/config/township.ts'
import { Roster } from '../../src/roster/roster.ts'
import { Health } from '../../src/maintenance/health.ts'
import { createLogger } from '../../src/log.ts'
import { createDispatcher, Registry, type IncomingMessage } from '../../src/registry/index.ts'
import type { OutgoingFile } from '../../src/outgoing.ts'
import type { ScheduledMessage } from '../../src/schedule/index.ts'
import { openDatabase, type Provider } from '../../src/db/index.ts'
import { freshDatabase } from './db.ts'
import { exampleConfig, manualClock } from './township.ts'

const groupOf = (village?: string) => (village ? `group-${village}@chatroom` : 'group-township@chatroom')

/** `options.databaseUrl`: a migrated database to use (not removed); else a fresh one on `options.provider` (SQLite by default). */
export async function dispatcherFixture(options: { provider?: Provider; databaseUrl?: string; configure?: (config: TownshipConfig) => void } = {}) {
  const { db, url } = options.databaseUrl ? { db: await openDatabase(options.databaseUrl), url: options.databaseUrl } : await freshDatabase(options.provider)
  const config = exampleConfig()
  options.configure?.(config)
  config.policy.photoBatchSeconds = 0.05
  // The fixture's clock stands still, so every repeat would look like a replay; the replay check has its own test.
  config.policy.duplicateWindowSeconds = 0
  const clock = manualClock()
  /** Notices the bot sent unprompted, and scheduled posts, in order. */
  const notices: { conversationId: string; text: string; mentionIds: string[]; file?: OutgoingFile }[] = []
  const posts: ScheduledMessage[] = []
  const outbox = {
    send: async (conversationId: string, text: string, mentionIds: string[] = [], file?: OutgoingFile) => void notices.push({ conversationId, text, mentionIds, file }),
    async enqueuePosts(messages: ScheduledMessage[], writes: unknown[]) {
      await db.$transaction(writes as never)
      posts.push(...messages)
    },
  }
  const groups = { township: async () => groupOf(), village: async (village: string) => groupOf(village), county: async () => undefined }
  const photoDir = mkdtempSync(join(tmpdir(), 'renju-photos-'))
  const maintenance = { databaseFile: url.startsWith('file:') ? url.slice('file:'.length) : undefined, backupDir: mkdtempSync(join(tmpdir(), 'renju-backups-')), health: new Health(clock), outboxStats: async () => ({ pending: 0, failed: 0 }) }
  // The config's people and groups seeded into the roster, as at start; a change by message
  // reaches the Township after the message, as after a commit.
  await new Roster(db, clock).seedFromConfig(config)
  const township = new Township(config, await Roster.snapshot(db))
  let rosterChanged = false
  /** Members of each room, for /任命's check and roster imports: everyone in the config by default. */
  const members = new Map<string, { id: string; name: string; alias?: string }[]>()
  const rooms = {
    rooms: async () => [...members.keys()].map((id) => ({ id, topic: id, memberCount: members.get(id)!.length })),
    members: async (roomId: string) => members.get(roomId) ?? config.people.map((p) => ({ id: p.wechatId, name: p.name })),
  }
  const build = () => buildServices({ db, config, township, rooms, rosterChanged: () => (rosterChanged = true), clock, photoDir, outbox, groups, logger: createLogger('silent'), maintenance })
  const services = build()
  const { ledger } = services
  const dispatch = createDispatcher({ db, registry: new Registry(commands), services, hooks: messageHooks(services, createLogger('silent'), { botNames: () => ['整治助手'], commandWords: new Registry(commands).words }), clock, logger: createLogger('silent'), replies: { send: async () => {} } })
  let seq = 0

  /** Says `text` as `wechatId` in a village's group (or the township group) and returns the reply text. */
  async function say(wechatId: string, text: string, village?: string, extra: Partial<IncomingMessage> = {}): Promise<string | undefined> {
    return (await sayFull(wechatId, text, village, extra))?.text
  }
  async function sayFull(wechatId: string, text: string, village?: string, extra: Partial<IncomingMessage> = {}) {
    const message: IncomingMessage = {
      id: `msg-${++seq}`,
      conversationId: groupOf(village),
      where: village ? { kind: 'village', village } : { kind: 'township' },
      talkerId: wechatId,
      talkerName: config.people.find((p) => p.wechatId === wechatId)?.name ?? '村民',
      text,
      mentionedSelf: false,
      sentAt: clock(),
      ...extra,
    }
    const reply = await dispatch(message)
    if (rosterChanged) {
      rosterChanged = false
      township.setRoster(await Roster.snapshot(db))
    }
    return reply
  }
  /** Sends a picture as `wechatId`; resolves with any direct reply. */
  const sendPhoto = (wechatId: string, data: Buffer, village?: string) => sayFull(wechatId, '', village, { photo: data })
  /** New services over the same database, as after a restart. */
  const rebuildServices = build
  return { db, url, ledger, services, township, members, rebuildServices, maintenance, clock, notices, posts, say, sayFull, sendPhoto, dispatch, groupOf, close: () => db.$disconnect() }
}

export const SECRETARY = 'wxid_sec_weihua'
export const OTHER_SECRETARY = 'wxid_sec_yuye'
export const SUPERVISOR = 'wxid_sup_ma'
export const ADMIN = 'wxid_office_liu'
export const GRID = 'wxid_grid_01'
export const RESIDENT = 'wxid_res_zhang'
export const STRANGER = 'wxid_someone_new'
