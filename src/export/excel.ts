// Excel exports sent into WeChat: the 整改台账 (/导出 台账) and the campaign figures (/导出 统计).
// Excel has no time zones, so every date is written as its Shanghai wall-clock time.
import ExcelJS from 'exceljs'
import dayjs from 'dayjs'
import { FIGURES_BY_KIND, RECORD_KINDS, figureOf, type Figure, type RecordKind } from '../campaign/figures.ts'
import type { Database } from '../db/index.ts'
import { DONE_STATUSES, OPEN_STATUSES, STATUS, type Status } from '../ledger/status.ts'
import { TIMEZONE } from '../time.ts'

// exceljs is CommonJS and Node sees only its default export: `import { Workbook } from 'exceljs'`
// type-checks but is undefined at run time, so everything goes through the default import.
type Workbook = ExcelJS.Workbook
type Worksheet = ExcelJS.Worksheet

export interface ExcelFile {
  name: string
  data: Buffer
}

export interface LedgerExportOptions {
  townshipName: string
  now: Date
  /** Only this village's problems (and their history, reports and extension requests). */
  village?: string
}

export interface CampaignExportOptions {
  townshipName: string
  now: Date
  /** The township's villages in config order: they lead the 汇总 columns, even with nothing recorded. */
  villages?: readonly string[]
}

/** How a record without a village is shown and summed. */
export const TOWNSHIP_LEVEL = '乡级'

// ---------------------------------------------------------------------------------------------
// Dates and names

const local = (d: Date) => dayjs(d).tz(TIMEZONE)

/** The instant as a Date whose UTC fields are the Shanghai wall-clock time: what Excel shows. */
export function excelDate(d: Date): Date {
  return new Date(d.getTime() + local(d).utcOffset() * 60_000)
}

const day = (d: Date) => local(d).format('YYYY-MM-DD')

// ---------------------------------------------------------------------------------------------
// Tables

type CellValue = string | number | Date | ExcelJS.CellFormulaValue | null | undefined

interface Column {
  header: string
  /** date: yyyy-mm-dd hh:mm; number: as recorded; text wraps when `wrap`. */
  type?: 'text' | 'date' | 'number' | 'percent'
  wrap?: boolean
  /** Widest the column gets, in characters (CJK counting two). */
  max?: number
}

const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } }
const TOTAL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } }
const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  left: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  bottom: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  right: { style: 'thin', color: { argb: 'FFBFBFBF' } },
}
const DATE_FORMAT = 'yyyy-mm-dd hh:mm'

/** Display width of a value in characters, CJK and full-width counting two. */
function displayWidth(value: CellValue): number {
  if (value === null || value === undefined) return 0
  if (value instanceof Date) return DATE_FORMAT.length
  if (typeof value === 'object') return displayWidth(typeof value.result === 'number' || typeof value.result === 'string' ? value.result : '')
  const text = typeof value === 'number' ? String(Math.round(value * 100) / 100) : value
  let width = 0
  for (const ch of text) width += /[\u1100-\uffff]/.test(ch) ? 2 : 1
  return width
}

function newSheet(wb: Workbook, name: string, title: string, frozenColumns = 0): Worksheet {
  return wb.addWorksheet(name, {
    views: [{ state: 'frozen', xSplit: frozenColumns, ySplit: 1 }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0, // as many pages tall as it takes
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
      printTitlesRow: '1:1',
    },
    headerFooter: { oddHeader: `&C&B${title}`, oddFooter: '&C第 &P 页，共 &N 页' },
  })
}

/**
 * Writes a header row and data rows from row 1, styled for reading and printing: bold filled
 * header, borders, dates as Excel dates, widths from the content. Returns the last data row.
 */
function writeTable(ws: Worksheet, columns: Column[], rows: CellValue[][], options: { autoFilter?: boolean } = {}): number {
  const header = ws.getRow(1)
  columns.forEach((col, i) => {
    const cell = header.getCell(i + 1)
    cell.value = col.header
    cell.font = { bold: true }
    cell.fill = HEADER_FILL
    cell.border = THIN
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true }
  })
  header.height = 20
  rows.forEach((values, r) => {
    const row = ws.getRow(r + 2)
    columns.forEach((col, i) => {
      const cell = row.getCell(i + 1)
      const value = values[i]
      cell.value = value === undefined ? null : value
      cell.border = THIN
      cell.alignment = { vertical: 'top', wrapText: col.wrap ?? false }
      if (col.type === 'date') cell.numFmt = DATE_FORMAT
      if (col.type === 'percent') cell.numFmt = '0.0%'
    })
  })
  columns.forEach((col, i) => {
    const widest = Math.max(displayWidth(col.header), ...rows.map((values) => displayWidth(values[i])))
    ws.getColumn(i + 1).width = Math.min(col.max ?? 40, Math.max(6, widest + 2))
  })
  const last = rows.length + 1
  if (options.autoFilter !== false) ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: last, column: columns.length } }
  return last
}

/** A note under a table, merged across it so that it prints as one line. */
function noteRow(ws: Worksheet, row: number, width: number, text: string): void {
  const cell = ws.getCell(row, 1)
  cell.value = text
  cell.font = { italic: true, color: { argb: 'FF7F7F7F' } }
  if (width > 1) ws.mergeCells(row, 1, row, width)
}

async function toFile(wb: Workbook, name: string): Promise<ExcelFile> {
  const data = await wb.xlsx.writeBuffer()
  return { name, data: Buffer.from(data as ArrayBuffer) }
}

function workbook(now: Date, title: string): Workbook {
  const wb = new ExcelJS.Workbook()
  wb.creator = '人居环境整治助手'
  wb.title = title
  wb.created = now
  wb.modified = now
  return wb
}

const joinText = (parts: (string | null | undefined)[]) => parts.filter((p): p is string => !!p).join('；')
const round = (n: number) => Math.round(n * 1e6) / 1e6

// ---------------------------------------------------------------------------------------------
// 整改台账

const LEDGER_COLUMNS: Column[] = [
  { header: '编号', type: 'number' },
  { header: '村' },
  { header: '自然屯' },
  { header: '网格' },
  { header: '类别' },
  { header: '问题描述', wrap: true, max: 40 },
  { header: '来源' },
  { header: '发现人' },
  { header: '发现时间', type: 'date' },
  { header: '限期', type: 'date' },
  { header: '责任人' },
  { header: '状态' },
  { header: '是否逾期' },
  { header: '完成时间', type: 'date' },
  { header: '销号时间', type: 'date' },
  { header: '整改前照片（张）', type: 'number' },
  { header: '整改后照片（张）', type: 'number' },
  { header: '照片疑似重复', wrap: true, max: 40 },
  { header: '黄牌/红牌' },
  { header: '最后更新', type: 'date' },
]

const HISTORY_COLUMNS: Column[] = [
  { header: '编号', type: 'number' },
  { header: '时间', type: 'date' },
  { header: '操作人' },
  { header: '操作' },
  { header: '原状态' },
  { header: '新状态' },
  { header: '说明', wrap: true, max: 50 },
  { header: '消息编号', max: 24 },
]

const REPORT_COLUMNS: Column[] = [
  { header: '编号' },
  { header: '村' },
  { header: '反映内容', wrap: true, max: 40 },
  { header: '反映人' },
  { header: '反映时间', type: 'date' },
  { header: '照片（张）', type: 'number' },
  { header: '状态' },
  { header: '转入问题' },
  { header: '处理人' },
  { header: '处理说明', wrap: true, max: 40 },
  { header: '更新时间', type: 'date' },
]

const EXTENSION_COLUMNS: Column[] = [
  { header: '问题编号', type: 'number' },
  { header: '村' },
  { header: '延期天数', type: 'number' },
  { header: '理由', wrap: true, max: 40 },
  { header: '申请人' },
  { header: '申请时间', type: 'date' },
  { header: '状态' },
  { header: '审批人' },
  { header: '审批说明', wrap: true, max: 40 },
  { header: '审批时间', type: 'date' },
]

const dateOrNull = (d: Date | null | undefined) => (d ? excelDate(d) : null)

/** The 整改台账 workbook: 整改台账, 整改经过, 随手拍, 延期申请. */
export async function exportLedger(db: Database, options: LedgerExportOptions): Promise<ExcelFile> {
  const { townshipName, now, village } = options
  const where = village ? { village } : {}
  const problems = await db.problem.findMany({ where, orderBy: { id: 'asc' }, include: { history: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } } })
  const ids = problems.map((p) => p.id)
  const inProblems = village ? { problemId: { in: ids } } : {}
  const [reports, cards, extensions] = await Promise.all([
    db.report.findMany({ where, orderBy: { id: 'asc' } }),
    db.card.findMany({ where: inProblems, orderBy: { id: 'asc' } }),
    db.deadlineExtension.findMany({ where: inProblems, orderBy: { id: 'asc' } }),
  ])
  const links = await db.photoLink.findMany({
    where: village ? { OR: [{ problemId: { in: ids } }, { reportId: { in: reports.map((r) => r.id) } }] } : {},
    select: { problemId: true, reportId: true, kind: true, reuseNote: true },
    orderBy: { id: 'asc' },
  })

  const photos = new Map<number, { before: number; after: number; reuse: string[] }>()
  const reportPhotos = new Map<number, number>()
  for (const link of links) {
    if (link.reportId !== null) reportPhotos.set(link.reportId, (reportPhotos.get(link.reportId) ?? 0) + 1)
    if (link.problemId === null) continue
    const entry = photos.get(link.problemId) ?? { before: 0, after: 0, reuse: [] }
    if (link.kind === '整改前') entry.before++
    if (link.kind === '整改后') entry.after++
    if (link.reuseNote) entry.reuse.push(link.reuseNote)
    photos.set(link.problemId, entry)
  }
  const cardsOf = new Map<number, string[]>()
  for (const card of cards) cardsOf.set(card.problemId, [...(cardsOf.get(card.problemId) ?? []), card.color])
  const villageOf = new Map(problems.map((p) => [p.id, p.village]))

  const scope = village ?? townshipName
  const wb = workbook(now, `${scope}整改台账`)

  const overdue = (p: (typeof problems)[number]) => OPEN_STATUSES.includes(p.status as Status) && p.deadline !== null && p.deadline < now
  const ledger = newSheet(wb, '整改台账', `${scope}人居环境整治整改台账（${day(now)}）`, 1)
  const ledgerLast = writeTable(
    ledger,
    LEDGER_COLUMNS,
    problems.map((p) => {
      const photo = photos.get(p.id)
      return [
        p.id,
        p.village,
        p.hamlet,
        p.grid,
        p.category,
        p.description,
        p.source,
        p.reporterName,
        excelDate(p.createdAt),
        dateOrNull(p.deadline),
        p.responsibleName,
        p.status,
        overdue(p) ? '是' : '否',
        dateOrNull(p.completedAt),
        dateOrNull(p.verifiedAt),
        photo?.before ?? 0,
        photo?.after ?? 0,
        joinText(photo?.reuse ?? []) || null,
        (cardsOf.get(p.id) ?? []).join('、') || null,
        excelDate(p.updatedAt),
      ]
    }),
  )
  const overdueColumn = LEDGER_COLUMNS.findIndex((c) => c.header === '是否逾期') + 1
  for (let r = 2; r <= ledgerLast; r++) {
    const cell = ledger.getCell(r, overdueColumn)
    if (cell.value === '是') cell.font = { bold: true, color: { argb: 'FFC00000' } }
  }
  const done = problems.filter((p) => DONE_STATUSES.includes(p.status as Status)).length
  noteRow(
    ledger,
    ledgerLast + 2,
    LEDGER_COLUMNS.length,
    `共 ${problems.length} 条，已完成 ${done} 条（其中已销号 ${problems.filter((p) => p.status === STATUS.verified).length} 条），逾期 ${problems.filter(overdue).length} 条。导出时间：${local(now).format('YYYY-MM-DD HH:mm')}（北京时间）。`,
  )

  const history = newSheet(wb, '整改经过', `${scope}整改经过（${day(now)}）`)
  writeTable(
    history,
    HISTORY_COLUMNS,
    problems.flatMap((p) => p.history.map((h) => [h.problemId, excelDate(h.at), h.actorName, h.action, h.fromStatus, h.toStatus, h.note, h.messageId])),
  )

  const reportSheet = newSheet(wb, '随手拍', `${scope}随手拍（${day(now)}）`)
  writeTable(
    reportSheet,
    REPORT_COLUMNS,
    reports.map((r) => [
      `R${r.id}`,
      r.village,
      r.description,
      r.reporterName,
      excelDate(r.createdAt),
      reportPhotos.get(r.id) ?? 0,
      r.status,
      r.problemId === null ? null : `#${r.problemId}`,
      r.decidedByName,
      r.decisionNote,
      excelDate(r.updatedAt),
    ]),
  )

  const extensionSheet = newSheet(wb, '延期申请', `${scope}延期申请（${day(now)}）`)
  writeTable(
    extensionSheet,
    EXTENSION_COLUMNS,
    extensions.map((e) => [
      e.problemId,
      villageOf.get(e.problemId) ?? null,
      e.days,
      e.reason,
      e.requestedByName,
      excelDate(e.createdAt),
      e.status,
      e.decidedByName,
      e.decisionNote,
      dateOrNull(e.decidedAt),
    ]),
  )

  const name = ['整改台账', townshipName, ...(village ? [village] : []), day(now)].join('-') + '.xlsx'
  return toFile(wb, name)
}

// ---------------------------------------------------------------------------------------------
// 统计

const figureHeader = (fig: Figure) => `${fig.label}（${fig.unit}）`
const SUBJECT_HEADER = '对象/名称'
const FIXED_BEFORE = ['时间', '村', SUBJECT_HEADER, '类别'] as const

/** Where a kind's sheet keeps its figures, for the 汇总 formulas. */
interface KindSheet {
  kind: RecordKind
  figures: readonly Figure[]
  /** The data rows, 2..lastRow; lastRow = 1 when there are none. */
  lastRow: number
  totalRow: number
  /** figure key → column letter */
  columns: Map<string, string>
  /** village → figure key → sum, over the records counted. */
  byVillage: Map<string, Map<string, number>>
  totals: Map<string, number>
}

const quoteSheet = (name: string) => `'${name.replace(/'/g, "''")}'`

/** The campaign workbook: 汇总, then one sheet per record kind. */
export async function exportCampaign(db: Database, options: CampaignExportOptions): Promise<ExcelFile> {
  const { townshipName, now } = options
  const [records, undone, problems] = await Promise.all([
    db.campaignRecord.findMany({
      where: { undoneAt: null },
      include: { figures: { orderBy: { id: 'asc' } }, corrections: { select: { id: true } } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    }),
    db.campaignRecord.groupBy({ by: ['kind'], where: { undoneAt: { not: null } }, _count: { _all: true } }),
    db.problem.groupBy({ by: ['village', 'status'], _count: { _all: true } }),
  ])
  const overdueRows = await db.problem.groupBy({ by: ['village'], where: { status: { in: OPEN_STATUSES }, deadline: { lt: now } }, _count: { _all: true } })
  const undoneCount = new Map(undone.map((u) => [u.kind, u._count._all]))

  const wb = workbook(now, `${townshipName}人居环境整治统计`)
  const summary = newSheet(wb, '汇总', `${townshipName}人居环境整治统计汇总（${day(now)}）`)
  const sheets: KindSheet[] = []
  const villagesSeen = new Set<string>()

  for (const kind of RECORD_KINDS) {
    const figures: readonly Figure[] = FIGURES_BY_KIND[kind]
    const ws = newSheet(wb, kind, `${townshipName}${kind}记录（${day(now)}）`)
    const columns: Column[] = [
      { header: '时间', type: 'date' },
      { header: '村' },
      { header: SUBJECT_HEADER, wrap: true, max: 30 },
      { header: '类别' },
      ...figures.map((fig): Column => ({ header: figureHeader(fig), type: 'number' })),
      { header: '记录人' },
      { header: '消息编号', max: 24 },
      { header: '备注', wrap: true, max: 40 },
    ]
    const byVillage = new Map<string, Map<string, number>>()
    const totals = new Map<string, number>()
    const rows = records
      .filter((r) => r.kind === kind)
      .map((r): CellValue[] => {
        const village = r.village ?? TOWNSHIP_LEVEL
        villagesSeen.add(village)
        const sums = new Map<string, number>()
        const notes: string[] = []
        for (const fig of r.figures) {
          const known = figureOf(kind, fig.figure)
          if (!known) {
            notes.push(`${fig.figure} ${fig.value}`)
            continue
          }
          sums.set(fig.figure, (sums.get(fig.figure) ?? 0) + fig.value)
          if (fig.detail) notes.push(`${known.label}：${fig.detail} ${fig.value}${known.unit}`)
        }
        const villageSums = byVillage.get(village) ?? new Map<string, number>()
        byVillage.set(village, villageSums)
        for (const [key, value] of sums) {
          villageSums.set(key, round((villageSums.get(key) ?? 0) + value))
          totals.set(key, round((totals.get(key) ?? 0) + value))
        }
        if (r.corrections.length > 0) notes.push(`已更正 ${r.corrections.length} 次`)
        return [
          excelDate(r.createdAt),
          village,
          r.subject,
          r.category,
          ...figures.map((fig) => (sums.has(fig.key) ? round(sums.get(fig.key) ?? 0) : null)),
          r.actorName,
          r.messageId,
          joinText([r.note, ...notes]) || null,
        ]
      })
    const lastRow = writeTable(ws, columns, rows)
    const totalRow = lastRow + 1
    const columnOf = new Map<string, string>()
    const total = ws.getRow(totalRow)
    columns.forEach((_, i) => {
      const cell = total.getCell(i + 1)
      cell.font = { bold: true }
      cell.fill = TOTAL_FILL
      cell.border = THIN
    })
    total.getCell(1).value = '合计'
    total.getCell(3).value = `${rows.length} 条`
    figures.forEach((fig, i) => {
      const column = i + FIXED_BEFORE.length + 1
      const letter = ws.getColumn(column).letter
      columnOf.set(fig.key, letter)
      const result = totals.get(fig.key) ?? 0
      total.getCell(column).value = rows.length > 0 ? { formula: `SUM(${letter}2:${letter}${lastRow})`, result } : 0
    })
    const undoneHere = undoneCount.get(kind) ?? 0
    noteRow(ws, totalRow + 2, columns.length, `说明：已撤销的记录不列入本表，也不计入合计${undoneHere > 0 ? `（本类已撤销 ${undoneHere} 条）` : ''}。${TOWNSHIP_LEVEL}：未写村名的记录。`)
    sheets.push({ kind, figures, lastRow, totalRow, columns: columnOf, byVillage, totals })
  }

  // 汇总: one row per figure, one column per village, then the township.
  for (const row of problems) villagesSeen.add(row.village)
  const configured = options.villages ?? []
  const extra = [...villagesSeen].filter((v) => !configured.includes(v) && v !== TOWNSHIP_LEVEL).sort((a, b) => a.localeCompare(b, 'zh-CN'))
  const villages = [...configured, ...extra, ...(villagesSeen.has(TOWNSHIP_LEVEL) ? [TOWNSHIP_LEVEL] : [])]

  const summaryColumns: Column[] = [{ header: '类别' }, { header: '项目' }, { header: '单位' }, ...villages.map((v): Column => ({ header: v, type: 'number' })), { header: '全乡合计', type: 'number' }]
  const summaryRows: CellValue[][] = []
  for (const sheet of sheets) {
    for (const fig of sheet.figures) {
      const letter = sheet.columns.get(fig.key) ?? 'A'
      const range = (col: string) => `${quoteSheet(sheet.kind)}!$${col}$2:$${col}$${sheet.lastRow}`
      const hasRows = sheet.lastRow >= 2
      summaryRows.push([
        sheet.kind,
        fig.label,
        fig.unit,
        ...villages.map((v): CellValue => {
          const result = sheet.byVillage.get(v)?.get(fig.key) ?? 0
          return hasRows ? { formula: `SUMIFS(${range(letter)},${range('B')},"${v.replace(/"/g, '""')}")`, result } : 0
        }),
        hasRows ? { formula: `${quoteSheet(sheet.kind)}!${letter}${sheet.totalRow}`, result: sheet.totals.get(fig.key) ?? 0 } : 0,
      ])
    }
  }
  const figuresLast = writeTable(summary, summaryColumns, summaryRows, { autoFilter: false })
  for (let r = 2; r <= figuresLast; r++) summary.getCell(r, summaryColumns.length).font = { bold: true }
  // Each kind's rows read as one block: its name once, merged down.
  let start = 2
  for (const sheet of sheets) {
    const end = start + sheet.figures.length - 1
    if (end > start) summary.mergeCells(start, 1, end, 1)
    summary.getCell(start, 1).alignment = { vertical: 'middle', horizontal: 'center' }
    start = end + 1
  }

  // The ledger under it: problems, done, rate, per village.
  const count = (village: string | undefined, statuses?: readonly string[]) =>
    problems.filter((p) => (village === undefined || p.village === village) && (!statuses || statuses.includes(p.status))).reduce((n, p) => n + p._count._all, 0)
  const overdueOf = (village: string | undefined) => overdueRows.filter((o) => village === undefined || o.village === village).reduce((n, o) => n + o._count._all, 0)
  const ledgerVillages = villages.filter((v) => v !== TOWNSHIP_LEVEL)
  const ledgerStart = figuresLast + 3
  const titleCell = summary.getCell(ledgerStart, 1)
  titleCell.value = '整改台账'
  titleCell.font = { bold: true, size: 12 }
  const ledgerHeaders = ['村', '问题数', '已完成', '其中已销号', '未完成', '逾期', '完成率']
  const headerRow = summary.getRow(ledgerStart + 1)
  ledgerHeaders.forEach((h, i) => {
    const cell = headerRow.getCell(i + 1)
    cell.value = h
    cell.font = { bold: true }
    cell.fill = HEADER_FILL
    cell.border = THIN
    cell.alignment = { horizontal: 'center' }
  })
  ;[...ledgerVillages, undefined].forEach((village, i) => {
    const total = count(village)
    const done = count(village, DONE_STATUSES)
    const row = summary.getRow(ledgerStart + 2 + i)
    const values: CellValue[] = [village ?? '全乡合计', total, done, count(village, [STATUS.verified]), count(village, OPEN_STATUSES), overdueOf(village), total === 0 ? 0 : done / total]
    values.forEach((value, c) => {
      const cell = row.getCell(c + 1)
      cell.value = value ?? null
      cell.border = THIN
      if (c === 6) cell.numFmt = '0.0%'
      if (village === undefined) {
        cell.font = { bold: true }
        cell.fill = TOTAL_FILL
      }
    })
  })
  const summaryEnd = ledgerStart + 2 + ledgerVillages.length
  ledgerHeaders.forEach((h, i) => {
    const column = summary.getColumn(i + 1)
    column.width = Math.max(column.width ?? 0, displayWidth(h) + 2, i === 0 ? 10 : 0)
  })
  noteRow(summary, summaryEnd + 2, Math.max(summaryColumns.length, ledgerHeaders.length), `说明：已撤销的记录不计入；完成率 = 已完成（含已销号）÷ 问题数；逾期 = 过了限期仍未完成。统计时间：${local(now).format('YYYY-MM-DD HH:mm')}（北京时间）。`)

  return toFile(wb, `统计-${townshipName}-${day(now)}.xlsx`)
}
