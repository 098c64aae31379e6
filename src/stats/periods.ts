// The periods the supervision rhythm counts in: ISO weeks (周通报) and calendar months (月考核),
// both in township time (Asia/Shanghai), whatever the server's own time zone is.
//
// A period is half-open: [start, end). `end` is the next period's `start`, so every instant
// belongs to exactly one week and one month.
import dayjs from 'dayjs'
import { readWholeNumber } from '../numbers.ts'
import { TIMEZONE } from '../time.ts'

export interface Week {
  /** ISO week, e.g. `2026-W49` (the ISO week-year, which differs from the calendar year around New Year). */
  key: string
  /** Monday 00:00 Shanghai. */
  start: Date
  /** The next Monday 00:00 Shanghai (exclusive). */
  end: Date
  /** e.g. `11月30日—12月6日` (Monday to Sunday). */
  label: string
}

export interface Month {
  /** e.g. `2026-11`. */
  key: string
  /** The 1st, 00:00 Shanghai. */
  start: Date
  /** The next month's 1st, 00:00 Shanghai (exclusive). */
  end: Date
  /** e.g. `2026年11月`. */
  label: string
}

/** A township calendar day; arithmetic on it is done in UTC, where days never shift. */
interface CivilDay { year: number; month: number /* 1..12 */; day: number }

function civilOf(date: Date): CivilDay {
  const local = dayjs(date).tz(TIMEZONE)
  return { year: local.year(), month: local.month() + 1, day: local.date() }
}

/** The civil day `days` after (the date parts may overflow: 2026-11-33 is 2026-12-03). */
function civilAdd(c: CivilDay, days = 0): CivilDay {
  const d = new Date(Date.UTC(c.year, c.month - 1, c.day + days))
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
}

/** 0 = Monday … 6 = Sunday. */
function isoWeekday(c: CivilDay): number {
  return (new Date(Date.UTC(c.year, c.month - 1, c.day)).getUTCDay() + 6) % 7
}

const pad = (n: number) => String(n).padStart(2, '0')

/** 00:00 of a township day, as an instant. */
function midnight(c: CivilDay): Date {
  const n = civilAdd(c)
  return dayjs.tz(`${n.year}-${pad(n.month)}-${pad(n.day)} 00:00`, TIMEZONE).toDate()
}

const dayLabel = (c: CivilDay) => `${c.month}月${c.day}日`

/** The ISO week (Monday to Sunday, Shanghai) holding `date`. */
export function weekOf(date: Date): Week {
  const today = civilOf(date)
  const monday = civilAdd(today, -isoWeekday(today))
  const sunday = civilAdd(monday, 6)
  // ISO 8601: a week belongs to the year that holds its Thursday; week 1 holds the year's first Thursday.
  const thursday = civilAdd(monday, 3)
  const dayOfYear = (Date.UTC(thursday.year, thursday.month - 1, thursday.day) - Date.UTC(thursday.year, 0, 1)) / 86_400_000 + 1
  const number = Math.floor((dayOfYear - 1) / 7) + 1
  return {
    key: `${thursday.year}-W${pad(number)}`,
    start: midnight(monday),
    end: midnight(civilAdd(monday, 7)),
    label: `${dayLabel(monday)}—${dayLabel(sunday)}`,
  }
}

export function previousWeek(week: Week): Week {
  return weekOf(new Date(week.start.getTime() - 1))
}

export function nextWeek(week: Week): Week {
  return weekOf(week.end)
}

function monthFromParts(year: number, month: number): Month {
  return {
    key: `${year}-${pad(month)}`,
    start: midnight({ year, month, day: 1 }),
    end: midnight({ year, month: month + 1, day: 1 }),
    label: `${year}年${month}月`,
  }
}

/** The calendar month (Shanghai) holding `date`. */
export function monthOf(date: Date): Month {
  const c = civilOf(date)
  return monthFromParts(c.year, c.month)
}

export function previousMonth(month: Month): Month {
  return monthOf(new Date(month.start.getTime() - 1))
}

/**
 * A month as people write it: `11月`, `2026年11月`, `2026-11` (also `2026/11`, `2026.11`,
 * full-width digits, `十一月`, `本月`, `上月`/`上个月`). A bare month is the most recent such month that has
 * begun by `now` (in December, `12月` is this month and `1月` is this January; in January, `12月`
 * is last December). An explicit year is taken as written, even in the future. Anything else,
 * or a month outside 1..12, is `undefined`.
 */
export function parseMonth(text: string, now: Date): Month | undefined {
  const t = text
    .replace(/[\uFF10-\uFF19]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000]+/g, '')
    .replace(/[－／．]/g, (ch) => ({ '－': '-', '／': '/', '．': '.' })[ch] ?? ch)
    .replace(/^(.*?)([零〇一二两三四五六七八九十]+)(?=月)/, (_all, head: string, cn: string) => head + String(readWholeNumber(cn) ?? cn))
  const current = civilOf(now)
  if (/^(本月|这个月|本月份)$/.test(t)) return monthFromParts(current.year, current.month)
  if (/^(上月|上个月|上月份)$/.test(t)) return previousMonth(monthFromParts(current.year, current.month))
  let year: number | undefined
  let month: number
  let m: RegExpMatchArray | null
  if ((m = t.match(/^(\d{4})(?:年|[-/.])(\d{1,2})月?(?:份)?$/))) {
    year = Number(m[1])
    month = Number(m[2])
  } else if ((m = t.match(/^(\d{1,2})月(?:份)?$/))) {
    month = Number(m[1])
  } else {
    return undefined
  }
  if (!Number.isInteger(month) || month < 1 || month > 12) return undefined
  if (year === undefined) year = month <= current.month ? current.year : current.year - 1
  if (year < 1970 || year > 9999) return undefined
  return monthFromParts(year, month)
}
