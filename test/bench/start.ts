// Benchmark: from `npm start` to the first answer, and the idle memory afterwards, of the
// assistant beside the bare echo bot (test/support/echo-bot-main.ts, run by node on its
// JavaScript: the floor any bot on this transport pays), both measured from outside as processes
// against the same mock WeChat behind a real puppet-service server, alternating, in one run.
// The echo bot runs twice: as a bare `node` (the floor the targets are set against), and with the
// allocator and heap settings `npm start` gives the assistant (read from package.json), so
// that what those settings save is not counted as the assistant's own lightness.
//
//   npx tsx test/bench/start.ts
//
// Each start: spawn the process (its own process group) with the puppet-service environment, log
// the bot's account in as soon as its client connects, and from the spawn on send a command
// every 100 ms into a group until the bot says anything there; the figure is spawn → that answer.
// The assistant runs on one migrated SQLite database, as a restart does: the first (uncounted) start
// also seeds the roster from the config, so it is printed on its own; the migration step is
// skipped when nothing is pending. Its photo and backup folders are beside it. After the first answer the
// process idles IDLE_MS, then the RSS of every process of its group is read from /proc
// (VmRSS): the bot's own process, and the whole group (for `npm start`: npm, sh and node).
process.env.LOG_LEVEL = 'silent'
process.env.WECHATY_LOG = 'silent'

import type { ChildProcess } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { stringify } from 'yaml'
import { processGroup, spawnBot, statusKb } from './processes.ts'
import { startSettings } from './start-settings.ts'

// Dynamic imports: wechaty-puppet reads WECHATY_LOG when first imported.
const { migrate } = await import('../../src/db/index.ts')
const { quietWechatyLogs } = await import('../support/puppet-server.ts')
const { BOT_ID, startWireTownship } = await import('../support/wire-township.ts')
quietWechatyLogs('silent')

const root = resolve(import.meta.dirname, '../..')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const START_TIMEOUT_MS = 60_000
/** How long a bot idles after its first answer before its memory is read. */
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 10_000)
const START_TARGET_S = 3
const IDLE_TARGET = 1.2
const GROUP = '卫华村人居环境群'
const MB = 1024

type Kind = 'echo' | 'echo-tuned' | 'assistant'

interface Run {
  kind: Kind
  /** spawn → first answer, ms */
  startMs: number
  /** the bot's own process, MB */
  rssMb: number
  /** every process of the group, MB */
  groupRssMb: number
  processes: string[]
}

const settings = startSettings()

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function killGroup(child: ChildProcess): Promise<void> {
  try {
    process.kill(-child.pid!, 'SIGKILL')
  } catch {
    return
  }
  for (let i = 0; i < 200 && processGroup(child.pid!).length > 0; i++) await sleep(25)
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'renju-bench-start-'))
  const baseDb = join(dir, 'base.sqlite')
  await migrate('file:' + baseDb)
  const t = await startWireTownship(undefined, { databaseUrl: 'file:' + join(dir, 'wire.sqlite') })
  try {
    // The floor runs as JavaScript too: dist/ (the assistant's build) plus the echo bot's two files.
    const { build, emit, dist } = (await import(join(root, 'scripts/build.mjs'))) as {
      build(): Promise<number>
      emit(file: string): Promise<void>
      dist: string
    }
    await build()
    await emit('test/support/echo-bot.ts')
    await emit('test/support/echo-bot-main.ts')
    const configFile = join(dir, 'township.yaml')
    writeFileSync(configFile, stringify(t.config))
    const botUser = t.wechat.mocker.ContactMock.load(BOT_ID)
    const { room, seen } = t.rooms.get(GROUP)!
    const commander = t.contact('wxid_office_liu')

    const once = async (kind: Kind, round: number): Promise<Run> => {
      const runDir = join(dir, `${kind}-${round}`)
      const db = join(dir, 'renju.sqlite')
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        WECHATY_PUPPET_SERVICE_TOKEN: t.wechat.token,
        WECHATY_PUPPET_SERVICE_ENDPOINT: t.wechat.endpoint,
        WECHATY_PUPPET_SERVICE_NO_TLS_INSECURE_CLIENT: 'true',
        DATABASE_URL: 'file:' + db,
        RENJU_CONFIG: configFile,
        RENJU_PHOTO_DIR: join(runDir, 'photos'),
        RENJU_BACKUP_DIR: join(runDir, 'backups'),
        LOG_LEVEL: 'silent',
      }
      delete env.WECHATY_LOG
      mkdirSync(runDir, { recursive: true })
      const from = seen.messages.length
      const answered = seen.waitFor((m) => m.talkerId === BOT_ID, START_TIMEOUT_MS, from).then(() => performance.now())
      const t0 = performance.now()
      const child = spawnBot(kind, { root, dist, env, settings })
      let done = false
      const poke = (async () => {
        while (!done) {
          if (t.wechat.puppet.state.active() && !t.wechat.puppet.isLoggedIn) t.wechat.login(botUser)
          commander.say('/台账 卫华村').to(room)
          await sleep(100)
        }
      })()
      try {
        const at = await answered
        done = true
        await poke
        await sleep(IDLE_MS)
        const group = processGroup(child.pid!).map((p) => ({ ...p, rssKb: statusKb(p.pid, 'VmRSS') }))
        const own = group.reduce((a, b) => (b.rssKb > a.rssKb ? b : a))
        return {
          kind,
          startMs: at - t0,
          rssMb: own.rssKb / MB,
          groupRssMb: group.reduce((s, p) => s + p.rssKb, 0) / MB,
          processes: group.map((p) => `${(p.rssKb / MB).toFixed(0)} MB ${p.args.slice(0, 60)}`),
        }
      } finally {
        done = true
        await killGroup(child)
      }
    }

    // A first start of each, not counted: the disk cache, dist/ built if a source changed, and the
    // assistant's first start on its database.
    copyFileSync(baseDb, join(dir, 'renju.sqlite'))
    await once('echo', -1)
    const first = await once('assistant', -1)
    const runs: Run[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const order: Kind[] = round % 2 === 0 ? ['echo', 'assistant', 'echo-tuned'] : ['echo-tuned', 'assistant', 'echo']
      for (const kind of order) runs.push(await once(kind, round))
    }
    report(runs, first)
  } finally {
    await t.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

function report(runs: Run[], first: Run): void {
  const of = (kind: Kind) => runs.filter((r) => r.kind === kind)
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b)
    return sorted[Math.floor(sorted.length / 2)]!
  }
  const [echo, tuned, assistant] = [of('echo'), of('echo-tuned'), of('assistant')]
  const f1 = (n: number) => n.toFixed(1)
  const f0 = (n: number) => n.toFixed(0)
  const each = (rs: Run[], pick: (r: Run) => number, fmt: (n: number) => string) => `${fmt(median(rs.map(pick)))} (${rs.map((r) => fmt(pick(r))).join(', ')})`
  console.log(
    `\nStart and idle memory: ${ROUNDS} starts each, alternating; medians, each run in brackets. CPUs: ${os.availableParallelism()}, ` +
      `load average ${os.loadavg().map(f1).join(' ')}. Floor: the bare echo bot, \`node\` on its JavaScript, on the same puppet-service ` +
      `transport; in brackets after the ratio, against the echo bot run with npm start's settings (\`${settings.script}\`).`,
  )
  console.log('| figure | assistant (`npm start`) | floor: echo bot | echo bot, same settings | assistant ÷ floor (÷ same settings) | target |')
  console.log('|---|--:|--:|--:|--:|---|')
  const line = (what: string, pick: (r: Run) => number, fmt: (n: number) => string, digits: number, target: string) => {
    const [a, e, t] = [assistant, echo, tuned].map((rs) => median(rs.map(pick)))
    console.log(`| ${what} | ${each(assistant, pick, fmt)} | ${each(echo, pick, fmt)} | ${each(tuned, pick, fmt)} | ${(a! / e!).toFixed(digits)}× (${(a! / t!).toFixed(digits)}×) | ${target} |`)
  }
  line('start → first answer, s', (r) => r.startMs / 1000, f1, 1, `≤ ${START_TARGET_S} s`)
  line(`idle RSS of the bot's process, MB, ${IDLE_MS / 1000} s after its first answer`, (r) => r.rssMb, f0, 2, `≤ ${IDLE_TARGET}×`)
  line('idle RSS of the whole process group, MB', (r) => r.groupRssMb, f0, 2, '')
  console.log(`First start of the assistant on a freshly migrated database (seeds the roster from the config; not counted above): ${f1(first.startMs / 1000)} s.`)
  console.log(`Processes of the last assistant run: ${assistant.at(-1)!.processes.join('; ')}.`)
}

await main()
// gRPC and LevelDB handles can outlive a stopped server by a moment; the figures are out.
process.exit(0)
