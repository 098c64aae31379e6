// Building real .xlsx files for the import tests with exceljs.
import ExcelJS from 'exceljs'

export type Cell = ExcelJS.CellValue

/** An .xlsx whose first sheet holds `rows` from row 1 (null leaves a cell empty). */
export async function xlsx(rows: Cell[][], setup?: (ws: ExcelJS.Worksheet, wb: ExcelJS.Workbook) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet('Sheet1')
  rows.forEach((values, r) => values.forEach((v, c) => v !== null && v !== undefined && (ws.getCell(r + 1, c + 1).value = v)))
  setup?.(ws, wb)
  return Buffer.from((await wb.xlsx.writeBuffer()) as ArrayBuffer)
}

/** `2026-11-24 10:00` (Shanghai) → the instant. */
export const sh = (wallClock: string) => new Date(`${wallClock.replace(' ', 'T')}+08:00`)
/** A real Excel date cell showing this Shanghai wall-clock time (what exceljs writes and reads). */
export const excel = (wallClock: string) => new Date(`${wallClock.replace(' ', 'T')}Z`)
