// /导出 统计: one sheet per record kind with SUM rows, a 汇总 sheet by village, and 更正记录:
// what each /更正 replaced, so the old figure is not lost with the chat reply that showed it.
import { FIGURES_BY_KIND, RECORD_KINDS, figureOf, type Figure, type RecordKind } from '../campaign/figures.ts'
import type { Database } from '../db/index.ts'
import { DONE_STATUSES, OPEN_STATUSES, STATUS } from '../ledger/status.ts'
import { day, displayWidth, excelDate, HEADER_FILL, joinText, local, newSheet, noteRow, round, THIN, TOTAL_FILL, TOWNSHIP_LEVEL, toFile, workbook, writeTable, type CampaignExportOptions, type CellValue, type Column, type ExcelFile, type Worksheet } from './workbook.ts'

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

/** The campaign workbook: 汇总, one sheet per record kind, then 更正记录. */
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

  const wb = await workbook(now, `${townshipName}人居环境整治统计`)
  const summary = newSheet(wb, '汇总', `${townshipName}人居环境整治统计汇总（${day(now)}）`)
  const sheets: KindSheet[] = []
  const villagesSeen = new Set(records.map((r) => r.village ?? TOWNSHIP_LEVEL))

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
      // The number replies call 记录 N: for /查询 记录 N and the 更正记录 sheet.
      { header: '记录编号', type: 'number' },
    ]
    const byVillage = new Map<string, Map<string, number>>()
    const totals = new Map<string, number>()
    const rows = records
      .filter((r) => r.kind === kind)
      .map((r): CellValue[] => {
        const village = r.village ?? TOWNSHIP_LEVEL
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
        if (r.corrections.length > 0) notes.push(`已更正 ${r.corrections.length} 次，见更正记录`)
        return [
          excelDate(r.createdAt),
          village,
          r.subject,
          r.category,
          ...figures.map((fig) => (sums.has(fig.key) ? round(sums.get(fig.key) ?? 0) : null)),
          r.actorName,
          r.messageId,
          joinText([r.note, ...notes]) || null,
          r.id,
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

  // 汇总: one row per figure, one column per village, then the township. Villages in config
  // order, as /统计 lists them; any other (renamed since) after them, as first recorded.
  for (const row of problems) villagesSeen.add(row.village)
  const configured = options.villages ?? []
  const extra = [...villagesSeen].filter((v) => !configured.includes(v) && v !== TOWNSHIP_LEVEL)
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

  await writeCorrections(db, newSheet(wb, '更正记录', `${townshipName}统计记录更正（${day(now)}）`))

  return toFile(wb, `统计-${townshipName}-${day(now)}.xlsx`)
}


// ---------------------------------------------------------------------------------------------
// 更正记录

const CORRECTION_COLUMNS: Column[] = [
  { header: '记录编号', type: 'number' },
  { header: '类别' },
  { header: '村' },
  { header: SUBJECT_HEADER, wrap: true, max: 30 },
  { header: '更正前', wrap: true, max: 40 },
  { header: '更正后', wrap: true, max: 40 },
  { header: '更正人' },
  { header: '更正时间', type: 'date' },
  { header: '消息编号', max: 24 },
  { header: '备注', wrap: true, max: 30 },
]

/** Every correction, undone records' included: the audit trail keeps what the totals drop. */
async function writeCorrections(db: Database, ws: Worksheet): Promise<void> {
  const corrections = await db.recordCorrection.findMany({ include: { record: true }, orderBy: [{ at: 'asc' }, { id: 'asc' }] })
  const last = writeTable(
    ws,
    CORRECTION_COLUMNS,
    corrections.map((c) => [
      c.recordId,
      c.record.kind,
      c.record.village ?? TOWNSHIP_LEVEL,
      joinText([c.record.subject, c.record.category]) || null,
      c.before,
      c.after,
      c.actorName,
      excelDate(c.at),
      c.messageId,
      c.record.undoneAt ? `该记录已于 ${local(c.record.undoneAt).format('YYYY-MM-DD HH:mm')} 撤销` : null,
    ]),
  )
  noteRow(ws, last + 2, CORRECTION_COLUMNS.length, '说明：管理员每次 /更正 一行，更正前后都是当时记录的全部数量；各表和汇总按更正后的数计。')
}
