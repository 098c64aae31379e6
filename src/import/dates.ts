// Dates as township clerks put them in a sheet: real Excel dates, or text in a handful of forms.
import dayjs from 'dayjs'
import { TIMEZONE, calendarOf, endOfCivilDate } from '../time.ts'
import { cellText, plainValue, type CellValue } from './workbook.ts'

/** start: a date alone means the start of that day (发现日期); end: its last moment (限期). */
export type DayEdge = 'start' | 'end'

export type DateReading = { date: Date } | { error: string }

export const DATE_EXAMPLES = '2026-11-05、2026/11/5、2026年11月5日 或 11月5日'

// Years a ledger date can sensibly have; a time typed alone (10:30) reads as 1899-12-30.
const MIN_YEAR = 1990
const MAX_YEAR = 2100
// Excel serial numbers for those years (1900 date system), for a date left as a plain number.
const MIN_SERIAL = 32874
const MAX_SERIAL = 73416
const EXCEL_EPOCH_MS = Date.UTC(1899, 11, 30)

interface Civil {
  year: number
  month: number
  day: number
  /** Absent: a date without a time of day. */
  time?: { hour: number; minute: number; second: number; ms: number }
}

/**
 * Reads a date cell; `now` supplies the year of 11月5日 and 11.5. `timed`: the cell's format shows
 * the time, so 00:00 is a time (the assistant's own export), not a date alone (a clerk's 11月5日).
 */
export function readDate(value: CellValue | undefined, now: Date, edge: DayEdge, timed = false): DateReading {
  const plain = plainValue(value)
  const civil = civilOf(plain, now, timed)
  if ('error' in civil) return civil
  if (civil.year < MIN_YEAR || civil.year > MAX_YEAR) return { error: `“${shown(plain)}”不是日期，请写成 ${DATE_EXAMPLES}` }
  const date = instantOf(civil, edge)
  return date ? { date } : { error: `“${shown(plain)}”没有这一天` }
}

function shown(value: CellValue | undefined): string {
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value.toISOString().slice(0, 10) : cellText(value)
}

function civilOf(value: CellValue | undefined, now: Date, timed: boolean): Civil | { error: string } {
  const unreadable = { error: `“${shown(value)}”不是日期，请写成 ${DATE_EXAMPLES}` }
  // exceljs hands over an Excel date as a Date whose UTC fields are what the cell shows.
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? unreadable : fromWallClock(value, timed)
  if (typeof value === 'number') return fromNumber(value, now) ?? unreadable
  const text = cellText(value).normalize('NFKC').replace(/\s+/gu, ' ').trim()
  return fromText(text, now) ?? unreadable
}

// Milliseconds are kept: the assistant's own 限期 is 23:59:59.999, and rounding it would move it a day.
function fromWallClock(d: Date, timed = false): Civil {
  const time = { hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), ms: d.getUTCMilliseconds() }
  const midnight = !timed && time.hour === 0 && time.minute === 0 && time.second === 0 && time.ms === 0
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), ...(midnight ? {} : { time }) }
}

function fromNumber(n: number, now: Date): Civil | { error: string } | undefined {
  if (!Number.isFinite(n)) return undefined
  // 20261105, typed without separators.
  if (Number.isInteger(n) && n >= 19_900_101 && n <= 21_001_231) {
    return { year: Math.floor(n / 10_000), month: Math.floor(n / 100) % 100, day: n % 100 }
  }
  // A date cell formatted as a number: Excel's day count (rounded to the millisecond, as exceljs does).
  if (n >= MIN_SERIAL && n <= MAX_SERIAL) return fromWallClock(new Date(EXCEL_EPOCH_MS + Math.round(n * 86_400_000)))
  // 11.5 typed into a General cell becomes the number 11.5. 11.10 becomes 11.1 too, so a day that
  // could have lost its trailing zero (1, 2, 3) is asked about rather than guessed.
  const m = /^(\d{1,2})\.(\d{1,2})$/.exec(String(n))
  if (!m) return undefined
  const month = Number(m[1])
  const day = Number(m[2])
  const year = yearOf(now)
  if (m[2]!.length === 1 && boundsOf(year, month, day * 10)) {
    return { error: `“${n}”分不清是 ${month}月${day}日 还是 ${month}月${day * 10}日，请写成 ${month}月${day}日 这样` }
  }
  return { year, month, day }
}

const TIME = String.raw`(?:[ T]?(\d{1,2})[:时点](\d{1,2})(?:[:分](\d{1,2})秒?)?分?)?`
const FULL = new RegExp(String.raw`^(\d{4})\s?[-/.年]\s?(\d{1,2})\s?[-/.月]\s?(\d{1,2})\s?[日号]?${TIME}$`, 'u')
const COMPACT = new RegExp(String.raw`^(\d{4})(\d{2})(\d{2})${TIME}$`, 'u')
const SHORT = new RegExp(String.raw`^(\d{1,2})\s?[-/.月]\s?(\d{1,2})\s?[日号]?${TIME}$`, 'u')

function fromText(text: string, now: Date): Civil | undefined {
  const withTime = (m: RegExpExecArray, year: number, month: string, day: string): Civil => ({
    year,
    month: Number(month),
    day: Number(day),
    ...(m[m.length - 3] === undefined ? {} : { time: { hour: Number(m[m.length - 3]), minute: Number(m[m.length - 2]), second: Number(m[m.length - 1] ?? 0), ms: 0 } }),
  })
  const full = FULL.exec(text) ?? COMPACT.exec(text)
  if (full) return withTime(full, Number(full[1]), full[2]!, full[3]!)
  const short = SHORT.exec(text)
  // 11月5日 without a year: this year, as options.now sees it in the township.
  if (short) return withTime(short, yearOf(now), short[1]!, short[2]!)
  return undefined
}

// dayjs's time-zone arithmetic costs about 0.3 ms a call, 3 s for a 5,000-row ledger; a ledger
// has few distinct days, so each day's bounds are worked out once (at most ~40,000 days, 1990–2100).
const dayBounds = new Map<string, { start: number; end: number } | null>()
function boundsOf(year: number, month: number, day: number) {
  const key = `${year}-${month}-${day}`
  let bounds = dayBounds.get(key)
  if (bounds === undefined) {
    const end = endOfCivilDate(year, month, day)
    bounds = end ? { start: dayjs(end).tz(TIMEZONE).startOf('day').valueOf(), end: end.getTime() } : null
    dayBounds.set(key, bounds)
  }
  return bounds
}
let lastNow: { at: number; year: number } | undefined
function yearOf(now: Date): number {
  if (lastNow?.at !== now.getTime()) lastNow = { at: now.getTime(), year: calendarOf(now).year }
  return lastNow.year
}

function instantOf(c: Civil, edge: DayEdge): Date | undefined {
  const bounds = boundsOf(c.year, c.month, c.day)
  if (!bounds) return undefined
  const end = new Date(bounds.end)
  if (!c.time) return edge === 'end' ? end : new Date(bounds.start)
  const { hour, minute, second, ms } = c.time
  if (hour > 23 || minute > 59 || second > 59) return undefined
  return new Date(end.getTime() - ((23 - hour) * 3600 + (59 - minute) * 60 + (59 - second)) * 1000 - (999 - ms))
}
