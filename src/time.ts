// Township time: every date a user reads or writes is in Asia/Shanghai.
import dayjs from 'dayjs'
import timezone from 'dayjs/plugin/timezone.js'
import utc from 'dayjs/plugin/utc.js'

dayjs.extend(utc)
dayjs.extend(timezone)

export const TIMEZONE = 'Asia/Shanghai'

export type Clock = () => Date
export const systemClock: Clock = () => new Date()

const local = (d: Date) => dayjs(d).tz(TIMEZONE)

/** The last moment of the township day `days` after `from`: "限期5天" filed today ends at 23:59:59 five days on. */
export function endOfDayAfter(from: Date, days: number): Date {
  return local(from).add(days, 'day').endOf('day').toDate()
}

/** The last moment of the township day `months` calendar months after `from` ("限期一个月"). */
export function endOfMonthsAfter(from: Date, months: number): Date {
  return local(from).add(months, 'month').endOf('day').toDate()
}

/** The last moment of the township month `monthsAhead` after `from`'s ("限期月底", "下月底"). */
export function endOfMonth(from: Date, monthsAhead = 0): Date {
  return local(from).add(monthsAhead, 'month').endOf('month').toDate()
}

/** The last moment of a township date; undefined when there is no such date (2月30日). */
export function endOfCivilDate(year: number, month: number, day: number): Date | undefined {
  const d = dayjs.tz(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`, TIMEZONE)
  if (!d.isValid() || d.year() !== year || d.month() !== month - 1 || d.date() !== day) return undefined
  return d.endOf('day').toDate()
}

/** `from`'s township date; weekday 1 = Monday … 7 = Sunday (township weeks start on Monday). */
export function calendarOf(from: Date): { year: number; month: number; day: number; weekday: number } {
  const d = local(from)
  return { year: d.year(), month: d.month() + 1, day: d.date(), weekday: d.day() === 0 ? 7 : d.day() }
}

/** Whole township days from `a` to `b` (positive when b is later). */
export function daysBetween(a: Date, b: Date): number {
  return local(b).startOf('day').diff(local(a).startOf('day'), 'day')
}

export const formatDate = (d: Date) => local(d).format('M月D日')
export const formatDateTime = (d: Date) => local(d).format('M月D日 HH:mm')
export const formatTime = (d: Date) => local(d).format('HH:mm')
