// /导出 统计 at county level: 全县汇总 first (one row per township), then each township's sheet
// (one row per village), with the columns of the township export's 整改台账 block.
import { day, local, newSheet, noteRow, toFile, TOTAL_FILL, workbook, writeTable, type CellValue, type Column, type ExcelFile, type Worksheet } from '../export/workbook.ts'
import { sumCounts, type VillageCounts } from '../ledger/index.ts'
import type { TownshipCounts } from './figures.ts'

export const SUMMARY_SHEET = '全县汇总'

const columns = (first: string): Column[] => [
  { header: first },
  { header: '问题数', type: 'number' },
  { header: '已完成', type: 'number' },
  { header: '其中已销号', type: 'number' },
  { header: '未完成', type: 'number' },
  { header: '逾期', type: 'number' },
  { header: '完成率', type: 'percent' },
]

const rowOf = (c: VillageCounts): CellValue[] => [c.village, c.total, c.done, c.verified, c.open, c.overdue, c.rate]

/** A table of counts with their sum last, bold and shaded. */
function countsSheet(ws: Worksheet, first: string, rows: VillageCounts[], totalName: string, now: Date): void {
  const cols = columns(first)
  const last = writeTable(ws, cols, [...rows, sumCounts(rows, totalName)].map(rowOf), { autoFilter: false })
  ws.getRow(last).eachCell((cell) => {
    cell.font = { bold: true }
    cell.fill = TOTAL_FILL
  })
  noteRow(ws, last + 2, cols.length, `说明：完成率 = 已完成（含已销号）÷ 问题数；逾期 = 过了限期仍未完成。统计时间：${local(now).format('YYYY-MM-DD HH:mm')}（北京时间）。`)
}

/** Excel's sheet names: at most 31 characters, none of : \ / ? * [ ], unique. */
function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[:\\/?*[\]]/g, '').slice(0, 31) || '乡镇'
  let candidate = base
  for (let k = 2; taken.has(candidate); k++) candidate = `${base.slice(0, 31 - String(k).length - 1)}-${k}`
  taken.add(candidate)
  return candidate
}

export async function countyWorkbook(countyName: string, townships: TownshipCounts[], now: Date): Promise<ExcelFile> {
  const wb = await workbook(now, `${countyName}人居环境整治统计`)
  const taken = new Set([SUMMARY_SHEET])
  countsSheet(newSheet(wb, SUMMARY_SHEET, `${countyName}人居环境整治统计汇总（${day(now)}）`), '乡镇', townships.map((t) => t.total), '全县合计', now)
  for (const t of townships) {
    countsSheet(newSheet(wb, sheetName(t.township.name, taken), `${t.township.name}整改统计（${day(now)}）`), '村', t.villages, '全乡合计', now)
  }
  return toFile(wb, `统计-${countyName}-${day(now)}.xlsx`)
}
