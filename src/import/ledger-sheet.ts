// /导入 台账: a township clerk's ledger, or the assistant's own 整改台账 export, read into plain rows.
// Villages are taken as written; the command matches them against the township.
import { STATUS, type Status } from '../ledger/status.ts'
import { readDate, type DayEdge } from './dates.ts'
import { cellText, plainValue, readTable, type CellValue, type HeaderWords } from './workbook.ts'

export interface LedgerRow {
  /** 1-based Excel row. */
  row: number
  /** As written, not validated here. */
  village: string
  description: string
  foundAt?: Date
  deadline?: Date
  responsible?: string
  /** One of 待整改 整改中 已完成 已销号; 待整改 when the status cell is empty, absent when there is no status column. */
  status?: string
  category?: string
  hamlet?: string
  grid?: string
  completedAt?: Date
  verifiedAt?: Date
  /** The 编号 column if present (the assistant's own problem number). */
  number?: number
}

export interface LedgerProblem {
  row: number
  reason: string
}

type Field =
  | 'number'
  | 'village'
  | 'hamlet'
  | 'grid'
  | 'category'
  | 'description'
  | 'foundAt'
  | 'deadline'
  | 'responsible'
  | 'status'
  | 'completedAt'
  | 'verifiedAt'

/** Header words per column; the first is the one messages suggest. 序号 is left out: it only counts rows. */
export const LEDGER_HEADERS: HeaderWords<Field> = {
  number: ['编号', '问题编号'],
  village: ['村', '村名', '所在村', '行政村'],
  hamlet: ['自然屯', '屯', '村民小组'],
  grid: ['网格', '所在网格'],
  category: ['类别', '问题类别', '类型'],
  description: ['问题描述', '问题', '描述', '问题内容', '存在问题'],
  foundAt: ['发现日期', '发现时间', '登记日期', '登记时间', '日期'],
  deadline: ['限期', '整改期限', '截止日期', '整改时限', '完成时限'],
  responsible: ['责任人', '整改责任人'],
  status: ['状态', '整改状态', '进度', '整改进度'],
  completedAt: ['完成时间', '完成日期', '整改完成时间'],
  verifiedAt: ['销号时间', '销号日期'],
}

/** What clerks write in the status column, and the status it means. */
export const STATUS_WORDS: Record<string, Status> = {
  待整改: STATUS.todo,
  未整改: STATUS.todo,
  未完成: STATUS.todo,
  未开始: STATUS.todo,
  整改中: STATUS.doing,
  正在整改: STATUS.doing,
  进行中: STATUS.doing,
  已完成: STATUS.done,
  已整改: STATUS.done,
  完成: STATUS.done,
  整改完成: STATUS.done,
  已销号: STATUS.verified,
  销号: STATUS.verified,
  已验收: STATUS.verified,
}

const DATE_FIELDS: [Field & keyof LedgerRow, DayEdge][] = [
  ['foundAt', 'start'],
  ['deadline', 'end'],
  ['completedAt', 'start'],
  ['verifiedAt', 'start'],
]

export async function readLedgerSheet(data: Buffer, options: { now: Date }): Promise<{ rows: LedgerRow[]; problems: LedgerProblem[] }> {
  const table = await readTable(data, { what: '整改台账', fields: LEDGER_HEADERS, required: ['village', 'description'] })
  const header = (f: Field) => table.headers[f] ?? LEDGER_HEADERS[f][0]
  const hasStatus = table.headers.status !== undefined
  const rows: LedgerRow[] = []
  const problems: LedgerProblem[] = []
  for (const { row, cells, timed } of table.rows) {
    const reasons: string[] = []
    const text = (f: Field) => cellText(cells[f])
    const village = text('village').replace(/\s+/gu, '')
    const description = text('description')
    if (!village) reasons.push('没有写村名')
    if (!description) reasons.push('没有问题描述')

    const dates: Partial<Record<Field, Date>> = {}
    for (const [field, edge] of DATE_FIELDS) {
      if (!text(field)) continue
      const read = readDate(cells[field], options.now, edge, timed.has(field))
      if ('error' in read) reasons.push(`${header(field)}${read.error}`)
      else dates[field] = read.date
    }

    let status: Status | undefined
    if (hasStatus) {
      const written = text('status').replace(/\s+/gu, '')
      status = written ? STATUS_WORDS[written] : STATUS.todo
      if (!status) reasons.push(`${header('status')}“${written}”不认识，请写 ${Object.values(STATUS).join('、')}（也可写 ${Object.keys(STATUS_WORDS).filter((w) => !(Object.values(STATUS) as string[]).includes(w)).join('、')}）`)
    }

    if (reasons.length > 0) {
      problems.push({ row, reason: reasons.join('；') })
      continue
    }
    const optional = (f: Field) => text(f) || undefined
    const number = problemNumber(cells.number)
    rows.push(
      withoutUndefined({
        row,
        village,
        description,
        foundAt: dates.foundAt,
        deadline: dates.deadline,
        responsible: optional('responsible'),
        status,
        category: optional('category'),
        hamlet: optional('hamlet'),
        grid: optional('grid'),
        completedAt: dates.completedAt,
        verifiedAt: dates.verifiedAt,
        number,
      }),
    )
  }
  return { rows, problems }
}

/**
 * The assistant's problem number: a whole number, or #12. A clerk's own code (WH-001) is not one
 * of ours and is left out rather than refused: the row is then simply a new problem.
 */
function problemNumber(value: CellValue | undefined): number | undefined {
  const plain = plainValue(value)
  const n = typeof plain === 'number' ? plain : /^#?\d{1,9}$/u.test(cellText(plain)) ? Number(cellText(plain).replace('#', '')) : NaN
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}

// Optional fields are left out rather than set to undefined, so rows compare cleanly with toEqual.
function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T
}
