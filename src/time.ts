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

/** End of a given month/day in the township, in the year that makes it not in the past. */
export function endOfDate(from: Date, month: number, day: number): Date {
  let d = local(from).month(month - 1).date(day).endOf('day')
  if (d.isBefore(local(from).startOf('day'))) d = d.add(1, 'year')
  return d.toDate()
}

/** Whole township days from `a` to `b` (positive when b is later). */
export function daysBetween(a: Date, b: Date): number {
  return local(b).startOf('day').diff(local(a).startOf('day'), 'day')
}

export const formatDate = (d: Date) => local(d).format('M月D日')
export const formatDateTime = (d: Date) => local(d).format('M月D日 HH:mm')
export const formatTime = (d: Date) => local(d).format('HH:mm')
