// Opening an uploaded .xlsx safely and finding its table: the checks both readers share.
// exceljs is CommonJS and Node sees only its default export, loaded on first use (see src/export/workbook.ts).
import type ExcelJS from 'exceljs'
import { loadExcel } from '../export/workbook.ts'

/** An expected failure with the file as a whole; its Chinese text is shown to the user as written. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ImportError'
  }
}

export const IMPORT_LIMITS = { maxBytes: 5 * 1024 * 1024, maxRows: 5000 }

/**
 * What the parts of the zip may unpack to, by their own declaration. A 5 MB xlsx of ordinary
 * tables unpacks to well under this; a zip bomb of the same size unpacks to gigabytes.
 */
export const MAX_UNPACKED_BYTES = 300 * 1024 * 1024

/** How far down a title, a date line or a blank row may push the header. */
const HEADER_SEARCH_ROWS = 10

/** Encrypted xlsx files (and old .xls files) are OLE compound documents, not zips. */
const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])
/** The stream an encrypted xlsx keeps its package in; its directory entry names it in UTF-16LE. */
const ENCRYPTED_PACKAGE = Buffer.from('EncryptedPackage', 'utf16le')
const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04])

export type CellValue = ExcelJS.CellValue

/** A table's columns: each field with the header words that name it (the first is the one we suggest). */
export type HeaderWords<F extends string> = Record<F, readonly string[]>

export interface TableSpec<F extends string> {
  /** What the file is, for messages: 人员名单, 整改台账. */
  what: string
  fields: HeaderWords<F>
  /** Fields whose column must be there. */
  required: readonly NoInfer<F>[]
}

export interface TableRow<F extends string> {
  /** 1-based Excel row. */
  row: number
  cells: Partial<Record<F, CellValue>>
  /** Fields whose cell is a date formatted to show the time of day: there 00:00 means midnight, not the whole day. */
  timed: Set<F>
}

export interface Table<F extends string> {
  headerRow: number
  /** The header as written in the file, per field found: messages quote the user's own words. */
  headers: Partial<Record<F, string>>
  /** Non-empty data rows (a row is empty when every recognised column is empty). */
  rows: TableRow<F>[]
}

/** A header cell reduced to its words: no spaces, no 必填 marks or notes in brackets. */
export function headerKey(text: string): string {
  return text
    .normalize('NFKC')
    .replace(/[([【<][^)\]】>]*[)\]】>]/gu, '')
    .replace(/[\s*:：]+/gu, '')
}

/** The text a cell shows, trimmed; '' for an empty cell. Never throws on odd values. */
export function cellText(value: CellValue | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value.trim()
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : ''
  if (typeof value === 'boolean') return value ? '是' : '否'
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 16).replace('T', ' ')
  if (typeof value === 'object') {
    const v = value as unknown as Record<string, unknown>
    if (Array.isArray(v.richText)) return v.richText.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('').trim()
    if ('text' in v) return cellText(v.text as CellValue) // hyperlink
    if ('result' in v) return cellText(v.result as CellValue) // formula: what it last showed
    if (typeof v.error === 'string') return v.error
  }
  return ''
}

/** A formula's last result, a hyperlink's text; other values as they are. */
export function plainValue(value: CellValue | undefined): CellValue | undefined {
  if (value === null || value === undefined || typeof value !== 'object' || value instanceof Date) return value
  const v = value as unknown as Record<string, unknown>
  if ('formula' in v || 'sharedFormula' in v) return plainValue(v.result as CellValue)
  if ('hyperlink' in v && 'text' in v) return plainValue(v.text as CellValue)
  return value
}

/**
 * Reads the first visible worksheet and finds its table: the header row is whichever of the
 * first 10 rows names the most known columns. Throws ImportError for a file that is not an xlsx
 * or is corrupt, password-protected, too large, without a recognisable header, or too long.
 */
export async function readTable<F extends string>(data: Buffer, spec: TableSpec<F>): Promise<Table<F>> {
  const ws = await firstWorksheet(data)
  const fields = Object.keys(spec.fields) as F[]
  const fieldOf = new Map<string, F>()
  for (const field of fields) for (const word of spec.fields[field]) fieldOf.set(headerKey(word), field)

  let best: { row: number; columns: Map<F, number>; headers: Partial<Record<F, string>> } | undefined
  for (let r = 1; r <= Math.min(HEADER_SEARCH_ROWS, ws.rowCount); r++) {
    const columns = new Map<F, number>()
    const headers: Partial<Record<F, string>> = {}
    const row = ws.getRow(r)
    for (let c = 1; c <= row.cellCount; c++) {
      const text = cellText(row.getCell(c).value)
      const field = fieldOf.get(headerKey(text))
      // The first column with a name wins: a second 日期 or 问题 column is left alone.
      if (field === undefined || columns.has(field)) continue
      columns.set(field, c)
      headers[field] = text
    }
    if (columns.size > (best?.columns.size ?? 0)) best = { row: r, columns, headers }
  }
  const expected = fields.map((f) => spec.fields[f][0]).join('、')
  if (!best) {
    throw new ImportError(`没有找到表头：${spec.what}的前 ${HEADER_SEARCH_ROWS} 行里没有认得的列名。请在表格第一行写上列名，如：${expected}。`)
  }
  const missing = spec.required.filter((f) => !best.columns.has(f))
  if (missing.length > 0) {
    const names = missing.map((f) => `“${spec.fields[f][0]}”`).join('、')
    throw new ImportError(`第 ${best.row} 行是表头，但缺少 ${names} 这一列。请加上这一列（列名可以是：${missing.map((f) => spec.fields[f].join('/')).join('；')}）后再发。`)
  }

  const rows: TableRow<F>[] = []
  const columns = [...best.columns]
  let failure: ImportError | undefined
  ws.eachRow((row, r) => {
    if (failure || r <= best.row) return
    const cells: Partial<Record<F, CellValue>> = {}
    const timed = new Set<F>()
    const filled: string[] = []
    const spanning = new Set<string>()
    let repeatsHeader = true
    for (const [field, c] of columns) {
      const cell = row.getCell(c)
      // A cell merged across columns belongs to its first column only; merged down a column
      // (one village written once for several rows) it belongs to every row.
      if (cell.isMerged && cell.master.col !== cell.col) {
        spanning.add(cell.master.address)
        continue
      }
      const text = cellText(cell.value)
      if (text === '') continue
      filled.push(cell.address)
      if (fieldOf.get(headerKey(text)) !== field) repeatsHeader = false
      cells[field] = cell.value
      if (cell.value instanceof Date && /h/i.test(cell.numFmt ?? '')) timed.add(field)
    }
    // A line merged across the table is a note (合计, 制表人, the export's summary), not data;
    // a header repeated further down (tables pasted one under another) is not data either.
    const note = filled.length === 1 && spanning.has(filled[0]!)
    if (filled.length === 0 || note || repeatsHeader) return
    if (rows.length === IMPORT_LIMITS.maxRows) {
      failure = new ImportError(`${spec.what}超过 ${IMPORT_LIMITS.maxRows} 行，一次最多导入 ${IMPORT_LIMITS.maxRows} 行。请分成几个文件分别导入。`)
      return
    }
    rows.push({ row: r, cells, timed })
  })
  if (failure) throw failure
  return { headerRow: best.row, headers: best.headers, rows }
}

async function firstWorksheet(data: Buffer): Promise<ExcelJS.Worksheet> {
  const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`
  if (data.length > IMPORT_LIMITS.maxBytes) {
    throw new ImportError(`文件太大（${mb(data.length)}），最多 ${mb(IMPORT_LIMITS.maxBytes)}。请删去照片、多余的工作表后再发，或分成几个文件。`)
  }
  if (data.subarray(0, OLE_SIGNATURE.length).equals(OLE_SIGNATURE)) {
    if (data.includes(ENCRYPTED_PACKAGE)) {
      throw new ImportError('文件设了打开密码，助手打不开。请在 Excel 里去掉密码（文件 → 信息 → 保护工作簿 → 用密码进行加密，清空密码），另存为 .xlsx 后再发。')
    }
    throw new ImportError('这是旧版 Excel（.xls）文件，或设了打开密码。请去掉密码，在 Excel 或 WPS 里“另存为”Excel 工作簿（.xlsx）后再发。')
  }
  const notXlsx = new ImportError('这不是 Excel 表格（.xlsx），或文件已损坏。请用 Excel 或 WPS 打开，另存为 Excel 工作簿（.xlsx）后再发。')
  if (!data.subarray(0, ZIP_SIGNATURE.length).equals(ZIP_SIGNATURE)) throw notXlsx
  const unpacked = declaredUnpackedBytes(data)
  if (unpacked === undefined) throw notXlsx
  if (unpacked > MAX_UNPACKED_BYTES) {
    throw new ImportError(`文件解压后超过 ${mb(MAX_UNPACKED_BYTES)}，不像一份普通的表格。请只保留要导入的工作表，另存后再发。`)
  }
  const wb = new (await loadExcel()).Workbook()
  try {
    await wb.xlsx.load(data as unknown as ArrayBuffer)
  } catch {
    throw notXlsx
  }
  const ws = wb.worksheets.find((w) => w.state !== 'hidden' && w.state !== 'veryHidden') ?? wb.worksheets[0]
  if (!ws) throw notXlsx
  return ws
}

/**
 * The sizes the zip's central directory declares for its parts, summed; undefined when there is
 * no readable directory (JSZip would refuse it too), Infinity when a part claims zip64 sizes. Read before unpacking anything: exceljs unpacks
 * every part into memory. A zip that lies about its sizes is caught by JSZip only after unpacking.
 */
export function declaredUnpackedBytes(zip: Buffer): number | undefined {
  // End of central directory: 22 bytes plus a comment of up to 65,535.
  const from = Math.max(0, zip.length - 22 - 0xffff)
  let end = -1
  for (let i = zip.length - 22; i >= from; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i
      break
    }
  }
  if (end < 0) return undefined
  const entries = zip.readUInt16LE(end + 10)
  let at = zip.readUInt32LE(end + 16)
  let total = 0
  for (let n = 0; n < entries; n++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50) return undefined
    const size = zip.readUInt32LE(at + 24)
    // 0xffffffff means the real size is in a zip64 field: more than 4 GB, or hiding it.
    if (size === 0xffffffff) return Infinity
    total += size
    at += 46 + zip.readUInt16LE(at + 28) + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32)
  }
  return total
}
