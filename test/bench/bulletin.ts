// Benchmark: building the 周通报 (buildBulletin) and the 月考核 (buildAssessment) — pure functions
// of records already in memory — for one township and for a city-sized data set, and rendering
// the bulletin picture once.
//
//   npx tsx test/bench/bulletin.ts
//
// Data (generated here, deterministic): each problem is filed at a random time in the 10 weeks
// before the bulletin week's end, with a deadline 3–10 days on, and walks 登记 → 整改中 (with a
// progress report now and then) → 已完成 → 已销号, sometimes 退回 and redone; ≈ 4 history rows per
// problem. 黄牌/红牌 for some problems.
//   township: 6 villages, 1,000 problems
//   city:     100 townships × 20 villages = 2,000 villages, 200,000 problems; built per township
//             (each from its own 2,000 problems, as the scheduler would) and once over everything
//             (2,000 village rows) to show the cost is linear in problems + changes.
// Each figure is the median of several runs after a warm-up run.
import { useProjectFonts } from '../../src/photos/fonts.ts' // first: fonts before any text render
import { prng } from '../photos/synth.ts'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import type { Card, Problem, ProblemChange } from '../../src/db/generated/client.ts'
import { townshipConfigSchema } from '../../src/config/schema.ts'
import { buildAssessment } from '../../src/stats/assessment.ts'
import { buildBulletin, bulletinPicture, bulletinText } from '../../src/stats/bulletin.ts'
import { monthOf, weekOf } from '../../src/stats/periods.ts'

useProjectFonts()

const DAY = 86_400_000
const WEEK = weekOf(new Date('2026-12-03T12:00:00+08:00'))
const MONTH = monthOf(new Date('2026-11-15T12:00:00+08:00'))
const CONFIG = townshipConfigSchema.parse({ township: { name: '示范乡' }, villages: [{ name: 'x' }] }).assessment


interface Data {
  villages: string[]
  problems: Problem[]
  changes: ProblemChange[]
  cards: Card[]
}

const ids = { problem: 1, change: 1, card: 1 }

function generate(villages: string[], count: number, rnd: () => number): Data {
  const problems: Problem[] = []
  const changes: ProblemChange[] = []
  const cards: Card[] = []
  const end = WEEK.end.getTime()
  for (let i = 0; i < count; i++) {
    const id = ids.problem++
    const village = villages[Math.floor(rnd() * villages.length)]!
    const createdAt = new Date(end - rnd() * 70 * DAY)
    const deadline = new Date(createdAt.getTime() + (3 + Math.floor(rnd() * 8)) * DAY)
    let t = createdAt.getTime()
    let status = '待整改'
    const move = (to: string, action: string) => {
      t += rnd() * 4 * DAY
      changes.push({ id: ids.change++, problemId: id, action, fromStatus: status, toStatus: to, note: null, actorId: 'wx', actorName: '张三', messageId: null, at: new Date(t) })
      status = to
    }
    changes.push({ id: ids.change++, problemId: id, action: '登记', fromStatus: null, toStatus: status, note: null, actorId: 'wx', actorName: '张三', messageId: null, at: createdAt })
    if (rnd() < 0.95) move('整改中', '整改')
    if (status === '整改中' && rnd() < 0.4) move('整改中', '整改')
    if (status === '整改中' && rnd() < 0.85) move('已完成', '整改')
    if (status === '已完成' && rnd() < 0.15) {
      move('整改中', '退回')
      move('已完成', '整改')
    }
    if (status === '已完成' && rnd() < 0.7) move('已销号', '销号')
    if (status !== '已完成' && status !== '已销号' && deadline.getTime() + 3 * DAY < end && rnd() < 0.5) {
      cards.push({ id: ids.card++, problemId: id, village, color: rnd() < 0.7 ? '黄牌' : '红牌', daysOverdue: 3, issuedAt: new Date(deadline.getTime() + 3 * DAY) })
    }
    problems.push({
      id, village, hamlet: null, grid: null, category: '垃圾', description: `问题${id}`, source: '巡查', reporterId: 'wx', reporterName: '张三', responsibleName: null,
      deadline, status, createdAt, updatedAt: new Date(t), completedAt: null, verifiedAt: null, importKey: null,
    })
  }
  return { villages, problems, changes, cards }
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

/** Median wall time (ms) of `runs` calls of `f`, after one warm-up call. */
function time(f: () => void, runs: number): number {
  f()
  const samples: number[] = []
  for (let k = 0; k < runs; k++) {
    const t0 = performance.now()
    f()
    samples.push(performance.now() - t0)
  }
  return median(samples)
}

const bulletinOf = (d: Data) => buildBulletin({ townshipName: '示范乡', villages: d.villages, problems: d.problems, changes: d.changes, cards: d.cards, week: WEEK, inspections: 2, dutyLeader: '李乡长' })
const assessmentOf = (d: Data) => buildAssessment({ villages: d.villages, problems: d.problems, changes: d.changes, cards: d.cards, month: MONTH, config: CONFIG })

// ── Data ──────────────────────────────────────────────────────────────────────────────────────
const genStart = performance.now()
const township = generate(['卫华村', '渔业村', '卫明村', '新华村', '东升村', '前进村'], 1_000, prng(1))
const rnd = prng(2)
const townships: Data[] = []
for (let k = 0; k < 100; k++) townships.push(generate(Array.from({ length: 20 }, (_, v) => `乡${k + 1}村${v + 1}`), 2_000, rnd))
const city: Data = {
  villages: townships.flatMap((t) => t.villages),
  problems: townships.flatMap((t) => t.problems),
  changes: townships.flatMap((t) => t.changes),
  cards: townships.flatMap((t) => t.cards),
}
const genMs = performance.now() - genStart

// ── Runs ──────────────────────────────────────────────────────────────────────────────────────
interface Row { name: string; villages: number; problems: number; changes: number; bulletin: number; assessment: number }
const rows: Row[] = []
const measure = (name: string, data: Data, runs: number) =>
  rows.push({ name, villages: data.villages.length, problems: data.problems.length, changes: data.changes.length, bulletin: time(() => bulletinOf(data), runs), assessment: time(() => assessmentOf(data), runs) })

measure('township (1 × 6 villages)', township, 31)
rows.push({
  name: 'city, per township (100 builds)',
  villages: city.villages.length,
  problems: city.problems.length,
  changes: city.changes.length,
  bulletin: time(() => townships.forEach(bulletinOf), 7),
  assessment: time(() => townships.forEach(assessmentOf), 7),
})
measure('city, all at once (2,000 rows)', city, 7)

// One township's bulletin as a picture: the first render in the process (fontconfig loads the
// 2 × 11 MB Noto Sans SC files) and a warm one.
const b = bulletinOf(township)
let t0 = performance.now()
const png = await bulletinPicture(b, '示范乡')
const pictureCold = performance.now() - t0
t0 = performance.now()
await bulletinPicture(b, '示范乡')
const pictureWarm = performance.now() - t0

// ── Report ────────────────────────────────────────────────────────────────────────────────────
const cpus = os.cpus()
console.log('')
console.log('renju-assistant — 周通报 / 月考核 build time (pure functions over in-memory records)')
console.log(`node ${process.version}  ${os.platform()}/${os.arch()}  cpu ${cpus[0]?.model.trim() ?? 'unknown'} ×${cpus.length}  data generated in ${(genMs / 1000).toFixed(1)} s`)
console.log(`week ${WEEK.key} (${WEEK.label}), month ${MONTH.label}; medians after a warm-up run`)
console.log('')
const header = ['case', 'villages', 'problems', 'changes', 'bulletin ms', 'assessment ms', 'ns / record (bulletin)']
const table = rows.map((r) => [
  r.name,
  r.villages.toLocaleString('en'),
  r.problems.toLocaleString('en'),
  r.changes.toLocaleString('en'),
  r.bulletin.toFixed(2),
  r.assessment.toFixed(2),
  ((r.bulletin * 1e6) / (r.problems + r.changes)).toFixed(0),
])
const widths = header.map((h, i) => Math.max(h.length * (i === 0 ? 1 : 1), ...table.map((row) => row[i]!.length)))
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')
console.log(line(header))
console.log(widths.map((w) => '-'.repeat(w)).join('  '))
for (const row of table) console.log(line(row))
console.log('')
console.log(`bulletinPicture (township, ${b.rows.length} villages): first render ${pictureCold.toFixed(0)} ms (includes font loading), warm ${pictureWarm.toFixed(0)} ms; PNG ${(png.length / 1024).toFixed(0)} KB`)
console.log(`bulletinText: ${bulletinText(b, '示范乡').length} characters`)
