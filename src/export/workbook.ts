// What both Excel exports share: file naming, Shanghai wall-clock dates, tables with a bold
// frozen header, autofilter, widths from content, print setup.
// exceljs is CommonJS and Node sees only its default export: `import { Workbook } from 'exceljs'`
// type-checks but is undefined at run time, so everything goes through the default export. It is
// loaded on the first export (loadExcel): 0.3 s of a start that has no use for it.
import type ExcelJS from 'exceljs'
import dayjs from 'dayjs'
import { TIMEZONE } from '../time.ts'

export type Workbook = ExcelJS.Workbook
export type Worksheet = ExcelJS.Worksheet

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

export const local = (d: Date) => dayjs(d).tz(TIMEZONE)

/** The instant as a Date whose UTC fields are the Shanghai wall-clock time: what Excel shows. */
export function excelDate(d: Date): Date {
  return new Date(d.getTime() + local(d).utcOffset() * 60_000)
}

export const day = (d: Date) => local(d).format('YYYY-MM-DD')

// ---------------------------------------------------------------------------------------------
// Tables

export type CellValue = string | number | Date | ExcelJS.CellFormulaValue | null | undefined

export interface Column {
  header: string
  /** date: yyyy-mm-dd hh:mm; number: as recorded; text wraps when `wrap`. */
  type?: 'text' | 'date' | 'number' | 'percent'
  wrap?: boolean
  /** Widest the column gets, in characters (CJK counting two). */
  max?: number
}

export const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } }
export const TOTAL_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFF2F2F2' } }
export const THIN: Partial<ExcelJS.Borders> = {
  top: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  left: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  bottom: { style: 'thin', color: { argb: 'FFBFBFBF' } },
  right: { style: 'thin', color: { argb: 'FFBFBFBF' } },
}
export const DATE_FORMAT = 'yyyy-mm-dd hh:mm'

/** Display width of a value in characters, CJK and full-width counting two. */
export function displayWidth(value: CellValue): number {
  if (value === null || value === undefined) return 0
  if (value instanceof Date) return DATE_FORMAT.length
  if (typeof value === 'object') return displayWidth(typeof value.result === 'number' || typeof value.result === 'string' ? value.result : '')
  const text = typeof value === 'number' ? String(Math.round(value * 100) / 100) : value
  let width = 0
  for (const ch of text) width += /[\u1100-\uffff]/.test(ch) ? 2 : 1
  return width
}

export function newSheet(wb: Workbook, name: string, title: string, frozenColumns = 0): Worksheet {
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
export function writeTable(ws: Worksheet, columns: Column[], rows: CellValue[][], options: { autoFilter?: boolean } = {}): number {
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
export function noteRow(ws: Worksheet, row: number, width: number, text: string): void {
  const cell = ws.getCell(row, 1)
  cell.value = text
  cell.font = { italic: true, color: { argb: 'FF7F7F7F' } }
  if (width > 1) ws.mergeCells(row, 1, row, width)
}

export async function toFile(wb: Workbook, name: string): Promise<ExcelFile> {
  const data = await wb.xlsx.writeBuffer()
  return { name, data: Buffer.from(data as ArrayBuffer) }
}

let loading: Promise<typeof ExcelJS> | undefined

/** exceljs's default export; the first call loads it. */
export function loadExcel(): Promise<typeof ExcelJS> {
  loading ??= import('exceljs').then((m) => m.default)
  return loading
}

export async function workbook(now: Date, title: string): Promise<Workbook> {
  const wb = new (await loadExcel()).Workbook()
  wb.creator = '人居环境整治助手'
  wb.title = title
  wb.created = now
  wb.modified = now
  return wb
}

export const joinText = (parts: (string | null | undefined)[]) => parts.filter((p): p is string => !!p).join('；')
export const round = (n: number) => Math.round(n * 1e6) / 1e6

