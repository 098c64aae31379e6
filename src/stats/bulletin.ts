// 周通报: the weekly bulletin, a pure function of the records and a week, as text and as a picture.
//
// Definitions (all per village, counted from the problems' history rows; see history.ts):
//   newThisWeek        filed (createdAt) in [week.start, week.end)
//   completedThisWeek  problems that became done (已完成, or straight to 已销号) from an open status
//                      during the week — counted once each, even if sent back and redone
//   verifiedThisWeek   problems 销号 during the week
//   total / open / done  at the week's end (after every move before week.end); done = 已完成 + 已销号
//   overdue            at the week's end: deadline < week.end and not done
//   rate               done ÷ total at the week's end (0 when total is 0, as the ledger shows it)
//   previousRate       the same at the previous week's end (= this week's start)
//   change             rate − previousRate (a fraction; shown as percentage points)
//   redList            villages whose rate rose, or that completed work without losing ground, by change, then rate
//                      (then config order), the top 2
//   blackList          villages with overdue problems and no completion this week, most overdue first
// Problems and cards of villages not in `villages` are left out, so the 全乡 row is the sum of the rows.
import { useProjectFonts } from '../photos/fonts.ts' // first: sets FONTCONFIG_FILE before any text render
import type { Card } from '../db/generated/client.ts'
import { percent } from '../ledger/format.ts'
import { loadSharp } from '../photos/sharp.ts'
import { escapeXml, fitSize, textWidth, truncate } from '../photos/svg-text.ts'
import { History, isDone, overdueAt, type ChangeFacts, type ProblemFacts } from './history.ts'
import { TOWNSHIP_WORDS, type Level } from './level.ts'
import type { Week } from './periods.ts'

export interface BulletinInput {
  townshipName: string
  /** In config order; the bulletin has one row per village, in this order. */
  villages: string[]
  /** All problems (any time); those filed after the week are ignored. */
  problems: ProblemFacts[]
  /** All history rows (or at least those before the week's end). */
  changes: ChangeFacts[]
  cards: Card[]
  week: Week
  dutyLeader?: string
  /** This week's inspections, when that record exists; undefined → "暂无记录". */
  inspections?: number
  /** This week's clearance lines, when recorded; undefined → omitted. */
  clearance?: string[]
  /**
   * Counts of problems not in `problems`, taken elsewhere, added to their village's row: the
   * county reads a township's problems untouched since the week began by database aggregation.
   */
  base?: ReadonlyMap<string, WeekCounts>
  /** The totals row's name; 全乡 by default. */
  level?: Level
}

export interface VillageWeek {
  village: string
  newThisWeek: number
  completedThisWeek: number
  verifiedThisWeek: number
  /** 待整改 + 整改中 at the week's end. */
  open: number
  /** Not done and past deadline at the week's end. */
  overdue: number
  /** Filed before the week's end. */
  total: number
  /** 已完成 + 已销号 at the week's end. */
  done: number
  /** done ÷ total at the week's end, 0..1. */
  rate: number
  /** The same at the previous week's end. */
  previousRate: number
  /** rate − previousRate, −1..1. */
  change: number
}

export interface Bulletin {
  week: Week
  rows: VillageWeek[]
  /** Named by the level (全乡, or 全县 for a county): the sum of the rows, its rates computed from the sums. */
  totals: VillageWeek
  redList: string[]
  blackList: { village: string; reason: string }[]
  /** Cards issued during the week, oldest first. */
  cardsThisWeek: Card[]
  dutyLeader?: string
  inspections?: number
  clearance?: string[]
}

/** A village's running counts while the week is read; rates are derived from them at the end. */
export type WeekCounts = Pick<VillageWeek, 'newThisWeek' | 'completedThisWeek' | 'verifiedThisWeek' | 'open' | 'overdue' | 'total' | 'done'> & {
  previousTotal: number
  previousDone: number
}

export const emptyWeekCounts = (): WeekCounts => ({ newThisWeek: 0, completedThisWeek: 0, verifiedThisWeek: 0, open: 0, overdue: 0, total: 0, done: 0, previousTotal: 0, previousDone: 0 })

function toRow(village: string, c: WeekCounts): VillageWeek {
  const rate = c.total === 0 ? 0 : c.done / c.total
  const previousRate = c.previousTotal === 0 ? 0 : c.previousDone / c.previousTotal
  return {
    village,
    newThisWeek: c.newThisWeek,
    completedThisWeek: c.completedThisWeek,
    verifiedThisWeek: c.verifiedThisWeek,
    open: c.open,
    overdue: c.overdue,
    total: c.total,
    done: c.done,
    rate,
    previousRate,
    change: rate - previousRate,
  }
}

export function addWeekCounts(to: WeekCounts, from: WeekCounts): void {
  for (const key of Object.keys(to) as (keyof WeekCounts)[]) to[key] += from[key]
}

// Rates from different denominators: compare with a tolerance so equal-looking changes tie.
const EPS = 1e-9
const cmp = (a: number, b: number) => (Math.abs(a - b) < EPS ? 0 : a - b)

/** Builds the week's bulletin. O(problems + changes + cards). */
export function buildBulletin(input: BulletinInput): Bulletin {
  const { week } = input
  const counters = new Map<string, WeekCounts>()
  for (const village of input.villages) if (!counters.has(village)) counters.set(village, emptyWeekCounts())
  for (const [village, base] of input.base ?? []) {
    const c = counters.get(village)
    if (c) addWeekCounts(c, base)
  }

  const problems = input.problems.filter((p) => counters.has(p.village))
  const history = new History(problems, input.changes)
  for (const p of problems) {
    const c = counters.get(p.village)!
    const view = history.view(p, week.start, week.end)
    if (view.atEnd === undefined) continue // filed after the week
    if (view.created) c.newThisWeek++
    if (view.completedAt) c.completedThisWeek++
    if (view.verified) c.verifiedThisWeek++
    c.total++
    if (isDone(view.atEnd)) c.done++
    else c.open++
    if (overdueAt(p, view.atEnd, week.end)) c.overdue++
    if (view.atStart !== undefined) {
      c.previousTotal++
      if (isDone(view.atStart)) c.previousDone++
    }
  }

  const villages = [...counters.keys()]
  const rows = villages.map((village) => toRow(village, counters.get(village)!))
  const sum = emptyWeekCounts()
  for (const village of villages) addWeekCounts(sum, counters.get(village)!)
  const totals = toRow((input.level ?? TOWNSHIP_WORDS).whole, sum)

  const order = new Map(villages.map((v, i) => [v, i]))
  const redList = rows
    .filter((r) => r.change > EPS || (r.completedThisWeek > 0 && r.change > -EPS))
    .sort((a, b) => -cmp(a.change, b.change) || -cmp(a.rate, b.rate) || order.get(a.village)! - order.get(b.village)!)
    .slice(0, 2)
    .map((r) => r.village)
  const blackList = rows
    .filter((r) => r.overdue > 0 && r.completedThisWeek === 0)
    .sort((a, b) => b.overdue - a.overdue || order.get(a.village)! - order.get(b.village)!)
    .map((r) => ({ village: r.village, reason: `逾期 ${r.overdue} 条，本周无进展` }))

  const start = week.start.getTime()
  const end = week.end.getTime()
  const cardsThisWeek = input.cards
    .filter((c) => counters.has(c.village) && c.issuedAt.getTime() >= start && c.issuedAt.getTime() < end)
    .sort((a, b) => a.issuedAt.getTime() - b.issuedAt.getTime() || a.id - b.id)

  const bulletin: Bulletin = { week, rows, totals, redList, blackList, cardsThisWeek }
  if (input.dutyLeader !== undefined) bulletin.dutyLeader = input.dutyLeader
  if (input.inspections !== undefined) bulletin.inspections = input.inspections
  if (input.clearance !== undefined) bulletin.clearance = input.clearance
  return bulletin
}

/** A rate change in percentage points: `↑10.0`, `↓5.0`, or `持平`. */
export function changeText(change: number): string {
  const points = Math.round(change * 1000) / 10
  if (points === 0) return '持平'
  return `${points > 0 ? '↑' : '↓'}${Math.abs(points).toFixed(1)}`
}

const withPoints = (change: number) => {
  const t = changeText(change)
  return t === '持平' ? '持平' : `${t}个百分点`
}

function cardsLine(cards: readonly Card[]): string {
  if (cards.length === 0) return '【督办】本周无黄牌、红牌'
  const MAX = 6
  const part = (color: string) => {
    const list = cards.filter((c) => c.color === color)
    if (list.length === 0) return undefined
    const named = list.slice(0, MAX).map((c) => `${c.village} #${c.problemId}`)
    return `${color} ${list.length} 张（${named.join('、')}${list.length > MAX ? ' 等' : ''}）`
  }
  const parts = ['黄牌', '红牌'].map(part).filter((p): p is string => p !== undefined)
  const other = cards.filter((c) => c.color !== '黄牌' && c.color !== '红牌').length
  if (other > 0) parts.push(`其他督办 ${other} 张`)
  return `【督办】${parts.join('；')}`
}

function villageLine(r: VillageWeek): string {
  if (r.total === 0) return `${r.village}：暂无登记的问题`
  return `${r.village}：新增 ${r.newThisWeek}，完成 ${r.completedThisWeek}，销号 ${r.verifiedThisWeek}，未完成 ${r.open}，逾期 ${r.overdue}，完成率 ${percent(r.rate)}（${changeText(r.change)}）`
}

/** The bulletin as a WeChat message. */
export function bulletinText(b: Bulletin, townshipName: string, level: Level = TOWNSHIP_WORDS): string {
  const t = b.totals
  const rowOf = new Map(b.rows.map((r) => [r.village, r]))
  const lines = [
    `${townshipName}人居环境整治周通报（${b.week.label}）`,
    `${level.whole}：本周新增 ${t.newThisWeek} 条，完成 ${t.completedThisWeek} 条，销号 ${t.verifiedThisWeek} 条；累计 ${t.total} 条，未完成 ${t.open}，逾期 ${t.overdue}，完成率 ${percent(t.rate)}（较上周${withPoints(t.change)}）`,
    `各${level.unit}：`,
    ...b.rows.map(villageLine),
    b.redList.length
      ? `【红榜】${b.redList.map((v) => { const r = rowOf.get(v); return r ? `${v}（完成 ${r.completedThisWeek} 条，完成率${withPoints(r.change)}）` : v }).join('、')}`
      : '【红榜】本周暂无',
    b.blackList.length ? `【黑榜】${b.blackList.map((x) => `${x.village}（${x.reason}）`).join('、')}` : '【黑榜】无',
    cardsLine(b.cardsThisWeek),
    `【巡查督导】${b.inspections === undefined ? '暂无记录' : `本周 ${b.inspections} 次`}`,
  ]
  if (b.clearance !== undefined) lines.push(`【清运】${b.clearance.length ? b.clearance.join('；') : '本周暂无记录'}`)
  if (b.dutyLeader) lines.push(`【值班领导】${b.dutyLeader}`)
  lines.push('（括号内为完成率较上周变化，单位：百分点）')
  return lines.join('\n')
}

// ── The picture ───────────────────────────────────────────────────────────────────────────────
// One SVG (title, a strip of key figures, the table, a bar chart, the lists), rendered by sharp
// (librsvg) in the project's Noto Sans SC, as PNG: flat colours and text compress well and stay crisp.

const W = 1080
const M = 40
const TITLE_H = 128
const KPI_TOP = TITLE_H + 8
const KPI_H = 96
const TABLE_TOP = KPI_TOP + KPI_H + 28
const HEAD_H = 52
const ROW_H = 46
const BAR_ROW_H = 44
const COLUMNS = [
  { title: '村', width: 200 },
  { title: '新增', width: 100 },
  { title: '完成', width: 100 },
  { title: '销号', width: 100 },
  { title: '未完成', width: 110 },
  { title: '逾期', width: 100 },
  { title: '完成率', width: 140 },
  { title: '较上周', width: 150 },
] as const // widths add up to W − 2M = 1000

const GREEN = '#1e8449'
const RED = '#c0392b'
const INK = '#1a1a1a'
const GREY = '#6b716b'

/** Where things land, for tests that look at regions. The table's rows start at tableTop + headerHeight. */
export const BULLETIN_LAYOUT = { width: W, margin: M, tableTop: TABLE_TOP, headerHeight: HEAD_H, rowHeight: ROW_H } as const

/** The bulletin as a ~1080 px wide PNG: table and completion-rate chart. */
export async function bulletinPicture(b: Bulletin, townshipName: string, level: Level = TOWNSHIP_WORDS): Promise<Buffer> {
  const family = useProjectFonts()
  const { svg } = bulletinSvg(b, townshipName, family, level)
  // At sharp's default 72 dpi one SVG unit is one pixel: the PNG is W × height.
  const sharp = await loadSharp()
  return sharp(Buffer.from(svg), { limitInputPixels: false })
    .flatten({ background: '#ffffff' })
    .png({ compressionLevel: 6 })
    .toBuffer()
}

interface TextStyle { size: number; weight?: number; colour?: string; anchor?: 'start' | 'middle' | 'end' }

export function bulletinSvg(b: Bulletin, townshipName: string, family: string, level: Level = TOWNSHIP_WORDS): { svg: string; height: number } {
  const parts: string[] = []
  const text = (x: number, y: number, content: string, s: TextStyle) =>
    parts.push(
      `<text x="${x}" y="${Math.round(y)}" font-family="${escapeXml(family)}, sans-serif" font-size="${s.size}" font-weight="${s.weight ?? 400}" fill="${s.colour ?? INK}"${s.anchor && s.anchor !== 'start' ? ` text-anchor="${s.anchor}"` : ''}>${escapeXml(content)}</text>`,
    )
  const rect = (x: number, y: number, w: number, h: number, fill: string, extra = '') =>
    parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${fill}"${extra}/>`)

  // Title.
  rect(0, 0, W, TITLE_H, '#f3f8f4')
  rect(M, 26, 8, TITLE_H - 52, GREEN, ' rx="3"')
  // The township's name gives way (shrinks, then is cut) before 人居环境整治周通报 does.
  const suffix = '人居环境整治周通报'
  const titleW = W - 2 * M - 30
  const titleSize = fitSize(townshipName + suffix, titleW, 44, 32)
  const title = truncate(townshipName, titleW - textWidth(suffix, titleSize), titleSize) + suffix
  text(M + 26, 64, title, { size: titleSize, weight: 700 })
  text(M + 26, 104, `${b.week.label}　第${Number(b.week.key.slice(-2))}周（${b.week.key}）`, { size: 26, colour: GREY })
  rect(0, TITLE_H - 1, W, 1, '#d5dbd5')

  // Key figures.
  const t = b.totals
  const kpis: { label: string; value: string; colour: string; note?: string }[] = [
    { label: '本周新增', value: String(t.newThisWeek), colour: INK },
    { label: '本周完成', value: String(t.completedThisWeek), colour: GREEN, note: `销号 ${t.verifiedThisWeek}` },
    { label: '未完成', value: String(t.open), colour: INK, note: `累计 ${t.total}` },
    { label: '逾期', value: String(t.overdue), colour: t.overdue > 0 ? RED : INK },
    { label: `${level.whole}完成率`, value: t.total === 0 ? '—' : percent(t.rate), colour: GREEN, note: `较上周 ${changeText(t.change)}` },
  ]
  const kpiGap = 12
  const kpiW = (W - 2 * M - kpiGap * (kpis.length - 1)) / kpis.length
  kpis.forEach((k, i) => {
    const x = M + i * (kpiW + kpiGap)
    rect(x, KPI_TOP, kpiW, KPI_H, '#ffffff', ' rx="10" stroke="#d5dbd5" stroke-width="1.5"')
    text(x + kpiW / 2, KPI_TOP + 30, k.label, { size: 20, colour: GREY, anchor: 'middle' })
    text(x + kpiW / 2, KPI_TOP + 68, k.value, { size: 34, weight: 700, colour: k.colour, anchor: 'middle' })
    if (k.note) text(x + kpiW / 2, KPI_TOP + 89, k.note, { size: 16, colour: GREY, anchor: 'middle' })
  })

  // Table.
  let y = TABLE_TOP
  const tableW = W - 2 * M
  rect(M, y, tableW, HEAD_H, GREEN, ' rx="6"')
  let x = M
  for (const [k, col] of COLUMNS.entries()) {
    text(k === 0 ? x + 18 : x + col.width / 2, y + HEAD_H / 2 + 9, k === 0 ? level.unit : col.title, { size: 24, weight: 700, colour: '#ffffff', anchor: k === 0 ? 'start' : 'middle' })
    x += col.width
  }
  y += HEAD_H
  const tableRows = [...b.rows, t]
  tableRows.forEach((r, i) => {
    const isTotal = i === tableRows.length - 1
    if (isTotal) rect(M, y, tableW, ROW_H, '#e3efe6')
    else if (i % 2 === 1) rect(M, y, tableW, ROW_H, '#f5f7f5')
    const weight = isTotal ? 700 : 400
    const changeColour = Math.round(r.change * 1000) === 0 ? GREY : r.change > 0 ? GREEN : RED
    const cells: [string, string][] = [
      [truncate(r.village, COLUMNS[0].width - 28, 24), INK],
      [String(r.newThisWeek), INK],
      [String(r.completedThisWeek), INK],
      [String(r.verifiedThisWeek), INK],
      [String(r.open), INK],
      [String(r.overdue), r.overdue > 0 ? RED : INK],
      [r.total === 0 ? '—' : percent(r.rate), INK],
      [r.total === 0 && r.previousRate === 0 ? '—' : changeText(r.change), changeColour],
    ]
    let cx = M
    cells.forEach(([content, colour], k) => {
      const col = COLUMNS[k]!
      text(k === 0 ? cx + 18 : cx + col.width / 2, y + ROW_H / 2 + 8, content, { size: 24, weight, colour, anchor: k === 0 ? 'start' : 'middle' })
      cx += col.width
    })
    y += ROW_H
    rect(M, y - 1, tableW, 1, '#dfe4df')
  })
  text(W - M, y + 26, '完成率 = 已完成（含销号）÷ 累计问题；较上周为百分点变化', { size: 17, colour: GREY, anchor: 'end' })
  y += 62

  // Bar chart: completion rate by village, with the whole's rate as a dashed line.
  text(M, y + 8, `各${level.unit}完成率`, { size: 28, weight: 700 })
  y += 34
  const labelW = 170
  const valueW = 96
  const barX = M + labelW
  const barMax = W - M - valueW - barX
  const chartTop = y
  const chartH = Math.max(1, b.rows.length) * BAR_ROW_H
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    const tx = barX + tick * barMax
    rect(Math.round(tx), chartTop, 1, chartH, tick === 0 ? '#9aa09a' : '#e2e6e2')
    text(tx, chartTop + chartH + 22, `${tick * 100}%`, { size: 17, colour: GREY, anchor: 'middle' })
  }
  // Bars first, then the township's dashed line over them, then the labels over both.
  const labels: (() => void)[] = []
  b.rows.forEach((r, i) => {
    const by = chartTop + i * BAR_ROW_H
    const w = Math.max(0, Math.min(1, r.rate)) * barMax
    const colour = r.rate >= 0.8 ? GREEN : r.rate >= 0.5 ? '#d68910' : RED
    if (r.total > 0 && w > 0) rect(barX, by + 8, Math.max(2, Math.round(w)), BAR_ROW_H - 16, colour, ' rx="3"')
    labels.push(() => {
      text(barX - 14, by + BAR_ROW_H / 2 + 8, truncate(r.village, labelW - 20, 22), { size: 22, anchor: 'end' })
      text(barX + w + 10, by + BAR_ROW_H / 2 + 8, r.total === 0 ? '无问题' : percent(r.rate), { size: 20, weight: 700, colour: r.total === 0 ? GREY : INK })
    })
  })
  if (b.rows.length === 0) text(barX + 10, chartTop + BAR_ROW_H / 2 + 8, `暂无${level.unit}`, { size: 20, colour: GREY })
  if (t.total > 0) {
    const ax = Math.round(barX + Math.min(1, t.rate) * barMax)
    parts.push(`<line x1="${ax}" y1="${chartTop - 6}" x2="${ax}" y2="${chartTop + chartH}" stroke="${INK}" stroke-width="2" stroke-dasharray="6 5"/>`)
    const label = `${level.whole} ${percent(t.rate)}`
    const lw = textWidth(label, 17)
    text(Math.min(Math.max(ax, barX + lw / 2), W - M - lw / 2), chartTop - 10, label, { size: 17, weight: 700, anchor: 'middle' })
  }
  for (const draw of labels) draw()
  y = chartTop + chartH + 88

  // Lists and the week's other facts, wrapped.
  const rowOf = new Map(b.rows.map((r) => [r.village, r]))
  const footer: { label: string; body: string; colour: string }[] = [
    {
      label: '红榜',
      body: b.redList.length ? b.redList.map((v) => `${v}（完成率 ${changeText(rowOf.get(v)?.change ?? 0)}，完成 ${rowOf.get(v)?.completedThisWeek ?? 0} 条）`).join('、') : '本周暂无',
      colour: GREEN,
    },
    { label: '黑榜', body: b.blackList.length ? b.blackList.map((x) => `${x.village}（${x.reason}）`).join('、') : '无', colour: '#333333' },
    { label: '督办', body: cardsLine(b.cardsThisWeek).replace('【督办】', ''), colour: '#d68910' },
    { label: '巡查', body: b.inspections === undefined ? '暂无记录' : `本周 ${b.inspections} 次`, colour: GREY },
  ]
  if (b.clearance !== undefined) footer.push({ label: '清运', body: b.clearance.length ? b.clearance.join('；') : '本周暂无记录', colour: GREY })
  if (b.dutyLeader) footer.push({ label: '值班', body: `值班领导 ${b.dutyLeader}`, colour: GREY })
  const badgeW = 72
  const bodyX = M + badgeW + 14
  const bodyW = W - M - bodyX
  for (const f of footer) {
    const all = wrap(f.body, bodyW, 22)
    const lines = all.slice(0, 4)
    const last = lines[3]
    if (all.length > 4 && last !== undefined) lines[3] = textWidth(last + '…', 22) <= bodyW ? last + '…' : truncate(last, bodyW - 22, 22)
    rect(M, y - 26, badgeW, 34, f.colour, ' rx="6"')
    text(M + badgeW / 2, y - 2, f.label, { size: 20, weight: 700, colour: '#ffffff', anchor: 'middle' })
    lines.forEach((line, k) => text(bodyX, y + k * 32 - 2, line, { size: 22 }))
    y += Math.max(1, lines.length) * 32 + 14
  }
  const height = Math.ceil(y + 10)
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}"><rect width="100%" height="100%" fill="#ffffff"/>${parts.join('')}</svg>`
  return { svg, height }
}

/** Greedy wrap by characters; a line that must break is broken after the last 、，；） in its tail if any. */
function wrap(value: string, width: number, size: number): string[] {
  const lines: string[] = []
  let current = ''
  for (const ch of value) {
    if (current && textWidth(current + ch, size) > width) {
      const chars = [...current]
      let cut = -1
      for (let k = chars.length - 1; k >= Math.max(1, chars.length - 14); k--) {
        if ('、，；）,;'.includes(chars[k]!)) {
          cut = k + 1
          break
        }
      }
      if (cut > 0 && cut < chars.length) {
        lines.push(chars.slice(0, cut).join(''))
        current = chars.slice(cut).join('')
      } else {
        lines.push(current)
        current = ''
      }
    }
    current += ch
  }
  if (current) lines.push(current)
  return lines
}
