// Benchmark: the assistant's memory under the loads the kill, photo and fuzz suites apply, and at
// idle beside the bare echo bot, in one run (issue #14: under 700 MB throughout, so that a 1 GB
// machine runs it with room for the database; idle ≤ 1.2× the echo bot).
//
//   npx tsx test/bench/memory.ts
//
// The assistant runs as `npm start` runs it (spawned as `npm start`, so with the start script's
// node flags and environment; start-settings.ts reads them for the echo bot run with the same
// settings), as a process group of its own against the mock WeChat behind a real puppet-service
// server, on one SQLite file. Phases, one after the other:
//   idle   the echo bot (bare, then with npm start's settings) and the assistant, each IDLE_MS
//          after its first answer: VmRSS of the bot's node process;
//   kill   a burst of /问题 (every tenth followed by a small photo), kill -9 of the group in the
//          middle, a restart, the rest of the burst; done when every message stored is answered;
//   photos 12-megapixel photos into four village groups at once (the assistant takes a group's
//          messages in order, so four in flight and the rest queued), each group's after a /问题;
//   fuzz   the fuzz test's random messages (test/support/fuzz-messages.ts) and the any-text test's
//          emoji-filled commands, over the wire into the township's and three villages' groups.
// Each phase's peak is the kernel's high-water mark of the node process (VmHWM, reset at the
// start of the phase through /proc/<pid>/clear_refs) and, sampled every SAMPLE_MS, the sum of
// VmRSS over the whole group (npm, sh, node). Each phase checks what a user would see: the replies
// the bot sent, counted in the groups; a phase whose load was not answered fails the benchmark.
process.env.LOG_LEVEL = 'silent'
process.env.WECHATY_LOG = 'silent'

import type { ChildProcess } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import sharp from 'sharp'
import { stringify } from 'yaml'
import { sharpOf, syntheticJpeg, syntheticPhoto } from '../photos/synth.ts'
import { fuzzMessages } from '../support/fuzz-messages.ts'
import { withComment } from './photos.ts'
import { processGroup, spawnBot, statusKb } from './processes.ts'
import { startSettings } from './start-settings.ts'

// Dynamic imports: wechaty-puppet reads WECHATY_LOG when first imported.
const { migrate, openDatabase } = await import('../../src/db/index.ts')
const { mockFile, quietWechatyLogs } = await import('../support/puppet-server.ts')
const { BOT_ID, startWireTownship } = await import('../support/wire-township.ts')
quietWechatyLogs('silent')

const root = resolve(import.meta.dirname, '../..')
const TARGET_MB = 700
const IDLE_TARGET = 1.2
/** How long a bot idles after its first answer before its memory is read (as test/bench/start.ts). */
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 10_000)
const SAMPLE_MS = 50
/** The kill phase: commands in the burst, and after how many the kill comes. */
const BURST = 300
const KILL_AT = 150
/** The photo phase: one cadre in each of four village groups, this many 12 MP photos each. */
const PHOTOS_PER_GROUP = 6
const WIDTH = 4000
const HEIGHT = 3000
/** The fuzz phase: random messages, one every FUZZ_GAP_MS. */
const FUZZ = 300
const FUZZ_GAP_MS = 10
const PHASE_TIMEOUT_MS = 180_000
const MB = 1024

const WEIHUA = '卫华村人居环境群'
const TOWNSHIP = '示范乡人居环境整治工作群'
const PHOTO_GROUPS = [
  { topic: '卫华村人居环境群', sender: 'wxid_sec_weihua' },
  { topic: '渔业村人居环境群', sender: 'wxid_sec_yuye' },
  { topic: '卫明村人居环境群', sender: 'wxid_sec_weiming' },
  { topic: '新民村人居环境群', sender: 'wxid_sec_xinmin' },
]

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const settings = startSettings()

/* -------------------------------------------------------------------------- */
/* reading a process group from /proc                                         */

/** Sets the process's VmHWM back to its current RSS, so that the next reading is this phase's peak. */
function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5')
}

/** The assistant's own process in an `npm start` group: node on scripts/start.mjs (npm and sh are the others). */
function botProcess(pgid: number): number | undefined {
  return processGroup(pgid).find((p) => p.comm === 'node' && p.args.includes('scripts/start.mjs'))?.pid
}

/* -------------------------------------------------------------------------- */
/* one bot process, its memory watched                                        */

class Watched {
  /** the bot's node process (in the group led by child.pid) */
  pid = 0
  groupPeakKb = 0
  private timer: ReturnType<typeof setInterval>

  constructor(readonly child: ChildProcess) {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS)
  }

  sample(): void {
    const group = processGroup(this.child.pid!)
    const sum = group.reduce((s, p) => s + statusKb(p.pid, 'VmRSS'), 0)
    this.groupPeakKb = Math.max(this.groupPeakKb, sum)
  }

  /** The bot's peak since the last call (VmHWM), with the group's sampled peak; both reset. */
  peak(): { botKb: number; groupKb: number } {
    this.sample()
    const out = { botKb: statusKb(this.pid, 'VmHWM'), groupKb: this.groupPeakKb }
    resetPeak(this.pid)
    this.groupPeakKb = 0
    return out
  }

  async kill(): Promise<void> {
    clearInterval(this.timer)
    try {
      process.kill(-this.child.pid!, 'SIGKILL')
    } catch {
      return
    }
    for (let i = 0; i < 200 && processGroup(this.child.pid!).length > 0; i++) await sleep(25)
  }
}

/* -------------------------------------------------------------------------- */
/* the run                                                                    */

interface PhaseResult {
  name: string
  handled: string
  /** the bot's RSS when the phase began (what earlier phases left) */
  atStartKb: number
  botKb: number
  groupKb: number
  seconds: number
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'renju-bench-memory-'))
  const dbFile = join(dir, 'renju.sqlite')
  await migrate('file:' + dbFile)
  const photos = await twelveMegapixelPhotos()
  const t = await startWireTownship(undefined, { databaseUrl: 'file:' + dbFile })
  // Short, as in the photo tests: the answer to a picture waits this long for more of its batch.
  t.config.policy.photoBatchSeconds = 0.3
  const watched: Watched[] = []
  try {
    const { build, emit, dist } = (await import(join(root, 'scripts/build.mjs'))) as { build(): Promise<number>; emit(file: string): Promise<void>; dist: string }
    await build()
    await emit('test/support/echo-bot.ts')
    await emit('test/support/echo-bot-main.ts')
    const configFile = join(dir, 'township.yaml')
    writeFileSync(configFile, stringify(t.config))
    const botUser = t.wechat.mocker.ContactMock.load(BOT_ID)
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      WECHATY_PUPPET_SERVICE_TOKEN: t.wechat.token,
      WECHATY_PUPPET_SERVICE_ENDPOINT: t.wechat.endpoint,
      WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
      DATABASE_URL: 'file:' + dbFile,
      RENJU_CONFIG: configFile,
      RENJU_PHOTO_DIR: join(dir, 'photos'),
      RENJU_BACKUP_DIR: join(dir, 'backups'),
      LOG_LEVEL: 'silent',
    }
    delete env.WECHATY_LOG
    mkdirSync(join(dir, 'photos'), { recursive: true })

    const botSaid = (topic: string, from = 0) => t.rooms.get(topic)!.seen.messages.slice(from).filter((m) => m.talkerId === BOT_ID)
    /** Photos the bot's confirmations in a group say it took in, repeats included. */
    const photosConfirmed = (topic: string, from = 0, problem = '\\d+') => {
      const said = new RegExp(`已为 #${problem} 添加整改前照片 (\\d+) 张(?:（另有 (\\d+) 张是重复)?`)
      return botSaid(topic, from).reduce((n, m) => {
        const [, linked, repeated] = said.exec(m.text) ?? []
        return n + Number(linked ?? 0) + Number(repeated ?? 0)
      }, 0)
    }
    /** Spawns a bot; resolves once it has answered in 卫华村's group (a probe, or a reply it owed from before a kill). */
    const launch = async (kind: 'echo' | 'echo-tuned' | 'assistant'): Promise<Watched> => {
      const child = spawnBot(kind, { root, dist, env, settings })
      const w = new Watched(child)
      watched.push(w)
      const from = t.rooms.get(WEIHUA)!.seen.messages.length
      const started = performance.now()
      while (botSaid(WEIHUA, from).length === 0) {
        if (child.exitCode !== null) throw new Error(`${kind} exited (${child.exitCode}) before answering`)
        if (performance.now() - started > 90_000) throw new Error(`${kind} did not answer within 90 s`)
        if (t.wechat.puppet.state.active() && !t.wechat.puppet.isLoggedIn) t.wechat.login(botUser)
        t.contact('wxid_office_liu').say('/台账 卫华村').to(t.rooms.get(WEIHUA)!.room)
        await sleep(kind === 'assistant' ? 500 : 100)
      }
      w.pid = kind === 'assistant' ? botProcess(child.pid!)! : child.pid!
      if (!w.pid) throw new Error('no node process on scripts/start.mjs in the npm start group')
      return w
    }
    const idleRss = async (w: Watched) => {
      await sleep(IDLE_MS)
      return statusKb(w.pid, 'VmRSS')
    }

    // Idle: the floor first, each stopped before the next starts.
    const idle: Record<string, number> = {}
    for (const kind of ['echo', 'echo-tuned'] as const) {
      const w = await launch(kind)
      idle[kind] = await idleRss(w)
      await w.kill()
    }
    let bot = await launch('assistant')
    idle['assistant'] = await idleRss(bot)
    // Whatever the idle answers left in the outbox is sent by now: the phases count from here.
    bot.peak()

    const phases: PhaseResult[] = []
    /** The peak of a process killed during the phase, kept for the phase's figure. */
    let killedPeak = { botKb: 0, groupKb: 0 }
    const phase = async (name: string, run: () => Promise<string>) => {
      const t0 = performance.now()
      const atStartKb = statusKb(bot.pid, 'VmRSS')
      const handled = await run()
      const { botKb, groupKb } = bot.peak()
      phases.push({ name, handled, atStartKb, botKb: Math.max(botKb, killedPeak.botKb), groupKb: Math.max(groupKb, killedPeak.groupKb), seconds: (performance.now() - t0) / 1000 })
      killedPeak = { botKb: 0, groupKb: 0 }
    }

    // Kill: as test/e2e/kill.e2e.test.ts, the burst cut by a kill -9 and finished after the restart.
    await phase(`kill -9 after ${KILL_AT} of ${BURST} /问题 (every tenth with a 320×240 photo), restart, the rest`, async () => {
      const { room } = t.rooms.get(WEIHUA)!
      const secretary = t.contact('wxid_sec_weihua')
      const send = async (i: number) => {
        secretary.say(`/问题 第${i}处路边垃圾`).to(room)
        if (i % 10 === 0) secretary.say(mockFile(await syntheticJpeg(1000 + i, 320, 240), `IMG_${i}.jpg`)).to(room)
        await sleep(15)
      }
      for (let i = 1; i <= KILL_AT; i++) await send(i)
      killedPeak = bot.peak() // the killed process's peak, read just before the kill
      await bot.kill()
      bot = await launch('assistant')
      for (let i = KILL_AT + 1; i <= BURST; i++) await send(i)
      // Done when every /问题 the bot received is handled and each has its confirmation in the group.
      const db = await openDatabase('file:' + dbFile)
      try {
        const confirmed = () => new Set(botSaid(WEIHUA).flatMap((m) => /已登记 #(\d+)/.exec(m.text)?.[1] ?? [])).size
        // Every photo attached is confirmed, those whose confirmation a kill cut too (it is owed in
        // the database, and sent after the restart).
        const started = performance.now()
        let [received, photosIn, attached] = [0, 0, 0]
        for (;;) {
          received = await db.inboxMessage.count({ where: { text: { startsWith: '/问题 第' } } })
          photosIn = await db.inboxMessage.count({ where: { isPhoto: true } })
          attached = await db.photoLink.count()
          const unhandled = await db.inboxMessage.count({ where: { handledAt: null } })
          if (unhandled === 0 && received > 0 && confirmed() >= received && attached >= photosIn && photosConfirmed(WEIHUA) >= attached) break
          if (performance.now() - started > PHASE_TIMEOUT_MS) {
            throw new Error(`kill phase: ${confirmed()} of ${received} /问题 confirmed, ${attached} of ${photosIn} photos attached, ${photosConfirmed(WEIHUA)} confirmed after ${PHASE_TIMEOUT_MS / 1000} s`)
          }
          await sleep(250)
        }
        // Only messages on the wire at the kill may be lost (the kill test checks which): all sent after the restart arrive.
        const afterRestart = await db.inboxMessage.count({ where: { text: { in: Array.from({ length: BURST - KILL_AT }, (_, k) => `/问题 第${KILL_AT + k + 1}处路边垃圾`) } } })
        if (afterRestart < BURST - KILL_AT) throw new Error(`kill phase: ${afterRestart} of the ${BURST - KILL_AT} /问题 sent after the restart reached the bot`)
        return `${confirmed()} /问题 confirmed in the group (${received} of ${BURST} reached the bot, the rest were on the wire at the kill); ${attached} photos attached, ${photosConfirmed(WEIHUA)} confirmed`
      } finally {
        await db.$disconnect()
      }
    })

    // Photos: a problem filed in each of four village groups, then every group's photos sent at once.
    const totalPhotos = PHOTOS_PER_GROUP * PHOTO_GROUPS.length
    await phase(`${totalPhotos} photos of 12 MP (${(photos.bytes / 1024 / MB).toFixed(1)} MB each) into ${PHOTO_GROUPS.length} village groups at once`, async () => {
      const froms = new Map<string, number>()
      const problems = new Map<string, string>()
      for (const { topic, sender } of PHOTO_GROUPS) {
        const { room, seen } = t.rooms.get(topic)!
        const from = seen.messages.length
        t.contact(sender).say('/问题 村口垃圾堆放（照片）').to(room)
        const filed = await seen.waitFor((m) => m.talkerId === BOT_ID && m.text.includes('已登记'), 30_000, from)
        problems.set(topic, /已登记 #(\d+)/.exec(filed.text)![1]!)
        froms.set(topic, seen.messages.length)
      }
      for (let i = 0; i < PHOTOS_PER_GROUP; i++) {
        for (const [g, { topic, sender }] of PHOTO_GROUPS.entries()) {
          const photo = withComment(photos.bases[(i + g) % photos.bases.length]!, `memory-${process.pid}-${g}-${i}`)
          t.contact(sender).say(mockFile(photo, `IMG_${g}_${i}.jpg`)).to(t.rooms.get(topic)!.room)
        }
      }
      const counted = () => PHOTO_GROUPS.reduce((sum, { topic }) => sum + photosConfirmed(topic, froms.get(topic), problems.get(topic)), 0)
      const started = performance.now()
      while (counted() < totalPhotos) {
        if (performance.now() - started > PHASE_TIMEOUT_MS) throw new Error(`photo phase: ${counted()} of ${totalPhotos} photos confirmed after ${PHASE_TIMEOUT_MS / 1000} s`)
        await sleep(100)
      }
      return `${counted()} of ${totalPhotos} photos confirmed in the groups`
    })

    // Fuzz: the fuzz test's messages and the any-text test's emoji-filled commands, over the wire.
    await phase(`${FUZZ} random messages of the fuzz test, and 7 emoji-filled commands`, async () => {
      const topicOf = (village: string | undefined) => (village ? `${village}人居环境群` : TOWNSHIP)
      const topics = [TOWNSHIP, '卫华村人居环境群', '渔业村人居环境群', '红旗村人居环境群']
      const froms = new Map(topics.map((topic) => [topic, t.rooms.get(topic)!.seen.messages.length]))
      const db = await openDatabase('file:' + dbFile)
      try {
        const before = await db.inboxMessage.count()
        const emoji = [1999, 2000, 2001, 3999, 4000, 4001].map((n) => '/问题 卫华村 ' + '🚮'.repeat(n / 2) + (n % 2 ? 'x' : ''))
        emoji.push('/问题 卫华村 村口堆🗑' + '🚮'.repeat(2100))
        for (const text of emoji) t.contact('wxid_sec_weihua').say(text).to(t.rooms.get(WEIHUA)!.room)
        for (const m of fuzzMessages(FUZZ)) {
          t.contact(m.who).say(m.text, m.mention ? [t.contact(m.mention)] : undefined).to(t.rooms.get(topicOf(m.village))!.room)
          await sleep(FUZZ_GAP_MS)
        }
        const sent = FUZZ + emoji.length
        const replies = () => topics.flatMap((topic) => botSaid(topic, froms.get(topic)))
        const started = performance.now()
        let stored = 0
        for (;;) {
          stored = (await db.inboxMessage.count()) - before
          const [unhandled, pending] = await Promise.all([db.inboxMessage.count({ where: { handledAt: null } }), db.outboxMessage.count({ where: { status: 'pending' } })])
          if (stored >= sent && unhandled === 0 && pending === 0) break
          if (performance.now() - started > PHASE_TIMEOUT_MS) throw new Error(`fuzz phase: ${stored} of ${sent} stored, ${unhandled} unhandled, ${pending} replies pending after ${PHASE_TIMEOUT_MS / 1000} s`)
          await sleep(250)
        }
        await sleep(500) // the last replies' way back to the groups
        const errors = replies().filter((m) => m.text.includes('系统出错')).length
        if (errors > 0) throw new Error(`fuzz phase: ${errors} replies said 系统出错`)
        if (replies().length < sent / 4) throw new Error(`fuzz phase: only ${replies().length} replies to ${sent} messages`)
        return `${stored} of ${sent} stored and handled, ${replies().length} replies in the groups, none 系统出错`
      } finally {
        await db.$disconnect()
      }
    })
    report(idle, phases)
  } finally {
    for (const w of watched) await w.kill()
    await t.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * Four distinct 12 MP pictures as a phone would send them into a chat: puppet-service passes a
 * file as one gRPC message, capped at 4 MB, so the quality is lowered until the base64 fits (as
 * in test/bench/photos.ts; WeChat recompresses chat photos anyway).
 */
async function twelveMegapixelPhotos(): Promise<{ bases: Buffer[]; bytes: number }> {
  const bases: Buffer[] = []
  for (let seed = 1; seed <= 4; seed++) {
    const picture = sharpOf(syntheticPhoto(2000 + seed, WIDTH, HEIGHT, 16))
    let quality = 85
    let jpeg = await picture.clone().jpeg({ quality }).toBuffer()
    while (jpeg.length * (4 / 3) > 3.8 * 1024 * 1024 && quality > 50) jpeg = await picture.clone().jpeg({ quality: (quality -= 5) }).toBuffer()
    bases.push(jpeg)
  }
  // The parent's own libvips buffers are not the bot's, but free them before anything is measured.
  sharp.cache(false)
  return { bases, bytes: bases.reduce((s, b) => s + b.length, 0) / bases.length }
}

function report(idle: Record<string, number>, phases: PhaseResult[]): void {
  const f0 = (kb: number) => (kb / MB).toFixed(0)
  console.log(
    `\nMemory of the assistant under load (\`npm start\`: \`${settings.script}\`, over puppet-service against the mock WeChat, SQLite). ` +
      `CPUs: ${os.availableParallelism()}, load average ${os.loadavg().map((n) => n.toFixed(1)).join(' ')}. Peak of the bot's node process: ` +
      `its VmHWM, reset at each phase's start; of the group (npm, sh, node): VmRSS summed, sampled every ${SAMPLE_MS} ms.`,
  )
  console.log('| phase | what the bot answered | time, s | peak RSS of the node process, MB (at the phase\'s start) | peak RSS of the group, MB | target |')
  console.log('|---|---|--:|--:|--:|---|')
  for (const p of phases) console.log(`| ${p.name} | ${p.handled} | ${p.seconds.toFixed(0)} | ${f0(p.botKb)} (${f0(p.atStartKb)}) | ${f0(p.groupKb)} | ≤ ${TARGET_MB} MB |`)
  const [a, e, tuned] = [idle['assistant']!, idle['echo']!, idle['echo-tuned']!]
  console.log(
    `Idle RSS of the node process, ${IDLE_MS / 1000} s after the first answer (one start each): the assistant ${f0(a)} MB, the floor (the bare ` +
      `echo bot, \`node\` on its JavaScript) ${f0(e)} MB: ${(a / e).toFixed(2)}× (target ≤ ${IDLE_TARGET}×); the echo bot with npm start's ` +
      `settings ${f0(tuned)} MB: ${(a / tuned).toFixed(2)}×. test/bench/start.ts measures the same over several starts.`,
  )
}

await main()
// gRPC and LevelDB handles can outlive a stopped server by a moment; the figures are out.
process.exit(0)
