// kill -9 in the middle of a busy morning: the real entry point (npm start with a puppet-service
// token) runs as a child process against the mock WeChat; it is killed during a burst of
// commands with photos and started again. Every message that reached it is handled once, every reply is
// sent once, nothing is doubled. On SQLite (a file of its own) and on PostgreSQL (a database of its
// own on the run's server, its URL handed to the child as DATABASE_URL); the test reads what the
// child wrote through the database client, as the child does.
//
// The one window left: a reply WeChat has accepted but whose "sent" mark was not yet written
// when the process died (the time between the provider's answer to the send and one database
// write, well under a millisecond of work) is sent again after the restart. The outbox sends
// one message at a time, so at most one reply can be in that window; the test finds it (a
// reply already in the group but still pending in the database at the kill) and allows
// exactly that one to appear twice. A message that WeChat has handed over is stored before
// anything else happens, so only one still on the wire at the kill can be missed.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { openDatabase } from '../../src/db/index.ts'
import { syntheticJpeg } from '../photos/synth.ts'
import { providers } from '../support/db.ts'
import { mockFile } from '../support/puppet-server.ts'
import { BOT_ID, startWireTownship, type WireTownship } from '../support/wire-township.ts'

const root = resolve(import.meta.dirname, '../..')
const WEIHUA = '卫华村人居环境群'
const SECRETARY = 'wxid_sec_weihua'
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * kill -9 of the whole process tree, as a power cut would: tsx runs the assistant in a child
 * node process, so killing the tsx wrapper alone leaves the assistant running (an earlier
 * version of this test did exactly that). Resolves once no process of the group is left.
 */
async function killTree(child: ChildProcess): Promise<void> {
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    return // already gone
  }
  for (let i = 0; i < 100; i++) {
    try {
      process.kill(-child.pid!, 0)
    } catch {
      return
    }
    await sleep(50)
  }
  throw new Error('the assistant did not die')
}

describe.each(providers)('kill -9 during a burst (%s)', (provider) => {
  let t: WireTownship
  let child: ChildProcess | undefined
  afterEach(async () => {
    if (child) await killTree(child)
    await t.close()
  })

  it('handles every message that reached the bot exactly once, and sends each reply once', async () => {
    t = await startWireTownship(undefined, { provider })
    const { room, seen } = t.rooms.get(WEIHUA)!
    const start = launcher(t, (c) => (child = c))
    await start()
    // 500 commands, every tenth followed by a photo; the kill comes at a random point in the
    // first 400, and the rest are sent once the bot is back.
    const TOTAL = 500
    const killAt = 50 + Math.floor(Math.random() * 350)
    const sentAt: number[] = []
    const send = async (i: number) => {
      sentAt[i] = Date.now()
      t.contact(SECRETARY).say(`/问题 第${i}处路边垃圾`).to(room)
      if (i % 10 === 0) t.contact(SECRETARY).say(mockFile(await syntheticJpeg(1000 + i, 320, 240), `IMG_${i}.jpg`)).to(room)
      await sleep(15)
    }
    for (let i = 1; i <= killAt; i++) await send(i)
    const killedAt = Date.now()
    await killTree(child!)
    const before = await openDatabase(t.databaseUrl)
    const doneAtKill = await before.inboxMessage.count({ where: { text: { startsWith: '/问题' }, handledAt: { not: null } } })
    const storedAtKill = new Set((await before.inboxMessage.findMany({ where: { text: { startsWith: '/问题' } }, select: { text: true } })).map((m) => m.text))
    const repliesAtKill = seen.messages.filter((m) => m.talkerId === BOT_ID && /已登记 #\d+/.test(m.text)).length
    // Replies WeChat already shows but the database still holds as pending: in flight at the kill.
    const shown = new Set(seen.messages.filter((m) => m.talkerId === BOT_ID).map((m) => m.text.replace(/^@\S+ /, '')))
    const inFlight = (await before.outboxMessage.findMany({ where: { status: 'pending' }, select: { text: true } })).filter((m) => shown.has(m.text)).map((m) => m.text)
    await before.$disconnect()
    // Nothing WeChat handed over is lost: only messages sent in the last moments (still on the wire) may be missing.
    const missing = Array.from({ length: killAt }, (_, k) => k + 1).filter((i) => !storedAtKill.has(`/问题 第${i}处路边垃圾`))
    // (WeChat hands a message over after a round trip for its payload, and the store waits for
    // the one write in progress: tens of milliseconds on a busy machine. Before messages were
    // stored on arrival, up to 2.9 s of them were lost.)
    if (missing.length > 0) expect(missing[0], 'the messages not stored are the last ones sent, none earlier').toBe(killAt - missing.length + 1)
    for (const i of missing) expect(killedAt - sentAt[i]!, `/问题 第${i}处 sent ${killedAt - sentAt[i]!} ms before the kill was not stored`).toBeLessThan(1000)
    console.log(`at the kill: ${missing.length} messages on the wire (sent within ${missing.length ? killedAt - sentAt[missing[0]!]! : 0} ms of it)`)
    expect(inFlight.length, `replies in flight at the kill: ${inFlight.join(' | ')}`).toBeLessThanOrEqual(1)
    await start()
    for (let i = killAt + 1; i <= TOTAL; i++) await send(i)
    // Wait for the backlog: every message handled and every reply sent (or time out and let the checks say what is missing).
    const confirmed = () => seen.messages.filter((m) => m.talkerId === BOT_ID && /已登记 #\d+/.test(m.text)).length
    const restartedAt = Date.now()
    const watcher = await openDatabase(t.databaseUrl)
    for (let i = 0; i < 480; i++) {
      await sleep(500)
      const [unhandled, pending] = await Promise.all([watcher.inboxMessage.count({ where: { handledAt: null } }), watcher.outboxMessage.count({ where: { status: 'pending' } })])
      if (unhandled === 0 && pending === 0 && confirmed() >= TOTAL - missing.length) break
    }
    await watcher.$disconnect()
    console.log(`after the restart: ${confirmed()} confirmations in ${Date.now() - restartedAt} ms`)
    await sleep(1000) // anything sent twice would arrive now

    const db = await openDatabase(t.databaseUrl)
    const problems = await db.problem.findMany({ orderBy: { id: 'asc' } })
    const filed = await db.inboxMessage.findMany({ where: { text: { startsWith: '/问题' } } })
    // (one on the wire at the kill may still arrive: the service hands it to the next connection)
    expect(filed.length, 'every message sent while the bot was up reached it, but for those on the wire at the kill').toBeGreaterThanOrEqual(TOTAL - missing.length)
    const unhandled = await db.inboxMessage.count({ where: { handledAt: null } })
    const photosIn = await db.inboxMessage.count({ where: { isPhoto: true } })
    const photoLinks = await db.photoLink.count()
    const photosStored = await db.photo.count()
    await db.$disconnect()

    // What the kill interrupted (varies by run): messages not yet handled, replies not yet sent.
    console.log(`killed after ${killAt} sent: ${doneAtKill} handled and ${repliesAtKill} replies out at the kill; after restart ${filed.length} reached, ${problems.length} problems, ${confirmed()} replies`)
    expect(unhandled).toBe(0)
    expect(photosStored).toBe(photosIn) // each picture that reached the bot stored once…
    expect(photoLinks).toBe(photosIn) // …and attached once, to the problem filed just before it
    expect(problems.length).toBe(filed.length) // each message that reached the bot: one problem
    expect(new Set(problems.map((p) => p.description)).size).toBe(problems.length) // nothing doubled
    const confirmations = seen.messages.filter((m) => m.talkerId === BOT_ID && /已登记 #\d+/.test(m.text))
    const wasInFlight = (text: string) => inFlight.includes(text.replace(/^@\S+ /, ''))
    for (const p of problems) {
      const mine = confirmations.filter((m) => m.text.includes(`已登记 #${p.id} `))
      expect(mine.length, `#${p.id}`).toBe(mine.some((m) => wasInFlight(m.text)) ? 2 : 1)
    }
    const doubled = confirmations.length - problems.length
    console.log(`doubled replies: ${doubled} (in flight at the kill: ${inFlight.length})`)
    expect(doubled).toBeLessThanOrEqual(inFlight.length)
  }, 300_000)

  it('a picture still downloading when the process dies is fetched again by its id after the restart', async () => {
    t = await startWireTownship(undefined, { provider })
    const { room, seen } = t.rooms.get(WEIHUA)!
    const start = launcher(t, (c) => (child = c))
    await start()
    t.contact(SECRETARY).say('/问题 村口垃圾堆放').to(room)
    await seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('已登记 #1'), 10_000)
    t.wechat.puppet.fileDelayMs = 8000 // this provider takes 8 s to hand over a picture
    t.contact(SECRETARY).say(mockFile(await syntheticJpeg(7, 800, 600), 'IMG_7.jpg')).to(room)
    const db = await openDatabase(t.databaseUrl)
    let stored = 0
    for (let i = 0; i < 30 && stored === 0; i++) {
      await sleep(100)
      stored = await db.inboxMessage.count({ where: { isPhoto: true } })
    }
    await db.$disconnect()
    expect(stored, 'the picture message is stored before its download ends').toBe(1)
    await killTree(child!)
    t.wechat.puppet.fileDelayMs = 0
    const from = seen.messages.length
    await start()
    const confirmation = await seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('照片'), 15_000, from)
    expect(confirmation.text).toContain('已为 #1 添加整改前照片 1 张')
  }, 60_000)

  it('photos recorded while their confirmation waits for the sender to pause are confirmed once after the restart', async () => {
    t = await startWireTownship(undefined, { provider })
    t.config.policy.photoBatchSeconds = 10 // a pause long enough to die in
    const { room, seen } = t.rooms.get(WEIHUA)!
    const start = launcher(t, (c) => (child = c))
    await start()
    t.contact(SECRETARY).say('/问题 村口垃圾堆放').to(room)
    await seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('已登记 #1'), 10_000)
    for (const seed of [11, 12]) t.contact(SECRETARY).say(mockFile(await syntheticJpeg(seed, 800, 600), `IMG_${seed}.jpg`)).to(room)
    const db = await openDatabase(t.databaseUrl)
    let linked = 0
    for (let i = 0; i < 50 && linked < 2; i++) {
      await sleep(100)
      linked = await db.photoLink.count()
    }
    await db.$disconnect()
    expect(linked, 'both photos recorded before the kill').toBe(2)
    expect(seen.messages.filter((m) => m.talkerId === BOT_ID && m.text.includes('添加整改前照片')), 'no confirmation yet: the sender has not paused').toHaveLength(0)
    await killTree(child!)
    const from = seen.messages.length
    await start()
    const confirmation = await seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('添加整改前照片'), 20_000, from)
    expect(confirmation.text).toContain('已为 #1 添加整改前照片 2 张')
    await sleep(3000) // a second one would come now
    expect(seen.messages.filter((m) => m.talkerId === BOT_ID && m.text.includes('添加整改前照片'))).toHaveLength(1)
  }, 90_000)
})

/** Starts the real entry point against the mock WeChat; resolves once it answers. */
function launcher(t: WireTownship, started: (child: ChildProcess) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'renju-kill-'))
  const configFile = join(dir, 'township.yaml')
  writeFileSync(configFile, stringify(t.config))
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WECHATY_PUPPET_SERVICE_TOKEN: t.wechat.token,
    WECHATY_PUPPET_SERVICE_ENDPOINT: t.wechat.endpoint,
    WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
    DATABASE_URL: t.databaseUrl,
    RENJU_CONFIG: configFile,
    RENJU_PHOTO_DIR: join(dir, 'photos'),
    RENJU_BACKUP_DIR: join(dir, 'backups'),
    LOG_LEVEL: 'silent',
  }
  const { room, seen } = t.rooms.get(WEIHUA)!
  const botUser = t.wechat.mocker.ContactMock.load(BOT_ID)
  const start = async () => {
    // Its own process group, so that the kill reaches the node process tsx starts, not only tsx.
    const child = spawn(join(root, 'node_modules/.bin/tsx'), ['src/main.ts'], { cwd: root, env: { ...env, LOG_LEVEL: process.env['KILL_TEST_LOG'] ? 'info' : 'silent' }, stdio: process.env['KILL_TEST_LOG'] ? ['ignore', openSync(process.env['KILL_TEST_LOG'], 'a'), openSync(process.env['KILL_TEST_LOG'], 'a')] : 'ignore', detached: true })
    started(child)
    const spawnedAt = Date.now()
    // Log the bot's account in once the client has connected; afterwards the mock keeps the session.
    // (tsx, the imports and the migration take a few seconds, 11 s measured on two busy cores: a
    // fixed 10 s here left the bot logged out and the test waiting 30 s for answers that could not come.)
    while (!t.wechat.puppet.isLoggedIn) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the assistant exited (${child.exitCode}) before connecting`)
      if (Date.now() - spawnedAt > 60_000) throw new Error('the assistant did not connect to the mock WeChat within 60 s')
      if (t.wechat.puppet.state.active()) t.wechat.login(botUser)
      await sleep(100)
    }
    const connectedAt = Date.now()
    // Ready when it says anything: an answer to a probe, or a reply it owed from before the kill.
    const from = seen.messages.length
    let probedAt = 0
    while (!seen.messages.slice(from).some((m) => m.talkerId === BOT_ID)) {
      if (Date.now() - spawnedAt > 90_000) throw new Error('the bot did not come up')
      if (Date.now() - probedAt >= 1000) {
        t.contact('wxid_office_liu').say(`/台账 卫华村`).to(room)
        probedAt = Date.now()
      }
      await sleep(50)
    }
    console.log(`the assistant logged in ${connectedAt - spawnedAt} ms and answered ${Date.now() - spawnedAt} ms after its start`)
  }
  return start
}
