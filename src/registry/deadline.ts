// Reading a deadline word ("限期十五天", "限期两周", "限期12月5号", "限期下周五") into the end of a
// township day. Numbers are read by the one number reader, so 十五 and 15 are the same.
import { readWholeNumber } from '../numbers.ts'
import { calendarOf, endOfCivilDate, endOfDayAfter, endOfMonth, endOfMonthsAfter } from '../time.ts'
import { ArgumentError } from './errors.ts'

export const DEADLINE_HELP = '限期请写成「限期15天」「限期两周」「限期一个月」「限期12月5日」或「限期下周五」。'
const MAX_DAYS = 365
const RELATIVE_DAYS: Record<string, number> = { 今天: 0, 今日: 0, 当天: 0, 明天: 1, 明日: 1, 后天: 2 }
const MONTH_ENDS: Record<string, number> = { 月底: 0, 月末: 0, 本月底: 0, 本月末: 0, 下月底: 1, 下月末: 1, 下个月底: 1 }
const WEEKDAYS: Record<string, number> = { 一: 1, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 日: 7, 天: 7 }

/** A span of days as written for a deadline or an extension: 5天, 十五日, 两周, 一个星期; undefined otherwise. */
export function readDays(body: string): number | undefined {
  if (/^半个?月$/.test(body)) return 15
  const weeks = /^(.+?)个?(?:周|星期|礼拜)$/.exec(body)
  if (weeks) {
    const n = readWholeNumber(weeks[1]!)
    return n === undefined ? undefined : n * 7
  }
  const days = /^(.+?)(?:天|日)$/.exec(body)
  return days ? readWholeNumber(days[1]!) : undefined
}

/** The word after 限期 → the end of the last township day allowed. Throws ArgumentError when unreadable or out of range. */
export function readDeadline(word: string, now: Date): Date {
  // "限期15天内", "限期12月5日前": 内 and 前 add nothing.
  const body = word.replace(/^限期[:为]?/, '').replace(/(?:之内|以内|内|之前|以前|前)$/, '')
  const today = calendarOf(now)
  const inRange = (deadline: Date) => {
    if (deadline.getTime() < now.getTime()) throw new ArgumentError(`「${word}」已经过了，请写今天以后的日期。`)
    if (deadline.getTime() > endOfDayAfter(now, MAX_DAYS).getTime()) throw new ArgumentError(`限期最长 ${MAX_DAYS} 天，「${word}」太远了。`)
    return deadline
  }
  const daysOn = (n: number) => {
    if (n < 1) throw new ArgumentError(`限期至少 1 天。${DEADLINE_HELP}`)
    return inRange(endOfDayAfter(now, n))
  }

  if (body in RELATIVE_DAYS) return endOfDayAfter(now, RELATIVE_DAYS[body]!)
  if (body in MONTH_ENDS) return endOfMonth(now, MONTH_ENDS[body]!)
  if (/^(?:今?年底|年末)$/.test(body)) return endOfMonth(now, 12 - today.month)

  // 周五 is the coming Friday (today included), 本周五 this week's, 下周五 next week's.
  const weekday = /^(本|这|下个?)?(?:周|星期|礼拜)([一二三四五六日天])$/.exec(body)
  if (weekday) {
    const [, which, day] = weekday
    const ahead = WEEKDAYS[day!]! - today.weekday + (which?.startsWith('下') ? 7 : 0)
    if (ahead < 0 && which) throw new ArgumentError(`${body}已经过了，请写「下${body.replace(/^[本这]/, '')}」或具体日期。`)
    return endOfDayAfter(now, ahead < 0 ? ahead + 7 : ahead)
  }

  // 12月5日, 十二月五号, 12.5, 12/5, 2026年12月5日: without a year, the next such date.
  const date = /^(?:(\d{4})年)?([^月./-]+)[月./-]([^日号]+)[日号]?$/.exec(body)
  if (date) {
    const [month, day] = [readWholeNumber(date[2]!), readWholeNumber(date[3]!)]
    if (month !== undefined && day !== undefined) {
      const written = `${month}月${day}日`
      const year = date[1] ? Number(date[1]) : today.year
      let end = endOfCivilDate(year, month, day)
      if (end && !date[1] && end.getTime() < now.getTime()) end = endOfCivilDate(year + 1, month, day)
      if (!end) throw new ArgumentError(`「${written}」不是有效的日期。${DEADLINE_HELP}`)
      return inRange(end)
    }
  }

  // 5号: the next 5th of a month.
  const dayOfMonth = /^(.+?)号$/.exec(body)
  const dom = dayOfMonth ? readWholeNumber(dayOfMonth[1]!) : undefined
  if (dom !== undefined) {
    const end = endOfCivilDate(today.year, today.month, dom)
    const next = today.month === 12 ? endOfCivilDate(today.year + 1, 1, dom) : endOfCivilDate(today.year, today.month + 1, dom)
    const chosen = end && end.getTime() >= now.getTime() ? end : next
    if (!chosen) throw new ArgumentError(`「${dom}号」不是有效的日期。${DEADLINE_HELP}`)
    return inRange(chosen)
  }

  const months = /^(.+?)个月$/.exec(body)
  const monthCount = months ? readWholeNumber(months[1]!) : undefined
  if (monthCount !== undefined) {
    if (monthCount < 1) throw new ArgumentError(`限期至少 1 天。${DEADLINE_HELP}`)
    return inRange(endOfMonthsAfter(now, monthCount))
  }

  const days = readDays(body)
  if (days !== undefined) return daysOn(days)
  throw new ArgumentError(`没看懂「${word}」。${DEADLINE_HELP}`)
}
