// Benchmark: commands handled per second and reply latency (p50, p99), from a message said in
// the mock WeChat to the bot's reply seen there, over the real gRPC transport
// (PuppetMock behind PuppetServer on 127.0.0.1, the bot on wechaty-puppet-service).
// The real assistant on a migrated SQLite file, beside a bare echo bot on the same transport
// and the same mock township (the floor any bot pays). 1,000 /整改 and 1,000 /统计 messages,
// one at a time and 20 in flight. Both bots stay connected, each to its own mock WeChat, and each
// figure is measured in ROUNDS alternating with its floor (echo, assistant, echo, …): this machine's
// speed drifts by a third within a minute, and a floor measured once, minutes apart, moved the ratios more than any change.
//
//   npm run bench
//
// Correlation: the assistant handles one conversation (group) at a time in order, so the
// 20 in-flight "slots" are spread over the township's 7 groups, each slot a distinct
// (group, sender) pair with at most one message outstanding; a slot's reply is the bot's
// next message in that group that @-mentions the slot's sender (/整改 replies must also
// carry the message's unique note, echo replies must repeat the message's unique text).
process.env.LOG_LEVEL = 'silent'
process.env.WECHATY_LOG = 'silent'

import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import type { EchoBot } from '../support/echo-bot.ts'
import type { SeenMessage } from '../support/puppet-server.ts'
import type { WireTownship } from '../support/wire-township.ts'

// Dynamic imports: wechaty-puppet reads WECHATY_LOG when first imported.
const { migrate, statementSeam } = await import('../../src/db/index.ts')
const { createDatabase, startTestPostgres } = await import('../support/postgres.ts')
const { categoryOf } = await import('../../src/ledger/index.ts')
const { endOfDayAfter } = await import('../../src/time.ts')
const { startEchoBot } = await import('../support/echo-bot.ts')
const { quietWechatyLogs } = await import('../support/puppet-server.ts')
const { exampleConfig } = await import('../support/township.ts')
const { BOT_ID, startWireTownship } = await import('../support/wire-township.ts')
quietWechatyLogs('silent')

const MEASURED = Number(process.env.BENCH_MESSAGES ?? 1_000)
/** BENCH_PROVIDERS=sqlite measures SQLite alone (quicker while working on one path). */
const PROVIDERS = (process.env.BENCH_PROVIDERS ?? 'sqlite,postgresql').split(',')
const WARMUP = 50
/** Each figure and its floor measured in this many alternating batches of MEASURED / ROUNDS messages. */
const ROUNDS = 5
const IN_FLIGHT = 20
const REPLY_TIMEOUT_MS = 15_000
/** Longer than the puppet's 60 s watchdog, so that a regression to it shows as a figure. */
const RECONNECT_TIMEOUT_MS = 90_000
/** After a run, how long to keep watching for stray extra replies. */
const QUIET_MS = 300

const TOWNSHIP = '示范乡人居环境整治工作群'
const GROUP: Record<string, string> = {
  卫华村: '卫华村人居环境群',
  渔业村: '渔业村人居环境群',
  卫明村: '卫明村人居环境群',
  新民村: '新民村人居环境群',
  永安村: '永安村人居环境群',
  红旗村: '红旗村人居环境群',
}
const ADMIN_LIU = 'wxid_office_liu'
const ADMIN_CHEN = 'wxid_office_chen'
const SECRETARY: Record<string, string> = {
  卫华村: 'wxid_sec_weihua',
  渔业村: 'wxid_sec_yuye',
  卫明村: 'wxid_sec_weiming',
  新民村: 'wxid_sec_xinmin',
  永安村: 'wxid_sec_yongan',
  红旗村: 'wxid_sec_hongqi',
}

/** One sender in one group, allowed to report progress on `village`'s problems. */
interface Slot {
  topic: string
  sender: string
  village: string
}

/**
 * 20 distinct (group, sender) pairs over the township's 7 groups, every sender a cadre who may
 * /整改 the slot's village (admins everywhere, secretaries and grid leaders in their village).
 */
const SLOTS: Slot[] = [
  ...Object.keys(GROUP).flatMap((v) => [
    { topic: GROUP[v]!, sender: SECRETARY[v]!, village: v },
    { topic: GROUP[v]!, sender: ADMIN_LIU, village: v },
  ]),
  { topic: GROUP['卫华村']!, sender: 'wxid_grid_01', village: '卫华村' },
  { topic: GROUP['渔业村']!, sender: 'wxid_grid_07', village: '渔业村' },
  ...['卫华村', '渔业村', '卫明村', '新民村'].map((v) => ({ topic: TOWNSHIP, sender: SECRETARY[v]!, village: v })),
  { topic: TOWNSHIP, sender: ADMIN_CHEN, village: '永安村' },
  { topic: TOWNSHIP, sender: ADMIN_LIU, village: '红旗村' },
]
if (SLOTS.length !== IN_FLIGHT || new Set(SLOTS.map((s) => `${s.topic}|${s.sender}`)).size !== IN_FLIGHT) throw new Error('slots are not 20 distinct pairs')
/** Problems pre-filed per slot: each slot cycles through its own. */
const PROBLEMS_PER_SLOT = 3
/** The one-at-a-time runs: the township office in the township group, over every problem. */
const SEQUENTIAL_SLOT: Slot = { topic: TOWNSHIP, sender: ADMIN_LIU, village: '' }

/* -------------------------------------------------------------------------- */

interface Request {
  slot: Slot
  text: string
  /** Is this bot message the reply to this request (correlation)? */
  matches(m: SeenMessage): boolean
  /** Is the reply the expected one (not an error, a refusal, a question)? */
  valid(m: SeenMessage): boolean
}

interface RunResult {
  name: string
  count: number
  durationMs: number
  latencies: number[]
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Sends `count` requests (built by `make(i, slot)`) with `concurrency` outstanding, each slot
 * having at most one; measures from just before the contact says it to the reply arriving in
 * the mock. Throws unless every request got exactly one valid reply and nothing else was said.
 */
async function drive(t: WireTownship, name: string, count: number, slots: Slot[], make: (i: number, slot: Slot, slotIndex: number) => Request): Promise<RunResult> {
  const topics = [...new Set(slots.map((s) => s.topic))]
  const startIndex = new Map(topics.map((topic) => [topic, t.rooms.get(topic)!.seen.messages.length]))
  const latencies: number[] = new Array(count)
  const replies = new Set<string>()
  let next = 0

  async function worker(slotIndex: number) {
    const slot = slots[slotIndex]!
    const { room, seen } = t.rooms.get(slot.topic)!
    const talker = t.contact(slot.sender)
    for (;;) {
      const i = next++
      if (i >= count) return
      const request = make(i, slot, slotIndex)
      const from = seen.messages.length
      const t0 = performance.now()
      talker.say(request.text).to(room)
      const reply = await seen.waitFor((m) => m.talkerId === BOT_ID && request.matches(m), REPLY_TIMEOUT_MS, from)
      latencies[i] = performance.now() - t0
      if (!request.valid(reply)) throw new Error(`${name}: unexpected reply to ${JSON.stringify(request.text)}: ${JSON.stringify(reply.text)}`)
      if (replies.has(reply.id)) throw new Error(`${name}: one reply matched two requests: ${JSON.stringify(reply.text)}`)
      replies.add(reply.id)
    }
  }

  const started = performance.now()
  await Promise.all(slots.map((_, k) => worker(k)))
  const durationMs = performance.now() - started

  await sleep(QUIET_MS)
  let botMessages = 0
  for (const topic of topics) botMessages += t.rooms.get(topic)!.seen.messages.slice(startIndex.get(topic)).filter((m) => m.talkerId === BOT_ID).length
  if (replies.size !== count || botMessages !== count) {
    throw new Error(`${name}: ${count} messages sent, ${replies.size} answered, ${botMessages} bot messages seen — expected exactly one reply each`)
  }
  return { name, count, durationMs, latencies }
}

/** A way to send `count` requests numbered from `base`, the same each round. */
type Run = (name: string, count: number, base: number) => Promise<RunResult>

function runOf(t: WireTownship, slots: Slot[], make: (i: number, slot: Slot, slotIndex: number) => Request): Run {
  return (name, count, base) => drive(t, name, count, slots, (i, slot, k) => make(base + i, slot, k))
}

/** Adds up a figure's rounds: all their latencies, their messages over their time. */
function merged(name: string, parts: RunResult[]): RunResult {
  return { name, count: parts.reduce((n, r) => n + r.count, 0), durationMs: parts.reduce((n, r) => n + r.durationMs, 0), latencies: parts.flatMap((r) => r.latencies) }
}

/** A figure beside its floor: a warm-up of each (not reported), then ROUNDS batches of each in turn. */
async function measurePair(floorName: string, floor: Run, name: string, subject: Run): Promise<[RunResult, RunResult]> {
  await floor(`${floorName} (warm-up)`, WARMUP, 0)
  await subject(`${name} (warm-up)`, WARMUP, 0)
  const floors: RunResult[] = []
  const subjects: RunResult[] = []
  const batch = Math.ceil(MEASURED / ROUNDS)
  for (let round = 0, base = WARMUP; round < ROUNDS; round++, base += batch) {
    floors.push(await floor(floorName, batch, base))
    subjects.push(await subject(name, batch, base))
  }
  return [merged(floorName, floors), merged(name, subjects)]
}

/**
 * Restarts the WeChat service (at once, nothing in flight) and keeps `slot` writing, one message
 * every 100 ms, until the bot says anything in that group: ms from the service being back to
 * that answer. The puppet's watchdog alone would take up to 60 s.
 */
async function reconnect(t: WireTownship, name: string, slot: Slot, make: (i: number, slot: Slot, slotIndex: number) => Request): Promise<{ name: string; ms: number }> {
  const { room, seen } = t.rooms.get(slot.topic)!
  const talker = t.contact(slot.sender)
  await t.wechat.restart()
  const backAt = performance.now()
  const from = seen.messages.length
  for (let i = 0; performance.now() - backAt < RECONNECT_TIMEOUT_MS; i++) {
    talker.say(make(i, slot, 0).text).to(room)
    await sleep(100)
    if (seen.messages.slice(from).some((m) => m.talkerId === BOT_ID)) return { name, ms: performance.now() - backAt }
  }
  throw new Error(`${name}: no answer within ${RECONNECT_TIMEOUT_MS / 1000} s of the service being back`)
}

/* -------------------------------------------------------------------------- */

const mentioning = (slot: Slot) => (m: SeenMessage) => m.mentionIds?.length === 1 && m.mentionIds[0] === slot.sender

function echoRequest(label: string) {
  return (i: number, slot: Slot): Request => {
    const text = `${label} 测试消息 ${i}：三组路边垃圾已清运`
    return { slot, text, matches: (m) => m.text === text, valid: () => true }
  }
}

function progressRequest(problemsOf: (slot: Slot, slotIndex: number) => number[], label: string) {
  return (i: number, slot: Slot, slotIndex: number): Request => {
    const problems = problemsOf(slot, slotIndex)
    const id = problems[i % problems.length]!
    const note = `${label}-${i} 已联系铲车清运`
    const text = `/整改 ${id} 整改中 ${note}`
    const isMention = mentioning(slot)
    return {
      slot,
      text,
      matches: isMention,
      valid: (m) => m.text.includes(`#${id} `) && m.text.includes(`→ 整改中`) && m.text.includes(`\n说明：${note}\n`),
    }
  }
}

function statsRequest(slot: Slot): Request {
  return { slot, text: '/统计', matches: mentioning(slot), valid: (m) => m.text.includes('📊 示范乡整改统计：汇集问题 ') }
}

/* -------------------------------------------------------------------------- */

const results: RunResult[] = []
const counts: string[] = []
const statementLogs: string[] = []
/** Messages over which statements per message are averaged. */
const STATEMENT_SAMPLE = 50
const reconnects: Array<{ name: string; ms: number }> = []
const cleanups: Array<() => Promise<void>> = []
const tempDirs: string[] = []
let exitCode = 0
const startedAt = new Date()
const wallStart = performance.now()

try {
  // One migration (Prisma's CLI, ~1-2 s), copied for each township.
  const baseDir = mkdtempSync(join(os.tmpdir(), 'renju-bench-base-'))
  tempDirs.push(baseDir)
  const baseFile = join(baseDir, 'base.sqlite')
  await migrate('file:' + baseFile)
  const freshUrl = () => {
    const file = join(mkdtempSync(join(os.tmpdir(), 'renju-bench-')), 'bench.sqlite')
    copyFileSync(baseFile, file)
    tempDirs.push(join(file, '..'))
    return 'file:' + file
  }

  // ---- the floor: a bare echo bot on the same transport and the same mock township, connected throughout ----
  const echoTownship = await startWireTownship(exampleConfig(), { databaseUrl: freshUrl() })
  let echo: EchoBot | undefined
  cleanups.push(async () => {
    await echo?.stop()
    await echoTownship.close()
  })
  echo = await startEchoBot(echoTownship.wechat.puppetOptions)
  echoTownship.wechat.login(echoTownship.wechat.mocker.ContactMock.load(BOT_ID))
  await echo.loggedIn
  const echoOneAtATime = runOf(echoTownship, [SEQUENTIAL_SLOT], echoRequest('seq'))
  const echoInFlight = runOf(echoTownship, SLOTS, echoRequest('par'))
  // Warmed once at length, so that the first figure's floor is not measured on colder code than the last's.
  await echoOneAtATime('echo bot (warm-up)', 500, 1_000_000)
  await echoInFlight('echo bot (warm-up)', 500, 1_000_000)

  // ---- the assistant, on SQLite and on PostgreSQL, each figure beside the echo bot's ----
  const assistantRuns = async (provider: string, databaseUrl: string) => {
    const t = await startWireTownship(exampleConfig(), { databaseUrl })
    cleanups.push(() => t.close())
    const assistant = await t.startBot()

    // Pre-file the problems each slot cycles through (straight into the ledger).
    const slotProblems: number[][] = []
    const deadline = endOfDayAfter(new Date(), 30)
    for (const [k, slot] of SLOTS.entries()) {
      const ids: number[] = []
      for (let n = 0; n < PROBLEMS_PER_SLOT; n++) {
        const description = `${slot.village}第${k + 1}处第${n + 1}号点位垃圾堆放`
        const { problem } = await assistant.ledger.file(
          { village: slot.village, category: categoryOf(description), description, source: '巡查', deadline },
          { actorId: 'wxid_grid_01', actorName: '网格长01' },
        )
        ids.push(problem.id)
      }
      slotProblems.push(ids)
    }
    const allProblems = slotProblems.flat()
    const historyRows = () => assistant.db.problemChange.count()

    /** Both measured in turns; a /整改 figure also checks that each of its messages wrote one history row. */
    const pair = async (figure: string, floor: Run, subject: Run, writesHistory = false) => {
      const before = await historyRows()
      const [floorResult, result] = await measurePair(`echo bot beside ${figure}`, floor, figure, subject)
      const added = (await historyRows()) - before
      const expected = result.count + WARMUP
      if (writesHistory && added !== expected) throw new Error(`${figure}: ${added} history rows written, expected ${expected}`)
      results.push(floorResult, result)
    }
    await pair(`/整改, 1 at a time (${provider})`, echoOneAtATime, runOf(t, [SEQUENTIAL_SLOT], progressRequest(() => allProblems, 'seq')), true)
    await pair(`/整改, ${IN_FLIGHT} in flight (${provider})`, echoInFlight, runOf(t, SLOTS, progressRequest((_, k) => slotProblems[k]!, 'par')), true)
    await pair(`/统计, 1 at a time (${provider})`, echoOneAtATime, runOf(t, [SEQUENTIAL_SLOT], (_, slot) => statsRequest(slot)))
    await pair(`/统计, ${IN_FLIGHT} in flight (${provider})`, echoInFlight, runOf(t, SLOTS, (_, slot) => statsRequest(slot)))

    // Statements per message, counted where they leave for the driver, and one message's SQL.
    const per = async (label: string, make: (i: number, slot: Slot, slotIndex: number) => Request) => {
      const sql: string[] = []
      statementSeam.log = (text, inTransaction) => sql.length < 60 && sql.push(`${inTransaction ? '  [tx] ' : '       '}${text.replace(/\s+/g, ' ').slice(0, 110)}`)
      const before = { ...statementSeam }
      // PostgreSQL: round trips to the server, counted by its client (src/db/pg-client.ts).
      const wire = provider === 'postgresql' ? (await import('../../src/db/pg-client.ts')).roundTripSeam : undefined
      const tripsBefore = wire?.roundTrips ?? 0
      await drive(t, `${label} (statements)`, STATEMENT_SAMPLE, [SEQUENTIAL_SLOT], make)
      statementSeam.log = undefined
      const statements = (statementSeam.statements - before.statements) / STATEMENT_SAMPLE
      const transactions = (statementSeam.transactions - before.transactions) / STATEMENT_SAMPLE
      const trips = wire ? `, ${((wire.roundTrips - tripsBefore) / STATEMENT_SAMPLE).toFixed(1)} round trips to the server` : ''
      counts.push(`${label} (${provider}): ${statements.toFixed(1)} statements and ${transactions.toFixed(1)} transactions per message${trips}`)
      // From one message's arrival to the next one's (its reply's "sent" mark may come after that).
      const arrivals = sql.flatMap((s, i) => (/INSERT INTO .*InboxMessage/.test(s) ? [i] : []))
      statementLogs.push(`${label} (${provider}), one message (of ${STATEMENT_SAMPLE}; the outbox's "sent" mark is not always within it):\n${sql.slice(arrivals[1], arrivals[2]).join('\n')}`)
    }
    await per('/整改', (i, slot, k) => progressRequest(() => allProblems, 'count')(i, slot, k))
    await per('/统计', (_, slot) => statsRequest(slot))
    if (provider === 'sqlite') reconnects.push(await reconnect(t, 'assistant (/统计)', SEQUENTIAL_SLOT, (_, slot) => statsRequest(slot)))

    await cleanups.pop()!()
  }
  if (PROVIDERS.includes('sqlite')) await assistantRuns('sqlite', freshUrl())
  if (PROVIDERS.includes('postgresql')) {
    const server = await startTestPostgres()
    cleanups.push(() => server.stop())
    const pgUrl = await createDatabase(server.url)
    await migrate(pgUrl)
    await assistantRuns('postgresql', pgUrl)
  }
  if (echo.errors.length > 0) throw new Error(`echo bot errors: ${echo.errors.map((e) => e.message).join('; ')}`)
  // Last: the restart's CANCELLED is an error the bot is told of, rightly.
  reconnects.unshift(await reconnect(echoTownship, 'echo bot', SEQUENTIAL_SLOT, echoRequest('restart')))

  // ---- report ----
  const rows = results.map((r) => {
    const sorted = [...r.latencies].sort((a, b) => a - b)
    return [
      r.name,
      String(r.count),
      (r.durationMs / 1000).toFixed(2),
      (r.count / (r.durationMs / 1000)).toFixed(0),
      percentile(sorted, 50).toFixed(1),
      percentile(sorted, 99).toFixed(1),
      sorted.at(-1)!.toFixed(1),
    ]
  })
  const header = ['scenario', 'msgs', 'time (s)', 'msgs/s', 'p50 (ms)', 'p99 (ms)', 'max (ms)']
  const width = (s: string) => [...s].reduce((w, ch) => w + (/[\u2E80-\uFFEF]/.test(ch) ? 2 : 1), 0)
  const widths = header.map((h, c) => Math.max(width(h), ...rows.map((row) => width(row[c]!))))
  const line = (cells: string[]) =>
    cells.map((cell, c) => (c === 0 ? cell + ' '.repeat(widths[c]! - width(cell)) : ' '.repeat(widths[c]! - width(cell)) + cell)).join('  ')

  const cpus = os.cpus()
  console.log('')
  console.log('renju-assistant benchmark — message said in the mock WeChat → bot reply seen there, over gRPC (127.0.0.1)')
  console.log(`date ${startedAt.toISOString()}  node ${process.version}  ${os.platform()}/${os.arch()}  cpu ${cpus[0]?.model.trim() ?? 'unknown'} ×${cpus.length}`)
  console.log(`each figure: ${WARMUP} warm-up messages, then ${MEASURED} measured in ${ROUNDS} batches taking turns with its echo floor; "${IN_FLIGHT} in flight" = ${IN_FLIGHT} senders over the township's 7 groups, one outstanding each`)
  console.log('')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of rows) console.log(line(row))
  console.log('')
  // Each figure beside its floor (the echo bot, same run) and the target of issue #14.
  const p = (name: string, q: number) => {
    const r = results.find((x) => x.name === name)!
    return percentile([...r.latencies].sort((a, b) => a - b), q)
  }
  const rate = (name: string) => {
    const r = results.find((x) => x.name === name)!
    return r.count / (r.durationMs / 1000)
  }
  const floor = (figure: string) => `echo bot beside ${figure}`
  console.log('against the floor (the echo bot, measured in turns with each figure):')
  for (const provider of PROVIDERS) {
    const check = (label: string, value: number, target: string, ok: boolean) => console.log(`  ${label.padEnd(44)} ${value.toFixed(2)}×   target ${target}   ${ok ? 'met' : 'NOT met'}`)
    const seq = `/整改, 1 at a time (${provider})`
    const par = `/整改, ${IN_FLIGHT} in flight (${provider})`
    const stats = `/统计, 1 at a time (${provider})`
    check(`/整改 p50 ÷ echo p50 (${provider})`, p(seq, 50) / p(floor(seq), 50), '≤ 2×', p(seq, 50) <= 2 * p(floor(seq), 50))
    check(`/整改 p99 ÷ echo p99 (${provider})`, p(seq, 99) / p(floor(seq), 99), '≤ 3×', p(seq, 99) <= 3 * p(floor(seq), 99))
    check(`/整改 msgs/s ÷ echo, ${IN_FLIGHT} in flight (${provider})`, rate(par) / rate(floor(par)), '≥ 0.5×', rate(par) >= 0.5 * rate(floor(par)))
    check(`/统计 p50 ÷ echo p50 (${provider})`, p(stats, 50) / p(floor(stats), 50), '≤ 1.5×', p(stats, 50) <= 1.5 * p(floor(stats), 50))
  }
  console.log('')
  for (const line of counts) console.log(line)
  console.log('')
  for (const log of statementLogs) console.log(log + '\n')
  console.log(`WeChat service restarted → first answer after it is back (watchdog alone: up to 60 s): ${reconnects.map((r) => `${r.name} ${(r.ms / 1000).toFixed(1)} s`).join(', ')}`)
  console.log('')
  console.log(`every measured message got exactly one reply; each /整改 wrote one history row. total ${((performance.now() - wallStart) / 1000).toFixed(1)} s`)
} catch (error) {
  exitCode = 1
  console.error('benchmark failed:', error)
} finally {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => console.error('cleanup failed:', err))
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
}

// Every bot and server is stopped above, and the process then exits by itself (checked). Should
// something still hold the event loop (a gRPC or LevelDB handle in a future version), say what
// and exit anyway rather than hang.
process.exitCode = exitCode
setTimeout(() => {
  const handles = (process as unknown as { _getActiveHandles(): object[] })._getActiveHandles().map((h) => h.constructor.name)
  console.error(`still running 3 s after cleanup (${handles.join(', ')}); exiting`)
  process.exit(exitCode)
}, 3_000).unref()
